//! `FlowStatus` of a gateway whose flows are change detectors (one per kind of outside change,
//! e.g. `shipped`, `received`, `returns`, `stock` of a WMS gateway): the same report for every
//! gateway, fed by its [`FlowRuns`] and its store.
//!
//! - last run, last success and the last round error come from the [`FlowRuns`] the detector
//!   fills after every round (in memory: a restart starts it empty, and the first round, run at
//!   start, fills it again);
//! - the cursor is the detector's stored poll cursor (the gateway's `poll_cursors` table:
//!   `name`, `position_ms`), as RFC 3339;
//! - parked is the open dead letters of the detector's record kind; the newest one is the last
//!   error when it is newer than the last round error;
//! - backlog and failed stay 0: a detector round leaves nothing half done to count.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use platform_store::{Store, StoreError};
use proto::admin::v1 as pb;
use proto::admin::v1::flow_status_server::{FlowStatus, FlowStatusServer};
use tonic::{Request, Response, Status};

use crate::flow_runs::{FlowFacts, FlowRuns, flows_answer, open_dead_letters};

/// One detector as its gateway names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detector {
    /// The flow name in `FlowStatus` (and in [`FlowRuns`]).
    pub name: &'static str,
    /// Its row in `poll_cursors`, if it keeps a cursor.
    pub cursor: Option<&'static str>,
    /// The `kind` of the dead letters it keeps.
    pub dead_letter_kind: &'static str,
    /// Whether the tenant settings switch it on.
    pub enabled: bool,
}

/// Serves `FlowStatus` over a gateway's detectors.
#[derive(Debug, Clone)]
pub struct DetectorStatus {
    service: &'static str,
    store: Store,
    detectors: Arc<Vec<Detector>>,
    log: FlowRuns,
}

impl DetectorStatus {
    /// The status of `detectors` of `service`, in the order given.
    pub fn new(
        service: &'static str,
        store: Store,
        detectors: Vec<Detector>,
        log: FlowRuns,
    ) -> Self {
        Self {
            service,
            store,
            detectors: Arc::new(detectors),
            log,
        }
    }

    pub fn into_server(self) -> FlowStatusServer<Self> {
        FlowStatusServer::new(self)
    }

    /// The stored poll cursors as `name -> RFC 3339`.
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
    ///
    /// # Errors
    /// [`StoreError`] when the cursors or the dead letters cannot be read.
    pub async fn reports(&self) -> Result<Vec<pb::FlowReport>, StoreError> {
        let cursors = self.cursors().await?;
        let letters = open_dead_letters(&self.store).await?;
        Ok(self
            .detectors
            .iter()
            .map(|detector| {
                let parked: Vec<_> = letters
                    .iter()
                    .filter(|l| l.kind == detector.dead_letter_kind)
                    .collect();
                self.log.run(detector.name).report(FlowFacts {
                    flow: detector.name.to_owned(),
                    enabled: detector.enabled,
                    cursor: detector
                        .cursor
                        .and_then(|name| cursors.get(name).cloned())
                        .unwrap_or_default(),
                    parked,
                    ..FlowFacts::default()
                })
            })
            .collect())
    }
}

#[tonic::async_trait]
impl FlowStatus for DetectorStatus {
    async fn list(
        &self,
        request: Request<pb::ListFlowsRequest>,
    ) -> Result<Response<pb::ListFlowsResponse>, Status> {
        let wanted = request.into_inner().flow;
        let reports = self
            .reports()
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        let names: Vec<&str> = self.detectors.iter().map(|d| d.name).collect();
        flows_answer(self.service, &names, &wanted, reports).map(Response::new)
    }
}
