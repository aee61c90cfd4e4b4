//! `FlowStatus` of returns-sync: one flow, `returns`, read from the `returns` table.
//!
//! ```text
//! returns   received + created (backlog), reported (done), parked (with the newest reason)
//! ```
//!
//! The times are the records' own: *last run* is the newest change of any return, *last
//! success* the newest that reached `reported`, *last error* the newest park reason. The flow
//! follows bus events, so it keeps no cursor.

use std::sync::Arc;

use async_trait::async_trait;
use domain::Settings;
use platform_runtime::{flows_answer, timestamp};
use platform_store::{Store, StoreError};
use proto::admin::v1 as pb;
use proto::admin::v1::flow_status_server::{FlowStatus, FlowStatusServer};
use sqlx::Row;
use tonic::{Request, Response, Status};

use crate::rules::{ParkReason, ReturnState};

/// WMS returns becoming Centra returns.
pub const RETURNS: &str = "returns";

/// Every flow of the service.
pub const FLOWS: [&str; 1] = [RETURNS];

/// The counts of the flow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReturnsTally {
    pub last_run_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub backlog: u64,
    pub parked: u64,
    pub last_error: Option<(i64, String)>,
}

impl ReturnsTally {
    /// Adds `count` returns in `state`, the newest changed at `at`.
    pub fn add(&mut self, state: ReturnState, count: u64, at: Option<i64>) {
        self.last_run_at = self.last_run_at.max(at);
        match state {
            ReturnState::Received | ReturnState::Created => self.backlog += count,
            ReturnState::Reported => self.last_success_at = self.last_success_at.max(at),
            ReturnState::Parked => self.parked += count,
            // Settled by a person: neither waiting nor a success of the flow.
            ReturnState::Discarded => {}
        }
    }

    fn report(&self, enabled: bool) -> pb::FlowReport {
        pb::FlowReport {
            flow: RETURNS.to_owned(),
            enabled,
            last_run_at: self.last_run_at.map(timestamp),
            last_success_at: self.last_success_at.map(timestamp),
            cursor: String::new(),
            backlog: self.backlog,
            parked: self.parked,
            failed: 0,
            last_error: self
                .last_error
                .as_ref()
                .map(|(_, r)| r.clone())
                .unwrap_or_default(),
            last_error_at: self.last_error.as_ref().map(|(at, _)| timestamp(*at)),
            ..Default::default()
        }
    }
}

/// The `FlowStatus` service.
#[derive(Debug, Clone)]
pub struct FlowStatusService {
    store: Store,
    settings: Arc<Settings>,
}

impl FlowStatusService {
    pub fn new(store: Store, settings: Arc<Settings>) -> Self {
        Self { store, settings }
    }

    pub fn into_server(self) -> FlowStatusServer<Self> {
        FlowStatusServer::new(self)
    }

    /// The counts, read from the table.
    ///
    /// # Errors
    /// The store failing, or a row with an unknown state.
    pub async fn tally(&self) -> Result<ReturnsTally, StoreError> {
        let mut tally = ReturnsTally::default();
        let rows = sqlx::query(
            "SELECT state, COUNT(*) AS n, MAX(updated_at) AS at FROM returns GROUP BY state",
        )
        .fetch_all(self.store.pool())
        .await
        .map_err(StoreError::query("counting returns by state"))?;
        let query = |field: &str| StoreError::query(format!("reading flow status field {field}"));
        for row in &rows {
            let text: Option<String> = row.try_get("state").map_err(query("state"))?;
            let text = text.unwrap_or_default();
            let state = ReturnState::parse(&text).ok_or_else(|| StoreError::Corrupt {
                table: "returns",
                key: "*".to_owned(),
                field: "state",
                reason: format!("unknown state {text:?}"),
            })?;
            let count: Option<i64> = row.try_get("n").map_err(query("n"))?;
            let at: Option<i64> = row.try_get("at").map_err(query("at"))?;
            tally.add(state, u64::try_from(count.unwrap_or(0)).unwrap_or(0), at);
        }
        let newest = sqlx::query(
            "SELECT reason, updated_at FROM returns WHERE state = $1 \
             ORDER BY updated_at DESC LIMIT 1",
        )
        .bind(ReturnState::Parked.as_str())
        .fetch_optional(self.store.pool())
        .await
        .map_err(StoreError::query("reading the newest parked return"))?;
        if let Some(row) = newest {
            let reason: Option<String> = row.try_get("reason").map_err(query("reason"))?;
            let at: Option<i64> = row.try_get("updated_at").map_err(query("updated_at"))?;
            let text = reason
                .map(|r| serde_json::from_str::<ParkReason>(&r).map_or(r, |p| p.to_string()))
                .unwrap_or_default();
            tally.last_error = Some((at.unwrap_or(0), text));
        }
        Ok(tally)
    }
}

#[async_trait]
impl FlowStatus for FlowStatusService {
    async fn list(
        &self,
        request: Request<pb::ListFlowsRequest>,
    ) -> Result<Response<pb::ListFlowsResponse>, Status> {
        let wanted = request.into_inner().flow;
        let tally = self
            .tally()
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        let reports = vec![tally.report(self.settings.returns_to_centra)];
        flows_answer(crate::NAME, &FLOWS, &wanted, reports).map(Response::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backlog_is_received_and_created() {
        let mut tally = ReturnsTally::default();
        tally.add(ReturnState::Received, 2, Some(10));
        tally.add(ReturnState::Created, 1, Some(30));
        tally.add(ReturnState::Reported, 4, Some(20));
        tally.add(ReturnState::Parked, 1, Some(5));
        assert_eq!((tally.backlog, tally.parked), (3, 1));
        assert_eq!(tally.last_run_at, Some(30));
        assert_eq!(tally.last_success_at, Some(20));
    }
}
