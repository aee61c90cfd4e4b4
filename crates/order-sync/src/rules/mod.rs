//! The rules of the money flow, pure and synchronous: no I/O, no clocks.
//!
//! Layout:
//! - [`state`]: where a shipment is in its life ([`ShipmentState`]) and why it waits
//!   ([`HoldReason`]).
//! - [`import`]: whether a good-to-go shipment goes to the warehouse, is parked, or is captured
//!   first ([`decide_import`]).
//! - [`order_import`]: whether a ready Centra order becomes one WMS order, and the rule that
//!   keeps an order and its shipments from both reaching the warehouse under `both`.
//! - [`completion`]: what a WMS shipment report leads to: wait for tracking or a person, park,
//!   or update quantities, make a capture on import still owed, and complete with an explicit
//!   capture flag ([`decide_completion`], [`capture_on_import_owed`]).
//! - [`order_state`] and [`delivery_state`]: the state machines of imported orders
//!   ([`OrderState`]) and supplier deliveries ([`DeliveryState`], parked for a
//!   [`DeliveryHold`]; an order waits for an [`OrderHold`]).
//! - the error of every state machine is `domain::IllegalTransition`, shared with the other
//!   sync services (re-exported here).

pub mod completion;
pub mod delivery_state;
pub mod import;
pub mod order_import;
pub mod order_state;
pub mod state;

pub use completion::{
    CompletionDecision, CompletionPlan, PaymentNow, PickedLine, ShippedReport,
    capture_on_import_owed, decide_completion,
};
pub use delivery_state::{DeliveryHold, DeliveryState};
pub use domain::IllegalTransition;
pub use import::{ImportDecision, ImportOrder, decide_import};
pub use order_import::{
    OrderFacts, OrderHold, OrderImportDecision, ReadyOrder, decide_order_import,
};
pub use order_state::OrderState;
pub use state::{CancellationMove, HoldReason, ShipmentState};
