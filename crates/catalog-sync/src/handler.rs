//! `ProductChanged` deliveries (from the centra-gateway) to the flow.

use std::time::Duration;

use bytes::Bytes;
use platform_bus::Delivery;
use platform_runtime::Handled;
use platform_store::{MessageId, NewDeadLetter};
use prost::Message;
use proto::events::v1 as pb;

use crate::flow::{CatalogFlow, FlowError};

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
    let delivery = &delivery;
    let event = match pb::ProductChanged::decode(delivery.payload.as_ref()) {
        Ok(event) => event,
        Err(error) => {
            return reject(
                flow,
                delivery,
                format!("payload is not a ProductChanged: {error}"),
            )
            .await;
        }
    };
    if event.endpoint != flow.config().endpoint {
        // Articles come only from the catalog end-point.
        tracing::debug!(endpoint = %event.endpoint, "ignored product of another end-point");
        return Handled::Done;
    }
    let Some(product) = event.product else {
        return reject(flow, delivery, "event has no product".to_owned()).await;
    };
    match flow.on_product_changed(&product, &delivery.id).await {
        Ok(report) => {
            tracing::info!(
                endpoint = %event.endpoint,
                product_id = %product.product_id,
                event_id = %delivery.id,
                written = report.written,
                rejected = report.rejected,
                duplicate = report.duplicate,
                "product synced"
            );
            Handled::Done
        }
        Err(FlowError::Port(error)) => Handled::Retry {
            after: retry_delay(delivery.delivery_count),
            reason: error.to_string(),
        },
        Err(FlowError::Store(error)) => Handled::Retry {
            after: retry_delay(delivery.delivery_count),
            reason: error.to_string(),
        },
    }
}

async fn reject(flow: &CatalogFlow, delivery: &ProductDelivery, reason: String) -> Handled {
    let letter = NewDeadLetter {
        kind: BAD_EVENT_KIND.to_owned(),
        record_key: delivery.id.to_string(),
        reason: reason.clone(),
        payload: serde_json::json!({
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
