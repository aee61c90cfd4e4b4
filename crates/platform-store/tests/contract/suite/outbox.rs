//! The outbox: only committed messages are published; ids are idempotent; pruning.

use std::time::Duration;

use platform_store::{MessageId, OutboxRelay, RelayRound};

use super::{enqueue_committed, ids, message};
use crate::harness::{PARCELS_V1, TestDb, quick_relay};
use crate::recording_bus::RecordingBus;

pub async fn outbox_publishes_committed_messages_only(db: TestDb) {
    let store = db.open("parcels", &PARCELS_V1).await;
    let outbox = store.outbox();

    let mut tx = store.begin().await.expect("begin");
    assert!(
        outbox
            .enqueue(&mut tx, message("committed"))
            .await
            .expect("enqueue")
    );
    tx.commit().await.expect("commit");

    let mut tx = store.begin().await.expect("begin");
    assert!(
        outbox
            .enqueue(&mut tx, message("rolled-back"))
            .await
            .expect("enqueue")
    );
    tx.rollback().await.expect("rollback");

    let mut tx = store.begin().await.expect("begin");
    assert!(
        outbox
            .enqueue(&mut tx, message("dropped"))
            .await
            .expect("enqueue")
    );
    drop(tx);

    // An id already enqueued is a no-op, in a later transaction or the same one.
    let mut tx = store.begin().await.expect("begin");
    assert!(
        !outbox
            .enqueue(&mut tx, message("committed"))
            .await
            .expect("enqueue")
    );
    assert!(
        outbox
            .enqueue(&mut tx, message("second"))
            .await
            .expect("enqueue")
    );
    assert!(
        !outbox
            .enqueue(&mut tx, message("second"))
            .await
            .expect("enqueue")
    );
    tx.commit().await.expect("commit");

    for gone in ["rolled-back", "dropped"] {
        let entry = outbox.get(&MessageId::new(gone)).await.expect("get");
        assert!(entry.is_none(), "{gone} is in the outbox: {entry:?}");
    }
    assert_eq!(outbox.unpublished_count().await.expect("count"), 2);

    let bus = RecordingBus::new();
    let relay = OutboxRelay::new(&store, bus.arc(), quick_relay());
    assert_eq!(
        relay.relay_once().await.expect("relay"),
        RelayRound::Published {
            published: 2,
            dead_lettered: 0,
            more: false
        }
    );
    assert_eq!(bus.published_ids(), ["committed", "second"]);
    let first = &bus.published()[0].message;
    let expected = message("committed");
    assert_eq!(first.subject, expected.subject);
    assert_eq!(first.headers, expected.headers);
    assert_eq!(first.payload, expected.payload);

    // Nothing left: a second round publishes nothing again.
    assert_eq!(
        relay.relay_once().await.expect("relay"),
        RelayRound::Published {
            published: 0,
            dead_lettered: 0,
            more: false
        }
    );
    assert_eq!(bus.count(), 2);
    let entry = outbox
        .get(&MessageId::new("committed"))
        .await
        .expect("get")
        .expect("entry");
    assert!(entry.published_at.is_some());
    assert_eq!(entry.attempts, 1);
    assert_eq!(outbox.unpublished_count().await.expect("count"), 0);
}

pub async fn outbox_prunes_published_messages_only(db: TestDb) {
    let store = db.open("parcels", &PARCELS_V1).await;
    let outbox = store.outbox();
    let bus = RecordingBus::new();
    enqueue_committed(&store, &ids("p", 0..2)).await;
    let relay = OutboxRelay::new(&store, bus.arc(), quick_relay());
    relay.relay_once().await.expect("relay");
    enqueue_committed(&store, &ids("p", 2..3)).await;
    sqlx::query("UPDATE outbox SET published_at = 1 WHERE message_id = $1")
        .bind("p-00")
        .execute(store.pool())
        .await
        .expect("age p-00");

    let removed = outbox
        .prune_published_older_than(Duration::from_secs(3600))
        .await
        .expect("prune");
    assert_eq!(removed, 1);
    assert!(
        outbox
            .get(&MessageId::new("p-00"))
            .await
            .expect("get")
            .is_none()
    );
    assert!(
        outbox
            .get(&MessageId::new("p-01"))
            .await
            .expect("get")
            .is_some()
    );
    let waiting = outbox
        .get(&MessageId::new("p-02"))
        .await
        .expect("get")
        .expect("p-02");
    assert_eq!(waiting.published_at, None);
    assert_eq!(
        outbox
            .prune_published_older_than(Duration::from_secs(3600))
            .await
            .expect("prune"),
        0
    );
}
