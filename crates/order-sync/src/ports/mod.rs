//! The two systems the flow changes, as ports in the flow's own terms: Centra shipments and
//! supplier deliveries (through centra-gateway) and WMS orders and purchase orders (through the
//! WMS gateway, whichever warehouse serves it). The gRPC adapters are in `grpc`; the flow never
//! sees a gateway message, so a second Centra API or a second warehouse changes only a gateway.
//!
//! Layout:
//! - [`CentraShipments`]: read, capture, re-quantify and complete shipments; accept deliveries;
//! - [`WmsOrders`]: upsert and cancel orders, upsert purchase orders, acknowledge reports;
//! - the commands in domain terms ([`WmsOrder`], [`Completion`], ...);
//! - `grpc`: [`GrpcCentra`] and [`GrpcWms`], the adapters over the generated clients.
//!
//! Rules every adapter keeps (the fakes of the flow tests and the gRPC adapters alike; the
//! contract cases of `tests/order_ports_contract` in `centra-wms-tests` check both):
//! - every command carries an idempotency key; the same command again is success, answered
//!   "already done" where the method returns it, and never a second effect;
//! - a failure says its kind ([`PortErrorKind`](domain::PortErrorKind)), made at the adapter
//!   boundary: `Unavailable` when the outcome is unknown and the same call may pass later,
//!   `Refused` when the record must change first, `ArticlesMissing` (with the articles) when
//!   the warehouse lacks articles, `BrokenAnswer` when the answer breaks this contract.

mod grpc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::{
    Address, ArticleLine, ArticleNumber, CentraProductKey, EndpointName, LineId, PortError,
    Shipment, ShipmentId, Transporter,
};

pub use grpc::{GrpcCentra, GrpcWms};

/// A shipment as Centra shows it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentraShipment {
    pub shipment: Shipment,
    /// Completed in Centra already (by us earlier, or by a person).
    pub completed: bool,
}

/// New quantities for the lines of a partly picked shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantityUpdate {
    pub idempotency_key: String,
    pub endpoint: EndpointName,
    pub shipment_id: ShipmentId,
    /// Shipment line -> units shipped.
    pub lines: Vec<(LineId, u32)>,
}

/// Completing a shipment in Centra, with what the warehouse shipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub idempotency_key: String,
    pub endpoint: EndpointName,
    /// The Centra order id.
    pub order_id: String,
    pub shipment_id: ShipmentId,
    /// Capture on completion; always sent, never left to Centra's default.
    pub capture: bool,
    pub carrier: String,
    pub service: String,
    /// Waybill first, then every parcel number.
    pub tracking_numbers: Vec<String>,
    pub packages: u32,
    /// Why it is completed (automatic, by a person), for Centra's internal comment.
    pub internal_comment: String,
}

/// Accepting a supplier delivery once, with what arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAcceptance {
    pub idempotency_key: String,
    pub endpoint: String,
    pub delivery_id: String,
    /// How `quantities` name Centra's products.
    pub key: CentraProductKey,
    /// Product (by `key`) -> units accepted.
    pub quantities: Vec<(String, u32)>,
    /// `insertStock`; `None` leaves Centra's default.
    pub insert_stock: Option<bool>,
}

/// An order for the warehouse, upserted by its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WmsOrder {
    pub idempotency_key: String,
    pub warehouse: String,
    /// Deterministic, from the Centra shipment or order.
    pub order_number: String,
    pub delivery_date: NaiveDate,
    pub consignee: Address,
    pub transporter: Option<Transporter>,
    pub lines: Vec<ArticleLine>,
    /// The Centra order id, for the warehouse's reference field.
    pub centra_order_id: String,
    /// The shop's own id of what is shipped (the shipment id, or the order id).
    pub shop_order_id: String,
}

/// Cancelling an order the warehouse has not started on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WmsCancellation {
    pub idempotency_key: String,
    pub warehouse: String,
    pub order_number: String,
}

/// One line of a purchase order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseOrderLine {
    pub row_number: u32,
    pub article_number: ArticleNumber,
    pub quantity: u32,
}

/// A purchase order (an expected supplier delivery), upserted by its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WmsPurchaseOrder {
    pub idempotency_key: String,
    pub warehouse: String,
    pub purchase_order_number: String,
    pub supplier_order_number: String,
    pub supplier_name: String,
    /// Expected arrival.
    pub in_date: Option<DateTime<Utc>>,
    pub remark: String,
    /// The Centra delivery, for the warehouse's reference field.
    pub reference: String,
    pub lines: Vec<PurchaseOrderLine>,
}

/// Picked quantities of a WMS order were reported to Centra: the warehouse stops listing them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickedReported {
    pub idempotency_key: String,
    pub warehouse: String,
    pub wms_order_id: i64,
    /// The WMS order number: the record the gateway keeps the acknowledgement's calls under,
    /// so they show in the shipment's journey.
    pub wms_order_number: String,
    /// WMS line id -> units now reported.
    pub lines: Vec<(i64, u32)>,
}

/// Centra shipments and supplier deliveries.
#[async_trait]
pub trait CentraShipments: Send + Sync + std::fmt::Debug {
    /// Captures the payment of the shipment; "already captured" is success.
    ///
    /// # Errors
    /// `Refused` when Centra will not capture (declined, nothing to capture); `Unavailable`
    /// when the outcome is unknown: the same key again never captures twice.
    async fn capture(
        &self,
        idempotency_key: &str,
        endpoint: &EndpointName,
        shipment_id: &ShipmentId,
    ) -> Result<(), PortError>;

    /// The shipment as Centra shows it now (paid, lines, completed).
    ///
    /// # Errors
    /// `Refused` when Centra does not know the shipment; `Unavailable` when it cannot answer
    /// now; `BrokenAnswer` when the answer cannot be read as a shipment.
    async fn shipment(
        &self,
        endpoint: &EndpointName,
        shipment_id: &ShipmentId,
    ) -> Result<CentraShipment, PortError>;

    /// Sets the line quantities of a partly picked shipment; the same quantities again is
    /// success.
    ///
    /// # Errors
    /// `Refused` when Centra refuses the quantities; `Unavailable` when the outcome is unknown.
    async fn update_quantities(&self, update: &QuantityUpdate) -> Result<(), PortError>;

    /// Completes the shipment; `Ok(true)` when it was already completed.
    ///
    /// # Errors
    /// `Refused` when Centra refuses (an unpaid shipment completed without capture, a capture
    /// that fails); `Unavailable` when the outcome is unknown.
    async fn complete(&self, completion: &Completion) -> Result<bool, PortError>;

    /// Accepts a supplier delivery once; `Ok(true)` when it was already accepted.
    ///
    /// # Errors
    /// `Refused` when Centra does not know the delivery or refuses the quantities;
    /// `Unavailable` when the outcome is unknown.
    async fn accept_delivery(&self, acceptance: &DeliveryAcceptance) -> Result<bool, PortError>;
}

/// WMS orders and purchase orders.
#[async_trait]
pub trait WmsOrders: Send + Sync + std::fmt::Debug {
    /// Creates or updates the order by number; returns the WMS order id.
    ///
    /// # Errors
    /// `ArticlesMissing` naming every article the WMS lacks, when that is why it refused;
    /// `Refused` for any other refusal; `Unavailable` when the call may pass later.
    async fn upsert_order(&self, order: &WmsOrder) -> Result<i64, PortError>;

    /// Cancels the order before the warehouse started work; `Ok(true)` when it was already
    /// cancelled or never reached the WMS.
    ///
    /// # Errors
    /// `Refused` once the warehouse started work on it; `Unavailable` when the outcome is
    /// unknown.
    async fn cancel_order(&self, cancellation: &WmsCancellation) -> Result<bool, PortError>;

    /// Creates or updates a purchase order by number; returns the WMS purchase order id.
    ///
    /// # Errors
    /// As [`WmsOrders::upsert_order`].
    async fn upsert_purchase_order(&self, order: &WmsPurchaseOrder) -> Result<i64, PortError>;

    /// Records the picked quantities as reported, so the WMS stops listing them.
    ///
    /// # Errors
    /// `Unavailable` when the outcome is unknown (the same report again is harmless);
    /// `Refused` when the WMS does not know the order or lines.
    async fn acknowledge_picked(&self, report: &PickedReported) -> Result<(), PortError>;
}
