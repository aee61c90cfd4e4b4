//! Dead letters: record, repeat, list, show, retry, discard.

use platform_store::{DeadLetterFilter, DeadLetterStatus, NewDeadLetter, StoreError};

use crate::harness::{PARCELS_V1, TestDb};

fn shipment_letter(reason: &str, attempts: u32) -> NewDeadLetter {
    NewDeadLetter {
        kind: "shipment".to_owned(),
        record_key: "83651-1".to_owned(),
        reason: reason.to_owned(),
        payload: serde_json::json!({"shipment": "83651-1", "paymentMethod": "swish2"}),
        attempts,
    }
}

pub async fn dead_letters_lifecycle(db: TestDb) {
    let store = db.open("parcels", &PARCELS_V1).await;
    let letters = store.dead_letters();

    let mut tx = store.begin().await.expect("begin");
    let id = letters
        .record(
            &mut tx,
            shipment_letter("field paymentMethod: unknown value \"swish2\"", 3),
        )
        .await
        .expect("record");
    tx.commit().await.expect("commit");

    // Recorded in a transaction that rolled back: never kept.
    let mut tx = store.begin().await.expect("begin");
    let mut article = shipment_letter("field sku: unknown article", 1);
    article.kind = "article".to_owned();
    article.record_key = "A-1".to_owned();
    letters
        .record(&mut tx, article.clone())
        .await
        .expect("record");
    tx.rollback().await.expect("rollback");
    assert!(
        letters
            .find("article", "A-1")
            .await
            .expect("find")
            .is_none()
    );

    let first = letters.show(id).await.expect("show").expect("letter");
    assert_eq!(first.service, "parcels");
    assert_eq!(
        (first.kind.as_str(), first.record_key.as_str()),
        ("shipment", "83651-1")
    );
    assert_eq!(first.status, DeadLetterStatus::Open);
    assert_eq!(first.attempts, 3);
    assert_eq!(first.payload["paymentMethod"], "swish2");
    assert_eq!(first.first_seen_at, first.last_seen_at);
    assert_eq!(first.resolved_at, None);

    // The same record fails again: one row, attempts add up, latest reason wins.
    let mut tx = store.begin().await.expect("begin");
    let again = letters
        .record(
            &mut tx,
            shipment_letter("field paymentMethod: unknown value \"swish3\"", 2),
        )
        .await
        .expect("record");
    tx.commit().await.expect("commit");
    assert_eq!(again, id);
    let second = letters.show(id).await.expect("show").expect("letter");
    assert_eq!(second.attempts, 5);
    assert!(second.reason.contains("swish3"));
    assert_eq!(second.first_seen_at, first.first_seen_at);
    assert!(second.last_seen_at >= first.last_seen_at);

    let mut tx = store.begin().await.expect("begin");
    article.record_key = "A-2".to_owned();
    let article_id = letters.record(&mut tx, article).await.expect("record");
    tx.commit().await.expect("commit");
    let open = letters
        .list(&DeadLetterFilter::default())
        .await
        .expect("list");
    assert_eq!(open.len(), 2);
    let shipments = DeadLetterFilter {
        kind: Some("shipment".to_owned()),
        ..DeadLetterFilter::default()
    };
    let only_shipments = letters.list(&shipments).await.expect("list");
    assert_eq!(
        only_shipments.iter().map(|l| l.id).collect::<Vec<_>>(),
        [id]
    );

    // A person retries it.
    let mut tx = store.begin().await.expect("begin");
    letters
        .mark_retried(&mut tx, id)
        .await
        .expect("mark retried");
    tx.commit().await.expect("commit");
    let retried = letters.show(id).await.expect("show").expect("letter");
    assert_eq!(retried.status, DeadLetterStatus::Retried);
    assert!(retried.resolved_at.is_some());
    let open = letters
        .list(&DeadLetterFilter::default())
        .await
        .expect("list");
    assert_eq!(open.iter().map(|l| l.id).collect::<Vec<_>>(), [article_id]);
    let retried_filter = DeadLetterFilter {
        status: Some(DeadLetterStatus::Retried),
        ..DeadLetterFilter::default()
    };
    let listed = letters.list(&retried_filter).await.expect("list");
    assert_eq!(listed.iter().map(|l| l.id).collect::<Vec<_>>(), [id]);

    // Only an open one can be retried or discarded, and the error says why.
    let mut tx = store.begin().await.expect("begin");
    let refused = letters.mark_retried(&mut tx, id).await;
    assert!(
        matches!(
            refused,
            Err(StoreError::DeadLetterNotOpen { id: i, status: "retried", action: "retried" }) if i == id
        ),
        "{refused:?}"
    );
    let unknown = letters.discard(&mut tx, 999_999).await;
    assert!(
        matches!(unknown, Err(StoreError::DeadLetterNotFound { id: 999_999 })),
        "{unknown:?}"
    );
    drop(tx);

    // It fails again after the retry: open again.
    let mut tx = store.begin().await.expect("begin");
    letters
        .record(
            &mut tx,
            shipment_letter("field paymentMethod: unknown value \"swish4\"", 1),
        )
        .await
        .expect("record");
    tx.commit().await.expect("commit");
    let reopened = letters.show(id).await.expect("show").expect("letter");
    assert_eq!(reopened.status, DeadLetterStatus::Open);
    assert_eq!(reopened.attempts, 6);
    assert_eq!(reopened.resolved_at, None);

    // A person gives up on it.
    let mut tx = store.begin().await.expect("begin");
    letters.discard(&mut tx, id).await.expect("discard");
    tx.commit().await.expect("commit");
    let discarded = letters.show(id).await.expect("show").expect("letter");
    assert_eq!(discarded.status, DeadLetterStatus::Discarded);
    let every = DeadLetterFilter {
        status: None,
        ..DeadLetterFilter::default()
    };
    assert_eq!(letters.list(&every).await.expect("list").len(), 2);
    assert!(letters.show(999_999).await.expect("show").is_none());
}

/// Resolved dead letters are deleted some time after they were resolved; open ones never, and
/// two replicas pruning at once delete each row once and fail on nothing.
pub async fn dead_letters_prune_resolved_only(db: TestDb) {
    let store = db.open("parcels", &PARCELS_V1).await;
    let replica = db.open("parcels", &PARCELS_V1).await.dead_letters();
    let letters = store.dead_letters();
    let mut ids = std::collections::BTreeMap::new();
    for key in ["open-old", "retried-old", "discarded-old", "discarded-new"] {
        let mut tx = store.begin().await.expect("begin");
        let mut letter = shipment_letter("field sku: unknown article", 1);
        letter.record_key = key.to_owned();
        let id = letters.record(&mut tx, letter).await.expect("record");
        if key.starts_with("retried") {
            letters.mark_retried(&mut tx, id).await.expect("retry");
        } else if key.starts_with("discarded") {
            letters.discard(&mut tx, id).await.expect("discard");
        }
        tx.commit().await.expect("commit");
        ids.insert(key, id);
    }
    // Two hours ago: seen first, last, and resolved.
    let two_hours_ago = platform_store::unix_millis() - 2 * 60 * 60 * 1000;
    for key in ["open-old", "retried-old", "discarded-old"] {
        sqlx::query(
            "UPDATE dead_letters SET first_seen_at = $1, last_seen_at = $1, \
             resolved_at = CASE WHEN resolved_at IS NULL THEN NULL ELSE $1 END WHERE id = $2",
        )
        .bind(two_hours_ago)
        .bind(ids[key])
        .execute(store.pool())
        .await
        .expect("age the letter");
    }

    let hour = std::time::Duration::from_secs(60 * 60);
    let (mine, theirs) = tokio::join!(
        letters.prune_resolved_older_than(hour),
        replica.prune_resolved_older_than(hour),
    );
    assert_eq!(
        mine.expect("prune") + theirs.expect("prune on the replica"),
        2,
        "the two resolved two hours ago, once"
    );
    let mut left: Vec<String> = letters
        .list(&DeadLetterFilter {
            status: None,
            ..DeadLetterFilter::default()
        })
        .await
        .expect("list")
        .into_iter()
        .map(|l| l.record_key)
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["discarded-new", "open-old"],
        "an open letter stays however old; one resolved within the hour stays"
    );
    assert_eq!(
        letters
            .prune_resolved_older_than(hour)
            .await
            .expect("prune again"),
        0
    );
}
