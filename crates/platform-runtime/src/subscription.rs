//! The consuming side every sync service shares: read a durable consumer until shutdown, hand
//! each delivery to the service's handler, settle it by what the handler says.
//!
//! The handler does its work in one store transaction with the inbox record (so a redelivered
//! message is recognised) and returns after the commit; only then is the delivery acked. A
//! crash in between redelivers the message, and the inbox turns the second run into a no-op.
//!
//! Redelivery is bounded ([`Redelivery`], `[runtime.redelivery]`): a retryable failure is
//! tried again with a doubling delay, and the delivery numbered `max_deliveries` that fails
//! again is kept as a dead letter (payload, subject, last error, attempts) and acked, so a
//! poison message stops looping and a person sees it in `centra-wms dead-letters`. A delivery
//! past that number (the last one never answered: the process died in it) is kept without
//! running the handler again. The count is the bus's own (`Delivery::delivery_count`: the
//! JetStream metadata, the embedded bus's ledger), so both adapters behave alike; the bus's
//! `max_deliver` stays unset, because a bus that gives up tells nobody.
//!
//! A handler may run longer than the consumer's `ack_wait` (a gateway waiting out a rate limit
//! or its own retries): while it runs, the loop sends a progress ack every third of the ack
//! wait ([`Delivery::in_progress`]), so the bus does not hand the same message to another
//! handle, or count a delivery, while the first is still at work.

use std::future::Future;
use std::time::Duration;

use std::sync::Arc;

use platform_bus::{Bus, BusError, Consumer, ConsumerConfig, Delivery};
use platform_config::Redelivery;
use platform_store::Store;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use crate::drain::within_drain;
use crate::kept_message::{KeptMessage, keep_message};
use crate::renewal::with_renewals;

/// What became of one delivery.
#[derive(Debug)]
pub enum Handled {
    /// Done (or already done): ack.
    Done,
    /// Try again later (a dependency is down, a rate limit): nak, after at least this delay
    /// (the [`Redelivery`] delay when that is longer); on the last delivery, keep it as a
    /// dead letter instead.
    Retry { after: Duration, reason: String },
    /// Never processable as it is (bad payload): term. The handler has kept the record for a
    /// person (dead letters) before saying so.
    Rejected { reason: String },
}

/// A durable consumer to read, and what becomes of a message that keeps failing.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub consumer: ConsumerConfig,
    /// When a message that keeps failing is given up (`[runtime.redelivery]`).
    pub redelivery: Redelivery,
    /// The service's store: a given-up message becomes one of its dead letters, of the kind
    /// named after the consumer, so the service's `DeadLetterRetry` replays it.
    pub dead_letters: Store,
    /// How long a handler under way at shutdown may go on before it is dropped, its delivery
    /// left to come again ([`crate::IN_FLIGHT_DRAIN`] in a service; see `drain`).
    pub drain: Duration,
}

/// How long one wait for a delivery lasts before shutdown is checked again.
const POLL: Duration = Duration::from_secs(1);

/// Consumes `subscription` from `bus` until `shutdown`, one delivery at a time (per-subject
/// order).
///
/// # Errors
/// The bus refusing or failing to open the consumer; read errors later are logged and retried.
pub async fn consume<H, F>(
    bus: &dyn Bus,
    subscription: Subscription,
    shutdown: CancellationToken,
    mut handler: H,
) -> Result<(), BusError>
where
    H: FnMut(&Delivery) -> F + Send,
    F: Future<Output = Handled> + Send,
{
    let settling = Settling::new(&subscription);
    let consumer_name = settling.consumer_name.clone();
    let (ack_wait, drain) = (subscription.consumer.ack_wait, subscription.drain);
    let mut consumer = bus.consumer(subscription.consumer).await?;
    while let Some(delivery) = next_delivery(consumer.as_mut(), &consumer_name, &shutdown).await {
        let span = delivery_span(&consumer_name, &delivery);
        if let Some(delivery) = settling.past_the_limit(delivery).await {
            let handled = span.in_scope(|| handler(&delivery)).instrument(span);
            // The drain cuts the handler only: a progress ack under way is finished first.
            let handled = within_drain(handled, &shutdown, drain);
            match in_progress_while(&delivery, ack_wait, handled).await {
                Some(handled) => settling.settle(delivery, handled).await,
                None => {
                    dropped(&consumer_name, &delivery, drain);
                    break;
                }
            }
        }
    }
    Ok(())
}

/// Like [`consume`], with up to `limit` deliveries in the handler at once, each in its own task.
///
/// Why: a handler that waits on a slow dependency (a gateway retrying with backoff) would
/// otherwise hold up every other record of the feed. The price is the order between
/// deliveries: a handler that needs one record changed at a time must lock that record itself.
/// It asks the bus for as many deliveries as there are free slots ([`Consumer::next_batch`]),
/// never more, so no delivery is leased and left waiting for a slot; on the embedded bus
/// that is one claim and one commit for all of them instead of one each.
/// On shutdown no new delivery is taken and the ones in the handler get the subscription's
/// `drain` to finish, then are dropped (see `drain`).
///
/// # Errors
/// The bus refusing or failing to open the consumer; read errors later are logged and retried.
pub async fn consume_concurrently<H, F>(
    bus: &dyn Bus,
    subscription: Subscription,
    shutdown: CancellationToken,
    limit: usize,
    mut handler: H,
) -> Result<(), BusError>
where
    H: FnMut(&Delivery) -> F + Send,
    F: Future<Output = Handled> + Send + 'static,
{
    let settling = Settling::new(&subscription);
    let consumer_name = settling.consumer_name.clone();
    let (ack_wait, drain) = (subscription.consumer.ack_wait, subscription.drain);
    let mut consumer = bus.consumer(subscription.consumer).await?;
    let slots = Arc::new(Semaphore::new(limit.max(1)));
    let mut tasks = JoinSet::new();
    loop {
        // A free slot first, so no delivery is leased and then left waiting.
        let slot = tokio::select! {
            () = shutdown.cancelled() => break,
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
        };
        // Every other free slot too: the bus may lease that many at once (one commit on the
        // embedded bus), and each is started on the moment it comes. Only this loop takes
        // slots, so the ones counted stay free; the ones a short batch leaves are given back.
        let mut free = vec![slot];
        while let Ok(more) = slots.clone().try_acquire_owned() {
            free.push(more);
        }
        while tasks.try_join_next().is_some() {}
        let Some(deliveries) =
            next_deliveries(consumer.as_mut(), free.len(), &consumer_name, &shutdown).await
        else {
            break;
        };
        for delivery in deliveries {
            // An adapter gives no more than asked (the port's rule); were it to, the extra one
            // is still handled, outside the limit, rather than left leased.
            let slot = free.pop();
            let Some(delivery) = settling.past_the_limit(delivery).await else {
                continue;
            };
            let span = delivery_span(&consumer_name, &delivery);
            let handled = span.in_scope(|| handler(&delivery)).instrument(span);
            let (settling, shutdown) = (settling.clone(), shutdown.clone());
            tasks.spawn(async move {
                let handled = within_drain(handled, &shutdown, drain);
                match in_progress_while(&delivery, ack_wait, handled).await {
                    Some(handled) => settling.settle(delivery, handled).await,
                    None => dropped(&settling.consumer_name, &delivery, drain),
                }
                drop(slot);
            });
        }
    }
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// Says that the handler of `delivery` was still at work `drain` after shutdown and was
/// dropped: the delivery comes again once its lease ends.
fn dropped(consumer_name: &str, delivery: &Delivery, drain: Duration) {
    tracing::warn!(
        consumer = consumer_name,
        message_id = %delivery.id,
        drain_s = drain.as_secs_f64(),
        "handler still at work after the shutdown's drain; dropped, the message comes again"
    );
}

/// Runs `work` (the handler of `delivery`), sending a progress ack every third of `ack_wait`
/// until it ends, so the lease outlives a slow handler. A progress ack the bus does not take
/// is logged: the lease then runs out as it would have, and the inbox absorbs the repeat.
pub async fn in_progress_while<F: Future>(
    delivery: &Delivery,
    ack_wait: Duration,
    work: F,
) -> F::Output {
    all_in_progress_while(std::slice::from_ref(delivery), ack_wait, work).await
}

/// [`in_progress_while`] for deliveries handled together (a batch read by a service's own
/// loop): every one of them keeps its lease until `work` ends. The acks run beside `work`,
/// never in its place, and one under way when `work` ends is finished ([`with_renewals`]).
pub async fn all_in_progress_while<F: Future>(
    deliveries: &[Delivery],
    ack_wait: Duration,
    work: F,
) -> F::Output {
    let extend = move || async move {
        for delivery in deliveries {
            if let Err(error) = delivery.in_progress().await {
                tracing::warn!(message_id = %delivery.id, %error, "extending the lease failed");
            }
        }
    };
    with_renewals(work, ack_wait / 3, extend).await
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
    next_deliveries(consumer, 1, consumer_name, shutdown)
        .await
        .and_then(|mut deliveries| deliveries.pop())
}

/// [`next_delivery`] for up to `max` deliveries at once ([`Consumer::next_batch`]): at least
/// one, or `None` on shutdown.
async fn next_deliveries(
    consumer: &mut (dyn Consumer + '_),
    max: usize,
    consumer_name: &str,
    shutdown: &CancellationToken,
) -> Option<Vec<Delivery>> {
    loop {
        let next = tokio::select! {
            () = shutdown.cancelled() => return None,
            next = consumer.next_batch(max, POLL) => next,
        };
        match next {
            Ok(deliveries) if !deliveries.is_empty() => return Some(deliveries),
            Ok(_) => {}
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

/// How one consumer settles its deliveries by the [`Redelivery`] rules: what [`consume`] and
/// [`consume_concurrently`] do after the handler, for a service that reads with a loop of its
/// own (catalog-sync's batches) to settle exactly the same way.
#[derive(Debug, Clone)]
pub struct Settling {
    consumer_name: String,
    redelivery: Redelivery,
    dead_letters: Store,
}

impl Settling {
    /// The settling of `subscription`'s consumer: dead letters of its name in its store.
    pub fn new(subscription: &Subscription) -> Self {
        Self {
            consumer_name: subscription.consumer.durable_name.clone(),
            redelivery: subscription.redelivery,
            dead_letters: subscription.dead_letters.clone(),
        }
    }

    /// `delivery` back when it is within the limit; otherwise keeps it as a dead letter
    /// without running the handler (the last delivery handled never answered) and `None`.
    pub async fn past_the_limit(&self, delivery: Delivery) -> Option<Delivery> {
        if !self.redelivery.is_past_the_limit(delivery.delivery_count) {
            return Some(delivery);
        }
        let reason = format!(
            "delivered {} times; the last handled delivery ({}) never answered (the process \
             stopped in it, or it outlived the ack wait)",
            delivery.delivery_count, self.redelivery.max_deliveries
        );
        self.give_up(delivery, reason).await;
        None
    }

    /// Acks, naks or terms `delivery` by what the handler said; a retry on the last delivery
    /// is given up instead.
    pub async fn settle(&self, delivery: Delivery, handled: Handled) {
        let consumer_name = self.consumer_name.as_str();
        let id = delivery.id.clone();
        let outcome = match &handled {
            Handled::Done => "done",
            Handled::Retry { .. } if self.redelivery.is_last(delivery.delivery_count) => "given_up",
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
            Handled::Retry { reason, .. } if self.redelivery.is_last(delivery.delivery_count) => {
                let reason = format!(
                    "gave up after {} deliveries: {reason}",
                    delivery.delivery_count
                );
                self.give_up(delivery, reason).await;
                return;
            }
            Handled::Retry { after, reason } => {
                let after = after.max(self.redelivery.delay(delivery.delivery_count));
                tracing::info!(consumer = %consumer_name, message_id = %id, %reason, retry_in_ms = u64::try_from(after.as_millis()).unwrap_or(u64::MAX), "will retry message");
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

    /// Keeps `delivery` as a dead letter of the consumer's kind and acks it; when the store
    /// cannot keep it, naks it (the next delivery is past the limit and tries again).
    async fn give_up(&self, delivery: Delivery, reason: String) {
        let consumer_name = self.consumer_name.as_str();
        let id = delivery.id.clone();
        let message = KeptMessage {
            id: &delivery.id,
            subject: Some(&delivery.subject),
            payload: &delivery.payload,
        };
        let kept = keep_message(
            &self.dead_letters,
            consumer_name,
            message,
            reason.clone(),
            delivery.delivery_count,
        )
        .await;
        let settled = match kept {
            Ok(()) => {
                tracing::error!(consumer = %consumer_name, message_id = %id, attempts = delivery.delivery_count, %reason, "message given up and kept as a dead letter");
                delivery.ack().await
            }
            Err(error) => {
                tracing::warn!(consumer = %consumer_name, message_id = %id, %error, "keeping a given-up message failed; trying again");
                delivery.nak(self.redelivery.max_delay).await
            }
        };
        if let Err(error) = settled {
            tracing::warn!(consumer = %consumer_name, message_id = %id, %error, "settling message failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use async_trait::async_trait;
    use platform_bus::{Acknowledge, BusError, Delivery, Headers, MessageId};

    use super::*;

    /// A bus whose progress ack answers only once the handler has done its part (an ack that
    /// waits for something the handler holds), counting the acks.
    #[derive(Debug)]
    struct AckAfterHandler {
        acks: Arc<AtomicU32>,
        handler_done: Arc<tokio::sync::Notify>,
    }

    #[async_trait]
    impl Acknowledge for AckAfterHandler {
        async fn ack(&self) -> Result<(), BusError> {
            Ok(())
        }
        async fn nak(&self, _delay: Duration) -> Result<(), BusError> {
            Ok(())
        }
        async fn term(&self) -> Result<(), BusError> {
            Ok(())
        }
        async fn in_progress(&self) -> Result<(), BusError> {
            self.acks.fetch_add(1, Ordering::SeqCst);
            self.handler_done.notified().await;
            Ok(())
        }
    }

    /// The handler goes on while a progress ack waits, and the ack under way is finished
    /// before the answer comes back. Before, the handler was paused while the ack ran, so an
    /// ack waiting for the handler never ended.
    #[tokio::test]
    async fn a_handler_goes_on_while_a_progress_ack_waits() {
        let acks = Arc::new(AtomicU32::new(0));
        let handler_done = Arc::new(tokio::sync::Notify::new());
        let delivery = Delivery::new(
            "s".into(),
            MessageId::new("m"),
            Headers::default(),
            bytes::Bytes::new(),
            1,
            1,
            Box::new(AckAfterHandler {
                acks: acks.clone(),
                handler_done: handler_done.clone(),
            }),
        );
        let work = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            handler_done.notify_one();
            "handled"
        };
        let handled = tokio::time::timeout(
            Duration::from_secs(5),
            in_progress_while(&delivery, Duration::from_millis(30), work),
        )
        .await
        .expect("the handler ends while its progress ack waits");
        assert_eq!(handled, "handled");
        assert_eq!(
            acks.load(Ordering::SeqCst),
            1,
            "one ack, finished after the handler"
        );
    }
}
