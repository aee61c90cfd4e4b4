//! The returns flow: a WMS return becomes one Centra return, then the WMS is told.
//!
//! Each step is saved before the next one starts, so a crash between any two resumes without
//! loss or duplicate:
//!
//! 1. a delivery already in the inbox is skipped;
//! 2. the return is planned (new units only, see [`crate::rules::plan`]) and saved as
//!    `received` (or `parked` with the reason) before any call;
//! 3. `CreateReturn` carries the WMS return id as idempotency key: after a lost answer or a
//!    crash, the retry finds the first return; the record becomes `created`;
//! 4. only then `AcknowledgeReported` marks the units reported in the WMS; the record becomes
//!    `reported` and the inbox entry commits with it.
//!
//! A call that is down (a retryable [`PortError`]) leaves the record where it is and the
//! delivery unacknowledged: the bus redelivers it and the flow resumes from the record. A
//! terminal one (a refusal, an answer against the contract) parks the record with its reason;
//! a person retries it ([`ReturnFlow::retry`]). Records change one at a time (one lock for the
//! flow: returns are few, and the coverage of an order's lines must be read and written without
//! a second return in between).
//!
//! Layout: this file holds the handler of a received return and its steps; `operator` what a
//! person does (retry one, resync many).

use std::collections::BTreeMap;
use std::sync::Arc;

use domain::{CentraReference, PortError, PortErrorKind, Settings, WmsOrderNumber};
use platform_store::{MessageId, StoreError};
use proto::events::v1 as events;

mod operator;

use crate::convert::{ConvertError, IncomingReturn, incoming};
use crate::ports::{CentraReturns, NewCentraReturn, ReturnedReported, WmsReturns};
use crate::records::{ReturnRecord, ReturnRecords};
use crate::rules::{self, IllegalTransition, ParkReason, ReturnState};

/// The store lock every change of a return holds, one at a time in this process and across
/// replicas (a return is read, created in Centra, then saved).
pub const ONE_AT_A_TIME: &str = "returns";

/// Consumer (and inbox) name of `wms.<warehouse>.return.received`.
pub const RETURN_RECEIVED: &str = "returns-sync-return-received";

/// Why a handler did not finish.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// The input can never be processed as it is (terminal: kept as a dead letter).
    #[error(transparent)]
    Invalid(#[from] ConvertError),
    /// A gateway is down or the outcome of a call is unknown (retryable: the same step again
    /// later). The port error is kept whole (service, kind, the status it came from).
    #[error("{0}")]
    Unavailable(#[source] PortError),
    /// The store failed (retryable).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An operator command named a return this service holds no record of (terminal).
    #[error("no return {return_id}")]
    NotFound { return_id: String },
    /// A change the state machine refuses: a fault of this service, kept for a person.
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    /// A person's discard that does not apply (terminal: nothing was changed): the return is
    /// not parked, or no reason was given.
    #[error("return {return_id} cannot be discarded: {problem}")]
    NotDiscardable { return_id: String, problem: String },
}

/// The flow, shared by the consumer and the admin service.
#[derive(Debug, Clone)]
pub struct ReturnFlow {
    settings: Arc<Settings>,
    warehouse: String,
    records: ReturnRecords,
    centra: Arc<dyn CentraReturns>,
    wms: Arc<dyn WmsReturns>,
}

impl ReturnFlow {
    pub fn new(
        settings: Arc<Settings>,
        warehouse: impl Into<String>,
        records: ReturnRecords,
        centra: Arc<dyn CentraReturns>,
        wms: Arc<dyn WmsReturns>,
    ) -> Self {
        Self {
            settings,
            warehouse: warehouse.into(),
            records,
            centra,
            wms,
        }
    }

    pub fn records(&self) -> &ReturnRecords {
        &self.records
    }

    pub fn warehouse(&self) -> &str {
        &self.warehouse
    }

    /// `WmsReturnReceived`: plan, create in Centra, acknowledge in the WMS.
    ///
    /// # Errors
    /// [`FlowError::Invalid`] for an unreadable event; [`FlowError::Unavailable`] or
    /// [`FlowError::Store`] when a step must be tried again (the record keeps the progress).
    pub async fn on_return_received(
        &self,
        message: &MessageId,
        event: &events::WmsReturnReceived,
    ) -> Result<(), FlowError> {
        let _one = self.records.store().locks().lock(ONE_AT_A_TIME).await?;
        let store = self.records.store();
        if store.inbox().contains(RETURN_RECEIVED, message).await? {
            return Ok(());
        }
        let incoming = incoming(event)?;
        let record = match self.records.find(&incoming.return_id).await? {
            Some(record) => Some(record),
            None => self.plan(&incoming).await?,
        };
        let Some(mut record) = record else {
            tracing::info!(return_id = %incoming.return_id, order = %incoming.order_number, "every unit of this return is in an earlier one");
            let mut tx = store.begin().await?;
            store
                .inbox()
                .record(&mut tx, RETURN_RECEIVED, message)
                .await?;
            tx.commit().await?;
            return Ok(());
        };
        self.advance(&mut record).await?;
        let mut tx = store.begin().await?;
        store
            .inbox()
            .record(&mut tx, RETURN_RECEIVED, message)
            .await?;
        self.records.save(&mut tx, &mut record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The new record of `incoming`, saved (as `received` or `parked`); `None` when earlier
    /// returns cover every unit.
    async fn plan(&self, incoming: &IncomingReturn) -> Result<Option<ReturnRecord>, FlowError> {
        let warehouse = if incoming.warehouse.is_empty() {
            self.warehouse.clone()
        } else {
            incoming.warehouse.clone()
        };
        let covered = self
            .records
            .covered(&warehouse, incoming.wms_order_id)
            .await?;
        let lines = rules::plan(&incoming.lines, &covered);
        if lines.is_empty() {
            return Ok(None);
        }
        let comment = rules::comment(&lines, &incoming.order_number, incoming.return_order_id);
        let mut record = ReturnRecord::received(
            incoming.return_id.clone(),
            warehouse,
            incoming.order_number.clone(),
            lines,
        );
        record.wms_order_id = incoming.wms_order_id;
        record.return_order_id = incoming.return_order_id;
        record.comment = comment;
        record.returned_at = incoming.returned_at;
        match WmsOrderNumber::resolve(&incoming.order_number, &self.settings.endpoints) {
            Ok((endpoint, CentraReference::Shipment(shipment))) => {
                record.endpoint = Some(endpoint.name.to_string());
                record.shipment_id = Some(shipment.to_string());
            }
            Ok((endpoint, CentraReference::Order(order))) => {
                record.endpoint = Some(endpoint.name.to_string());
                record.park(ParkReason::ImportedAsOrder {
                    order_number: incoming.order_number.clone(),
                    order_id: order.to_string(),
                })?;
            }
            Err(_) => record.park(ParkReason::NotImported {
                order_number: incoming.order_number.clone(),
            })?,
        }
        self.records.save_now(&mut record).await?;
        if let Some(reason) = record.reason() {
            tracing::warn!(return_id = %record.return_id, %reason, "return parked");
        }
        Ok(Some(record))
    }

    /// Runs the steps left for `record`, saving each result; parks on a refusal.
    async fn advance(&self, record: &mut ReturnRecord) -> Result<(), FlowError> {
        if record.state() == ReturnState::Received {
            self.create_in_centra(record).await?;
            self.records.save_now(record).await?;
        }
        if record.state() == ReturnState::Created {
            self.acknowledge(record).await?;
            self.records.save_now(record).await?;
        }
        if let (ReturnState::Parked, Some(reason)) = (record.state(), record.reason()) {
            tracing::warn!(return_id = %record.return_id, %reason, "return parked");
        }
        Ok(())
    }

    async fn create_in_centra(&self, record: &mut ReturnRecord) -> Result<(), FlowError> {
        let (Some(endpoint), Some(shipment_id)) =
            (record.endpoint.clone(), record.shipment_id.clone())
        else {
            record.park(ParkReason::NotImported {
                order_number: record.order_number.clone(),
            })?;
            return Ok(());
        };
        let shipped = match terminal(self.centra.shipment_lines(&endpoint, &shipment_id).await)? {
            Ok(lines) => lines,
            Err(error) => {
                record.park(ParkReason::ShipmentUnknown {
                    shipment_id,
                    message: refusal(&error),
                })?;
                return Ok(());
            }
        };
        let earlier = self
            .records
            .returned_before(&endpoint, &shipment_id, &record.return_id)
            .await?;
        if let Err(reason) =
            rules::check_against_shipment(&shipment_id, &record.lines, &shipped, &earlier)
        {
            record.park(reason)?;
            return Ok(());
        }
        let new = NewCentraReturn {
            idempotency_key: record.return_id.clone(),
            endpoint,
            shipment_id,
            lines: rules::centra_quantities(&record.lines),
            comment: record.comment.clone(),
            return_stock: self
                .settings
                .return_stock
                .centra_flag(self.settings.stock_to_centra),
        };
        match terminal(self.centra.create_return(&new).await)? {
            Ok(created) => {
                tracing::info!(return_id = %record.return_id, centra_return_id = %created.return_id, already_done = created.already_done, "return in centra");
                record.centra_return_id = Some(created.return_id);
                record.become_(ReturnState::Created)?;
                Ok(())
            }
            Err(error) => {
                record.park(ParkReason::CentraRefused {
                    message: refusal(&error),
                })?;
                Ok(())
            }
        }
    }

    async fn acknowledge(&self, record: &mut ReturnRecord) -> Result<(), FlowError> {
        let lines: BTreeMap<i64, i64> = record
            .lines
            .iter()
            .map(|l| (l.wms_line_id, l.returned_through))
            .collect();
        let report = ReturnedReported {
            idempotency_key: format!("return:{}", record.return_id),
            warehouse: record.warehouse.clone(),
            wms_order_id: record.wms_order_id,
            return_id: record.return_id.clone(),
            lines,
        };
        let acknowledged = self.wms.acknowledge_returned(&report).await;
        match terminal(acknowledged)? {
            Ok(()) => {
                record.become_(ReturnState::Reported)?;
                Ok(())
            }
            Err(error) => {
                record.park(ParkReason::WmsRefused {
                    centra_return_id: record.centra_return_id.clone().unwrap_or_default(),
                    message: refusal(&error),
                })?;
                Ok(())
            }
        }
    }
}

/// Splits a port result by the error's kind: a retryable failure is the flow's error (the
/// record stays where it is for the redelivery), a terminal one is handed back for the flow to
/// park, since the same call would fail the same way.
fn terminal<T>(result: Result<T, PortError>) -> Result<Result<T, PortError>, FlowError> {
    PortError::retryable_apart(result).map_err(FlowError::Unavailable)
}

/// What a park reason quotes of a terminal port error: a refusal in the far side's own words;
/// an answer against the contract named with its service and kind, so a person sees a fault to
/// report rather than a record to fix.
fn refusal(error: &PortError) -> String {
    match error.kind() {
        PortErrorKind::Refused | PortErrorKind::ArticlesMissing => error.reason().to_owned(),
        PortErrorKind::Unavailable | PortErrorKind::BrokenAnswer => error.to_string(),
    }
}
