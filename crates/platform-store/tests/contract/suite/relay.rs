//! The relay: order, exactly-once across restarts, retries, dead letters, the lease, wake-ups.

use std::time::Duration;

use platform_store::{
    DeadLetterStatus, MessageId, OUTBOX_DEAD_LETTER_KIND, OutboxMessage, OutboxRelay, RelayConfig,
    RelayError, RelayRound,
};
use tokio_util::sync::CancellationToken;

use super::{enqueue_committed, ids, message};
use crate::harness::{PARCELS_V1, TestDb, eventually, quick_relay};
use crate::recording_bus::RecordingBus;

pub async fn relay_publishes_in_order_exactly_once_across_restart(db: TestDb) {
    let store = db.open("parcels", &PARCELS_V1).await;
    let bus = RecordingBus::new();
    let config = RelayConfig {
        batch_size: 2,
        ..quick_relay()
    };
    enqueue_committed(&store, &ids("m", 0..5)).await;

    let cancel = CancellationToken::new();
    let running = OutboxRelay::new(&store, bus.arc(), config.clone()).spawn(cancel.clone());
    eventually("the first 5 messages", || bus.count() >= 5).await;
    cancel.cancel();
    running.await.expect("relay task");

    // The process restarts: new pool, new relay.
    store.close().await;
    let store = db.open("parcels", &PARCELS_V1).await;
    enqueue_committed(&store, &ids("m", 5..8)).await;
    let cancel = CancellationToken::new();
    let running = OutboxRelay::new(&store, bus.arc(), config).spawn(cancel.clone());
    eventually("all 8 messages", || bus.count() >= 8).await;
    // Give a wrongly repeated publish the chance to show up.
    tokio::time::sleep(Duration::from_millis(200)).await;
    cancel.cancel();
    running.await.expect("relay task");

    assert_eq!(bus.published_ids(), ids("m", 0..8));
    assert_eq!(store.outbox().unpublished_count().await.expect("count"), 0);
}

pub async fn relay_retries_after_bus_failure(db: TestDb) {
    let store = db.open("parcels", &PARCELS_V1).await;
    let bus = RecordingBus::new();
    enqueue_committed(&store, &ids("r", 0..3)).await;

    // One round: the failure ends it and names the message.
    bus.fail_next(1);
    let relay = OutboxRelay::new(&store, bus.arc(), quick_relay());
    match relay.relay_once().await {
        Err(RelayError::Publish { id, source }) => {
            assert_eq!(id.as_str(), "r-00");
            assert!(
                matches!(source, platform_bus::BusError::Unreachable { .. }),
                "{source}"
            );
        }
        other => panic!("expected a publish failure, got {other:?}"),
    }
    assert_eq!(bus.count(), 0);
    relay.release().await.expect("release");

    // The running relay backs off and tries again until the bus is back.
    bus.fail_next(2);
    let cancel = CancellationToken::new();
    let running = relay.spawn(cancel.clone());
    eventually("3 messages after the failures", || bus.count() >= 3).await;
    cancel.cancel();
    running.await.expect("relay task");

    assert_eq!(bus.published_ids(), ids("r", 0..3));
    assert_eq!(bus.attempts(), 6, "3 failed + 3 good publish calls");
    let first = store
        .outbox()
        .get(&MessageId::new("r-00"))
        .await
        .expect("get")
        .expect("entry");
    assert_eq!(first.attempts, 4);
    let last_error = first.last_error.unwrap_or_default();
    assert!(
        last_error.contains("recording bus told to fail"),
        "{last_error}"
    );
    assert!(first.published_at.is_some());
}

pub async fn relay_publishes_a_round_as_one_batch(db: TestDb) {
    let store = db.open("parcels", &PARCELS_V1).await;
    let bus = RecordingBus::new();
    let config = RelayConfig {
        batch_size: 4,
        ..quick_relay()
    };
    enqueue_committed(&store, &ids("b", 0..6)).await;
    let relay = OutboxRelay::new(&store, bus.arc(), config);
    assert_eq!(
        relay.relay_once().await.expect("round"),
        RelayRound::Published {
            published: 4,
            dead_lettered: 0,
            more: true
        }
    );
    assert_eq!(store.outbox().unpublished_count().await.expect("count"), 2);
    assert_eq!(
        relay.relay_once().await.expect("round"),
        RelayRound::Published {
            published: 2,
            dead_lettered: 0,
            more: false
        }
    );
    assert_eq!(bus.batches(), [4, 2], "one publish_batch per round");
    assert_eq!(bus.published_ids(), ids("b", 0..6));
    assert_eq!(store.outbox().unpublished_count().await.expect("count"), 0);
}

pub async fn relay_keeps_what_a_batch_published_before_and_after_a_failure(db: TestDb) {
    // The port's default batch stops at a failure: b-02 and b-03 wait for the next round.
    let store = db.open("parcels", &PARCELS_V1).await;
    let bus = RecordingBus::new();
    enqueue_committed(&store, &ids("b", 0..4)).await;
    bus.fail_id("b-02", 1);
    let relay = OutboxRelay::new(&store, bus.arc(), quick_relay());
    match relay.relay_once().await {
        Err(RelayError::Publish { id, .. }) => assert_eq!(id.as_str(), "b-02"),
        other => panic!("expected b-02 to fail, got {other:?}"),
    }
    assert_eq!(bus.published_ids(), ids("b", 0..2));
    assert_eq!(store.outbox().unpublished_count().await.expect("count"), 2);
    relay.relay_once().await.expect("second round");
    assert_eq!(bus.published_ids(), ids("b", 0..4), "each once, in order");

    // JetStream's batch sends every message: the one after the failure is stored and marked,
    // the failed one goes out next round, after it; none twice, none lost.
    let store = db.open("parcels_again", &PARCELS_V1).await;
    let bus = RecordingBus::new();
    bus.batches_go_on();
    enqueue_committed(&store, &ids("j", 0..3)).await;
    bus.fail_id("j-01", 1);
    let relay = OutboxRelay::new(&store, bus.arc(), quick_relay());
    assert!(relay.relay_once().await.is_err(), "j-01 failed");
    assert_eq!(bus.published_ids(), ["j-00", "j-02"]);
    assert_eq!(store.outbox().unpublished_count().await.expect("count"), 1);
    let failed = store
        .outbox()
        .get(&MessageId::new("j-01"))
        .await
        .expect("get")
        .expect("entry");
    assert!(failed.published_at.is_none());
    assert_eq!(failed.attempts, 1);
    relay.relay_once().await.expect("second round");
    assert_eq!(bus.published_ids(), ["j-00", "j-02", "j-01"]);
    assert_eq!(store.outbox().unpublished_count().await.expect("count"), 0);
}

pub async fn relay_dead_letters_a_rejected_message_and_goes_on(db: TestDb) {
    let store = db.open("parcels", &PARCELS_V1).await;
    let outbox = store.outbox();
    let bus = RecordingBus::new();
    bus.reject_subject("parcels.oversized");
    let mut tx = store.begin().await.expect("begin");
    outbox
        .enqueue(&mut tx, message("d1"))
        .await
        .expect("enqueue");
    let refused = OutboxMessage::new("d2", "parcels.oversized", vec![0xff, 0x01]);
    outbox.enqueue(&mut tx, refused).await.expect("enqueue");
    outbox
        .enqueue(&mut tx, message("d3"))
        .await
        .expect("enqueue");
    tx.commit().await.expect("commit");

    let relay = OutboxRelay::new(&store, bus.arc(), quick_relay());
    assert_eq!(
        relay.relay_once().await.expect("relay"),
        RelayRound::Published {
            published: 2,
            dead_lettered: 1,
            more: false
        }
    );
    assert_eq!(bus.published_ids(), ["d1", "d3"]);
    let letter = store
        .dead_letters()
        .find(OUTBOX_DEAD_LETTER_KIND, "d2")
        .await
        .expect("find")
        .expect("dead letter for d2");
    assert_eq!(letter.status, DeadLetterStatus::Open);
    assert_eq!(letter.service, "parcels");
    assert!(
        letter.reason.contains("parcels.oversized"),
        "{}",
        letter.reason
    );
    assert!(letter.reason.contains("not allowed"), "{}", letter.reason);
    assert_eq!(letter.payload["subject"], "parcels.oversized");
    assert_eq!(letter.payload["payload"]["base64"], "/wE=");
    let entry = outbox
        .get(&MessageId::new("d2"))
        .await
        .expect("get")
        .expect("entry");
    assert!(entry.dead_lettered_at.is_some() && entry.published_at.is_none());
    assert_eq!(outbox.unpublished_count().await.expect("count"), 0);

    // The cause is fixed; a person requeues it.
    bus.accept_all();
    let mut tx = store.begin().await.expect("begin");
    assert!(
        outbox
            .requeue(&mut tx, &MessageId::new("d2"))
            .await
            .expect("requeue")
    );
    assert!(
        !outbox
            .requeue(&mut tx, &MessageId::new("d1"))
            .await
            .expect("requeue")
    );
    tx.commit().await.expect("commit");
    assert_eq!(
        relay.relay_once().await.expect("relay"),
        RelayRound::Published {
            published: 1,
            dead_lettered: 0,
            more: false
        }
    );
    assert_eq!(bus.published_ids(), ["d1", "d3", "d2"]);
    let letter = store
        .dead_letters()
        .show(letter.id)
        .await
        .expect("show")
        .expect("letter");
    assert_eq!(letter.status, DeadLetterStatus::Retried);
}

pub async fn concurrent_relays_publish_each_message_once_in_order(db: TestDb) {
    // Two replicas of one service: two pools on the same schema or file, a relay each.
    let replica_a = db.open("parcels", &PARCELS_V1).await;
    let replica_b = db.open("parcels", &PARCELS_V1).await;
    let bus = RecordingBus::new();
    let config = RelayConfig {
        batch_size: 5,
        ..quick_relay()
    };
    let cancel = CancellationToken::new();
    let bus_a = bus.tagged("a").slow(Duration::from_millis(2)).arc();
    let bus_b = bus.tagged("b").slow(Duration::from_millis(2)).arc();
    let relay_a = OutboxRelay::new(&replica_a, bus_a, config.clone()).spawn(cancel.clone());
    let relay_b = OutboxRelay::new(&replica_b, bus_b, config).spawn(cancel.clone());

    let expected = ids("c", 0..40);
    for (i, id) in expected.iter().enumerate() {
        let replica = if i % 2 == 0 { &replica_a } else { &replica_b };
        enqueue_committed(replica, std::slice::from_ref(id)).await;
        if i % 5 == 4 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    eventually("40 messages", || bus.count() >= 40).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    cancel.cancel();
    relay_a.await.expect("relay a");
    relay_b.await.expect("relay b");

    assert_eq!(bus.published_ids(), expected);
}

pub async fn relay_lease_passes_on_release_and_after_expiry(db: TestDb) {
    let store = db.open("parcels", &PARCELS_V1).await;
    let bus = RecordingBus::new();
    let published = |n| RelayRound::Published {
        published: n,
        dead_lettered: 0,
        more: false,
    };
    let a = OutboxRelay::new(&store, bus.tagged("a").arc(), quick_relay());
    let b = OutboxRelay::new(&store, bus.tagged("b").arc(), quick_relay());
    assert_ne!(a.holder(), b.holder());

    enqueue_committed(&store, &ids("l", 0..1)).await;
    assert_eq!(a.relay_once().await.expect("a"), published(1));
    enqueue_committed(&store, &ids("l", 1..2)).await;
    assert_eq!(b.relay_once().await.expect("b"), RelayRound::Standby);
    assert_eq!(bus.count(), 1);

    // A stopping relay hands over at once.
    a.release().await.expect("release");
    assert_eq!(b.relay_once().await.expect("b"), published(1));
    b.release().await.expect("release");

    // A relay that dies holding the lease is replaced once the lease expires.
    let short_lease = RelayConfig {
        lease_ttl: Duration::from_secs(3),
        publish_timeout: Duration::from_secs(1),
        ..quick_relay()
    };
    let crashed = OutboxRelay::new(&store, bus.tagged("crashed").arc(), short_lease);
    enqueue_committed(&store, &ids("l", 2..3)).await;
    assert_eq!(crashed.relay_once().await.expect("crashed"), published(1));
    drop(crashed);
    enqueue_committed(&store, &ids("l", 3..4)).await;
    let c = OutboxRelay::new(&store, bus.tagged("c").arc(), quick_relay());
    assert_eq!(c.relay_once().await.expect("c"), RelayRound::Standby);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        match c.relay_once().await.expect("c") {
            RelayRound::Standby => {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "lease never expired"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            round => {
                assert_eq!(round, published(1));
                break;
            }
        }
    }
    let by: Vec<String> = bus.published().into_iter().map(|p| p.by).collect();
    assert_eq!(by, ["a", "b", "crashed", "c"]);
    assert_eq!(bus.published_ids(), ids("l", 0..4));
}

pub async fn relay_wakes_on_commit(db: TestDb) {
    let store = db.open("parcels", &PARCELS_V1).await;
    let bus = RecordingBus::new();
    let config = RelayConfig {
        poll_interval: Duration::from_secs(3600),
        ..quick_relay()
    };
    let cancel = CancellationToken::new();
    let running = OutboxRelay::new(&store, bus.arc(), config).spawn(cancel.clone());
    tokio::time::sleep(Duration::from_millis(100)).await;

    enqueue_committed(&store, &ids("w", 0..1)).await;
    eventually("the relay to wake for w-00", || bus.count() >= 1).await;
    enqueue_committed(&store, &ids("w", 1..2)).await;
    eventually("the relay to wake for w-01", || bus.count() >= 2).await;
    cancel.cancel();
    running.await.expect("relay task");
    assert_eq!(bus.published_ids(), ids("w", 0..2));
}
