//! CaptureShipment: `PUT /capture`, after checking `paid`.

use proto::centra::v1::{CaptureShipmentRequest, CaptureShipmentResponse};

use super::{CommandError, Commands, shipment_id};

impl Commands {
    /// Captures the payment; an already paid (or captured) shipment is success, nothing charged.
    pub async fn capture_shipment(
        &self,
        request: CaptureShipmentRequest,
    ) -> Result<CaptureShipmentResponse, CommandError> {
        let client = self.client(&request.endpoint)?;
        let id = shipment_id("shipment_id", &request.shipment_id)?;
        let outcome = client
            .with_retry(|| async {
                let Some(shipment) = client.shipment_once(&id, None).await? else {
                    return Ok(None);
                };
                if shipment.paid {
                    return Ok(Some(true));
                }
                match client.capture_once(&id).await {
                    Ok(()) => Ok(Some(false)),
                    Err(error) if error.refusal().is_some() => {
                        // A capture that raced another one: paid now means done.
                        match client.shipment_once(&id, None).await? {
                            Some(s) if s.paid => Ok(Some(true)),
                            _ => Err(error),
                        }
                    }
                    Err(error) => Err(error),
                }
            })
            .await?;
        let already_done =
            outcome.ok_or_else(|| CommandError::NotFound(format!("shipment {id}")))?;
        tracing::info!(endpoint = %client.endpoint(), shipment_id = %id, already_done, "shipment captured");
        Ok(CaptureShipmentResponse { already_done })
    }
}
