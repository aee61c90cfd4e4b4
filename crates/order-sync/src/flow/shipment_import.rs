//! A shipment's import: the WMS order first, then the capture on import once the warehouse
//! accepted it, so money is never taken for an order the WMS refused (a missing article, an
//! invalid address); a refused capture cancels the order so the shipment never ships unpaid.
//!
//! ```text
//! received --upsert--> received (WMS order id saved) --capture--> imported
//!                                                         └ refused -> failed "cancelling"
//!                                                                       --CancelOrder--> failed "capture failed"
//!                                                                                └ refused -> failed "order kept" (a person)
//! ```
//!
//! Each step saves its intent before its call and carries its own idempotency key, so a crash
//! anywhere resumes at the step it left: a redelivered good-to-go (or a person's retry) finds the
//! WMS order id and captures, or finds the cancellation owed and cancels; it never writes the
//! order twice and never leaves an order live without either a capture or a cancellation.
//!
//! A person's resync ([`OrderFlow::write_again`]) is the only way an accepted order is written
//! again, and the WMS is what says whether it may still change: an update of an order the
//! warehouse started on is refused (ogoship-gateway checks the status before writing; Ongoing
//! refuses the `PUT` itself, ongoing-rest-api.md "Immutability", as ongoing-sim does), and such
//! a refusal leaves the order and the record as they were ([`FlowError::OrderKept`]). No
//! `WmsGateway` command reads an order's status, so nothing is asked before the write.

use domain::{ParkReason, PortErrorKind, Shipment};

use super::{FlowError, OrderFlow, key, terminal};
use crate::ports::{WmsCancellation, WmsOrder};
use crate::records::ShipmentRecord;
use crate::rules::{HoldReason, ImportDecision, ImportOrder, ShipmentState, decide_import};

/// Whether an import writes a WMS order the WMS accepted already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrderWrite {
    /// Automatic paths (good to go, article synced, a person's retry): an accepted order is
    /// never written again, so a redelivery makes no second call.
    Once,
    /// A person's resync: the order is written again from Centra's data; a refusal keeps it as
    /// it was ([`FlowError::OrderKept`]).
    Again,
}

impl OrderFlow {
    /// The WMS order, then the capture when the plan says so: money is taken only for an order
    /// the warehouse accepted, and a refused capture cancels that order (see
    /// [`OrderFlow::capture_accepted`]). An
    /// order the WMS accepted already (its id recorded) is not written again unless `write` is
    /// [`OrderWrite::Again`] (a person's resync, whose refusal is [`FlowError::OrderKept`]).
    /// Parks or fails the record on a refusal; an outage is an error and leaves the record for
    /// the retry.
    pub(super) async fn import(
        &self,
        record: &mut ShipmentRecord,
        write: OrderWrite,
    ) -> Result<(), FlowError> {
        if let Some(wms_order_number) = self.order_imported_as(record).await? {
            tracing::warn!(shipment_id = %record.shipment.id, %wms_order_number, "order already imported as itself; shipment parked");
            record.hold(HoldReason::OrderAlreadyImported { wms_order_number })?;
            return Ok(());
        }
        let order = match decide_import(&self.settings, &record.shipment) {
            ImportDecision::Ignore => return Ok(()),
            ImportDecision::Hold(reason) => {
                tracing::info!(shipment_id = %record.shipment.id, %reason, "shipment parked");
                record.hold(reason)?;
                return Ok(());
            }
            ImportDecision::Import(order) => order,
        };
        let accepted = record.wms_order_id.filter(|_| write == OrderWrite::Once);
        if accepted.is_none() {
            let request = self.order_request(record, &order, write);
            match terminal(self.wms.upsert_order(&request).await)? {
                Ok(order_id) => {
                    tracing::info!(shipment_id = %record.shipment.id, wms_order_number = %record.wms_order_number, order_id, "wms order written");
                    record.wms_order_id = Some(order_id);
                }
                Err(refusal) if record.wms_order_id.is_some() => {
                    // Only a resync writes an accepted order again: the warehouse keeps it as
                    // it was (work started, or the change refused), and so does the record.
                    return Err(FlowError::OrderKept {
                        shipment: record.key(),
                        wms_order_number: record.wms_order_number.clone(),
                        refusal: Box::new(refusal),
                    });
                }
                Err(refusal) if refusal.kind() == PortErrorKind::ArticlesMissing => {
                    let articles = refusal.missing_articles().to_vec();
                    return self.park(record, HoldReason::ArticleMissing { articles });
                }
                Err(refusal) => {
                    let message = refusal.reason().to_owned();
                    return self.park(record, HoldReason::WmsRefused { message });
                }
            }
        }
        if order.capture && !record.captured {
            // Saved with the WMS order id before the capture: a crash now resumes with the
            // capture, never with a second order.
            self.records.save_now(record).await?;
            if !self.capture_accepted(record).await? {
                return Ok(());
            }
        }
        tracing::info!(shipment_id = %record.shipment.id, wms_order_number = %record.wms_order_number, captured = record.captured, "imported shipment");
        record.become_(ShipmentState::Imported)?;
        Ok(())
    }

    /// Parks `record` for `reason` (the WMS refused it).
    fn park(&self, record: &mut ShipmentRecord, reason: HoldReason) -> Result<(), FlowError> {
        tracing::warn!(shipment_id = %record.shipment.id, %reason, "shipment parked");
        record.hold(reason)?;
        Ok(())
    }

    /// The WMS order of `record`. A resync is a command of its own: keyed by the record's last
    /// save, so its retry after a lost answer is the same command and the next resync is not.
    fn order_request(
        &self,
        record: &ShipmentRecord,
        order: &ImportOrder,
        write: OrderWrite,
    ) -> WmsOrder {
        let step = match write {
            OrderWrite::Once => "import".to_owned(),
            OrderWrite::Again => format!("resync:{}", record.updated_at),
        };
        WmsOrder {
            idempotency_key: key(record, &step),
            warehouse: self.warehouse.clone(),
            order_number: record.wms_order_number.clone(),
            delivery_date: chrono::Utc::now().date_naive(),
            consignee: record.shipment.delivery.clone(),
            transporter: order.transporter.clone(),
            lines: order.lines.clone(),
            centra_order_id: record.order_id.clone(),
            shop_order_id: record.shipment.id.to_string(),
        }
    }

    /// Finishes what an interrupted import owes: the cancellation of an order whose capture
    /// failed, else the capture (and the move to imported), without writing the order again.
    pub(super) async fn resume_capture(
        &self,
        record: &mut ShipmentRecord,
    ) -> Result<(), FlowError> {
        if record.cancelling_uncaptured() {
            return self.cancel_uncaptured(record).await;
        }
        self.import(record, OrderWrite::Once).await
    }

    /// A person's retry of a parked, failed or stuck shipment before the warehouse shipped it:
    /// an owed cancellation is finished; anything else is imported again from where it stands
    /// (an accepted order is not written again).
    pub(super) async fn import_again(&self, record: &mut ShipmentRecord) -> Result<(), FlowError> {
        if record.cancelling_uncaptured() {
            return self.cancel_uncaptured(record).await;
        }
        record.become_(ShipmentState::Received)?;
        self.import(record, OrderWrite::Once).await
    }

    /// A person's resync: `shipment` (read from Centra now) is written to the WMS again, then
    /// captured when the plan says so. An owed cancellation is finished first (saved), so a
    /// resync never revives an order on the way out without knowing it.
    ///
    /// # Errors
    /// [`FlowError::OrderKept`] when the WMS refuses the change of an order it accepted before
    /// (work started): the record is left as it was for the caller not to save.
    pub(super) async fn write_again(
        &self,
        record: &mut ShipmentRecord,
        shipment: Shipment,
    ) -> Result<(), FlowError> {
        if record.cancelling_uncaptured() {
            self.cancel_uncaptured(record).await?;
            self.records.save_now(record).await?;
        }
        record.shipment = shipment;
        record.become_(ShipmentState::Received)?;
        self.import(record, OrderWrite::Again).await
    }

    /// Captures the payment of a shipment whose WMS order was accepted. True when captured;
    /// false when Centra refused, and the order is then being cancelled (see
    /// [`OrderFlow::cancel_uncaptured`]).
    pub(super) async fn capture_accepted(
        &self,
        record: &mut ShipmentRecord,
    ) -> Result<bool, FlowError> {
        let captured = self
            .centra
            .capture(
                &key(record, "capture"),
                &record.shipment.endpoint,
                &record.shipment.id,
            )
            .await;
        match terminal(captured)? {
            Ok(()) => {
                record.captured = true;
                Ok(true)
            }
            Err(refusal) => {
                let message = refusal.reason().to_owned();
                tracing::warn!(shipment_id = %record.shipment.id, wms_order_number = %record.wms_order_number, %message, "capture failed; cancelling the warehouse order so it never ships");
                record.hold(HoldReason::CaptureFailedCancelling { message })?;
                self.records.save_now(record).await?;
                self.cancel_uncaptured(record).await?;
                Ok(false)
            }
        }
    }

    /// Cancels the WMS order of a shipment whose capture failed (the intent is the record's
    /// hold, saved before). Cancelled, the shipment fails `capture failed` with no live WMS
    /// order (a retry imports it anew); refused (work started), it fails for a person, who
    /// stops the order in the warehouse. An outage is an error and leaves the intent.
    pub(super) async fn cancel_uncaptured(
        &self,
        record: &mut ShipmentRecord,
    ) -> Result<(), FlowError> {
        let Some(HoldReason::CaptureFailedCancelling { message }) = record.hold_reason().cloned()
        else {
            return Ok(());
        };
        let cancellation = WmsCancellation {
            idempotency_key: key(record, "capture-failed:cancel"),
            warehouse: self.warehouse.clone(),
            order_number: record.wms_order_number.clone(),
        };
        match terminal(self.wms.cancel_order(&cancellation).await)? {
            Ok(already_done) => {
                tracing::info!(shipment_id = %record.shipment.id, wms_order_number = %record.wms_order_number, already_done, "cancelled the wms order of a failed capture");
                record.wms_order_id = None;
                record.hold(HoldReason::Rule(ParkReason::CaptureFailed { message }))?;
            }
            Err(refusal) => {
                let refusal = refusal.reason().to_owned();
                tracing::error!(shipment_id = %record.shipment.id, wms_order_number = %record.wms_order_number, %message, %refusal, "capture failed and the warehouse refused to cancel the order; a person must stop it");
                record.hold(HoldReason::CaptureFailedOrderKept { message, refusal })?;
            }
        }
        Ok(())
    }
}
