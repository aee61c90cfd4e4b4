//! The two systems the flow changes, as ports in the flow's own terms: Centra returns (through
//! centra-gateway) and the WMS's reported returns (through ongoing-gateway). The gRPC adapters
//! are in [`crate::grpc_ports`]; the flow never sees a gateway message.

use std::collections::BTreeMap;

use async_trait::async_trait;

/// Why a call did not go through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// Transport or the far side is down: try the same call again later.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The far side refused this record (bad field, unknown record): retrying the same call
    /// will not help; a person or new facts must change something first.
    #[error("{0}")]
    Refused(String),
}

/// A return to create in Centra.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCentraReturn {
    /// The WMS return id: an answer lost after Centra created the return, then a retry, finds
    /// the first return instead of making a second.
    pub idempotency_key: String,
    pub endpoint: String,
    pub shipment_id: String,
    /// Shipment line id -> units.
    pub lines: BTreeMap<String, i64>,
    /// The combined causes.
    pub comment: String,
    /// `returnStock`; `None` leaves it to Centra's store default.
    pub return_stock: Option<bool>,
}

/// What Centra answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedReturn {
    pub return_id: String,
    /// An earlier attempt had created it.
    pub already_done: bool,
}

/// Centra shipments and returns.
#[async_trait]
pub trait CentraReturns: Send + Sync + std::fmt::Debug {
    /// The lines of the shipment as Centra has them: shipment line id -> units.
    ///
    /// # Errors
    /// [`PortError::Refused`] when Centra does not know the shipment; [`PortError::Unavailable`]
    /// when the gateway or Centra cannot answer now.
    async fn shipment_lines(
        &self,
        endpoint: &str,
        shipment_id: &str,
    ) -> Result<BTreeMap<String, i64>, PortError>;

    /// Creates the return once per idempotency key.
    ///
    /// # Errors
    /// [`PortError::Refused`] when Centra refuses the return (bad line, quantity);
    /// [`PortError::Unavailable`] when the outcome is unknown: the same call again is safe.
    async fn create_return(&self, new: &NewCentraReturn) -> Result<CreatedReturn, PortError>;
}

/// The WMS's bookkeeping of reported returns.
#[async_trait]
pub trait WmsReturns: Send + Sync + std::fmt::Debug {
    /// Marks the returned units of the order's lines as reported (WMS line id -> returned total
    /// now reported), so the WMS stops listing them. Never lowers a reported total.
    ///
    /// # Errors
    /// [`PortError::Refused`] when the WMS does not know the order or a line;
    /// [`PortError::Unavailable`] when it cannot answer now (the same call again is safe).
    async fn acknowledge_returned(
        &self,
        idempotency_key: &str,
        warehouse: &str,
        wms_order_id: i64,
        lines: &BTreeMap<i64, i64>,
    ) -> Result<(), PortError>;
}
