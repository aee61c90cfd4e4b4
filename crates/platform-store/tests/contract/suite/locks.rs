//! Record locks: one holder per key among every store of a service on the same database (two
//! stores opened here stand for two replicas: on PostgreSQL they share nothing in-process).

use std::time::Duration;

use platform_store::{Migrations, StoreError};

use crate::harness::TestDb;

pub async fn record_locks_exclude_every_store_of_the_service(db: TestDb) {
    let first = db.open("order-sync", &Migrations::none()).await;
    let second = db.open("order-sync", &Migrations::none()).await;
    let other_service = db.open("stock-sync", &Migrations::none()).await;

    let held = first.locks().lock("order:shop:100").await.expect("lock");
    let waiting = tokio::spawn({
        let second = second.clone();
        async move { second.locks().lock("order:shop:100").await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "the other replica waits for the key"
    );
    // Other keys, and the same key of another service, never wait.
    let other_key = tokio::time::timeout(
        Duration::from_secs(5),
        second.locks().lock("order:shop:101"),
    )
    .await
    .expect("another key is free")
    .expect("lock");
    let elsewhere = tokio::time::timeout(
        Duration::from_secs(5),
        other_service.locks().lock("order:shop:100"),
    )
    .await
    .expect("another service's key is free")
    .expect("lock");

    drop(held);
    let taken = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the waiter gets the key once it is released")
        .expect("task")
        .expect("lock");
    assert_eq!(taken.key(), "order:shop:100");
    drop((taken, other_key, elsewhere));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(first.locks().in_use(), 0, "no key is kept once released");
    assert_eq!(second.locks().in_use(), 0, "no key is kept once released");
}

/// Within one process the key passes from holder to waiter once it is free everywhere: the
/// waiter never finds it still held in PostgreSQL (a poll would cost it a sleep on every
/// hand-over, as a busy lock such as Ongoing's one-request lane hands over hundreds a second).
pub async fn a_lock_handed_over_within_a_process_never_polls(db: TestDb) {
    let store = db.open("ongoing-gateway", &Migrations::none()).await;
    let mut handlers = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let store = store.clone();
        handlers.spawn(async move {
            for _ in 0..25 {
                let _guard = store.locks().lock("ongoing-lane").await?;
                tokio::task::yield_now().await;
            }
            Ok::<(), StoreError>(())
        });
    }
    while let Some(result) = handlers.join_next().await {
        result.expect("handler task").expect("lock");
    }
    assert_eq!(
        store.locks().polls(),
        0,
        "100 hand-overs within one process, none found the key still held"
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(store.locks().in_use(), 0, "no key is kept once released");
}

pub async fn a_lock_held_too_long_is_a_timeout(db: TestDb) {
    let first = db.open("order-sync", &Migrations::none()).await;
    let second = db.open("order-sync", &Migrations::none()).await;
    let _held = first.locks().lock("inbound").await.expect("lock");
    let answer = second
        .locks()
        .clone()
        .with_wait(Duration::from_millis(300))
        .lock("inbound")
        .await;
    match answer {
        Err(StoreError::LockTimeout { key, waited }) => {
            assert_eq!(key, "inbound");
            assert!(waited >= Duration::from_millis(250), "{waited:?}");
        }
        other => panic!("expected LockTimeout, got {other:?}"),
    }
}

/// What the locks are for: read, call out, write back, from two replicas at once, loses no
/// update.
pub async fn locked_read_modify_write_loses_no_update(db: TestDb) {
    let stores = [
        db.open("parcels", &crate::harness::PARCELS_V1).await,
        db.open("parcels", &crate::harness::PARCELS_V1).await,
    ];
    {
        let mut tx = stores[0].begin().await.expect("begin");
        let counter = crate::parcels::Parcel {
            weight_grams: 0,
            ..crate::parcels::Parcel::new("counter")
        };
        crate::parcels::insert(&mut tx, &counter)
            .await
            .expect("insert");
        tx.commit().await.expect("commit");
    }
    let mut handlers = tokio::task::JoinSet::new();
    for store in &stores {
        for _ in 0..3 {
            let store = store.clone();
            handlers.spawn(async move {
                for _ in 0..5 {
                    let _guard = store.locks().lock("parcel:counter").await?;
                    let mut conn = store.pool().acquire().await.expect("acquire");
                    let seen = crate::parcels::load(&mut conn, "counter")
                        .await?
                        .expect("the counter")
                        .weight_grams;
                    drop(conn);
                    // The call to another system between the read and the write.
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    sqlx::query("UPDATE parcels SET weight_grams = $1 WHERE id = $2")
                        .bind(seen + 1)
                        .bind("counter")
                        .execute(store.pool())
                        .await
                        .map_err(StoreError::query("counting"))?;
                }
                Ok::<(), StoreError>(())
            });
        }
    }
    while let Some(result) = handlers.join_next().await {
        result.expect("handler task").expect("handler");
    }
    let mut conn = stores[1].pool().acquire().await.expect("acquire");
    let counted = crate::parcels::load(&mut conn, "counter")
        .await
        .expect("load")
        .expect("the counter")
        .weight_grams;
    assert_eq!(counted, 2 * 3 * 5, "every increment kept");
}
