//! The inbox: redelivery detection inside the caller's transaction, and pruning.

use std::time::Duration;

use platform_store::MessageId;

use crate::harness::{PARCELS_V1, TestDb};
use crate::parcels::{self, Parcel};

pub async fn inbox_detects_redelivery(db: TestDb) {
    let store = db.open("parcels", &PARCELS_V1).await;
    let inbox = store.inbox();
    let id = MessageId::new("centra:shop1:shipment:83651-1:gtg");

    // First delivery: recorded with the state change.
    let mut tx = store.begin().await.expect("begin");
    assert!(
        inbox
            .record(&mut tx, "parcels.import", &id)
            .await
            .expect("record")
    );
    parcels::insert(&mut tx, &Parcel::new("p1"))
        .await
        .expect("insert");
    tx.commit().await.expect("commit");

    // Redelivery: seen inside the transaction, before any work.
    let mut tx = store.begin().await.expect("begin");
    assert!(
        !inbox
            .record(&mut tx, "parcels.import", &id)
            .await
            .expect("record")
    );
    tx.rollback().await.expect("rollback");

    // Another consumer keeps its own record.
    let mut tx = store.begin().await.expect("begin");
    assert!(
        inbox
            .record(&mut tx, "parcels.audit", &id)
            .await
            .expect("record")
    );
    tx.commit().await.expect("commit");

    // Processing that rolled back left no record, so the redelivery is processed.
    let failed = MessageId::new("centra:shop1:shipment:2:gtg");
    let mut tx = store.begin().await.expect("begin");
    assert!(
        inbox
            .record(&mut tx, "parcels.import", &failed)
            .await
            .expect("record")
    );
    drop(tx);
    assert!(
        !inbox
            .contains("parcels.import", &failed)
            .await
            .expect("contains")
    );
    let mut tx = store.begin().await.expect("begin");
    assert!(
        inbox
            .record(&mut tx, "parcels.import", &failed)
            .await
            .expect("record")
    );
    tx.commit().await.expect("commit");

    // Two consumers racing on one delivery: exactly one processes it.
    let raced = MessageId::new("centra:shop1:shipment:3:gtg");
    let mut racers = tokio::task::JoinSet::new();
    for _ in 0..2 {
        let store = store.clone();
        let raced = raced.clone();
        racers.spawn(async move {
            let mut tx = store.begin().await.expect("begin");
            let first = store
                .inbox()
                .record(&mut tx, "parcels.import", &raced)
                .await
                .expect("record");
            tokio::time::sleep(Duration::from_millis(50)).await;
            tx.commit().await.expect("commit");
            first
        });
    }
    let mut firsts = 0;
    while let Some(first) = racers.join_next().await {
        firsts += usize::from(first.expect("racer"));
    }
    assert_eq!(firsts, 1);

    // Pruning forgets old entries only.
    sqlx::query("UPDATE inbox SET received_at = 0 WHERE consumer = $1 AND message_id = $2")
        .bind("parcels.import")
        .bind(id.as_str())
        .execute(store.pool())
        .await
        .expect("age one entry");
    let removed = inbox
        .prune_older_than(Duration::from_secs(3600))
        .await
        .expect("prune");
    assert_eq!(removed, 1);
    assert!(
        !inbox
            .contains("parcels.import", &id)
            .await
            .expect("contains")
    );
    assert!(
        inbox
            .contains("parcels.audit", &id)
            .await
            .expect("contains")
    );
    assert!(
        inbox
            .contains("parcels.import", &failed)
            .await
            .expect("contains")
    );
}
