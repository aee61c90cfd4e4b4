//! `FlowStatus` of stock-sync: one flow, `stock`, read from the `stock_articles` table.
//!
//! ```text
//! stock   pending + settling (backlog), in_sync (done), not_found + bundle + refused (parked,
//!         with the newest reason), not_in_wms + unmapped (warnings)
//! ```
//!
//! *Last run* is the newest check, *last success* the newest check that left an article in
//! sync, the cursor the start of the last full reconcile.

use std::sync::Arc;

use async_trait::async_trait;
use domain::Settings;
use platform_runtime::{flows_answer, timestamp};
use platform_store::{Store, StoreError};
use proto::admin::v1 as pb;
use proto::admin::v1::flow_status_server::{FlowStatus, FlowStatusServer};
use sqlx::Row;
use tonic::{Request, Response, Status};

use crate::articles::StockArticles;
use crate::rules::StockState;

/// WMS stock written to Centra.
pub const STOCK: &str = "stock";

/// The name of the periodic full reconcile in `stock_runs`.
pub const RECONCILE_RUN: &str = "reconcile";

/// Every flow of the service.
pub const FLOWS: [&str; 1] = [STOCK];

/// The counts of the flow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StockTally {
    pub last_run_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub backlog: u64,
    pub parked: u64,
    pub warnings: u64,
    pub last_error: Option<(i64, String)>,
    pub last_warning: Option<String>,
    pub reconciled_at: Option<i64>,
}

impl StockTally {
    /// Adds `count` articles in `state`, the newest checked at `at`.
    pub fn add(&mut self, state: StockState, count: u64, at: Option<i64>) {
        self.last_run_at = self.last_run_at.max(at);
        if state.needs_a_person() {
            self.parked += count;
        } else if state.is_warning() {
            self.warnings += count;
        } else if state == StockState::InSync {
            self.last_success_at = self.last_success_at.max(at);
        } else {
            self.backlog += count;
        }
    }

    fn report(&self, enabled: bool) -> pb::FlowReport {
        pb::FlowReport {
            flow: STOCK.to_owned(),
            enabled,
            last_run_at: self.last_run_at.map(timestamp),
            last_success_at: self.last_success_at.map(timestamp),
            cursor: self
                .reconciled_at
                .map(|at| format!("reconciled {}", format_millis(at)))
                .unwrap_or_default(),
            backlog: self.backlog,
            parked: self.parked,
            failed: 0,
            last_error: self
                .last_error
                .as_ref()
                .map(|(_, r)| r.clone())
                .unwrap_or_default(),
            last_error_at: self.last_error.as_ref().map(|(at, _)| timestamp(*at)),
            warnings: self.warnings,
            last_warning: self.last_warning.clone().unwrap_or_default(),
        }
    }
}

fn format_millis(at: i64) -> String {
    let t = timestamp(at);
    prost_types::Timestamp {
        seconds: t.seconds,
        nanos: 0,
    }
    .to_string()
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
    pub async fn tally(&self) -> Result<StockTally, StoreError> {
        let mut tally = StockTally::default();
        let rows = sqlx::query(
            "SELECT state, COUNT(*) AS n, MAX(checked_at) AS at FROM stock_articles GROUP BY state",
        )
        .fetch_all(self.store.pool())
        .await
        .map_err(StoreError::query("counting stock articles by state"))?;
        let query = |field: &str| StoreError::query(format!("reading flow status field {field}"));
        for row in &rows {
            let text: Option<String> = row.try_get("state").map_err(query("state"))?;
            let text = text.unwrap_or_default();
            let state = StockState::parse(&text).ok_or_else(|| StoreError::Corrupt {
                table: "stock_articles",
                key: "*".to_owned(),
                field: "state",
                reason: format!("unknown state {text:?}"),
            })?;
            let count: Option<i64> = row.try_get("n").map_err(query("n"))?;
            let at: Option<i64> = row.try_get("at").map_err(query("at"))?;
            tally.add(state, u64::try_from(count.unwrap_or(0)).unwrap_or(0), at);
        }
        if let Some(row) = self.newest(StockState::needs_a_person).await? {
            let reason: Option<String> = row.try_get("reason").map_err(query("reason"))?;
            let at: Option<i64> = row.try_get("updated_at").map_err(query("updated_at"))?;
            tally.last_error = Some((at.unwrap_or(0), reason.unwrap_or_default()));
        }
        if let Some(row) = self.newest(StockState::is_warning).await? {
            let number: Option<String> = row
                .try_get("article_number")
                .map_err(query("article_number"))?;
            let reason: Option<String> = row.try_get("reason").map_err(query("reason"))?;
            tally.last_warning = Some(format!(
                "article {}: {}",
                number.unwrap_or_default(),
                reason.unwrap_or_default()
            ));
        }
        tally.reconciled_at = StockArticles::new(self.store.clone())
            .run_started_at(RECONCILE_RUN)
            .await?;
        Ok(tally)
    }
}

impl FlowStatusService {
    /// The most recently changed article in a state `wanted` selects.
    async fn newest(
        &self,
        wanted: fn(StockState) -> bool,
    ) -> Result<Option<sqlx::any::AnyRow>, StoreError> {
        let states: Vec<&str> = StockState::ALL
            .into_iter()
            .filter(|s| wanted(*s))
            .map(StockState::as_str)
            .collect();
        let placeholders: Vec<String> = (1..=states.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT article_number, reason, updated_at FROM stock_articles \
             WHERE state IN ({}) ORDER BY updated_at DESC LIMIT 1",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for state in states {
            query = query.bind(state);
        }
        query
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("reading the newest article to look at"))
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
        let reports = vec![tally.report(self.settings.stock_to_centra)];
        flows_answer(crate::NAME, &FLOWS, &wanted, reports).map(Response::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backlog_parked_and_warnings_come_from_the_states() {
        let mut tally = StockTally::default();
        tally.add(StockState::Pending, 2, Some(10));
        tally.add(StockState::Settling, 1, Some(30));
        tally.add(StockState::InSync, 4, Some(20));
        tally.add(StockState::NotFound, 1, Some(5));
        tally.add(StockState::Bundle, 2, Some(5));
        tally.add(StockState::Unmapped, 3, Some(5));
        assert_eq!((tally.backlog, tally.parked, tally.warnings), (3, 3, 3));
        assert_eq!(tally.last_run_at, Some(30));
        assert_eq!(tally.last_success_at, Some(20));
    }
}
