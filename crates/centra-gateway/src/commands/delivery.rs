//! AcceptSupplierDelivery: one-shot accept of received quantities.

use proto::centra::v1::{
    AcceptSupplierDeliveryRequest, AcceptSupplierDeliveryResponse, AdditionalDelivery,
    ProductKeyKind,
};

use super::{CommandError, Commands};
use crate::client::DeliveryKey;

impl Commands {
    /// Accepts a delivery; an already accepted one is success (`already_done`).
    pub async fn accept_supplier_delivery(
        &self,
        request: AcceptSupplierDeliveryRequest,
    ) -> Result<AcceptSupplierDeliveryResponse, CommandError> {
        let client = self.client(&request.endpoint)?;
        let id = request.delivery_id.trim().to_owned();
        if id.is_empty() {
            return Err(CommandError::invalid("delivery_id", "is empty"));
        }
        let key = match ProductKeyKind::try_from(request.key_kind) {
            Ok(ProductKeyKind::Ean) => DeliveryKey::Ean,
            Ok(ProductKeyKind::JoinedSku) => DeliveryKey::JoinedSku,
            _ => {
                return Err(CommandError::invalid(
                    "key_kind",
                    "must be EAN or JOINED_SKU",
                ));
            }
        };
        let mut quantities = Vec::with_capacity(request.quantities.len());
        for (i, q) in request.quantities.iter().enumerate() {
            if q.product.trim().is_empty() {
                return Err(CommandError::invalid(
                    format!("quantities[{i}].product"),
                    "is empty",
                ));
            }
            if q.quantity < 0 {
                return Err(CommandError::invalid(
                    format!("quantities[{i}].quantity"),
                    format!("is negative ({})", q.quantity),
                ));
            }
            quantities.push((q.product.trim().to_owned(), q.quantity));
        }
        let mut first = true;
        let outcome = client
            .with_retry(|| {
                let in_doubt = !std::mem::replace(&mut first, false);
                let (id, quantities) = (&id, &quantities);
                async move {
                    if in_doubt && let Some(done) = accepted(client, id).await? {
                        return Ok(done);
                    }
                    match client
                        .accept_delivery_once(id, key, quantities, request.insert_stock)
                        .await
                    {
                        Ok(acceptance) => Ok(Accepted::Now(acceptance.additional)),
                        Err(error) if error.refusal().is_some() => {
                            match accepted(client, id).await? {
                                Some(done) => Ok(done),
                                None => Err(error),
                            }
                        }
                        Err(error) => Err(error),
                    }
                }
            })
            .await?;
        let response = match outcome {
            Accepted::Now(additional) => AcceptSupplierDeliveryResponse {
                already_done: false,
                additional_delivery: additional.map(|(delivery_id, delivery_number)| {
                    AdditionalDelivery {
                        delivery_id,
                        delivery_number,
                    }
                }),
            },
            Accepted::Before => AcceptSupplierDeliveryResponse {
                already_done: true,
                additional_delivery: None,
            },
            Accepted::Unknown => {
                return Err(CommandError::NotFound(format!("supplier delivery {id}")));
            }
        };
        tracing::info!(endpoint = %client.endpoint(), delivery_id = %id, already_done = response.already_done, "supplier delivery accepted");
        Ok(response)
    }
}

enum Accepted {
    Now(Option<(String, String)>),
    Before,
    Unknown,
}

/// `Some(Before)` when Centra knows the delivery but no longer lists it as pending,
/// `Some(Unknown)` when it does not know it, `None` while it is still pending.
async fn accepted(
    client: &crate::client::CentraClient,
    id: &str,
) -> Result<Option<Accepted>, crate::client::CentraError> {
    let Some(delivery) = client.delivery_once(id).await? else {
        return Ok(Some(Accepted::Unknown));
    };
    if client.delivery_pending_once(&delivery).await? {
        Ok(None)
    } else {
        Ok(Some(Accepted::Before))
    }
}
