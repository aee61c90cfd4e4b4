//! What a person does from the CLI and the admin page: retry a parked, failed, discarded or
//! stuck shipment, discard a parked or failed one with a reason, complete one by hand with an
//! explicit capture flag, or write it to the WMS again from Centra's data.

use domain::PortError;

use crate::records::ShipmentRecord;
use crate::rules::completion::completion_plan;
use crate::rules::{HoldReason, PaymentNow, ShipmentState};

use super::{FlowError, OrderFlow, terminal};

/// Why an operator command does not apply to a shipment as it is: the shipment's
/// [`FlowError::Precondition`]. Each says what stands in the way, so the answer to the person
/// names it and a caller matches on the variant, never on the text.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CommandRefusal {
    /// A completion by hand of a shipment the warehouse does not hold (not imported, failed
    /// or cancelled).
    #[error("is {state}; only a shipment in the warehouse can be completed")]
    NotInWarehouse { state: ShipmentState },
    /// A completion by hand of a shipment parked before it reached the warehouse.
    #[error("never reached the warehouse ({})", hold.as_ref().map(ToString::to_string).unwrap_or_default())]
    NeverInWarehouse { hold: Option<HoldReason> },
    /// The completion rules refuse what the person asked (nothing picked, unpaid without a
    /// capture, a partial pick of a paid shipment).
    #[error("cannot be completed: {0}")]
    Completion(HoldReason),
    /// A resync of a shipment whose warehouse order can no longer change (shipped, completed,
    /// cancelled).
    #[error("is {state}; the warehouse order can no longer change")]
    WarehouseOrderFinal { state: ShipmentState },
    /// A resync of a shipment Centra cancelled: it is never written to the warehouse again.
    #[error("was cancelled in centra; it is not written to the warehouse again")]
    CancelledInCentra,
    /// A discard of a shipment that is not parked or failed (the state machine refuses it).
    #[error("is {state}; only a parked or failed shipment can be discarded")]
    NotHeld { state: ShipmentState },
    /// A discard of a hold whose work is under way (the WMS order is being cancelled): a
    /// retry finishes that work first.
    #[error("is being cancelled in the warehouse ({hold}); retry it to finish that first")]
    WorkUnderWay { hold: HoldReason },
    /// A discard without a reason: the reason is what the next person reads.
    #[error("cannot be discarded without a reason")]
    NoReason,
    /// A completion or resync of a discarded shipment: a person retries it first.
    #[error("was discarded; retry it first")]
    Discarded,
    /// A resync Centra refused to read the shipment for (a terminal port error).
    #[error("could not be read again from centra ({0})")]
    CentraRefused(#[source] PortError),
}

/// What a person asked for when completing by hand.
#[derive(Debug, Clone, Default)]
pub struct ManualCompletion {
    pub capture: bool,
    pub carrier: String,
    pub service: String,
    pub tracking_numbers: Vec<String>,
    pub packages: u32,
    pub note: String,
}

impl OrderFlow {
    async fn load(&self, endpoint: &str, shipment_id: &str) -> Result<ShipmentRecord, FlowError> {
        self.records
            .find(endpoint, shipment_id)
            .await?
            .ok_or_else(|| FlowError::NotFound {
                endpoint: endpoint.to_owned(),
                shipment_id: shipment_id.to_owned(),
            })
    }

    /// Runs the next step of a parked, failed or stuck shipment again.
    pub async fn retry(
        &self,
        endpoint: &str,
        shipment_id: &str,
    ) -> Result<ShipmentState, FlowError> {
        let _guard = self.locks.shipment(endpoint, shipment_id).await?;
        let mut record = self.load(endpoint, shipment_id).await?;
        // A discarded shipment goes back to the hold it replaced, then is retried as that.
        if let Some(HoldReason::Discarded { hold, .. }) = record.hold_reason() {
            let hold = (**hold).clone();
            record.hold(hold)?;
        }
        let shipped = record.shipped.is_some() && record.wms_order_id.is_some();
        match record.state() {
            ShipmentState::Completed | ShipmentState::Cancelled | ShipmentState::Imported => {
                return Ok(record.state());
            }
            ShipmentState::Shipped => self.complete(&mut record).await?,
            // A cancellation hold runs the cancellation again (the warehouse may have stopped
            // the work by now); it never imports or completes a cancelled shipment.
            ShipmentState::Parked
                if record
                    .hold_reason()
                    .is_some_and(HoldReason::is_cancellation) =>
            {
                let reason = match record.hold_reason() {
                    Some(
                        HoldReason::CancellationPending { reason }
                        | HoldReason::CancellationRefused { reason, .. }
                        | HoldReason::CancelledAfterShipping { reason },
                    ) => reason.clone(),
                    _ => String::new(),
                };
                self.cancel(&mut record, reason).await?;
            }
            ShipmentState::Parked if shipped => {
                record.become_(ShipmentState::Shipped)?;
                self.complete(&mut record).await?;
            }
            ShipmentState::Parked | ShipmentState::Failed | ShipmentState::Received => {
                self.import_again(&mut record).await?;
            }
            // Restored above: a discard always replaces a parked or failed hold.
            ShipmentState::Discarded => {}
        }
        self.records.save_now(&mut record).await?;
        Ok(record.state())
    }

    /// A person sets a parked or failed shipment aside for `reason`: it becomes `discarded`,
    /// keeping the reason, `by` and the hold it replaced (its journey shows the step), and
    /// the service never picks it up again; only [`OrderFlow::retry`] takes it back.
    ///
    /// # Errors
    /// [`FlowError::Precondition`] when the reason is empty, the shipment is not parked or
    /// failed, or its hold's work is under way; [`FlowError::NotFound`] for an unknown one.
    pub async fn discard(
        &self,
        endpoint: &str,
        shipment_id: &str,
        reason: &str,
        by: &str,
    ) -> Result<ShipmentState, FlowError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(refused(shipment_id, CommandRefusal::NoReason));
        }
        let _guard = self.locks.shipment(endpoint, shipment_id).await?;
        let mut record = self.load(endpoint, shipment_id).await?;
        if !record.state().can_become(ShipmentState::Discarded) {
            return Err(refused(
                shipment_id,
                CommandRefusal::NotHeld {
                    state: record.state(),
                },
            ));
        }
        let Some(hold) = record.hold_reason().cloned() else {
            return Err(refused(
                shipment_id,
                CommandRefusal::NotHeld {
                    state: record.state(),
                },
            ));
        };
        if let HoldReason::Discarded { .. } = hold {
            return Ok(record.state());
        }
        if hold.work_under_way() {
            return Err(refused(shipment_id, CommandRefusal::WorkUnderWay { hold }));
        }
        record.hold(HoldReason::Discarded {
            reason: reason.to_owned(),
            by: by.to_owned(),
            hold: Box::new(hold),
        })?;
        self.records.save_now(&mut record).await?;
        tracing::info!(shipment_id, by, reason, "shipment discarded by a person");
        Ok(record.state())
    }

    /// Completes by a person's hand, with the capture flag they chose. True when it was
    /// already completed.
    pub async fn complete_manually(
        &self,
        endpoint: &str,
        shipment_id: &str,
        request: ManualCompletion,
    ) -> Result<(bool, ShipmentState), FlowError> {
        let _guard = self.locks.shipment(endpoint, shipment_id).await?;
        let mut record = self.load(endpoint, shipment_id).await?;
        match record.state() {
            ShipmentState::Completed => return Ok((true, record.state())),
            ShipmentState::Discarded => {
                return Err(refused(shipment_id, CommandRefusal::Discarded));
            }
            ShipmentState::Failed | ShipmentState::Cancelled | ShipmentState::Received => {
                return Err(refused(
                    shipment_id,
                    CommandRefusal::NotInWarehouse {
                        state: record.state(),
                    },
                ));
            }
            ShipmentState::Parked if record.wms_order_id.is_none() => {
                return Err(refused(
                    shipment_id,
                    CommandRefusal::NeverInWarehouse {
                        hold: record.hold_reason().cloned(),
                    },
                ));
            }
            _ => {}
        }
        let Some(paid) = self.centra_paid(&mut record).await? else {
            self.records.save_now(&mut record).await?;
            return Ok((record.state() == ShipmentState::Completed, record.state()));
        };
        let report = record.shipped.clone().unwrap_or_default();
        // The person's capture flag decides; a capture owed on import is not made first.
        let payment = PaymentNow {
            captured_after_shipping: record.captured_after_shipping,
            ..PaymentNow::paid(paid)
        };
        let mut plan = completion_plan(request.capture, payment, &report)
            .map_err(|reason| refused(shipment_id, CommandRefusal::Completion(reason)))?;
        if !request.carrier.is_empty() {
            plan.carrier = request.carrier;
        }
        if !request.service.is_empty() {
            plan.service = request.service;
        }
        if !request.tracking_numbers.is_empty() {
            plan.tracking_numbers = request.tracking_numbers;
        }
        if request.packages > 0 {
            plan.packages = request.packages;
        }
        self.run_plan(&mut record, &plan, &request.note).await?;
        self.records.save_now(&mut record).await?;
        Ok((false, record.state()))
    }

    /// Re-reads the shipment from Centra and writes it to the WMS again.
    pub async fn resync(
        &self,
        endpoint: &str,
        shipment_id: &str,
    ) -> Result<ShipmentState, FlowError> {
        let _guard = self.locks.shipment(endpoint, shipment_id).await?;
        let mut record = self.load(endpoint, shipment_id).await?;
        if record.state() == ShipmentState::Discarded {
            return Err(refused(shipment_id, CommandRefusal::Discarded));
        }
        if matches!(
            record.state(),
            ShipmentState::Shipped | ShipmentState::Completed | ShipmentState::Cancelled
        ) {
            return Err(refused(
                shipment_id,
                CommandRefusal::WarehouseOrderFinal {
                    state: record.state(),
                },
            ));
        }
        if record
            .hold_reason()
            .is_some_and(HoldReason::is_cancellation)
        {
            return Err(refused(shipment_id, CommandRefusal::CancelledInCentra));
        }
        let fresh = match terminal(
            self.centra
                .shipment(&record.shipment.endpoint, &record.shipment.id)
                .await,
        )? {
            Ok(fresh) => fresh,
            Err(refusal) => {
                return Err(refused(shipment_id, CommandRefusal::CentraRefused(refusal)));
            }
        };
        self.write_again(&mut record, fresh.shipment).await?;
        self.records.save_now(&mut record).await?;
        Ok(record.state())
    }
}

fn refused(shipment_id: &str, refusal: CommandRefusal) -> FlowError {
    FlowError::Precondition {
        shipment_id: shipment_id.to_owned(),
        refusal,
    }
}
