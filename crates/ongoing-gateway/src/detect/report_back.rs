//! The report-back sequence shared by shipped orders and received purchase orders:
//! the record's event, or its dead letter; the event into the outbox and committed; only then
//! each unreported line's quantity sent back to Ongoing, a failure logged and left for the
//! next poll (which reads the record again and re-enqueues the same id, which the outbox
//! ignores).
//!
//! A flow supplies what differs through [`ReportedBack`] (which lines, which PATCH, what the
//! log says) and a [`Found`] per record.
//!
//! Returns only publish ([`Detector::publish_found`]): their lines are reported by returns-sync
//! through `AcknowledgeReported` once Centra has the return, since reporting them here, before
//! anyone consumed the event, loses the return when the consumer never gets it in.

use domain::EventId;
use platform_runtime::CallLog;
use prost::Message;
use serde_json::Value;

use super::{DetectError, Detector, PollReport};
use crate::client::{OngoingClient, OngoingError};
use crate::gateway::CALLS_SYSTEM;
use crate::publish;

/// An event a detector publishes.
pub(super) trait Published: Message {
    /// The log message once the event is new in the outbox, e.g. `order shipped`.
    const PUBLISHED: &'static str;

    /// How the record is named in logs, e.g. `order S-1`.
    fn record(&self) -> String;
}

/// An event whose lines Ongoing must be told about once the event is durable.
pub(super) trait ReportedBack: Published {
    /// The quantity reported back, for the log: `picked`, `received`, `returned`.
    const QUANTITY: &'static str;

    /// `(line id, quantity to report)` of each line whose quantity Ongoing does not have as
    /// reported yet.
    fn lines_to_report(&self) -> Vec<(i64, i64)>;

    /// The record the report's calls are kept under (`platform_http::calls::record`), so they
    /// show in its journey beside the calls of the commands about it.
    fn call_record(&self) -> String;

    /// Sends one line's reported quantity to Ongoing.
    fn report(
        &self,
        client: &OngoingClient,
        line_id: i64,
        quantity: i64,
    ) -> impl Future<Output = Result<(), OngoingError>> + Send;
}

/// One record read from Ongoing, with what it became.
#[derive(Debug)]
pub(super) struct Found<E> {
    /// Dead-letter kind: `order`, `purchase_order`, `return`.
    pub kind: &'static str,
    /// Dead-letter key: `order S-1`.
    pub record: String,
    /// What the dead letter keeps to find the record again.
    pub payload: Value,
    /// Where the event goes.
    pub subject: String,
    /// The event; `None` while there is nothing to publish; an error for bad input.
    pub event: Result<Option<(EventId, E)>, OngoingError>,
}

impl Detector {
    /// The log the report-back calls are kept in, the one the commands' calls go to.
    fn calls(&self) -> CallLog {
        CallLog::new(self.store.clone(), CALLS_SYSTEM)
    }

    /// Publishes `found` (commit first), then reports its lines back; bad input becomes a
    /// dead letter and the poll goes on.
    pub(super) async fn publish_then_report<E: ReportedBack>(
        &self,
        found: Found<E>,
    ) -> Result<PollReport, DetectError> {
        let (mut report, event) = self.publish_found(found).await?;
        let Some(event) = event else {
            return Ok(report);
        };
        // Our event is durable: now Ongoing may stop listing these quantities.
        let lines = event.lines_to_report();
        if lines.is_empty() {
            return Ok(report);
        }
        let reporting = async {
            for (line_id, quantity) in lines {
                match event.report(&self.client, line_id, quantity).await {
                    Ok(()) => report.reported_lines += 1,
                    Err(error) => tracing::warn!(
                        record = %event.record(),
                        line_id,
                        %error,
                        "reporting {} quantity failed; the next poll retries",
                        E::QUANTITY
                    ),
                }
            }
        };
        self.calls()
            .around(vec![event.call_record()], reporting)
            .await;
        Ok(report)
    }

    /// Publishes `found` (commit first) without reporting anything back; bad input becomes a
    /// dead letter. The event id is deterministic per record state, so publishing the same
    /// state on every poll costs one outbox insert the outbox ignores.
    pub(super) async fn publish_found<E: Published>(
        &self,
        found: Found<E>,
    ) -> Result<(PollReport, Option<E>), DetectError> {
        let mut report = PollReport::default();
        let (id, event) = match found.event {
            Ok(Some(built)) => built,
            Ok(None) => return Ok((report, None)),
            Err(error) => {
                self.dead_letter(found.kind, &found.record, &error, found.payload)
                    .await?;
                report.dead_lettered += 1;
                return Ok((report, None));
            }
        };
        let mut tx = self.store.begin().await?;
        let added = publish::enqueue(&self.store, &mut tx, &id, found.subject, &event).await?;
        tx.commit().await?;
        if added {
            report.published += 1;
            tracing::info!(
                warehouse = %self.settings.warehouse,
                record = %event.record(),
                event_id = %id,
                "{}",
                E::PUBLISHED
            );
        }
        Ok((report, Some(event)))
    }
}
