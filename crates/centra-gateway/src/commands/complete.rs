//! CompleteShipment: through the end-point's connection (`PUT /shipment` with an explicit
//! `capture`, or GraphQL `completeShipment`), once: a shipment already completed is success
//! (`already_done`), read back before any second attempt.
//!
//! A completion is remembered as the shipment's end, so the good-to-go poll does not read
//! the shipment again when it leaves the list (`detect::cancellations`).
//!
//! Capture on through GraphQL: `completeShipment` has no capture and needs the shipment paid
//! (docs section 10), so the command first captures as CaptureShipment does (paid already is
//! fine, a `PENDING` capture is [`CommandError::NotYet`] and nothing is completed), then
//! completes. A shipment already completed is not captured again.

use domain::CentraApi;
use proto::centra::v1::{
    CaptureShipmentRequest, CompleteShipmentRequest, CompleteShipmentResponse,
};

use super::{CommandError, Commands, shipment_id};
use crate::connection::ShipmentCompletion;

impl Commands {
    /// Completes a shipment; "already completed" is success.
    pub async fn complete_shipment(
        &self,
        request: CompleteShipmentRequest,
    ) -> Result<CompleteShipmentResponse, CommandError> {
        let client = self.connection(&request.endpoint)?;
        let id = shipment_id("shipment_id", &request.shipment_id)?;
        // Centra defaults a missing `capture` to true: never let that happen by accident.
        let capture = request.capture.ok_or_else(|| {
            CommandError::invalid(
                "capture",
                "is required (true or false), centra would default it to true",
            )
        })?;
        let order_id = if request.order_id.trim().is_empty() {
            id.order_id().to_string()
        } else if request.order_id.trim() == id.order_id().to_string() {
            request.order_id.trim().to_owned()
        } else {
            return Err(CommandError::invalid(
                "order_id",
                format!("{:?} is not the order of shipment {id}", request.order_id),
            ));
        };
        let capture_first = capture && client.api() == CentraApi::Graphql;
        if capture_first && !client.with_retry(|| client.is_completed(&id)).await? {
            self.capture_shipment(CaptureShipmentRequest {
                idempotency_key: request.idempotency_key.clone(),
                endpoint: request.endpoint.clone(),
                shipment_id: id.to_string(),
            })
            .await?;
        }
        let completion = ShipmentCompletion {
            order_id,
            shipment_id: id,
            capture: capture && !capture_first,
            carrier: request.carrier,
            service: request.service,
            tracking_numbers: request
                .tracking_numbers
                .into_iter()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
            packages: request.packages,
            return_slip_tracking: request.return_slip_tracking,
            send_email: request.send_email,
            internal_comment: request.internal_comment,
        };
        let mut first = true;
        let already_done = client
            .with_retry(|| {
                let in_doubt = !std::mem::replace(&mut first, false);
                let completion = &completion;
                async move {
                    if in_doubt && client.is_completed(&completion.shipment_id).await? {
                        return Ok(true);
                    }
                    match client.complete_once(completion).await {
                        Ok(()) => Ok(false),
                        Err(error) if error.is_record_refusal() => {
                            if client.is_completed(&completion.shipment_id).await? {
                                Ok(true)
                            } else {
                                Err(error)
                            }
                        }
                        Err(error) => Err(error),
                    }
                }
            })
            .await?;
        tracing::info!(endpoint = %client.endpoint(), shipment_id = %id, capture, already_done, "shipment completed");
        if let Err(error) =
            crate::detect::cancellations::remember_completed(&self.store, client.endpoint(), &id)
                .await
        {
            tracing::warn!(endpoint = %client.endpoint(), shipment_id = %id, %error, "completion not remembered; the good-to-go poll reads the shipment to learn it");
        }
        Ok(CompleteShipmentResponse { already_done })
    }
}
