//! What a person does from the CLI and the admin page: retry a parked, discarded or stuck
//! return, discard a parked one with a reason, resync the unfinished ones.

use domain::CentraReference;
use domain::WmsOrderNumber;

use crate::records::{ReturnFilter, ReturnRecord};
use crate::rules::ReturnState;

use super::{FlowError, ReturnFlow};

impl ReturnFlow {
    /// The return a person's command names; [`FlowError::NotFound`] when there is none. The
    /// one load of both commands (retry and discard), taken under the flow's lock.
    async fn load(&self, return_id: &str) -> Result<ReturnRecord, FlowError> {
        self.records
            .find(return_id)
            .await?
            .ok_or_else(|| FlowError::NotFound {
                return_id: return_id.to_owned(),
            })
    }

    /// A person retries a parked (or stuck) return: a parked return Centra already has resumes
    /// at the acknowledgement, any other starts over from the check against the shipment.
    /// Safe twice: a reported return stays as it is.
    ///
    /// # Errors
    /// [`FlowError::NotFound`] for an unknown id; [`FlowError::Unavailable`] when a gateway is
    /// down (the record keeps its progress).
    pub async fn retry(&self, return_id: &str) -> Result<ReturnRecord, FlowError> {
        let _one = self
            .records
            .store()
            .locks()
            .lock(super::ONE_AT_A_TIME)
            .await?;
        let mut record = self.load(return_id).await?;
        // A discarded return is parked again for the reason the discard replaced.
        record.restore()?;
        if record.state() == ReturnState::Parked {
            let state = if record.centra_return_id.is_some() {
                ReturnState::Created
            } else {
                ReturnState::Received
            };
            if state == ReturnState::Received && record.shipment_id.is_none() {
                // The order number may resolve now (an end-point added to the settings).
                if let Ok((endpoint, CentraReference::Shipment(shipment))) =
                    WmsOrderNumber::resolve(&record.order_number, &self.settings.endpoints)
                {
                    record.endpoint = Some(endpoint.name.to_string());
                    record.shipment_id = Some(shipment.to_string());
                }
            }
            record.become_(state)?;
        }
        self.advance(&mut record).await?;
        Ok(record)
    }

    /// A person sets a parked return aside for `reason`: discarded, keeping the reason, `by`
    /// and the park reason it replaced. The service never picks it up again (see
    /// [`crate::rules::ReturnState`]); only [`ReturnFlow::retry`] takes it back.
    ///
    /// # Errors
    /// [`FlowError::NotDiscardable`] when the reason is empty or the return is not parked;
    /// [`FlowError::NotFound`] for an unknown id.
    pub async fn discard(
        &self,
        return_id: &str,
        reason: &str,
        by: &str,
    ) -> Result<ReturnRecord, FlowError> {
        let refused = |problem: String| FlowError::NotDiscardable {
            return_id: return_id.to_owned(),
            problem,
        };
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(refused("field reason is empty".into()));
        }
        let _one = self
            .records
            .store()
            .locks()
            .lock(super::ONE_AT_A_TIME)
            .await?;
        let mut record = self.load(return_id).await?;
        if record.state() == ReturnState::Discarded {
            return Ok(record);
        }
        if record.state() != ReturnState::Parked {
            return Err(refused(format!(
                "it is {}; only a parked return can be discarded",
                record.state()
            )));
        }
        record.discard(reason, by)?;
        self.records.save_now(&mut record).await?;
        tracing::info!(return_id, by, reason, "return discarded by a person");
        Ok(record)
    }

    /// Runs every unfinished return (`received`, `created`; with `parked` also the parked ones)
    /// of the filter again. Safe twice. Returns (found, finished now).
    ///
    /// # Errors
    /// The store failing; a gateway down stops the sweep with [`FlowError::Unavailable`].
    pub async fn resync(
        &self,
        order_number: Option<&str>,
        since: Option<i64>,
        parked: bool,
    ) -> Result<(u64, u64), FlowError> {
        let states: &[ReturnState] = if parked {
            &[
                ReturnState::Received,
                ReturnState::Created,
                ReturnState::Parked,
            ]
        } else {
            &[ReturnState::Received, ReturnState::Created]
        };
        let (mut found, mut finished) = (0u64, 0u64);
        let mut after: Option<String> = None;
        loop {
            let page = self
                .records
                .list(&ReturnFilter {
                    states,
                    order_number,
                    since,
                    after: after.as_deref(),
                    limit: 100,
                })
                .await?;
            let Some(last) = page.last() else { break };
            after = Some(last.return_id.clone());
            for record in page {
                found += 1;
                if self.retry(&record.return_id).await?.state() == ReturnState::Reported {
                    finished += 1;
                }
            }
        }
        Ok((found, finished))
    }
}
