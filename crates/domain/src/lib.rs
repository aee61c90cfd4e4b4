//! The shared vocabulary and pure rules of centra-wms.
//!
//! Everything here is plain data and functions: no I/O, no async, no clocks (callers pass times
//! in). Gateways translate Centra and Ongoing payloads *into* these types; sync services apply
//! the rules; events carry the ids built in [`events`].
//!
//! Layout:
//! - identities: [`secret`] (credentials that never print), [`gtin`] (EAN check digits),
//!   [`endpoint`] (Centra end-points), [`order`] / [`shipment`] / [`purchase_order`] (Centra ids
//!   and records), [`wms_order_number`] (the numbers written to the WMS and the way back).
//! - catalogue: [`product`] (size rows, weights, prices), [`article_number`] (the one rule that
//!   makes WMS article numbers), [`article_filter`] (which rows become articles).
//! - flows: [`tracking`] (completion gate), [`stock`] (what goes to Centra), [`returns`] (cause
//!   combining), [`purchase_order`] (acceptance), [`park`] (why a record waits for a person).
//! - [`settings`]: every tenant option with its default and validation; [`plugin_access`]: the
//!   Order API end-point groups each end-point's flows need.
//! - [`centra_time`]: Centra's offset-less timestamps to UTC and back.
//! - [`events`]: deterministic event ids.
//! - [`port_error`]: how a call through any sync service's port fails (retryable or terminal).

pub mod address;
pub mod article_filter;
pub mod article_number;
pub mod centra_time;
pub mod endpoint;
pub mod events;
pub mod gtin;
mod ids;
pub mod order;
pub mod park;
pub mod plugin_access;
pub mod port_error;
pub mod product;
pub mod purchase_order;
pub mod quantity;
pub mod returns;
pub mod secret;
pub mod settings;
pub mod shipment;
pub mod shipping;
pub mod stock;
pub mod tracking;
pub mod transition;
pub mod wms_order_number;

pub use address::Address;
pub use article_filter::{ArticleDecision, ArticleFilter, SkipReason};
pub use article_number::{
    ArticleIdentity, ArticleNumber, ArticleNumberError, ArticleNumberRule, CentraProductKey,
    DEFAULT_MAX_ARTICLE_NUMBER_LEN, IdentifiesArticle, SkuPart,
};
pub use endpoint::{
    CentraApi, CentraEndpoint, EndpointName, EndpointNameError, EndpointRole,
    TOKEN_EXPIRY_WARNING_DAYS, TokenExpiry,
};
pub use events::{EventId, ShipmentChange, quantities_fingerprint};
pub use gtin::{Ean, Gtin, GtinError};
pub use ids::IdError;
pub use order::{CentraOrderId, CentraOrderStatus, LineId, Order, OrderLine};
pub use park::{LineProblem, ParkReason};
pub use plugin_access::{EndpointGroup, GroupNeed, groups_needed};
pub use port_error::{PortError, PortErrorKind};
pub use product::{Price, SizeRow, Weight, WeightUnit};
pub use purchase_order::{
    AcceptancePlan, DeliveryId, DeliveryLine, DeliveryOutcome, LineAcceptance, Receipt,
    ReceivedLine, SupplierDelivery, plan_acceptance,
};
pub use quantity::{MAX_LINE_QUANTITY, QuantityError, line_quantity};
pub use returns::{CombinedCause, ReturnCause, ReturnedItem, combine_causes, return_quantities};
pub use secret::Secret;
pub use settings::{Settings, SettingsError};
pub use shipment::{ArticleLine, Shipment, ShipmentId, ShipmentLine};
pub use shipping::{
    ShippingMethod, ShippingMethodMapping, Transporter, TransporterContract, UnknownTransporter,
    find_transporter, unknown_transporters,
};
pub use stock::{CentraStock, StockDecision, WmsStock, stock_decision};
pub use tracking::{Parcel, Tracking};
pub use transition::IllegalTransition;
pub use wms_order_number::{
    CentraReference, UnknownWmsNumber, WmsOrderNumber, WmsPurchaseOrderNumber,
};

/// Re-exported for [`lenient_section!`]; not part of the API.
#[doc(hidden)]
pub use serde as __serde;
