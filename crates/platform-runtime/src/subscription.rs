//! The consuming side every sync service shares: read a durable consumer until shutdown, hand
//! each delivery to the service's handler, settle it by what the handler says.
//!
//! The handler does its work in one store transaction with the inbox record (so a redelivered
//! message is recognised) and returns after the commit; only then is the delivery acked. A
//! crash in between redelivers the message, and the inbox turns the second run into a no-op.

use std::future::Future;
use std::time::Duration;

use std::sync::Arc;

use platform_bus::{Bus, BusError, Consumer, ConsumerConfig, Delivery};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

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
    while let Some(delivery) = next_delivery(consumer.as_mut(), &consumer_name, &shutdown).await {
        let span = delivery_span(&consumer_name, &delivery);
        let handled = span.in_scope(|| handler(&delivery)).instrument(span).await;
        settle(&consumer_name, delivery, handled).await;
    }
    Ok(())
}

/// Like [`consume`], with up to `limit` deliveries in the handler at once, each in its own task.
///
/// Why: a handler that waits on a slow dependency (a gateway retrying with backoff) would
/// otherwise hold up every other record of the feed. The price is the order between
/// deliveries: a handler that needs one record changed at a time must lock that record itself.
/// On shutdown no new delivery is taken and the ones in the handler finish (the runtime's
/// grace period bounds them).
pub async fn consume_concurrently<H, F>(
    bus: &dyn Bus,
    config: ConsumerConfig,
    shutdown: CancellationToken,
    limit: usize,
    mut handler: H,
) -> Result<(), BusError>
where
    H: FnMut(&Delivery) -> F + Send,
    F: Future<Output = Handled> + Send + 'static,
{
    let consumer_name = config.durable_name.clone();
    let mut consumer = bus.consumer(config).await?;
    let slots = Arc::new(Semaphore::new(limit.max(1)));
    let mut tasks = JoinSet::new();
    loop {
        // A free slot first, so no delivery is leased and then left waiting.
        let slot = tokio::select! {
            () = shutdown.cancelled() => break,
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
        };
        while tasks.try_join_next().is_some() {}
        let Some(delivery) = next_delivery(consumer.as_mut(), &consumer_name, &shutdown).await
        else {
            break;
        };
        let span = delivery_span(&consumer_name, &delivery);
        let handled = span.in_scope(|| handler(&delivery)).instrument(span);
        let name = consumer_name.clone();
        tasks.spawn(async move {
            settle(&name, delivery, handled.await).await;
            drop(slot);
        });
    }
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// The span of handling one delivery (OpenTelemetry messaging conventions), child of the span
/// that enqueued the message when its headers carry a trace context.
fn delivery_span(consumer_name: &str, delivery: &Delivery) -> tracing::Span {
    let span = tracing::info_span!(
        "bus.process",
        otel.name = %format!("process {}", delivery.subject),
        otel.kind = "consumer",
        messaging.operation.type = "process",
        messaging.destination.name = %delivery.subject,
        messaging.consumer.group.name = %consumer_name,
        messaging.message.id = %delivery.id,
        messaging.message.delivery_count = delivery.delivery_count,
    );
    // A message without trace context (an old one, a test) starts its own trace.
    let _ = platform_telemetry::set_parent_from_headers(&span, &delivery.headers);
    span
}

/// The next delivery, or `None` once `shutdown` is cancelled. Bus errors are logged and
/// retried.
async fn next_delivery(
    consumer: &mut (dyn Consumer + '_),
    consumer_name: &str,
    shutdown: &CancellationToken,
) -> Option<Delivery> {
    loop {
        let next = tokio::select! {
            () = shutdown.cancelled() => return None,
            next = consumer.next(POLL) => next,
        };
        match next {
            Ok(Some(delivery)) => return Some(delivery),
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(consumer = %consumer_name, %error, "bus read failed; retrying");
                tokio::select! {
                    () = shutdown.cancelled() => return None,
                    () = tokio::time::sleep(POLL) => {}
                }
            }
        }
    }
}

/// Acks, naks or terms `delivery` by what the handler said.
async fn settle(consumer_name: &str, delivery: Delivery, handled: Handled) {
    let id = delivery.id.clone();
    let outcome = match &handled {
        Handled::Done => "done",
        Handled::Retry { .. } => "retry",
        Handled::Rejected { .. } => "rejected",
    };
    // Events handled and failed per flow (the consumer names the flow).
    metrics::counter!(
        "centra_wms_deliveries_total",
        "consumer" => consumer_name.to_owned(),
        "outcome" => outcome
    )
    .increment(1);
    let settled = match handled {
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
