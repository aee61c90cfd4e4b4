//! CaptureShipment: through the end-point's connection (`PUT /capture`, or GraphQL
//! `captureShipment`), after reading where the payment stands: a paid shipment is done
//! (nothing charged twice), a capture request still with the provider (GraphQL `PENDING`) is
//! not captured yet and is not asked again.

use proto::centra::v1::{CaptureShipmentRequest, CaptureShipmentResponse};

use super::{CommandError, Commands, shipment_id};
use crate::connection::CaptureOutcome;

/// What one attempt found or did.
enum Captured {
    /// Paid before this call: nothing charged.
    Already,
    /// Captured by this call.
    Now,
    /// A capture request is with the payment provider (made now or before): not captured yet.
    Pending,
}

impl Commands {
    /// Captures the payment; an already paid (or captured) shipment is success, nothing
    /// charged. A capture the provider answers later (`PENDING`) is [`CommandError::NotYet`]
    /// (`UNAVAILABLE`): never counted as captured; asking again later reads the outcome.
    pub async fn capture_shipment(
        &self,
        request: CaptureShipmentRequest,
    ) -> Result<CaptureShipmentResponse, CommandError> {
        let client = self.connection(&request.endpoint)?;
        let id = shipment_id("shipment_id", &request.shipment_id)?;
        let outcome = client
            .with_retry(|| async {
                let Some(standing) = client.payment_standing(&id).await? else {
                    return Ok(None);
                };
                if standing.paid {
                    return Ok(Some(Captured::Already));
                }
                if standing.capture_requested {
                    return Ok(Some(Captured::Pending));
                }
                match client.capture_once(&id).await {
                    Ok(CaptureOutcome::Captured) => Ok(Some(Captured::Now)),
                    Ok(CaptureOutcome::Pending) => Ok(Some(Captured::Pending)),
                    Err(error) if error.is_record_refusal() => {
                        // A capture that raced another one: paid now means done.
                        match client.payment_standing(&id).await? {
                            Some(s) if s.paid => Ok(Some(Captured::Already)),
                            _ => Err(error),
                        }
                    }
                    Err(error) => Err(error),
                }
            })
            .await?;
        let outcome = outcome.ok_or_else(|| CommandError::NotFound(format!("shipment {id}")))?;
        let already_done = match outcome {
            Captured::Already => true,
            Captured::Now => false,
            Captured::Pending => {
                tracing::info!(endpoint = %client.endpoint(), shipment_id = %id, "capture requested, pending with the payment provider");
                return Err(CommandError::NotYet(format!(
                    "shipment {id}: the capture request is pending with the payment provider; \
                     not captured yet"
                )));
            }
        };
        tracing::info!(endpoint = %client.endpoint(), shipment_id = %id, already_done, "shipment captured");
        Ok(CaptureShipmentResponse { already_done })
    }
}
