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
//!   or update quantities and complete with an explicit capture flag ([`decide_completion`]).

pub mod completion;
pub mod import;
pub mod order_import;
pub mod state;

pub use completion::{
    CompletionDecision, CompletionPlan, PickedLine, ShippedReport, decide_completion,
};
pub use import::{ImportDecision, ImportOrder, decide_import};
pub use order_import::{OrderFacts, OrderImportDecision, ReadyOrder, decide_order_import};
pub use state::{CancellationMove, HoldReason, IllegalTransition, ShipmentState};
