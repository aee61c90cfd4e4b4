//! The consume loop settles each delivery by the handler's answer.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use platform_bus::{
    Bus, ConsumerConfig, EmbeddedBus, EmbeddedBusConfig, MessageId, OutgoingMessage,
};
use platform_runtime::{
    CancellationToken, Handled, Redelivery, Subscription, consume, consume_concurrently,
};
use platform_store::{Migrations, Store, StoreOptions};

/// A subscription with short delays, its dead letters in an in-memory store.
async fn subscription(consumer: ConsumerConfig) -> Subscription {
    let store = Store::open(
        StoreOptions::new("subscription-test", "sqlite::memory:"),
        &Migrations::none(),
    )
    .await
    .expect("store");
    Subscription {
        consumer,
        redelivery: Redelivery {
            first_delay: Duration::from_millis(100),
            ..Redelivery::default()
        },
        dead_letters: store,
        drain: platform_runtime::IN_FLIGHT_DRAIN,
    }
}

#[tokio::test]
async fn done_is_acked_retry_comes_back_rejected_never_does() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bus.db").display().to_string();
    let bus = EmbeddedBus::open(&path, EmbeddedBusConfig::default())
        .await
        .expect("bus");
    for id in ["ok-1", "retry-once", "bad-1"] {
        bus.publish(OutgoingMessage::new(
            "centra.shop1.product.changed",
            MessageId::new(id),
            Bytes::from_static(b"x"),
        ))
        .await
        .expect("published");
    }
    let seen: Arc<Mutex<Vec<(String, u32)>>> = Arc::default();
    let stop = CancellationToken::new();
    let running = tokio::spawn({
        let bus = bus.clone();
        let seen = seen.clone();
        let stop = stop.clone();
        async move {
            let config = ConsumerConfig::new("catalog-sync")
                .with_filter("centra.*.product.>")
                .with_ack_wait(Duration::from_secs(2));
            consume(&bus, subscription(config).await, stop, |delivery| {
                let id = delivery.id.as_str().to_owned();
                let count = delivery.delivery_count;
                seen.lock().expect("lock").push((id.clone(), count));
                async move {
                    match id.as_str() {
                        "retry-once" if count == 1 => Handled::Retry {
                            after: Duration::from_millis(200),
                            reason: "wms unreachable".to_owned(),
                        },
                        "bad-1" => Handled::Rejected {
                            reason: "missing sku".to_owned(),
                        },
                        _ => Handled::Done,
                    }
                }
            })
            .await
        }
    });

    // Wait until the retried message came back, then long enough for any wrong redelivery.
    for _ in 0..100 {
        if seen
            .lock()
            .expect("lock")
            .iter()
            .any(|(id, n)| id == "retry-once" && *n == 2)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    stop.cancel();
    running.await.expect("joins").expect("consumer ran");

    let seen = seen.lock().expect("lock").clone();
    let count = |id: &str| seen.iter().filter(|(s, _)| s == id).count();
    assert_eq!(count("ok-1"), 1, "{seen:?}");
    assert_eq!(count("retry-once"), 2, "{seen:?}");
    assert_eq!(count("bad-1"), 1, "rejected is never redelivered: {seen:?}");
}

/// Up to `limit` deliveries are in the handler at once, never more; every one is acked once;
/// a shutdown lets the ones in the handler finish.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_consume_keeps_to_its_limit_and_settles_everything() {
    const LIMIT: usize = 3;
    const MESSAGES: usize = 12;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bus.db").display().to_string();
    let bus = EmbeddedBus::open(&path, EmbeddedBusConfig::default())
        .await
        .expect("bus");
    for n in 0..MESSAGES {
        bus.publish(OutgoingMessage::new(
            "centra.shop1.shipment.good-to-go",
            MessageId::new(format!("m-{n}")),
            Bytes::from_static(b"x"),
        ))
        .await
        .expect("published");
    }
    let inside = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let finished: Arc<Mutex<Vec<(String, u32)>>> = Arc::default();
    let stop = CancellationToken::new();
    let running = tokio::spawn({
        let (bus, inside, most, finished, stop) = (
            bus.clone(),
            inside.clone(),
            most.clone(),
            finished.clone(),
            stop.clone(),
        );
        async move {
            let config = ConsumerConfig::new("order-sync")
                .with_filter("centra.*.shipment.>")
                .with_ack_wait(Duration::from_secs(30));
            consume_concurrently(
                &bus,
                subscription(config).await,
                stop,
                LIMIT,
                move |delivery| {
                    let id = delivery.id.as_str().to_owned();
                    let count = delivery.delivery_count;
                    let (inside, most, finished) = (inside.clone(), most.clone(), finished.clone());
                    async move {
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        // Stay inside until the limit is reached (or, if the loop never lets that
                        // many in, give up after a while and let the assertion below say so), so
                        // the test does not depend on how fast the bus hands out deliveries.
                        let waited = std::time::Instant::now();
                        while most.load(Ordering::SeqCst) < LIMIT
                            && waited.elapsed() < Duration::from_secs(10)
                        {
                            tokio::time::sleep(Duration::from_millis(5)).await;
                        }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        inside.fetch_sub(1, Ordering::SeqCst);
                        finished.lock().expect("lock").push((id, count));
                        Handled::Done
                    }
                },
            )
            .await
        }
    });
    for _ in 0..2000 {
        if finished.lock().expect("lock").len() >= MESSAGES {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    stop.cancel();
    running.await.expect("joins").expect("consumer ran");

    let finished = finished.lock().expect("lock").clone();
    assert_eq!(finished.len(), MESSAGES, "{finished:?}");
    assert!(
        finished.iter().all(|(_, count)| *count == 1),
        "{finished:?}"
    );
    assert_eq!(most.load(Ordering::SeqCst), LIMIT, "in the handler at once");

    // Acked: a new handle on the same durable consumer gets nothing back.
    let mut again = bus
        .consumer(ConsumerConfig::new("order-sync").with_filter("centra.*.shipment.>"))
        .await
        .expect("consumer");
    let redelivered = again.next(Duration::from_millis(300)).await.expect("bus");
    assert!(redelivered.is_none(), "{redelivered:?}");
}

/// A handler still at work a drain after shutdown is dropped, in both loops: the loop ends
/// although the handler never would, the delivery is neither acked nor given up, and it comes
/// again (its second delivery) once its lease has run out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_at_work_past_the_drain_is_dropped_and_its_message_comes_again() {
    for concurrent in [false, true] {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bus.db").display().to_string();
        let bus = EmbeddedBus::open(&path, EmbeddedBusConfig::default())
            .await
            .expect("bus");
        bus.publish(OutgoingMessage::new(
            "wms.main.return.received",
            MessageId::new("stuck-1"),
            Bytes::from_static(b"x"),
        ))
        .await
        .expect("published");
        let config = || {
            ConsumerConfig::new("returns-sync")
                .with_filter("wms.*.return.>")
                .with_ack_wait(Duration::from_secs(1))
        };
        let started = Arc::new(tokio::sync::Notify::new());
        let stop = CancellationToken::new();
        let mut subscription = subscription(config()).await;
        subscription.drain = Duration::from_millis(200);
        let running = tokio::spawn({
            let (bus, started, stop) = (bus.clone(), started.clone(), stop.clone());
            async move {
                // Never ends: a gateway call that keeps backing off.
                let handler = move |_: &platform_bus::Delivery| {
                    let started = started.clone();
                    async move {
                        started.notify_one();
                        std::future::pending::<Handled>().await
                    }
                };
                if concurrent {
                    consume_concurrently(&bus, subscription, stop, 2, handler).await
                } else {
                    consume(&bus, subscription, stop, handler).await
                }
            }
        });
        tokio::time::timeout(Duration::from_secs(10), started.notified())
            .await
            .expect("the handler started");
        stop.cancel();
        tokio::time::timeout(Duration::from_secs(10), running)
            .await
            .unwrap_or_else(|_| panic!("concurrent {concurrent}: the loop ended after the drain"))
            .expect("joins")
            .expect("consumer ran");

        let mut again = bus.consumer(config()).await.expect("consumer");
        let next = again
            .next(Duration::from_secs(5))
            .await
            .expect("bus")
            .unwrap_or_else(|| panic!("concurrent {concurrent}: the message came again"));
        assert_eq!(next.id.as_str(), "stuck-1");
        assert_eq!(next.delivery_count, 2, "concurrent {concurrent}");
    }
}
