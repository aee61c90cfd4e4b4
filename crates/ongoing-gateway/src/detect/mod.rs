//! Change detection: turns what the warehouse did into `wms.<warehouse>.*` events, without
//! losing any.
//!
//! The primary mechanism is Ongoing's clock-free "reported number of items" pattern: list the
//! orders (purchase orders) whose picked (received, returned) quantities differ from the
//! reported ones, write the event to the outbox and commit, and only THEN tell Ongoing the new
//! reported quantity. A crash between the two re-reads the record and re-enqueues the same
//! deterministic id, which the outbox ignores: at least once, never lost.
//!
//! Returns differ: they are only published. Their consumer (returns-sync) reports them back
//! through `AcknowledgeReported` once Centra has them, so a return nobody consumed is never
//! marked reported; until then each round re-publishes the same id, which the outbox ignores.
//!
//! Time-filtered polls with a cursor that overlaps the previous run (UTC) are the backstop for
//! changes the report-back flags do not show (tracking written after the order was reported,
//! stock). Webhooks only wake the pollers ([`crate::webhook`]).
//!
//! Layout:
//! - `shipped.rs`: shipped orders (`WmsOrderShipped`);
//! - `received.rs`: received purchase orders (`WmsPurchaseOrderReceived`);
//! - `returns.rs`: returned items on orders (`WmsReturnReceived`);
//! - `stock.rs`: stock levels (`WmsStockChanged`);
//! - `report_back.rs`: the publish-then-report sequence of the first two, and the
//!   publish-only step returns use;
//! - `statuses.rs`: the warehouse's status tables, read every round; unknown numbers are
//!   bad input;
//! - `cursor.rs`: the backstop cursors;
//! - this file: [`Detector`], one poll round over every flow, the poll loop, dead letters.

mod cursor;
mod received;
mod report_back;
mod returns;
mod shipped;
mod statuses;
mod stock;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use platform_store::{DeadLetterStatus, NewDeadLetter, Store, StoreError};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::client::{OngoingClient, OngoingError, Rejected};
use crate::flow_status::{DetectLog, RECEIVED, RETURNS, SHIPPED, STOCK};
use crate::settings::GatewaySettings;
use statuses::{ConfigurationCheck, StatusTable};

pub use received::received_event;
pub use returns::return_event;
pub use shipped::shipped_event;
pub(crate) use shipped::status_number as order_status_number;

/// Why a poll round (not a single record) failed.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error(transparent)]
    Ongoing(#[from] OngoingError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What one poll round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PollReport {
    /// Events newly added to the outbox.
    pub published: usize,
    /// Lines whose reported quantity was sent back to Ongoing.
    pub reported_lines: usize,
    /// Records kept as dead letters (bad input).
    pub dead_lettered: usize,
}

impl PollReport {
    fn add(&mut self, other: PollReport) {
        self.published += other.published;
        self.reported_lines += other.reported_lines;
        self.dead_lettered += other.dead_lettered;
    }
}

/// Polls one warehouse and publishes what changed.
#[derive(Debug, Clone)]
pub struct Detector {
    client: OngoingClient,
    store: Store,
    settings: Arc<GatewaySettings>,
    /// Whether the configured status numbers were checked against the warehouse's tables.
    configuration: Arc<ConfigurationCheck>,
    /// Where each round's outcome per flow is kept for `FlowStatus`.
    log: DetectLog,
}

impl Detector {
    pub fn new(client: OngoingClient, store: Store, settings: Arc<GatewaySettings>) -> Self {
        Self {
            client,
            store,
            settings,
            configuration: Arc::default(),
            log: DetectLog::default(),
        }
    }

    /// Keeps each round's outcome in `log` (shared with the `FlowStatus` service).
    pub fn with_log(mut self, log: DetectLog) -> Self {
        self.log = log;
        self
    }

    /// One round over every flow. A flow that fails (Ongoing down) does not stop the others;
    /// the first error is returned after all ran.
    pub async fn poll_once(&self) -> Result<PollReport, DetectError> {
        let started = Utc::now();
        let mut report = PollReport::default();
        let mut first_error = None;
        let flows = self.settings.flows;
        let mut results = Vec::new();
        // The status tables are read once per round; a flow whose table cannot be read does
        // not run (it could not tell a known status from an unknown one).
        let order_table = match self.order_statuses().await {
            Ok(table) => Some(table),
            Err(error) => {
                results.push((SHIPPED, Err(error)));
                None
            }
        };
        if let Some(table) = &order_table {
            results.push((SHIPPED, self.shipped_orders(started, table).await));
        }
        if flows.purchase_orders {
            results.push((
                RECEIVED,
                match self.purchase_order_statuses().await {
                    Ok(table) => self.received_purchase_orders(started, &table).await,
                    Err(error) => Err(error),
                },
            ));
        }
        if flows.returns
            && let Some(table) = &order_table
        {
            results.push((RETURNS, self.returned_items(table).await));
        }
        if flows.stock {
            results.push((STOCK, self.stock_levels(started).await));
        }
        for (flow, result) in results {
            self.log.record(
                flow,
                result.as_ref().map(|_| ()).map_err(ToString::to_string),
            );
            match result {
                Ok(part) => report.add(part),
                Err(error) => {
                    tracing::warn!(warehouse = %self.settings.warehouse, %error, "poll flow failed");
                    first_error.get_or_insert(error);
                }
            }
        }
        match first_error {
            Some(error) => Err(error),
            None => Ok(report),
        }
    }

    /// Polls every `poll_interval`, and at once when `wake` is notified (a webhook), until
    /// `shutdown`.
    pub async fn run(self, wake: Arc<Notify>, shutdown: CancellationToken) {
        loop {
            // A round stuck in retries must not hold up shutdown. Dropping it is safe: an
            // uncommitted transaction rolls back, and a committed event whose report-back
            // did not happen is found again (same id) by the next round.
            let round = tokio::select! {
                () = shutdown.cancelled() => break,
                round = self.poll_once() => round,
            };
            match round {
                Ok(report) if report != PollReport::default() => {
                    tracing::info!(
                        warehouse = %self.settings.warehouse,
                        published = report.published,
                        reported_lines = report.reported_lines,
                        dead_lettered = report.dead_lettered,
                        "poll round done"
                    );
                }
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

    /// The warehouse's order statuses (warns once about configured numbers it lacks).
    async fn order_statuses(&self) -> Result<StatusTable, DetectError> {
        let table = StatusTable::new(&self.client.order_statuses().await?);
        self.configuration
            .orders(&self.settings.warehouse, &self.settings.statuses, &table);
        Ok(table)
    }

    /// The warehouse's purchase-order statuses (warns once about configured numbers it lacks).
    async fn purchase_order_statuses(&self) -> Result<StatusTable, DetectError> {
        let table = StatusTable::new(&self.client.purchase_order_statuses().await?);
        self.configuration.purchase_orders(
            &self.settings.warehouse,
            &self.settings.statuses,
            &table,
        );
        Ok(table)
    }

    /// Keeps a record that cannot be turned into an event; the others go on. A record that
    /// is already an open dead letter for the same reason (Ongoing keeps listing it until it
    /// is fixed) is not written again on every poll.
    async fn dead_letter(
        &self,
        kind: &str,
        record_key: &str,
        error: &OngoingError,
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

    /// The `from` of a time-filtered poll: the cursor minus the overlap, in Ongoing's format.
    fn since(&self, cursor: DateTime<Utc>) -> String {
        let overlap = chrono::Duration::from_std(self.settings.cursor_overlap)
            .unwrap_or_else(|_| chrono::Duration::minutes(10));
        format_utc(cursor - overlap)
    }
}

/// UTC with an explicit offset, as Ongoing wants it: `2019-04-09T08:00:00.000+00:00`.
pub(crate) fn format_utc(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string()
}

/// How far back the first backstop poll (no cursor yet) reaches.
pub(crate) const FIRST_LOOKBACK: Duration = Duration::from_secs(24 * 60 * 60);
