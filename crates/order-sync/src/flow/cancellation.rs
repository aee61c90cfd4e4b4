//! Centra cancellations (`ShipmentCancelled`): a shipment that disappears or is cancelled in
//! Centra is cancelled in the WMS while the warehouse still allows it, and otherwise parked for a
//! person with the reason. The move per state is [`ShipmentState::on_cancellation`]:
//!
//! ```text
//! unknown                  -> cancelled (kept, so a later good-to-go never imports it)
//! parked/failed, no order  -> cancelled
//! received/imported/parked -> parked "cancellation pending" -> CancelOrder -> cancelled
//!                                                                   └ refused -> parked
//! shipped                  -> parked "cancelled after shipping"
//! completed/cancelled      -> untouched
//! ```

use platform_store::MessageId;
use proto::events::v1 as events;

use super::{FlowError, OrderFlow, key, terminal};
use crate::convert::{self, ConvertError};
use crate::ports::WmsCancellation;
use crate::records::ShipmentRecord;
use crate::rules::{CancellationMove, HoldReason, ShipmentState};
use domain::WmsOrderNumber;
use domain::settings::ImportMode;

/// Inbox consumer of cancelled shipments.
pub const SHIPMENT_CANCELLED: &str = "order-sync-shipment-cancelled";

/// The reason Centra gave, or a plain one when the gateway sent none.
fn reason_of(event: &events::ShipmentCancelled) -> String {
    let reason = event.reason.trim();
    if reason.is_empty() {
        "cancelled in centra".to_owned()
    } else {
        reason.to_owned()
    }
}

impl OrderFlow {
    /// `ShipmentCancelled`: cancel here, in the WMS, or flag for a person.
    pub async fn on_shipment_cancelled(
        &self,
        message: &MessageId,
        event: &events::ShipmentCancelled,
    ) -> Result<(), FlowError> {
        if self.settings.import == ImportMode::Orders {
            // No shipment is imported under `orders`; cancelling an order imported as itself is
            // not handled here.
            tracing::debug!(shipment_id = %event.shipment_id, "shipments are not imported (import = orders); cancellation ignored");
            return self.finish(SHIPMENT_CANCELLED, message, None).await;
        }
        let reason = reason_of(event);
        let shipment = convert::shipment_from_cancellation(event)?;
        let _guard = self
            .locks
            .order(shipment.endpoint.as_str(), shipment.order_id())
            .await;
        if self.seen(SHIPMENT_CANCELLED, message).await? {
            return Ok(());
        }
        let existing = self
            .records
            .find(shipment.endpoint.as_str(), &shipment.id.to_string())
            .await?;
        let mut record = match existing {
            Some(record) => record,
            None => {
                let endpoint =
                    self.settings
                        .endpoint(&shipment.endpoint)
                        .ok_or_else(|| ConvertError {
                            record: format!("shipment {}", shipment.id),
                            field: "endpoint",
                            problem: format!(
                                "end-point {:?} is not configured",
                                shipment.endpoint.as_str()
                            ),
                        })?;
                let number = WmsOrderNumber::for_shipment(endpoint, &shipment.id);
                let mut record = ShipmentRecord::new(shipment, number.as_str().to_owned());
                if !event.order_id.trim().is_empty() {
                    record.order_id = event.order_id.trim().to_owned();
                }
                tracing::info!(shipment_id = %record.shipment.id, %reason, "shipment cancelled before it was imported");
                record.become_(ShipmentState::Cancelled)?;
                return self
                    .finish(SHIPMENT_CANCELLED, message, Some(&mut record))
                    .await;
            }
        };
        if record.state() == ShipmentState::Completed || record.state() == ShipmentState::Cancelled
        {
            tracing::info!(shipment_id = %record.shipment.id, state = %record.state(), "cancellation of a finished shipment; nothing to do");
            return self.finish(SHIPMENT_CANCELLED, message, None).await;
        }
        self.cancel(&mut record, reason).await?;
        self.finish(SHIPMENT_CANCELLED, message, Some(&mut record))
            .await
    }

    /// Runs the cancellation move of `record`. The intent is saved before the WMS call; an
    /// outage is an error and leaves the intent for the redelivery (or a person's retry).
    pub(super) async fn cancel(
        &self,
        record: &mut ShipmentRecord,
        reason: String,
    ) -> Result<(), FlowError> {
        let shipped = record.shipped.is_some();
        // A cancellation that went to the WMS before may have reached an order whose id was
        // never recorded (a lost import answer): it goes to the WMS again, never just here.
        let wms_order_known = record.wms_order_id.is_some()
            || matches!(
                record.hold_reason(),
                Some(
                    HoldReason::CancellationPending { .. } | HoldReason::CancellationRefused { .. }
                )
            );
        match record.state().on_cancellation(wms_order_known, shipped) {
            CancellationMove::Nothing => Ok(()),
            CancellationMove::CancelHere => {
                tracing::info!(shipment_id = %record.shipment.id, %reason, "shipment cancelled; it never reached the warehouse");
                record.become_(ShipmentState::Cancelled)?;
                Ok(())
            }
            CancellationMove::FlagForPerson => {
                tracing::warn!(shipment_id = %record.shipment.id, %reason, "shipment cancelled after the warehouse shipped it; parked for a person");
                record.hold(HoldReason::CancelledAfterShipping { reason })?;
                Ok(())
            }
            CancellationMove::CancelInWms => {
                record.hold(HoldReason::CancellationPending {
                    reason: reason.clone(),
                })?;
                self.records.save_now(record).await?;
                let cancellation = WmsCancellation {
                    idempotency_key: key(record, "cancel"),
                    warehouse: self.warehouse.clone(),
                    order_number: record.wms_order_number.clone(),
                };
                match terminal(self.wms.cancel_order(&cancellation).await)? {
                    Ok(already_done) => {
                        tracing::info!(shipment_id = %record.shipment.id, wms_order_number = %record.wms_order_number, already_done, %reason, "cancelled wms order");
                        record.become_(ShipmentState::Cancelled)?;
                        Ok(())
                    }
                    Err(refusal) => {
                        let message = refusal.reason().to_owned();
                        tracing::warn!(shipment_id = %record.shipment.id, wms_order_number = %record.wms_order_number, %message, "warehouse refused the cancellation; parked for a person");
                        record.hold(HoldReason::CancellationRefused { reason, message })?;
                        Ok(())
                    }
                }
            }
        }
    }
}
