//! The consuming side every sync service shares: read a durable consumer until shutdown, hand
//! each delivery to the service's handler, settle it by what the handler says.
//!
//! The handler does its work in one store transaction with the inbox record (so a redelivered
//! message is recognised) and returns after the commit; only then is the delivery acked. A
//! crash in between redelivers the message, and the inbox turns the second run into a no-op.

use std::future::Future;
use std::time::Duration;

use platform_bus::{Bus, BusError, ConsumerConfig, Delivery};
use tokio_util::sync::CancellationToken;

/// What became of one delivery.
#[derive(Debug)]
pub enum Handled {
    /// Done (or already done): ack.
    Done,
    /// Try again later (a dependency is down, a rate limit): nak with this delay.
    Retry { after: Duration, reason: String },
    /// Never processable as it is (bad payload): term. The handler has kept the record for a
    /// person (dead letters) before saying so.
    Rejected { reason: String },
}

/// How long one wait for a delivery lasts before shutdown is checked again.
const POLL: Duration = Duration::from_secs(1);

/// Consumes `config` from `bus` until `shutdown`, one delivery at a time (per-subject order).
pub async fn consume<H, F>(
    bus: &dyn Bus,
    config: ConsumerConfig,
    shutdown: CancellationToken,
    mut handler: H,
) -> Result<(), BusError>
where
    H: FnMut(&Delivery) -> F + Send,
    F: Future<Output = Handled> + Send,
{
    let consumer_name = config.durable_name.clone();
    let mut consumer = bus.consumer(config).await?;
    loop {
        let next = tokio::select! {
            () = shutdown.cancelled() => return Ok(()),
            next = consumer.next(POLL) => next,
        };
        let delivery = match next {
            Ok(Some(delivery)) => delivery,
            Ok(None) => continue,
            Err(error) => {
                tracing::warn!(consumer = %consumer_name, %error, "bus read failed; retrying");
                tokio::select! {
                    () = shutdown.cancelled() => return Ok(()),
                    () = tokio::time::sleep(POLL) => continue,
                }
            }
        };
        let id = delivery.id.clone();
        let settled = match handler(&delivery).await {
            Handled::Done => delivery.ack().await,
            Handled::Retry { after, reason } => {
                tracing::info!(consumer = %consumer_name, message_id = %id, %reason, retry_in_ms = after.as_millis() as u64, "will retry message");
                delivery.nak(after).await
            }
            Handled::Rejected { reason } => {
                tracing::warn!(consumer = %consumer_name, message_id = %id, %reason, "message rejected");
                delivery.term().await
            }
        };
        if let Err(error) = settled {
            // Not settled: the bus redelivers after ack_wait and the inbox absorbs the repeat.
            tracing::warn!(consumer = %consumer_name, message_id = %id, %error, "settling message failed");
        }
    }
}
