//! `ProductChanged` deliveries (from the centra-gateway) to the flow, read in batches:
//! whatever is waiting, up to [`MAX_BATCH`], is one flow run, settled delivery by delivery
//! afterwards.
//!
//! Why not the runtime's one-at-a-time `consume`: a first import publishes one event per
//! product, and a run per product pays its planning, store round trips and commit thousands of
//! times. Read in batches, a 20,000-size catalogue costs a few hundred runs instead of
//! thousands. Order is kept: deliveries are read one after the other and, within a batch, the
//! later version of a product wins.
//!
//! The intake follows the runtime's rules for every consumer ([`platform_runtime::Settling`],
//! `[runtime.redelivery]`): a batch that fails with a retryable error (the WMS gateway down, a
//! store error) is naked with the doubling delay, and an event still failing on its last
//! delivery is kept as a dead letter of the consumer's kind ([`crate::CONSUMER`]) with its
//! bytes, which `dead-letters retry` replays ([`crate::dead_letters`]). While a batch runs, every
//! delivery in it gets a progress ack each third of the ack wait, so the bus does not hand it
//! to another replica meanwhile.
//!
//! Layout: the handlers of one delivery and of a batch first, then the batched intake
//! ([`consume_in_batches`]).

use std::time::Duration;

use bytes::Bytes;
use platform_bus::{Bus, BusError, Consumer, ConsumerConfig, Delivery};
use platform_runtime::{
    CancellationToken, Handled, Redelivery, Settling, Subscription, all_in_progress_while,
};
use platform_store::{MessageId, NewDeadLetter};
use prost::Message;
use proto::events::v1 as pb;

use crate::flow::{CatalogFlow, FlowError, ProductEvent};

/// Dead-letter kind of events that cannot be read.
pub const BAD_EVENT_KIND: &str = "product_changed_event";

/// The delay a retry asks for: none of its own, the `[runtime.redelivery]` delay applies.
const RETRY_AFTER: Duration = Duration::ZERO;

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
                    after: RETRY_AFTER,
                    reason: error.to_string(),
                },
                Err(FlowError::Store(error)) => Handled::Retry {
                    after: RETRY_AFTER,
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
            after: RETRY_AFTER,
            reason: format!("keeping a bad event failed: {error}"),
        },
    }
}

/// Most deliveries in one run (about a thousand articles for a typical product).
pub const MAX_BATCH: usize = 100;

/// How long one wait for the first delivery of a batch lasts before shutdown is checked.
const POLL: Duration = Duration::from_secs(1);

/// Reads `config` from `bus` in batches until `shutdown`, each batch handled by the flow and
/// settled by the runtime's rules: `redelivery` bounds the retries, and an event given up is
/// kept as a dead letter in the flow's store.
///
/// # Errors
/// The bus refusing or failing to open the consumer; read errors later are logged and retried.
pub async fn consume_in_batches(
    bus: &dyn Bus,
    config: ConsumerConfig,
    redelivery: Redelivery,
    shutdown: CancellationToken,
    flow: &CatalogFlow,
) -> Result<(), BusError> {
    let subscription = Subscription {
        consumer: config,
        redelivery,
        dead_letters: flow.store().clone(),
        drain: platform_runtime::IN_FLIGHT_DRAIN,
    };
    let settling = Settling::new(&subscription);
    let name = subscription.consumer.durable_name.clone();
    let ack_wait = subscription.consumer.ack_wait;
    let mut consumer = bus.consumer(subscription.consumer).await?;
    while let Some(read) = next_batch(consumer.as_mut(), &name, &shutdown).await {
        // A delivery past the limit (the last one handled never answered) is kept, not run.
        let mut batch = Vec::with_capacity(read.len());
        for delivery in read {
            if let Some(delivery) = settling.past_the_limit(delivery).await {
                batch.push(delivery);
            }
        }
        if batch.is_empty() {
            continue;
        }
        let run = handle_product_batch(flow, batch.iter().map(ProductDelivery::from).collect());
        let handled = all_in_progress_while(&batch, ack_wait, run).await;
        for (delivery, answer) in batch.into_iter().zip(handled) {
            settling.settle(delivery, answer).await;
        }
    }
    Ok(())
}

/// Waits for one delivery, then takes whatever else is waiting, up to [`MAX_BATCH`].
async fn next_batch(
    consumer: &mut (dyn Consumer + '_),
    name: &str,
    shutdown: &CancellationToken,
) -> Option<Vec<Delivery>> {
    let first = loop {
        let next = tokio::select! {
            () = shutdown.cancelled() => return None,
            next = consumer.next(POLL) => next,
        };
        match next {
            Ok(Some(delivery)) => break delivery,
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(consumer = %name, %error, "bus read failed; retrying");
                tokio::select! {
                    () = shutdown.cancelled() => return None,
                    () = tokio::time::sleep(POLL) => {}
                }
            }
        }
    };
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH {
        match consumer.next(Duration::ZERO).await {
            Ok(Some(delivery)) => batch.push(delivery),
            Ok(None) => break,
            Err(error) => {
                // What was read is handled; the rest waits for the next batch.
                tracing::warn!(consumer = %name, %error, "bus read failed; handling what was read");
                break;
            }
        }
    }
    Some(batch)
}
