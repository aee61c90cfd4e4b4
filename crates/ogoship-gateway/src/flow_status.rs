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
//! Layout: [`DetectLog`] (the memory of outcomes), [`FlowStatusService`] (the report).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use platform_runtime::{FlowFacts, FlowRuns, flows_answer, open_dead_letters};
use platform_store::{Store, StoreError};
use proto::admin::v1 as pb;
use proto::admin::v1::flow_status_server::{FlowStatus, FlowStatusServer};
use tonic::{Request, Response, Status};

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

/// The backstop cursor and the dead-letter kind of each detector (as the detectors name
/// them in `detect/`).
fn cursor_and_kind(detector: &str) -> (Option<&'static str>, &'static str) {
    match detector {
        SHIPPED => (Some("orders.modified"), "order"),
        RECEIVED => (Some("stock_updates.modified"), "purchase_order"),
        RETURNS => (Some("returns.modified"), "return"),
        _ => (Some("stock.modified"), "article"),
    }
}

fn enabled(settings: &GatewaySettings, detector: &str) -> bool {
    match detector {
        RECEIVED => settings.flows.purchase_orders,
        RETURNS => settings.flows.returns,
        STOCK => settings.flows.stock,
        _ => true,
    }
}

/// The outcome of every detector round since start, per detector; shared by the detector
/// (writer) and the status service (reader).
pub type DetectLog = FlowRuns;

/// Serves `FlowStatus` over the detect log and the gateway's store.
#[derive(Debug, Clone)]
pub struct FlowStatusService {
    store: Store,
    settings: Arc<GatewaySettings>,
    log: DetectLog,
}

impl FlowStatusService {
    pub fn new(store: Store, settings: Arc<GatewaySettings>, log: DetectLog) -> Self {
        Self {
            store,
            settings,
            log,
        }
    }

    pub fn into_server(self) -> FlowStatusServer<Self> {
        FlowStatusServer::new(self)
    }

    /// The stored backstop cursors as `name -> RFC 3339`.
    async fn cursors(&self) -> Result<HashMap<String, String>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT name, position_ms FROM poll_cursors")
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("reading the poll cursors"))?;
        Ok(rows
            .into_iter()
            .filter_map(|(name, millis)| {
                let at: DateTime<Utc> = DateTime::from_timestamp_millis(millis)?;
                Some((name, at.to_rfc3339_opts(SecondsFormat::Secs, true)))
            })
            .collect())
    }

    /// Every detector's report.
    pub async fn reports(&self) -> Result<Vec<pb::FlowReport>, StoreError> {
        let cursors = self.cursors().await?;
        let letters = open_dead_letters(&self.store).await?;
        let mut reports = Vec::new();
        for detector in DETECTORS {
            let (cursor, kind) = cursor_and_kind(detector);
            let parked: Vec<_> = letters.iter().filter(|l| l.kind == kind).collect();
            reports.push(
                self.log.run(detector).report(FlowFacts {
                    flow: detector.to_owned(),
                    enabled: enabled(&self.settings, detector),
                    cursor: cursor
                        .and_then(|name| cursors.get(name).cloned())
                        .unwrap_or_default(),
                    parked,
                    ..FlowFacts::default()
                }),
            );
        }
        Ok(reports)
    }
}

#[tonic::async_trait]
impl FlowStatus for FlowStatusService {
    async fn list(
        &self,
        request: Request<pb::ListFlowsRequest>,
    ) -> Result<Response<pb::ListFlowsResponse>, Status> {
        let wanted = request.into_inner().flow;
        let reports = self
            .reports()
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        flows_answer(crate::NAME, &DETECTORS, &wanted, reports).map(Response::new)
    }
}
