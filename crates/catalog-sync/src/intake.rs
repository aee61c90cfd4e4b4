//! The `ProductChanged` intake: deliveries are read in batches (whatever is waiting, up to
//! [`MAX_BATCH`]) and each batch is one flow run, settled delivery by delivery afterwards.
//!
//! Why not the runtime's one-at-a-time `consume`: a first import publishes one event per
//! product, and a run per product pays its planning, store round trips and commit thousands of
//! times. Read in batches, a 20,000-size catalogue costs a few hundred runs instead of
//! thousands. Order is kept: deliveries are read one after the other and, within a batch, the
//! later version of a product wins.

use std::time::Duration;

use platform_bus::{Bus, BusError, Consumer, ConsumerConfig, Delivery};
use platform_runtime::{CancellationToken, Handled};

use crate::consumers::{ProductDelivery, handle_product_batch};
use crate::flow::CatalogFlow;

/// Most deliveries in one run (about a thousand articles for a typical product).
pub const MAX_BATCH: usize = 100;

/// How long one wait for the first delivery of a batch lasts before shutdown is checked.
const POLL: Duration = Duration::from_secs(1);

/// Reads `config` from `bus` in batches until `shutdown`, each batch handled by the flow.
pub async fn consume_in_batches(
    bus: &dyn Bus,
    config: ConsumerConfig,
    shutdown: CancellationToken,
    flow: &CatalogFlow,
) -> Result<(), BusError> {
    let name = config.durable_name.clone();
    let mut consumer = bus.consumer(config).await?;
    while let Some(batch) = next_batch(consumer.as_mut(), &name, &shutdown).await {
        let handled =
            handle_product_batch(flow, batch.iter().map(ProductDelivery::from).collect()).await;
        for (delivery, answer) in batch.into_iter().zip(handled) {
            settle(&name, delivery, answer).await;
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

/// Acks, naks or terms `delivery` by the handler's answer. An unsettled delivery comes back
/// after the ack wait, and the inbox turns the repeat into a no-op.
async fn settle(name: &str, delivery: Delivery, handled: Handled) {
    let id = delivery.id.clone();
    let settled = match handled {
        Handled::Done => delivery.ack().await,
        Handled::Retry { after, reason } => {
            tracing::info!(consumer = %name, message_id = %id, %reason, retry_in_ms = u64::try_from(after.as_millis()).unwrap_or(u64::MAX), "will retry message");
            delivery.nak(after).await
        }
        Handled::Rejected { reason } => {
            tracing::warn!(consumer = %name, message_id = %id, %reason, "message rejected");
            delivery.term().await
        }
    };
    if let Err(error) = settled {
        tracing::warn!(consumer = %name, message_id = %id, %error, "settling message failed");
    }
}
