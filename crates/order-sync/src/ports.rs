//! The two systems the flow changes, as ports: Centra shipments (through centra-gateway) and
//! WMS orders (through ongoing-gateway). Requests are the gateway contracts themselves; every
//! one carries an idempotency key and the gateways answer "already done" as success.

use async_trait::async_trait;
use proto::centra::v1 as centra;
use proto::wms::v1 as wms;

/// Why a call did not go through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// Transport or the far side is down: try the same call again later.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The far side refused this record (bad field, state does not allow it): retrying the
    /// same call will not help; a person or new facts must change something first.
    #[error("{0}")]
    Refused(String),
    /// The WMS refused the record because it lacks these articles: it can go through once
    /// they are synced. Told apart by the gateway (a typed reason), never by the message.
    #[error("{message}")]
    ArticlesMissing {
        message: String,
        articles: Vec<String>,
    },
}

/// Centra shipments.
#[async_trait]
pub trait CentraShipments: Send + Sync + std::fmt::Debug {
    /// Captures the payment; "already captured" is success.
    async fn capture(&self, request: centra::CaptureShipmentRequest) -> Result<(), PortError>;
    /// The shipment as Centra shows it now (paid, status).
    async fn shipment(
        &self,
        endpoint: &str,
        shipment_id: &str,
    ) -> Result<centra::Shipment, PortError>;
    /// Sets line quantities of a partly picked shipment; the same quantities again is success.
    async fn update_quantities(
        &self,
        request: centra::UpdateShipmentQuantitiesRequest,
    ) -> Result<(), PortError>;
    /// Completes; true when it was already completed.
    async fn complete(&self, request: centra::CompleteShipmentRequest) -> Result<bool, PortError>;
    /// Accepts a supplier delivery (once); true when it was already accepted.
    async fn accept_delivery(
        &self,
        request: centra::AcceptSupplierDeliveryRequest,
    ) -> Result<bool, PortError>;
}

/// WMS orders.
#[async_trait]
pub trait WmsOrders: Send + Sync + std::fmt::Debug {
    /// Creates or updates the order by number; returns the WMS order id.
    ///
    /// # Errors
    /// [`PortError::ArticlesMissing`] naming the articles the WMS lacks, when that is why it
    /// refused; [`PortError::Refused`] for any other refusal; [`PortError::Unavailable`] when
    /// the call may pass later.
    async fn upsert_order(&self, request: wms::UpsertOrderRequest) -> Result<i64, PortError>;
    /// Cancels the order by number before the warehouse started work; true when it was already
    /// cancelled or never reached the WMS. Refused once work started.
    async fn cancel_order(&self, request: wms::CancelOrderRequest) -> Result<bool, PortError>;
    /// Creates or updates a purchase order by number; returns the WMS purchase order id.
    ///
    /// # Errors
    /// As [`WmsOrders::upsert_order`].
    async fn upsert_purchase_order(
        &self,
        request: wms::UpsertPurchaseOrderRequest,
    ) -> Result<i64, PortError>;
    /// Records the picked quantities as reported, so the WMS stops listing them.
    async fn acknowledge(&self, request: wms::AcknowledgeReportedRequest) -> Result<(), PortError>;
}
