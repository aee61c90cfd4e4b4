//! Change detection: turns what OGOship did into `wms.<warehouse>.*` events, without losing
//! any.
//!
//! OGOship has no report-back flags, so every flow is a `modifiedAfter` poll (ogoship-api.md
//! §3) whose cursor is the largest modified time seen, read again with an overlap: a record
//! is read at least once, usually more. Events carry deterministic ids built from what they
//! say (picked quantities and tracking, received quantities, returned quantities, a stock
//! version), so a record read twice enqueues the same id, which the outbox ignores, and a
//! change makes a new id. Webhooks only wake the pollers ([`crate::webhook`]).
//!
//! Layout:
//! - `shipped.rs`: shipped orders (`WmsOrderShipped`);
//! - `received.rs`: stock updates with received quantities (`WmsPurchaseOrderReceived`);
//! - `returns.rs`: returns (`WmsReturnReceived`);
//! - `stock.rs`: stock levels (`WmsStockChanged`);
//! - `cursor.rs`: the cursors, and the returns already in an event;
//! - this file: [`Detector`], one poll round over every flow, the poll loop, dead letters.

mod cursor;
mod received;
mod returns;
mod shipped;
mod stock;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use platform_store::{DeadLetterStatus, NewDeadLetter, Store, StoreError};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::client::{OgoshipClient, OgoshipError, Rejected};
use crate::flow_status::{DetectLog, RECEIVED, RETURNS, SHIPPED, STOCK};
use crate::publish::{format_time, parse_time};
use crate::settings::GatewaySettings;

pub use shipped::status_code;

/// Why a poll round (not a single record) failed.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error(transparent)]
    Ogoship(#[from] OgoshipError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What one poll round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PollReport {
    /// Events newly added to the outbox.
    pub published: usize,
    /// Records kept as dead letters (bad input).
    pub dead_lettered: usize,
}

impl PollReport {
    fn add(&mut self, other: PollReport) {
        self.published += other.published;
        self.dead_lettered += other.dead_lettered;
    }
}

/// How far back the first poll of orders, stock updates and returns reaches (no cursor yet):
/// older shipments are history, not news.
pub(crate) const FIRST_LOOKBACK: Duration = Duration::from_secs(24 * 60 * 60);

/// Polls one warehouse and publishes what changed.
#[derive(Debug, Clone)]
pub struct Detector {
    client: OgoshipClient,
    store: Store,
    settings: Arc<GatewaySettings>,
    log: DetectLog,
}

impl Detector {
    pub fn new(client: OgoshipClient, store: Store, settings: Arc<GatewaySettings>) -> Self {
        Self {
            client,
            store,
            settings,
            log: DetectLog::default(),
        }
    }

    /// Keeps each round's outcome in `log` (shared with the `FlowStatus` service).
    pub fn with_log(mut self, log: DetectLog) -> Self {
        self.log = log;
        self
    }

    /// One round over every flow. A flow that fails does not stop the others; the first
    /// error is returned after all ran.
    pub async fn poll_once(&self) -> Result<PollReport, DetectError> {
        let flows = self.settings.flows;
        let mut results = vec![(SHIPPED, self.shipped_orders().await)];
        if flows.purchase_orders {
            results.push((RECEIVED, self.received_stock_updates().await));
        }
        if flows.returns {
            results.push((RETURNS, self.returns().await));
        }
        if flows.stock {
            results.push((STOCK, self.stock_levels().await));
        }
        let mut report = PollReport::default();
        let mut first_error = None;
        for (flow, result) in results {
            self.log.record(
                flow,
                result.as_ref().map(|_| ()).map_err(ToString::to_string),
            );
            match result {
                Ok(part) => report.add(part),
                Err(error) => {
                    tracing::warn!(warehouse = %self.settings.warehouse, flow, %error, "poll flow failed");
                    first_error.get_or_insert(error);
                }
            }
        }
        match first_error {
            Some(error) => Err(error),
            None => Ok(report),
        }
    }

    /// Polls every `poll_interval`, and at once when `wake` is notified, until `shutdown`.
    pub async fn run(self, wake: Arc<Notify>, shutdown: CancellationToken) {
        loop {
            // Dropping a round is safe: an uncommitted transaction rolls back and the cursor
            // only moves after a flow's records are handled.
            let round = tokio::select! {
                () = shutdown.cancelled() => break,
                round = self.poll_once() => round,
            };
            match round {
                Ok(report) if report != PollReport::default() => tracing::info!(
                    warehouse = %self.settings.warehouse,
                    published = report.published,
                    dead_lettered = report.dead_lettered,
                    "poll round done"
                ),
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(warehouse = %self.settings.warehouse, %error, "poll round failed");
                }
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = wake.notified() => {}
                () = tokio::time::sleep(self.settings.poll_interval) => {}
            }
        }
    }

    /// The `modifiedAfter` filter of `name`: its cursor minus the overlap; without a cursor
    /// `first` (`None`: no filter, every record).
    async fn since(
        &self,
        name: &str,
        first: Option<DateTime<Utc>>,
    ) -> Result<(Option<DateTime<Utc>>, Vec<(&'static str, String)>), StoreError> {
        let stored = cursor::load(&self.store, name).await?;
        let from = stored.map(|c| c - self.overlap()).or(first);
        Ok((
            stored,
            from.map(|f| ("modifiedAfter", format_time(f)))
                .into_iter()
                .collect(),
        ))
    }

    /// How far a poll reaches back before its cursor.
    fn overlap(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.settings.cursor_overlap)
            .unwrap_or_else(|_| chrono::Duration::minutes(10))
    }

    /// Moves cursor `name` to the largest of `times` (OGOship's clock).
    async fn advance<'a>(
        &self,
        name: &str,
        times: impl Iterator<Item = Option<&'a str>>,
    ) -> Result<(), StoreError> {
        if let Some(latest) = times.filter_map(parse_time).max() {
            cursor::advance(&self.store, name, latest).await?;
        }
        Ok(())
    }

    /// Keeps a record that cannot be turned into an event; the others go on. A record that is
    /// already an open dead letter for the same reason is not written again every poll.
    async fn dead_letter(
        &self,
        kind: &str,
        record_key: &str,
        error: &OgoshipError,
        payload: serde_json::Value,
    ) -> Result<(), StoreError> {
        let reason = error.to_string();
        if let Some(existing) = self.store.dead_letters().find(kind, record_key).await?
            && existing.status == DeadLetterStatus::Open
            && existing.reason == reason
        {
            return Ok(());
        }
        let mut tx = self.store.begin().await?;
        self.store
            .dead_letters()
            .record(
                &mut tx,
                NewDeadLetter {
                    kind: kind.to_owned(),
                    record_key: record_key.to_owned(),
                    reason,
                    payload,
                    attempts: 1,
                },
            )
            .await?;
        tx.commit().await
    }

    /// Dead-letters the records of a listing that could not be read.
    async fn reject(&self, rejected: &[Rejected]) -> Result<usize, StoreError> {
        for record in rejected {
            self.dead_letter(
                record.kind,
                &record.record,
                &record.error,
                record.raw.clone(),
            )
            .await?;
        }
        Ok(rejected.len())
    }

    /// Publishes `event` under `id` in one transaction; true when it was new.
    async fn publish<M: prost::Message>(
        &self,
        id: &domain::EventId,
        subject: String,
        event: &M,
    ) -> Result<bool, StoreError> {
        let mut tx = self.store.begin().await?;
        let new = crate::publish::enqueue(&self.store, &mut tx, id, subject, event).await?;
        tx.commit().await?;
        Ok(new)
    }
}

/// A non-negative quantity of a record, or why not.
pub(crate) fn count(record: &str, field: &str, value: Option<i64>) -> Result<i64, OgoshipError> {
    match value {
        None => Err(OgoshipError::invalid(record, field, "missing")),
        Some(v) if v < 0 => Err(OgoshipError::invalid(
            record,
            field,
            format!("negative quantity {v}"),
        )),
        Some(v) => Ok(v),
    }
}
