//! What only SQLite has, and the errors `Store::open` gives before touching a database.

use platform_store::{
    Migrations, OutboxMessage, OutboxRelay, RelayRound, Store, StoreError, StoreOptions,
};

use crate::harness::{PARCELS_V1, quick_relay};
use crate::parcels::{self, Parcel};
use crate::recording_bus::RecordingBus;

#[tokio::test]
async fn in_memory_store_keeps_its_data_for_the_life_of_the_pool() {
    let store = Store::open(StoreOptions::new("parcels", "sqlite::memory:"), &PARCELS_V1)
        .await
        .expect("open in-memory store");
    let mut tx = store.begin().await.expect("begin");
    parcels::insert(&mut tx, &Parcel::new("p1"))
        .await
        .expect("insert");
    store
        .outbox()
        .enqueue(
            &mut tx,
            OutboxMessage::new("m1", "parcels.created", b"{}".to_vec()),
        )
        .await
        .expect("enqueue");
    tx.commit().await.expect("commit");

    // Another checkout of the (single) connection sees the same database.
    let mut conn = store.pool().acquire().await.expect("acquire");
    assert_eq!(parcels::count(&mut conn).await.expect("count"), 1);
    drop(conn);

    let bus = RecordingBus::new();
    let relay = OutboxRelay::new(&store, bus.arc(), quick_relay());
    assert_eq!(
        relay.relay_once().await.expect("relay"),
        RelayRound::Published {
            published: 1,
            dead_lettered: 0,
            more: false
        }
    );
    assert_eq!(bus.published_ids(), ["m1"]);
}

#[tokio::test]
async fn a_store_without_its_own_migrations_still_has_inbox_and_outbox() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/gateway.db?mode=rwc", dir.path().display());
    let store = Store::open(StoreOptions::new("gateway", url), &Migrations::none())
        .await
        .expect("open");
    let mut tx = store.begin().await.expect("begin");
    let id = platform_store::MessageId::new("m1");
    assert!(
        store
            .inbox()
            .record(&mut tx, "c", &id)
            .await
            .expect("record")
    );
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn open_errors_name_the_service_and_the_problem() {
    let bad_name = Store::open(
        StoreOptions::new("Order Sync", "sqlite::memory:"),
        &PARCELS_V1,
    )
    .await;
    assert!(
        matches!(&bad_name, Err(StoreError::InvalidServiceName { name, .. }) if name == "Order Sync"),
        "{bad_name:?}"
    );

    let bad_url = Store::open(StoreOptions::new("order-sync", "mysql://h/db"), &PARCELS_V1).await;
    assert!(
        matches!(&bad_url, Err(StoreError::UnsupportedUrl { scheme, .. }) if scheme == "mysql"),
        "{bad_url:?}"
    );

    let missing = Store::open(
        StoreOptions::new(
            "order-sync",
            "sqlite:///nonexistent-folder-7c1f/order-sync.db?mode=rwc",
        ),
        &PARCELS_V1,
    )
    .await;
    match missing {
        Err(error @ StoreError::Connect { .. }) => {
            let text = error.to_string();
            assert!(
                text.starts_with("service order-sync: cannot open the sqlite database"),
                "{text}"
            );
        }
        other => panic!("expected a connect error, got {other:?}"),
    }
}
