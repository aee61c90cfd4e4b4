//! The money flow's handlers: import on good to go, complete on shipped, retry on article
//! synced, and the operator commands. Each is idempotent under redelivery, restart and lost
//! answers:
//!
//! 1. a delivery already in the inbox is skipped;
//! 2. the intent (the shipment, its WMS report) is saved before any call;
//! 3. calls carry deterministic idempotency keys and "already done" answers are success;
//! 4. the new state and the inbox entry commit in one transaction, then the delivery is acked.
//!
//! A Centra shipment is imported at most once (a good-to-go redelivery after the WMS order
//! exists makes no call, unless a capture or a cancellation it owes is still to do, which it
//! then finishes) and completed at most once (a completed record ignores every later report).
//! A capture on import still owed when the warehouse reports the order shipped is made by the
//! completion, before it completes (`rules::completion`).
//!
//! Layout: this file holds the outbound handlers; `shipment_import` a shipment's import (the WMS
//! order, then the capture once the warehouse accepted it) and what a person's resync writes;
//! `cancellation` the Centra
//! cancellations; `order_import` the Centra orders imported as themselves; `inbound` the
//! supplier deliveries and purchase orders; `operator` what a person does (retry, complete by
//! hand, resync).

use std::sync::Arc;

use tracing::Instrument as _;

use domain::settings::ImportMode;
use domain::wms_order_number::CentraReference;
use domain::{Settings, WmsOrderNumber};
use platform_store::{MessageId, StoreError};
use proto::events::v1 as events;

mod cancellation;
mod inbound;
mod operator;
mod order_import;
mod shipment_import;

pub use cancellation::SHIPMENT_CANCELLED;
pub use inbound::{PURCHASE_ORDER_RECEIVED, SUPPLIER_DELIVERY};
pub use operator::{CommandRefusal, ManualCompletion};
pub use order_import::ORDER_READY;
use shipment_import::OrderWrite;

use crate::convert::{self, ConvertError};
use crate::deliveries::DeliveryRecords;
use crate::locks::RecordLocks;
use crate::orders::OrderRecords;
use domain::PortError;

use crate::ports::{CentraShipments, Completion, PickedReported, QuantityUpdate, WmsOrders};
use crate::records::{ShipmentRecord, ShipmentRecords};
use crate::rules::{
    CompletionDecision, CompletionPlan, HoldReason, PaymentNow, ShipmentState,
    capture_on_import_owed, decide_completion,
};

/// Inbox consumer of good-to-go shipments.
pub const GOOD_TO_GO: &str = "order-sync-good-to-go";
/// Inbox consumer of shipped WMS orders.
pub const SHIPPED: &str = "order-sync-shipped";
/// Inbox consumer of synced articles.
pub const ARTICLE_SYNCED: &str = "order-sync-article-synced";

/// Why a handler did not finish.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// The input can never be processed as it is.
    #[error(transparent)]
    Invalid(#[from] ConvertError),
    /// A gateway is down or the outcome of a call is unknown: try again later. The port
    /// error is kept whole (kind, service, source).
    #[error(transparent)]
    Unavailable(PortError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An operator command that does not apply to the shipment as it is (terminal: nothing
    /// was changed). The [`CommandRefusal`] says why, for the person and for a caller to
    /// match on.
    #[error("shipment {shipment_id} {refusal}")]
    Precondition {
        shipment_id: String,
        #[source]
        refusal: CommandRefusal,
    },
    /// An operator command named a shipment this service holds no record of (terminal).
    #[error("no shipment {shipment_id} on end-point {endpoint}")]
    NotFound {
        endpoint: String,
        shipment_id: String,
    },
    /// A change the state machine refuses: a fault of this service, kept for a person.
    #[error(transparent)]
    Illegal(#[from] crate::rules::IllegalTransition),
    /// A person's resync the warehouse did not take: its order stays as it was (work on it has
    /// started, or the change was refused) and so does the record. Terminal: the order is
    /// settled in the warehouse.
    #[error(
        "shipment {shipment}: the warehouse kept order {wms_order_number} as it was: {refusal}"
    )]
    OrderKept {
        /// `endpoint/shipment id`.
        shipment: String,
        wms_order_number: String,
        /// Boxed: the error stays small on every path that never meets it.
        #[source]
        refusal: Box<PortError>,
    },
}

/// The flow, shared by the consumers and the admin service.
#[derive(Debug, Clone)]
pub struct OrderFlow {
    settings: Arc<Settings>,
    warehouse: String,
    records: ShipmentRecords,
    deliveries: DeliveryRecords,
    orders: OrderRecords,
    centra: Arc<dyn CentraShipments>,
    wms: Arc<dyn WmsOrders>,
    /// One change at a time per Centra order, across replicas (see [`RecordLocks`]).
    locks: RecordLocks,
}

/// Splits a port result by the error's kind: a retryable failure is the flow's error (the
/// record stays for the retry), a terminal one is handed back for the flow to park or answer.
pub(crate) fn terminal<T>(result: Result<T, PortError>) -> Result<Result<T, PortError>, FlowError> {
    PortError::retryable_apart(result).map_err(FlowError::Unavailable)
}

fn key(record: &ShipmentRecord, step: &str) -> String {
    format!(
        "order-sync:{}:{}:{step}",
        record.shipment.endpoint, record.shipment.id
    )
}

impl OrderFlow {
    pub fn new(
        settings: Arc<Settings>,
        warehouse: impl Into<String>,
        records: ShipmentRecords,
        centra: Arc<dyn CentraShipments>,
        wms: Arc<dyn WmsOrders>,
    ) -> Self {
        let records =
            records.with_article_rule(settings.article_number, settings.article_number_max_length);
        Self {
            settings,
            warehouse: warehouse.into(),
            deliveries: DeliveryRecords::new(records.store().clone()),
            orders: OrderRecords::new(records.store().clone()),
            locks: RecordLocks::new(records.store().locks().clone()),
            records,
            centra,
            wms,
        }
    }

    /// The orders of order import (`import = "orders"` or `"both"`).
    pub fn orders(&self) -> &OrderRecords {
        &self.orders
    }

    pub fn records(&self) -> &ShipmentRecords {
        &self.records
    }

    pub fn warehouse(&self) -> &str {
        &self.warehouse
    }

    /// Commits the record with the inbox entry of the delivery that caused it.
    async fn finish(
        &self,
        consumer: &str,
        message: &MessageId,
        record: Option<&mut ShipmentRecord>,
    ) -> Result<(), FlowError> {
        let store = self.records.store();
        let mut tx = store.begin().await?;
        store.inbox().record(&mut tx, consumer, message).await?;
        if let Some(record) = record {
            self.records.save(&mut tx, record).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn seen(&self, consumer: &str, message: &MessageId) -> Result<bool, FlowError> {
        Ok(self
            .records
            .store()
            .inbox()
            .contains(consumer, message)
            .await?)
    }

    /// `ShipmentGoodToGo`: import, unless the WMS order already exists (then only the capture
    /// or the cancellation a crash left undone is finished).
    pub async fn on_good_to_go(
        &self,
        message: &MessageId,
        event: &events::ShipmentGoodToGo,
    ) -> Result<(), FlowError> {
        if self.settings.import == ImportMode::Orders {
            tracing::debug!(shipment_id = %event.shipment_id, "shipments are not imported (import = orders)");
            return self.finish(GOOD_TO_GO, message, None).await;
        }
        let shipment = convert::shipment_from_event(event)?;
        let _guard = self
            .locks
            .order(shipment.endpoint.as_str(), shipment.order_id())
            .await?;
        if self.seen(GOOD_TO_GO, message).await? {
            return Ok(());
        }
        let endpoint = self
            .settings
            .endpoint(&shipment.endpoint)
            .ok_or_else(|| ConvertError {
                record: format!("shipment {}", shipment.id),
                field: "endpoint",
                problem: format!(
                    "end-point {:?} is not configured",
                    shipment.endpoint.as_str()
                ),
            })?;
        let existing = self
            .records
            .find(shipment.endpoint.as_str(), &shipment.id.to_string())
            .await?;
        let mut record = match existing {
            Some(mut record) if record.import_unfinished() || record.cancelling_uncaptured() => {
                tracing::info!(shipment_id = %shipment.id, state = %record.state(), "good to go again; finishing the import's capture step");
                self.resume_capture(&mut record).await?;
                return self.finish(GOOD_TO_GO, message, Some(&mut record)).await;
            }
            Some(record)
                if record.state().reached_warehouse()
                    || record.wms_order_id.is_some()
                    || matches!(
                        record.state(),
                        ShipmentState::Failed | ShipmentState::Cancelled | ShipmentState::Discarded
                    ) =>
            {
                tracing::debug!(shipment_id = %shipment.id, state = %record.state(), "good to go again; nothing to do");
                return self.finish(GOOD_TO_GO, message, None).await;
            }
            Some(record)
                if record
                    .hold_reason()
                    .is_some_and(HoldReason::is_cancellation) =>
            {
                tracing::info!(shipment_id = %shipment.id, "good to go again after a cancellation; not imported");
                return self.finish(GOOD_TO_GO, message, None).await;
            }
            Some(mut record) => {
                record.shipment = shipment;
                record
            }
            None => {
                let number = WmsOrderNumber::for_shipment(endpoint, &shipment.id);
                ShipmentRecord::new(shipment, number.as_str().to_owned())
            }
        };
        record.become_(ShipmentState::Received)?;
        if record.trace_parent.is_none() {
            record.trace_parent = platform_telemetry::current_traceparent();
        }
        self.records.save_now(&mut record).await?;
        self.import(&mut record, OrderWrite::Once).await?;
        self.finish(GOOD_TO_GO, message, Some(&mut record)).await
    }

    /// `WmsOrderShipped`: record the report, then complete once when the rules allow.
    pub async fn on_shipped(
        &self,
        message: &MessageId,
        event: &events::WmsOrderShipped,
    ) -> Result<(), FlowError> {
        let _guard = match WmsOrderNumber::resolve(&event.order_number, &self.settings.endpoints) {
            Ok((endpoint, CentraReference::Shipment(id))) => {
                self.locks
                    .order(endpoint.name.as_str(), id.order_id())
                    .await?
            }
            Ok((_, CentraReference::Order(_))) | Err(_) => {
                tracing::info!(order_number = %event.order_number, "shipped wms order is not an imported shipment; ignored");
                return self.finish(SHIPPED, message, None).await;
            }
        };
        if self.seen(SHIPPED, message).await? {
            return Ok(());
        }
        let Some(record) = self.records.find_by_wms_number(&event.order_number).await? else {
            tracing::warn!(order_number = %event.order_number, "shipped wms order was never imported by order-sync; ignored");
            return self.finish(SHIPPED, message, None).await;
        };
        // The completion continues the shipment's trace (its import), linked to the report.
        let span = tracing::info_span!(
            "shipment.complete",
            otel.name = "complete shipment",
            shipment_id = %record.shipment.id,
            wms_order_number = %record.wms_order_number,
        );
        if let Some(parent) = record.trace_parent.as_deref()
            && let Err(error) = platform_telemetry::continue_journey(&span, parent)
        {
            tracing::debug!(shipment_id = %record.shipment.id, %error, "completion not in the import's trace");
        }
        self.record_shipped(message, event, record)
            .instrument(span)
            .await
    }

    /// `on_shipped` for a known record, under its lock.
    async fn record_shipped(
        &self,
        message: &MessageId,
        event: &events::WmsOrderShipped,
        mut record: ShipmentRecord,
    ) -> Result<(), FlowError> {
        match record.state() {
            ShipmentState::Completed => return self.finish(SHIPPED, message, None).await,
            // A capture owed at shipping was refused and the WMS order's cancellation is still
            // to do (an outage): finished here, as the good-to-go redelivery would.
            ShipmentState::Failed if record.cancelling_uncaptured() => {
                self.cancel_uncaptured(&mut record).await?;
                return self.finish(SHIPPED, message, Some(&mut record)).await;
            }
            ShipmentState::Failed | ShipmentState::Cancelled | ShipmentState::Discarded => {
                tracing::error!(shipment_id = %record.shipment.id, state = %record.state(), "warehouse shipped a shipment that must not ship");
                return self.finish(SHIPPED, message, None).await;
            }
            _ => {}
        }
        record.shipped = Some(convert::shipped_report(event)?);
        if record.wms_order_id.is_none() {
            record.wms_order_id = Some(event.order_id);
        }
        record.become_(ShipmentState::Shipped)?;
        self.records.save_now(&mut record).await?;
        self.complete(&mut record).await?;
        self.finish(SHIPPED, message, Some(&mut record)).await
    }

    /// Automatic completion of a shipped record, with the capture on import it still owes
    /// made first (the warehouse shipped while that capture was being retried): Centra's
    /// `paid` is read before, so a capture whose answer was lost is never sent again.
    async fn complete(&self, record: &mut ShipmentRecord) -> Result<(), FlowError> {
        let Some(report) = record.shipped.clone() else {
            return Ok(());
        };
        if !self.settings.completion.is_automatic() || !report.tracking.has_tracking() {
            record.become_(ShipmentState::Shipped)?;
            return Ok(());
        }
        let Some(paid) = self.centra_paid(record).await? else {
            return Ok(());
        };
        let payment = PaymentNow {
            paid,
            capture_owed: capture_on_import_owed(&self.settings, &record.shipment, record.captured),
            captured_after_shipping: record.captured_after_shipping,
        };
        match decide_completion(&self.settings, payment, &report) {
            CompletionDecision::Complete(plan) => self.run_plan(record, &plan, "").await,
            CompletionDecision::Hold(reason) => {
                tracing::warn!(shipment_id = %record.shipment.id, %reason, "shipment parked");
                record.hold(reason)?;
                Ok(())
            }
            CompletionDecision::WaitForPerson | CompletionDecision::WaitForTracking => {
                record.become_(ShipmentState::Shipped)?;
                Ok(())
            }
        }
    }

    /// Centra's `paid` now; `None` when the record was settled on the way (already completed
    /// in Centra, or Centra no longer knows it).
    async fn centra_paid(&self, record: &mut ShipmentRecord) -> Result<Option<bool>, FlowError> {
        let shipment = self
            .centra
            .shipment(&record.shipment.endpoint, &record.shipment.id)
            .await;
        match terminal(shipment)? {
            Ok(now) if now.completed => {
                tracing::info!(shipment_id = %record.shipment.id, "shipment already completed in centra");
                record.become_(ShipmentState::Completed)?;
                Ok(None)
            }
            Ok(now) => Ok(Some(now.shipment.paid)),
            Err(refusal) => {
                record.hold(HoldReason::CentraRefused {
                    step: "reading the shipment".into(),
                    message: refusal.reason().to_owned(),
                })?;
                Ok(None)
            }
        }
    }

    async fn run_plan(
        &self,
        record: &mut ShipmentRecord,
        plan: &CompletionPlan,
        note: &str,
    ) -> Result<(), FlowError> {
        if !plan.quantity_updates.is_empty() {
            let fingerprint = domain::quantities_fingerprint(
                plan.quantity_updates
                    .iter()
                    .map(|(line, quantity)| (line.as_str(), u64::from(*quantity))),
            );
            let update = QuantityUpdate {
                idempotency_key: key(record, &format!("quantities:{fingerprint}")),
                endpoint: record.shipment.endpoint.clone(),
                shipment_id: record.shipment.id,
                lines: plan.quantity_updates.clone(),
            };
            let updated = self.centra.update_quantities(&update).await;
            if let Err(refusal) = terminal(updated)? {
                record.hold(HoldReason::CentraRefused {
                    step: "the quantity update".into(),
                    message: refusal.reason().to_owned(),
                })?;
                return Ok(());
            }
        }
        if plan.capture_first && !self.capture_after_shipping(record).await? {
            return Ok(());
        }
        let completion = Completion {
            idempotency_key: key(record, "complete"),
            endpoint: record.shipment.endpoint.clone(),
            order_id: record.order_id.clone(),
            shipment_id: record.shipment.id,
            capture: plan.capture,
            carrier: plan.carrier.clone(),
            service: plan.service.clone(),
            tracking_numbers: plan.tracking_numbers.clone(),
            packages: plan.packages,
            internal_comment: note.to_owned(),
        };
        match terminal(self.centra.complete(&completion).await)? {
            Ok(already_done) => {
                tracing::info!(shipment_id = %record.shipment.id, capture = plan.capture, already_done, "completed shipment");
                record.become_(ShipmentState::Completed)?;
            }
            Err(refusal) => {
                record.hold(HoldReason::CentraRefused {
                    step: "the completion".into(),
                    message: refusal.reason().to_owned(),
                })?;
                return Ok(());
            }
        }
        self.acknowledge_picked(record).await;
        Ok(())
    }

    /// Makes the capture on import a shipped record still owes, after Centra took the shipped
    /// quantities. The intent is saved before the call (a redelivery that finds Centra paid
    /// then knows it was paid for what shipped), the capture once made; its key is the
    /// import's, so the gateway never takes the money twice. True when captured; false when
    /// Centra refused, and the shipment then fails as any refused capture on import
    /// ([`OrderFlow::capture_accepted`]). An unknown outcome is an error: the retry reads
    /// `paid` first.
    async fn capture_after_shipping(&self, record: &mut ShipmentRecord) -> Result<bool, FlowError> {
        tracing::info!(shipment_id = %record.shipment.id, wms_order_number = %record.wms_order_number, "the warehouse shipped before the capture on import; capturing before completing");
        record.captured_after_shipping = true;
        self.records.save_now(record).await?;
        if !self.capture_accepted(record).await? {
            return Ok(false);
        }
        self.records.save_now(record).await?;
        Ok(true)
    }

    /// Tells the WMS the picked quantities were reported. Best effort: completion is what
    /// matters, and the acknowledgement is idempotent on the next report.
    async fn acknowledge_picked(&self, record: &ShipmentRecord) {
        let Some(report) = &record.shipped else {
            return;
        };
        if report.lines.is_empty() {
            return;
        }
        let picked = PickedReported {
            idempotency_key: key(record, "acknowledge"),
            warehouse: self.warehouse.clone(),
            wms_order_id: report.wms_order_id,
            wms_order_number: record.wms_order_number.clone(),
            lines: report
                .lines
                .iter()
                .map(|l| (l.wms_line_id, l.picked))
                .collect(),
        };
        if let Err(error) = self.wms.acknowledge_picked(&picked).await {
            tracing::warn!(shipment_id = %record.shipment.id, %error, "acknowledging picked quantities failed");
        }
    }

    /// `ArticleSynced`: shipments parked for this article are imported again, and purchase
    /// orders waiting for it are sent again once nothing else they wait for is missing.
    pub async fn on_article_synced(
        &self,
        message: &MessageId,
        event: &events::ArticleSynced,
    ) -> Result<(), FlowError> {
        if self.seen(ARTICLE_SYNCED, message).await? {
            return Ok(());
        }
        let waiting = self
            .records
            .waiting_for_article(&event.article_number)
            .await?;
        let mut outage = None;
        for found in waiting {
            let endpoint = found.shipment.endpoint.as_str();
            let _guard = self
                .locks
                .order(endpoint, found.shipment.order_id())
                .await?;
            // Read again under the lock: another handler may have moved it on meanwhile.
            let Some(mut record) = self
                .records
                .find(endpoint, &found.shipment.id.to_string())
                .await?
                .filter(|now| {
                    now.state() == found.state() && now.hold_reason() == found.hold_reason()
                })
            else {
                continue;
            };
            record.become_(ShipmentState::Received)?;
            match self.import(&mut record, OrderWrite::Once).await {
                Ok(()) => self.records.save_now(&mut record).await?,
                // Left parked as it was, so the redelivery of this event finds it again.
                Err(FlowError::Unavailable(reason)) => outage = Some(reason),
                Err(other) => return Err(other),
            }
        }
        match self.resume_deliveries(&event.article_number).await {
            Ok(()) => {}
            // The deliveries still wait, so the redelivery of this event finds them again.
            Err(FlowError::Unavailable(reason)) => outage = Some(reason),
            Err(other) => return Err(other),
        }
        if let Some(reason) = outage {
            return Err(FlowError::Unavailable(reason));
        }
        self.finish(ARTICLE_SYNCED, message, None).await
    }
}
