//! The two systems the flow changes, as ports in the flow's own terms: Centra returns (through
//! centra-gateway) and the WMS's reported returns (through the WMS gateway). The flow never
//! sees a gateway message.
//!
//! Layout:
//! - [`CentraReturns`]: a shipment's lines, and creating a return once per key;
//! - [`WmsReturns`]: telling the WMS which returned units are reported;
//! - `grpc`: [`GrpcCentra`] and [`GrpcWms`], the adapters over the generated clients.
//!
//! Rules every adapter keeps (the fakes of the flow tests and the gRPC adapters alike):
//! - every change carries an idempotency key; the same change again is success, never a second
//!   effect;
//! - a failure is a [`PortError`] whose [`PortErrorKind`] is made at the adapter boundary:
//!   [`PortErrorKind::Unavailable`] when the outcome is unknown and the same call may pass
//!   later, [`PortErrorKind::Refused`] when the record must change first,
//!   [`PortErrorKind::BrokenAnswer`] when the answer breaks the gateway's contract.

mod grpc;

use std::collections::BTreeMap;

use async_trait::async_trait;
use domain::PortError;

#[cfg(doc)]
use domain::PortErrorKind;

pub use grpc::{GrpcCentra, GrpcWms};

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
    /// [`PortErrorKind::Refused`] when Centra does not know the shipment;
    /// [`PortErrorKind::Unavailable`] when the gateway or Centra cannot answer now;
    /// [`PortErrorKind::BrokenAnswer`] when the answer breaks the contract (no shipment).
    async fn shipment_lines(
        &self,
        endpoint: &str,
        shipment_id: &str,
    ) -> Result<BTreeMap<String, i64>, PortError>;

    /// Creates the return once per idempotency key.
    ///
    /// # Errors
    /// [`PortErrorKind::Refused`] when Centra refuses the return (bad line, quantity);
    /// [`PortErrorKind::Unavailable`] when the outcome is unknown: the same call again is safe;
    /// [`PortErrorKind::BrokenAnswer`] when the gateway does not serve the call as contracted.
    async fn create_return(&self, new: &NewCentraReturn) -> Result<CreatedReturn, PortError>;
}

/// The WMS's bookkeeping of reported returns.
#[async_trait]
pub trait WmsReturns: Send + Sync + std::fmt::Debug {
    /// Marks the returned units of the order's lines as reported (WMS line id -> returned total
    /// now reported), so the WMS stops listing them. Never lowers a reported total.
    ///
    /// # Errors
    /// [`PortErrorKind::Refused`] when the WMS does not know the order or a line;
    /// [`PortErrorKind::Unavailable`] when it cannot answer now (the same call again is safe);
    /// [`PortErrorKind::BrokenAnswer`] when the gateway does not serve the call as contracted.
    async fn acknowledge_returned(&self, report: &ReturnedReported) -> Result<(), PortError>;
}

/// Returned units of a WMS order's lines were reported to Centra: the warehouse stops listing
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnedReported {
    pub idempotency_key: String,
    pub warehouse: String,
    pub wms_order_id: i64,
    /// The return: the record the gateway keeps the acknowledgement's calls under, so they
    /// show in the return's journey.
    pub return_id: String,
    /// WMS line id -> returned total now reported.
    pub lines: BTreeMap<i64, i64>,
}
