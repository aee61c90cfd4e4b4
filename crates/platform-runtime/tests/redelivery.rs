//! Bounded redelivery: a message that keeps failing with a retryable error is tried again up to
//! `max_deliveries` times, then kept as a dead letter (payload, subject, last error, attempts)
//! and acked, so it stops looping; the same on the embedded bus and on NATS JetStream.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use platform_bus::{
    Bus, ConsumerConfig, EmbeddedBus, EmbeddedBusConfig, MessageId, NatsBus, NatsBusConfig,
    OutgoingMessage,
};
use platform_runtime::{
    CancellationToken, Handled, Redelivery, Subscription, consume_concurrently, kept_message,
};
use platform_store::{DeadLetter, DeadLetterFilter, Migrations, Store, StoreOptions};

const SUBJECT: &str = "centra.shop1.shipment.good-to-go";
const CONSUMER: &str = "shipment-good-to-go";

/// A bus under test and what keeps it alive or cleans it up.
struct TestBus {
    bus: Arc<dyn Bus>,
    _dir: Option<tempfile::TempDir>,
    nats: Option<NatsBus>,
}

impl TestBus {
    async fn embedded() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bus.db").display().to_string();
        let config = EmbeddedBusConfig {
            poll_interval: Duration::from_millis(50),
            ..EmbeddedBusConfig::default()
        };
        let bus = EmbeddedBus::open(&path, config).await.expect("bus");
        Self {
            bus: Arc::new(bus),
            _dir: Some(dir),
            nats: None,
        }
    }

    /// `None` (the test said so on stderr) outside CI when no NATS server is configured.
    async fn nats(test: &str) -> Option<Self> {
        let url = test_support::nats_url(test).await?;
        let config = NatsBusConfig::new(
            url,
            test_support::unique("CWMS_REDELIVERY"),
            test_support::unique("cwmsredelivery"),
        );
        let bus = NatsBus::connect(config).await.expect("connect to nats");
        Some(Self {
            bus: Arc::new(bus.clone()),
            _dir: None,
            nats: Some(bus),
        })
    }

    async fn finish(self) {
        if let Some(nats) = self.nats {
            nats.delete_stream().await.expect("test stream deleted");
        }
    }
}

async fn store() -> Store {
    Store::open(
        StoreOptions::new("redelivery-test", "sqlite::memory:"),
        &Migrations::none(),
    )
    .await
    .expect("store")
}

fn consumer() -> ConsumerConfig {
    ConsumerConfig::new(CONSUMER)
        .with_filter("centra.*.shipment.>")
        .with_ack_wait(Duration::from_secs(1))
}

fn redelivery(max_deliveries: u32) -> Redelivery {
    Redelivery {
        max_deliveries,
        first_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
    }
}

async fn publish(bus: &dyn Bus, id: &str, payload: &'static [u8]) {
    bus.publish(OutgoingMessage::new(
        SUBJECT,
        MessageId::new(id),
        Bytes::from_static(payload),
    ))
    .await
    .expect("published");
}

async fn open_letters(store: &Store) -> Vec<DeadLetter> {
    store
        .dead_letters()
        .list(&DeadLetterFilter::default())
        .await
        .expect("dead letters")
}

/// Waits up to 20 s for `n` open dead letters.
async fn wait_for_letters(store: &Store, n: usize) -> Vec<DeadLetter> {
    for _ in 0..400 {
        let letters = open_letters(store).await;
        if letters.len() >= n {
            return letters;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    open_letters(store).await
}

/// A poison message (the WMS answers INTERNAL every time) is tried `max_deliveries` times with
/// a growing delay, then kept with its payload, subject, last error and attempts, and acked; a
/// good message beside it is handled once.
async fn a_message_that_keeps_failing_becomes_a_dead_letter(under_test: TestBus) {
    let bus = under_test.bus.clone();
    let store = store().await;
    publish(bus.as_ref(), "poison", b"\x0a\x03bad").await;
    publish(bus.as_ref(), "good", b"ok").await;
    let seen: Arc<Mutex<Vec<(String, u32, std::time::Instant)>>> = Arc::default();
    let stop = CancellationToken::new();
    let subscription = Subscription {
        consumer: consumer(),
        redelivery: redelivery(4),
        dead_letters: store.clone(),
        drain: platform_runtime::IN_FLIGHT_DRAIN,
    };
    let running = tokio::spawn({
        let (bus, seen, stop) = (bus.clone(), seen.clone(), stop.clone());
        async move {
            consume_concurrently(bus.as_ref(), subscription, stop, 2, move |delivery| {
                let id = delivery.id.as_str().to_owned();
                let count = delivery.delivery_count;
                seen.lock()
                    .expect("lock")
                    .push((id.clone(), count, std::time::Instant::now()));
                async move {
                    if id == "poison" {
                        Handled::Retry {
                            after: Duration::ZERO,
                            reason: format!("wms-gateway: unavailable: INTERNAL (attempt {count})"),
                        }
                    } else {
                        Handled::Done
                    }
                }
            })
            .await
        }
    });
    let letters = wait_for_letters(&store, 1).await;
    // Long enough for a delivery that should not come (ack wait 1 s, max delay 0.2 s).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.cancel();
    running.await.expect("joins").expect("consumer ran");

    let seen = seen.lock().expect("lock").clone();
    let poison: Vec<_> = seen.iter().filter(|(id, ..)| id == "poison").collect();
    let counts: Vec<u32> = poison.iter().map(|(_, n, _)| *n).collect();
    assert_eq!(counts, [1, 2, 3, 4], "tried max_deliveries times: {seen:?}");
    // The delays grow: 50 ms, 100 ms, 200 ms (the cap) at least.
    for (pair, least) in poison.windows(2).zip([50, 100, 200]) {
        let waited = pair[1].2 - pair[0].2;
        assert!(
            waited >= Duration::from_millis(least),
            "waited {waited:?} before delivery {}",
            pair[1].1
        );
    }
    assert_eq!(
        seen.iter().filter(|(id, ..)| id == "good").count(),
        1,
        "{seen:?}"
    );

    assert_eq!(letters.len(), 1, "{letters:?}");
    let letter = &letters[0];
    assert_eq!(
        letter.kind, CONSUMER,
        "named after the consumer, for its replay"
    );
    assert_eq!(letter.record_key, "poison");
    assert_eq!(letter.attempts, 4);
    assert_eq!(
        letter.reason,
        "gave up after 4 deliveries: wms-gateway: unavailable: INTERNAL (attempt 4)"
    );
    assert_eq!(letter.payload["subject"], SUBJECT);
    let (id, bytes) = kept_message(letter).expect("the message is kept whole");
    assert_eq!(id.as_str(), "poison");
    assert_eq!(bytes.as_ref(), b"\x0a\x03bad");

    // Acked: a new handle on the same durable consumer gets nothing back.
    let mut again = bus.consumer(consumer()).await.expect("consumer");
    let redelivered = again.next(Duration::from_millis(1500)).await.expect("bus");
    assert!(redelivered.is_none(), "{redelivered:?}");
    drop(again);
    under_test.finish().await;
}

/// A delivery past the limit means the last one handled never answered (the process died in
/// it): it is kept at once, without running the handler again.
async fn a_delivery_past_the_limit_is_kept_without_handling(under_test: TestBus) {
    let bus = under_test.bus.clone();
    let store = store().await;
    publish(bus.as_ref(), "crashes", b"boom").await;
    // The one delivery allowed, taken and never settled: its lease runs out, as in a crash.
    let mut first = bus.consumer(consumer()).await.expect("consumer");
    let taken = first
        .next(Duration::from_secs(10))
        .await
        .expect("bus")
        .expect("delivery");
    assert_eq!(taken.delivery_count, 1);
    drop(taken);
    drop(first);

    let handled = Arc::new(Mutex::new(0_u32));
    let stop = CancellationToken::new();
    let subscription = Subscription {
        consumer: consumer(),
        redelivery: redelivery(1),
        dead_letters: store.clone(),
        drain: platform_runtime::IN_FLIGHT_DRAIN,
    };
    let running = tokio::spawn({
        let (bus, handled, stop) = (bus.clone(), handled.clone(), stop.clone());
        async move {
            consume_concurrently(bus.as_ref(), subscription, stop, 1, move |_| {
                *handled.lock().expect("lock") += 1;
                async { Handled::Done }
            })
            .await
        }
    });
    let letters = wait_for_letters(&store, 1).await;
    stop.cancel();
    running.await.expect("joins").expect("consumer ran");

    assert_eq!(*handled.lock().expect("lock"), 0, "the handler never ran");
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!(letters[0].record_key, "crashes");
    assert_eq!(letters[0].attempts, 2);
    assert!(
        letters[0].reason.contains("never answered"),
        "{}",
        letters[0].reason
    );
    let mut again = bus.consumer(consumer()).await.expect("consumer");
    let redelivered = again.next(Duration::from_millis(1500)).await.expect("bus");
    assert!(redelivered.is_none(), "{redelivered:?}");
    drop(again);
    under_test.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_a_message_that_keeps_failing_becomes_a_dead_letter() {
    a_message_that_keeps_failing_becomes_a_dead_letter(TestBus::embedded().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_a_message_that_keeps_failing_becomes_a_dead_letter() {
    let Some(bus) = TestBus::nats("nats_a_message_that_keeps_failing_becomes_a_dead_letter").await
    else {
        return;
    };
    a_message_that_keeps_failing_becomes_a_dead_letter(bus).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_a_delivery_past_the_limit_is_kept_without_handling() {
    a_delivery_past_the_limit_is_kept_without_handling(TestBus::embedded().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_a_delivery_past_the_limit_is_kept_without_handling() {
    let Some(bus) = TestBus::nats("nats_a_delivery_past_the_limit_is_kept_without_handling").await
    else {
        return;
    };
    a_delivery_past_the_limit_is_kept_without_handling(bus).await;
}

/// A person retries a given-up message and it fails again with a retryable error: it is open
/// in the list again (with the new error), not left behind as "retried".
#[tokio::test]
async fn a_replay_that_fails_again_is_open_again() {
    let store = store().await;
    let id = MessageId::new("poison");
    let payload = Bytes::from_static(b"bad");
    let message = platform_runtime::KeptMessage {
        id: &id,
        subject: Some(SUBJECT),
        payload: &payload,
    };
    platform_runtime::keep_message(&store, CONSUMER, message, "gave up".to_owned(), 3)
        .await
        .expect("kept");
    let letter = open_letters(&store).await.remove(0);
    let mut tx = store.begin().await.expect("tx");
    store
        .dead_letters()
        .mark_retried(&mut tx, letter.id)
        .await
        .expect("retried");
    tx.commit().await.expect("commit");
    assert!(open_letters(&store).await.is_empty());

    let outcome = Handled::Retry {
        after: Duration::from_secs(1),
        reason: "wms-gateway: unavailable: INTERNAL".to_owned(),
    };
    platform_runtime::settle_replay(&store, &letter, &id, &outcome).await;

    let open = open_letters(&store).await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].id, letter.id);
    assert_eq!(
        open[0].reason,
        "replay failed: wms-gateway: unavailable: INTERNAL"
    );
    assert_eq!(open[0].attempts, 4);
    assert_eq!(open[0].payload, letter.payload, "still replayable");
}

/// A handler that runs three times the ack wait keeps its delivery: with a free slot beside it,
/// the bus does not hand the message out again (no second delivery, no count of 2), because
/// the loop sends progress acks while the handler works.
async fn a_slow_handler_keeps_its_delivery(under_test: TestBus) {
    let bus = under_test.bus.clone();
    let store = store().await;
    publish(bus.as_ref(), "slow", b"s").await;
    let seen: Arc<Mutex<Vec<u32>>> = Arc::default();
    let stop = CancellationToken::new();
    let subscription = Subscription {
        consumer: consumer(),
        redelivery: redelivery(10),
        dead_letters: store.clone(),
        drain: platform_runtime::IN_FLIGHT_DRAIN,
    };
    let ack_wait = subscription.consumer.ack_wait;
    let running = tokio::spawn({
        let (bus, seen, stop) = (bus.clone(), seen.clone(), stop.clone());
        async move {
            consume_concurrently(bus.as_ref(), subscription, stop, 2, move |delivery| {
                seen.lock().expect("lock").push(delivery.delivery_count);
                async move {
                    tokio::time::sleep(ack_wait * 3).await;
                    Handled::Done
                }
            })
            .await
        }
    });
    for _ in 0..200 {
        if !seen.lock().expect("lock").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The handler's three ack waits, then one more for a redelivery that must not come.
    tokio::time::sleep(ack_wait * 4).await;
    stop.cancel();
    running.await.expect("joins").expect("consumer ran");
    assert_eq!(*seen.lock().expect("lock"), [1], "handed out once");
    assert!(open_letters(&store).await.is_empty());
    let mut again = bus.consumer(consumer()).await.expect("consumer");
    let redelivered = again.next(Duration::from_millis(1500)).await.expect("bus");
    assert!(redelivered.is_none(), "acked once done: {redelivered:?}");
    drop(again);
    under_test.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_a_slow_handler_keeps_its_delivery() {
    a_slow_handler_keeps_its_delivery(TestBus::embedded().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_a_slow_handler_keeps_its_delivery() {
    let Some(bus) = TestBus::nats("nats_a_slow_handler_keeps_its_delivery").await else {
        return;
    };
    a_slow_handler_keeps_its_delivery(bus).await;
}
