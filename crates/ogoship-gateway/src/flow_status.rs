//! `FlowStatus` of ogoship-gateway: one flow per detector (`shipped`, `received`, `returns`,
//! `stock`) of the warehouse it serves.
//!
//! - last run, last success and the last round error come from [`DetectLog`], which the
//!   detector fills after every round (in memory: a restart starts it empty, and the first
//!   round, run at start, fills it again);
//! - the cursor is the detector's `modifiedAfter` cursor (`detect/cursor.rs`), as RFC 3339;
//! - parked is the open dead letters of the detector's record kind; the newest one is the last
//!   error when it is newer than the last round error;
//! - backlog and failed stay 0: a poll leaves nothing half done to count.
//!
//! The report itself is `platform_runtime::DetectorStatus`, the same for every gateway; this
//! file names the detectors.

use platform_runtime::{Detector, DetectorStatus, FlowRuns};
use platform_store::Store;

use crate::settings::GatewaySettings;

/// Shipped orders (`WmsOrderShipped`).
pub const SHIPPED: &str = "shipped";
/// Received purchase orders (`WmsPurchaseOrderReceived`).
pub const RECEIVED: &str = "received";
/// Returned items (`WmsReturnReceived`).
pub const RETURNS: &str = "returns";
/// Stock levels (`WmsStockChanged`).
pub const STOCK: &str = "stock";

/// Every detector, in the order they run and are reported.
pub const DETECTORS: [&str; 4] = [SHIPPED, RECEIVED, RETURNS, STOCK];

/// Each detector with its cursor and dead-letter kind (as the detectors name them in `detect/`),
/// switched by the tenant settings.
pub fn detectors(settings: &GatewaySettings) -> Vec<Detector> {
    let flows = settings.flows;
    vec![
        Detector {
            name: SHIPPED,
            cursor: Some("orders.modified"),
            dead_letter_kind: "order",
            enabled: true,
        },
        Detector {
            name: RECEIVED,
            cursor: Some("stock_updates.modified"),
            dead_letter_kind: "purchase_order",
            enabled: flows.purchase_orders,
        },
        Detector {
            name: RETURNS,
            cursor: Some("returns.modified"),
            dead_letter_kind: "return",
            enabled: flows.returns,
        },
        Detector {
            name: STOCK,
            cursor: Some("stock.modified"),
            dead_letter_kind: "article",
            enabled: flows.stock,
        },
    ]
}

/// The outcome of every detector round since start, per detector; shared by the detector
/// (writer) and the status service (reader).
pub type DetectLog = FlowRuns;

/// The gateway's `FlowStatus` service: the shared detector report over its store.
pub type FlowStatusService = DetectorStatus;

/// The `FlowStatus` service of this gateway.
pub fn service(store: Store, settings: &GatewaySettings, log: DetectLog) -> FlowStatusService {
    DetectorStatus::new(crate::NAME, store, detectors(settings), log)
}
