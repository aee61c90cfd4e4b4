//! `ProductChanged` deliveries (from the centra-gateway) to the flow.

use std::time::Duration;

use bytes::Bytes;
use platform_bus::Delivery;
use platform_runtime::Handled;
use platform_store::{MessageId, NewDeadLetter};
use prost::Message;
use proto::events::v1 as pb;

use crate::flow::{CatalogFlow, FlowError, ProductEvent};

/// Dead-letter kind of events that cannot be read.
pub const BAD_EVENT_KIND: &str = "product_changed_event";

/// Longest wait before a retried delivery.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(60);

/// Capped exponential backoff by delivery count: 1 s, 2 s, 4 s, ... 60 s.
fn retry_delay(delivery_count: u32) -> Duration {
    let exponent = delivery_count.saturating_sub(1).min(6);
    Duration::from_secs(1u64 << exponent).min(MAX_RETRY_DELAY)
}

/// What the handler needs of a delivery, owned (the consume loop keeps the delivery itself to
/// settle it after the handler's answer).
#[derive(Debug, Clone)]
pub struct ProductDelivery {
    /// Message id (the event id).
    pub id: MessageId,
    /// Subject it came on.
    pub subject: String,
    /// Prost-encoded `ProductChanged`.
    pub payload: Bytes,
    /// 1 on the first delivery.
    pub delivery_count: u32,
}

impl From<&Delivery> for ProductDelivery {
    fn from(delivery: &Delivery) -> Self {
        Self {
            id: delivery.id.clone(),
            subject: delivery.subject.clone(),
            payload: delivery.payload.clone(),
            delivery_count: delivery.delivery_count,
        }
    }
}

/// Handles one delivery: decode, check the end-point, run the flow.
pub async fn handle_product_changed(flow: &CatalogFlow, delivery: ProductDelivery) -> Handled {
    handle_product_batch(flow, vec![delivery])
        .await
        .pop()
        .unwrap_or(Handled::Done)
}

/// Handles deliveries read together (in delivery order) as one flow run, so a big catalogue
/// costs one plan and one commit per batch instead of per product. One answer per delivery,
/// in order: unreadable ones are rejected alone; the others share the run's outcome.
pub async fn handle_product_batch(
    flow: &CatalogFlow,
    deliveries: Vec<ProductDelivery>,
) -> Vec<Handled> {
    let mut answers: Vec<Option<Handled>> = Vec::with_capacity(deliveries.len());
    let mut events: Vec<(usize, ProductEvent)> = Vec::new();
    for (index, delivery) in deliveries.iter().enumerate() {
        let answer = match pb::ProductChanged::decode(delivery.payload.as_ref()) {
            Err(error) => Some(
                reject(
                    flow,
                    delivery,
                    format!("payload is not a ProductChanged: {error}"),
                )
                .await,
            ),
            Ok(event) if event.endpoint != flow.config().endpoint => {
                // Articles come only from the catalog end-point.
                tracing::debug!(endpoint = %event.endpoint, "ignored product of another end-point");
                Some(Handled::Done)
            }
            Ok(pb::ProductChanged { product: None, .. }) => {
                Some(reject(flow, delivery, "event has no product".to_owned()).await)
            }
            Ok(pb::ProductChanged {
                product: Some(product),
                ..
            }) => {
                events.push((
                    index,
                    ProductEvent {
                        product: product.into(),
                        event_id: delivery.id.clone(),
                    },
                ));
                None
            }
        };
        answers.push(answer);
    }
    if !events.is_empty() {
        let run: Vec<ProductEvent> = events.iter().map(|(_, e)| e.clone()).collect();
        let outcome = flow.on_products_changed(&run).await;
        let attempts = events
            .iter()
            .map(|&(i, _)| deliveries[i].delivery_count)
            .max()
            .unwrap_or(1);
        for (index, event) in &events {
            answers[*index] = Some(match &outcome {
                Ok(report) => {
                    tracing::info!(
                        endpoint = %flow.config().endpoint,
                        product_id = %event.product.product_id,
                        event_id = %event.event_id,
                        batch = events.len(),
                        written = report.written,
                        rejected = report.rejected,
                        duplicate = report.duplicate,
                        "product synced"
                    );
                    Handled::Done
                }
                Err(FlowError::Port(error)) => Handled::Retry {
                    after: retry_delay(attempts),
                    reason: error.to_string(),
                },
                Err(FlowError::Store(error)) => Handled::Retry {
                    after: retry_delay(attempts),
                    reason: error.to_string(),
                },
            });
        }
    }
    answers
        .into_iter()
        .map(|a| a.unwrap_or(Handled::Done))
        .collect()
}

async fn reject(flow: &CatalogFlow, delivery: &ProductDelivery, reason: String) -> Handled {
    let letter = NewDeadLetter {
        kind: BAD_EVENT_KIND.to_owned(),
        record_key: delivery.id.to_string(),
        reason: reason.clone(),
        payload: serde_json::json!({
            "message_id": delivery.id.as_str(),
            "subject": delivery.subject,
            "payload_bytes": delivery.payload.len(),
        }),
        attempts: delivery.delivery_count,
    };
    let kept = async {
        let store = flow.store();
        let mut tx = store.begin().await?;
        store.dead_letters().record(&mut tx, letter).await?;
        tx.commit().await
    }
    .await;
    match kept {
        Ok(()) => Handled::Rejected { reason },
        Err(error) => Handled::Retry {
            after: retry_delay(delivery.delivery_count),
            reason: format!("keeping a bad event failed: {error}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delay_grows_and_is_capped() {
        assert_eq!(retry_delay(1), Duration::from_secs(1));
        assert_eq!(retry_delay(3), Duration::from_secs(4));
        assert_eq!(retry_delay(50), MAX_RETRY_DELAY);
    }
}
