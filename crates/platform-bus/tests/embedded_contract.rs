//! The bus contract against the embedded SQLite bus, plus what only it promises: surviving a
//! restart of the process (reopening the file).

use std::time::Duration;

use bytes::Bytes;
use platform_bus::contract::BusUnderTest;
use platform_bus::{
    Bus, ConsumerConfig, EmbeddedBus, EmbeddedBusConfig, MessageId, OutgoingMessage,
};

fn test_config() -> EmbeddedBusConfig {
    EmbeddedBusConfig {
        poll_interval: Duration::from_millis(100),
        ..EmbeddedBusConfig::default()
    }
}

/// A bus on a file of its own, with the directory that must outlive it.
async fn fresh_bus() -> (tempfile::TempDir, EmbeddedBus) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bus.sqlite");
    let bus = EmbeddedBus::open(path.to_str().expect("utf-8 path"), test_config())
        .await
        .expect("open embedded bus");
    (dir, bus)
}

async fn embedded_bus() -> Option<BusUnderTest> {
    let (dir, bus) = fresh_bus().await;
    Some(BusUnderTest::new(bus).keeping(dir))
}

platform_bus::bus_contract_tests!(embedded_bus());

fn message(id: &str) -> OutgoingMessage {
    OutgoingMessage::new(
        "centra.shop1.shipment",
        MessageId::new(id),
        Bytes::from(id.to_owned()),
    )
    .with_header(
        "traceparent",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    )
}

fn consumer_config() -> ConsumerConfig {
    ConsumerConfig::new("restart").with_ack_wait(Duration::from_secs(1))
}

#[tokio::test]
async fn survives_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bus.sqlite");
    let path = path.to_str().expect("utf-8 path");

    let before = EmbeddedBus::open(path, test_config()).await.expect("open");
    let mut consumer = before.consumer(consumer_config()).await.expect("consumer");
    for id in ["m1", "m2", "m3", "m4"] {
        before.publish(message(id)).await.expect("publish");
    }
    let m1 = consumer
        .next(Duration::from_secs(5))
        .await
        .expect("next")
        .expect("m1");
    assert_eq!(m1.id.as_str(), "m1");
    m1.ack().await.expect("ack");
    let m2 = consumer
        .next(Duration::from_secs(5))
        .await
        .expect("next")
        .expect("m2");
    assert_eq!(m2.id.as_str(), "m2");
    // The process dies holding m2: no ack, no nak; m3 and m4 were never taken.
    drop(m2);
    drop(consumer);
    before.close().await;
    drop(before);

    let after = EmbeddedBus::open(path, test_config())
        .await
        .expect("reopen");
    let mut consumer = after.consumer(consumer_config()).await.expect("consumer");
    let mut seen = Vec::new();
    while let Some(delivery) = consumer.next(Duration::from_secs(3)).await.expect("next") {
        assert_eq!(delivery.headers.len(), 1, "headers survive the restart");
        assert_eq!(delivery.payload, Bytes::from(delivery.id.to_string()));
        seen.push((delivery.id.to_string(), delivery.delivery_count));
        delivery.ack().await.expect("ack");
    }
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("m2".to_owned(), 2),
            ("m3".to_owned(), 1),
            ("m4".to_owned(), 1)
        ],
        "m1 was acked; m2 comes back after its lease; m3 and m4 were waiting"
    );

    let again = after.publish(message("m1")).await.expect("publish");
    assert!(again.duplicate, "the duplicate window survives the restart");
    after.close().await;
}

#[tokio::test]
async fn a_second_bus_on_the_same_file_shares_the_work() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bus.sqlite");
    let path = path.to_str().expect("utf-8 path");
    let one = EmbeddedBus::open(path, test_config())
        .await
        .expect("open one");
    let two = EmbeddedBus::open(path, test_config())
        .await
        .expect("open two");
    let mut from_one = one.consumer(consumer_config()).await.expect("consumer one");
    let mut from_two = two.consumer(consumer_config()).await.expect("consumer two");
    // Published through `one`, picked up by `two`'s poll: processes only share the file.
    let mut ids = Vec::new();
    for n in 0..10 {
        let id = format!("p{n}");
        one.publish(message(&id)).await.expect("publish");
        ids.push(id);
    }
    let mut seen = Vec::new();
    loop {
        let mut got_any = false;
        for consumer in [&mut from_one, &mut from_two] {
            if let Some(d) = consumer
                .next(Duration::from_millis(400))
                .await
                .expect("next")
            {
                seen.push(d.id.to_string());
                d.ack().await.expect("ack");
                got_any = true;
            }
        }
        if !got_any {
            break;
        }
    }
    seen.sort();
    ids.sort();
    assert_eq!(seen, ids);
}

/// Many writers at once, through two buses of one process on one file: their publishes,
/// claims and acks take turns at one gate and share commits (`platform-write-gate`), and
/// still every message is delivered once and every ack holds.
#[tokio::test]
async fn concurrent_writers_on_one_file_lose_nothing_and_repeat_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bus.sqlite");
    let path = path.to_str().expect("utf-8 path");
    let buses = [
        EmbeddedBus::open(path, test_config())
            .await
            .expect("open one"),
        EmbeddedBus::open(path, test_config())
            .await
            .expect("open two"),
    ];
    // A lease far longer than a claim-to-ack here, and short enough that an ack lost would
    // show as a redelivery to the late handle below.
    let config = ConsumerConfig::new("many").with_ack_wait(Duration::from_secs(3));
    let (found, mut heard) = tokio::sync::mpsc::unbounded_channel();
    let mut handles = Vec::new();
    for bus in buses.iter().chain(buses.iter()) {
        let mut consumer = bus.consumer(config.clone()).await.expect("consumer");
        let found = found.clone();
        handles.push(tokio::spawn(async move {
            while let Some(delivery) = consumer.next(Duration::from_secs(2)).await.expect("next") {
                found.send(delivery.id.to_string()).expect("listening");
                delivery.ack().await.expect("ack");
            }
        }));
    }
    drop(found);
    let mut publishers = Vec::new();
    for (p, bus) in buses.iter().chain(buses.iter()).enumerate() {
        let bus = bus.clone();
        publishers.push(tokio::spawn(async move {
            for n in 0..25 {
                bus.publish(message(&format!("w{p}-{n}")))
                    .await
                    .expect("publish");
            }
        }));
    }
    for publisher in publishers {
        publisher.await.expect("published");
    }
    for handle in handles {
        handle.await.expect("drained");
    }
    let mut seen = Vec::new();
    while let Some(id) = heard.recv().await {
        seen.push(id);
    }
    seen.sort();
    let mut expected: Vec<String> = (0..4)
        .flat_map(|p| (0..25).map(move |n| format!("w{p}-{n}")))
        .collect();
    expected.sort();
    assert_eq!(seen, expected, "each message once");

    let mut late = buses[0].consumer(config).await.expect("consumer");
    assert!(
        late.next(Duration::from_secs(4))
            .await
            .expect("next")
            .is_none(),
        "every ack held: nothing comes back once the leases are over"
    );
}

/// The embedded bus leases as many as asked in one claim (one commit), not one by one.
#[tokio::test]
async fn next_batch_leases_as_many_as_are_due_up_to_max() {
    let (_dir, bus) = fresh_bus().await;
    let mut consumer = bus.consumer(consumer_config()).await.expect("consumer");
    for n in 0..5 {
        bus.publish(message(&format!("b{n}")))
            .await
            .expect("publish");
    }
    let ids = |batch: &[platform_bus::Delivery]| -> Vec<String> {
        batch.iter().map(|d| d.id.to_string()).collect()
    };
    let first = consumer
        .next_batch(3, Duration::from_secs(5))
        .await
        .expect("first batch");
    assert_eq!(ids(&first), ["b0", "b1", "b2"]);
    let second = consumer
        .next_batch(3, Duration::from_secs(5))
        .await
        .expect("second batch");
    assert_eq!(ids(&second), ["b3", "b4"], "what is due, up to max");
    for delivery in first.into_iter().chain(second) {
        delivery.ack().await.expect("ack");
    }
}

/// A claim that finds due deliveries past their limit gives them up and looks again, so the
/// batch is still filled from what is due after them (one claim reads a batch of due rows).
#[tokio::test]
async fn a_batch_is_filled_past_deliveries_given_up() {
    let (_dir, bus) = fresh_bus().await;
    let mut consumer = bus
        .consumer(consumer_config().with_max_deliver(1))
        .await
        .expect("consumer");
    for n in 0..4 {
        bus.publish(message(&format!("g{n}")))
            .await
            .expect("publish");
    }
    // g0 and g1 delivered once each, their one delivery spent, and made due again.
    let spent = consumer
        .next_batch(2, Duration::from_secs(5))
        .await
        .expect("first batch");
    for delivery in spent {
        delivery.nak(Duration::ZERO).await.expect("nak");
    }
    let batch = consumer
        .next_batch(2, Duration::from_secs(5))
        .await
        .expect("second batch");
    let ids: Vec<String> = batch.iter().map(|d| d.id.to_string()).collect();
    assert_eq!(
        ids,
        ["g2", "g3"],
        "g0 and g1 given up in the same claim, the batch filled after them"
    );
    for delivery in batch {
        delivery.ack().await.expect("ack");
    }
    let after = consumer
        .next_batch(2, Duration::from_millis(300))
        .await
        .expect("nothing left");
    assert!(after.is_empty(), "given up for good: {after:?}");
}

#[tokio::test]
async fn refuses_an_in_memory_database() {
    let err = EmbeddedBus::open("sqlite::memory:", test_config())
        .await
        .expect_err("in-memory must be refused");
    assert!(err.to_string().contains("file"), "{err}");
}

#[tokio::test]
async fn messages_past_max_age_are_pruned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bus.sqlite");
    let config = EmbeddedBusConfig {
        duplicate_window: Duration::from_millis(200),
        max_age: Some(Duration::from_millis(800)),
        ..test_config()
    };
    let bus = EmbeddedBus::open(path.to_str().expect("utf-8 path"), config)
        .await
        .expect("open");
    let mut consumer = bus.consumer(consumer_config()).await.expect("consumer");
    bus.publish(message("old")).await.expect("publish old");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    bus.publish(message("new")).await.expect("publish new");

    let got = consumer
        .next(Duration::from_secs(5))
        .await
        .expect("next")
        .expect("new");
    assert_eq!(got.id.as_str(), "new", "the old message was pruned");
    got.ack().await.expect("ack");
    assert!(
        consumer
            .next(Duration::from_millis(500))
            .await
            .expect("next")
            .is_none()
    );
    let again = bus
        .publish(message("old"))
        .await
        .expect("publish old again");
    assert!(!again.duplicate, "outside the duplicate window");
}

#[tokio::test]
async fn max_age_shorter_than_the_duplicate_window_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bus.sqlite");
    let config = EmbeddedBusConfig {
        max_age: Some(Duration::from_secs(60)),
        ..test_config()
    };
    let err = EmbeddedBus::open(path.to_str().expect("utf-8 path"), config)
        .await
        .expect_err("must be refused");
    assert!(err.to_string().contains("max_age"), "{err}");
}

/// A file the bus cannot open is a storage failure (retryable: space or permissions can be
/// fixed), with SQLite's own error as the source.
#[tokio::test]
async fn an_unopenable_file_is_a_storage_failure_with_sqlites_error_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("no-such-folder").join("bus.sqlite");
    let error = EmbeddedBus::open(path.to_str().expect("utf-8 path"), test_config())
        .await
        .expect_err("the folder is missing");
    assert!(
        matches!(error, platform_bus::BusError::Storage { .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    let source = std::error::Error::source(&error).expect("sqlite's error is kept");
    assert!(source.downcast_ref::<sqlx::Error>().is_some(), "{source:?}");
}

/// Retention bounds what a consumer created later replays, and an idle bus (no publish to
/// trigger pruning) shrinks when the runtime's timer asks.
#[tokio::test]
async fn a_new_consumer_replays_only_what_retention_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bus.sqlite");
    let config = EmbeddedBusConfig {
        duplicate_window: Duration::from_millis(200),
        max_age: Some(Duration::from_millis(800)),
        ..test_config()
    };
    let bus = EmbeddedBus::open(path.to_str().expect("utf-8 path"), config)
        .await
        .expect("open");
    bus.publish(message("old")).await.expect("publish old");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(bus.prune().await.expect("prune"), 1, "the idle bus pruned");
    assert_eq!(bus.prune().await.expect("prune again"), 0);
    bus.publish(message("new")).await.expect("publish new");

    let mut late = bus.consumer(consumer_config()).await.expect("consumer");
    let got = late
        .next(Duration::from_secs(5))
        .await
        .expect("next")
        .expect("new");
    assert_eq!(got.id.as_str(), "new", "the pruned message is not replayed");
    got.ack().await.expect("ack");
}

#[tokio::test]
async fn a_bus_without_max_age_prunes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bus.sqlite");
    let bus = EmbeddedBus::open(path.to_str().expect("utf-8 path"), test_config())
        .await
        .expect("open");
    bus.publish(message("kept")).await.expect("publish");
    assert_eq!(bus.prune().await.expect("prune"), 0);
}
