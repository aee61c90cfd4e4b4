//! `FlowStatus` of catalog-sync: its one flow, `articles`, read from its own tables.
//!
//! - backlog: size items to be written to the WMS (pending or outdated in `products list`);
//! - failed: size items in the failed state (bad data, collision, refused by the WMS); the
//!   next run or reconcile tries them again once the data changes;
//! - parked: open dead letters, waiting for a person;
//! - last run: the newest change of a size item; last success: the newest WMS write;
//! - last error: the newest open dead letter, with its record;
//! - warnings: size items that are articles but carry something a person should fix (a bad
//!   EAN left out of the article); last warning names one of them.
//!
//! The flow follows `ProductChanged` events and a daily reconcile, so it keeps no cursor.
//!
//! Layout: [`ArticleTally`] sums item states (pure); [`FlowStatusService`] reads and serves.

use platform_runtime::{flows_answer, open_dead_letters, timestamp};
use platform_store::StoreError;
use proto::admin::v1 as pb;
use proto::admin::v1::flow_status_server::{FlowStatus, FlowStatusServer};
use sqlx::Row;
use tonic::{Request, Response, Status};

use crate::flow::CatalogFlow;
use crate::rules::ItemState;

/// The flow's name in status reports and `centra-wms resync`.
pub const ARTICLES: &str = "articles";

/// The sums of the size items' states.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ArticleTally {
    pub backlog: u64,
    pub failed: u64,
}

impl ArticleTally {
    /// Counts one item in `state`.
    pub fn add(&mut self, state: ItemState) {
        match state {
            ItemState::Pending | ItemState::Outdated => self.backlog += 1,
            ItemState::Rejected => self.failed += 1,
            ItemState::NotSelected | ItemState::Synced | ItemState::FilteredOut => {}
        }
    }
}

/// Serves `FlowStatus` over the flow's store.
#[derive(Debug, Clone)]
pub struct FlowStatusService {
    flow: CatalogFlow,
}

impl FlowStatusService {
    pub fn new(flow: CatalogFlow) -> Self {
        Self { flow }
    }

    pub fn into_server(self) -> FlowStatusServer<Self> {
        FlowStatusServer::new(self)
    }

    /// The `articles` report.
    pub async fn report(&self) -> Result<pb::FlowReport, StoreError> {
        let config = self.flow.config();
        let mut tally = ArticleTally::default();
        let mut warnings = 0u64;
        let mut last_warning = String::new();
        for item in self.flow.items().all(&config.endpoint).await? {
            tally.add(item.state(config.manual));
            if let Some(warning) = item.warning.as_deref().filter(|_| item.problem.is_none()) {
                warnings += 1;
                last_warning = format!(
                    "{} ({}:{}): {warning}",
                    item.article_number.as_deref().unwrap_or_default(),
                    item.endpoint,
                    item.stock_item_id
                );
            }
        }
        let row = sqlx::query(
            "SELECT MAX(updated_at) AS last_run, MAX(last_synced_at) AS last_success \
             FROM catalog_items WHERE endpoint = $1",
        )
        .bind(config.endpoint.as_str())
        .fetch_one(self.flow.store().pool())
        .await
        .map_err(StoreError::query("reading the last catalogue run"))?;
        let time = |field: &str| -> Result<Option<i64>, StoreError> {
            row.try_get::<Option<i64>, _>(field)
                .map_err(StoreError::query(format!("reading {field}")))
        };
        let (last_run, last_success) = (time("last_run")?, time("last_success")?);
        let letters = open_dead_letters(self.flow.store()).await?;
        let newest = letters.iter().max_by_key(|l| l.last_seen_at);
        Ok(pb::FlowReport {
            flow: ARTICLES.to_owned(),
            enabled: true,
            last_run_at: last_run.map(timestamp),
            last_success_at: last_success.map(timestamp),
            cursor: String::new(),
            backlog: tally.backlog,
            parked: u64::try_from(letters.len()).unwrap_or(u64::MAX),
            failed: tally.failed,
            last_error: newest
                .map(|l| format!("{}: {}", l.record_key, l.reason))
                .unwrap_or_default(),
            last_error_at: newest.map(|l| timestamp(l.last_seen_at)),
            warnings,
            last_warning,
        })
    }
}

#[tonic::async_trait]
impl FlowStatus for FlowStatusService {
    async fn list(
        &self,
        request: Request<pb::ListFlowsRequest>,
    ) -> Result<Response<pb::ListFlowsResponse>, Status> {
        let wanted = request.into_inner().flow;
        let report = self
            .report()
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        flows_answer(crate::NAME, &[ARTICLES], &wanted, vec![report]).map(Response::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_and_outdated_items_are_the_backlog_rejected_ones_failed() {
        let mut tally = ArticleTally::default();
        for state in [
            ItemState::Pending,
            ItemState::Outdated,
            ItemState::Synced,
            ItemState::Rejected,
            ItemState::FilteredOut,
            ItemState::NotSelected,
        ] {
            tally.add(state);
        }
        assert_eq!(
            tally,
            ArticleTally {
                backlog: 2,
                failed: 1
            }
        );
    }
}
