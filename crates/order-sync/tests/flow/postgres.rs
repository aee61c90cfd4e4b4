//! The same flow on PostgreSQL (the distributed shape's store): the repository's portable SQL
//! (upserts, nullable filters, keyset pages, the article wait list, the article index) on the
//! second database.

use std::collections::HashSet;

use order_sync::rules::{HoldReason, ShipmentState};
use platform_store::MessageId;
use proto::events::v1 as events;

use crate::harness::{good_to_go, settings, shipped, spawn_flow_on};

#[tokio::test]
async fn the_flow_runs_on_postgres() {
    let Some(database) = test_support::postgres_database("order-sync flow on postgres").await
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let t = spawn_flow_on(settings(), database.url.clone(), dir).await;

    t.good_to_go("g1", &good_to_go("1-1"))
        .await
        .expect("import");
    t.good_to_go("g1", &good_to_go("1-1"))
        .await
        .expect("redelivery");
    t.good_to_go("g2", &good_to_go("2-1"))
        .await
        .expect("import");
    t.wms.with(|w| {
        assert_eq!(w.upserts, 2);
        w.known_articles = Some(HashSet::new());
    });
    t.good_to_go("g3", &good_to_go("3-1"))
        .await
        .expect("parked");
    assert_eq!(
        t.record("3-1").await.hold_reason().map(HoldReason::kind),
        Some("article_missing")
    );

    t.shipped("s1", &shipped("S1-1", &[("11", 2, 2), ("12", 1, 1)]))
        .await
        .expect("complete");
    t.shipped("s1", &shipped("S1-1", &[("11", 2, 2), ("12", 1, 1)]))
        .await
        .expect("redelivery");
    assert_eq!(t.record("1-1").await.state(), ShipmentState::Completed);
    assert_eq!(t.completions(), 1);
    // The journey: each save's steps in one numbered insert, in order, none twice.
    let journey: Vec<(String, String)> = order_sync::journey::of(&t.store, "shop1", "1-1")
        .await
        .expect("journey")
        .into_iter()
        .map(|s| (s.step, s.detail))
        .collect();
    assert_eq!(
        journey.first().map(|s| s.0.as_str()),
        Some("received"),
        "{journey:?}"
    );
    assert!(
        journey.iter().any(|s| s.0 == "shipped report"),
        "{journey:?}"
    );
    let mut unique = journey.clone();
    unique.dedup();
    assert_eq!(unique, journey, "a redelivery adds no step");

    let records = t.flow.records();
    // The article index: every shipment holds ABC, saved again without duplicates.
    let holding: Vec<String> = records
        .holding("ABC", 10)
        .await
        .expect("holding")
        .iter()
        .map(|r| r.shipment.id.to_string())
        .collect();
    assert_eq!(holding.len(), 3, "{holding:?}");
    assert!(records.holding("NONE", 10).await.expect("none").is_empty());
    let imported = records
        .list(Some(&[ShipmentState::Imported]), None, None, 10)
        .await
        .expect("list");
    assert_eq!(imported.len(), 1);
    assert_eq!(imported[0].shipment.id.to_string(), "2-1");
    let page = records
        .list(None, Some("shop1"), None, 2)
        .await
        .expect("page");
    assert_eq!(page.len(), 2);
    let rest = records
        .list(None, Some("shop1"), Some(("shop1", "2-1")), 2)
        .await
        .expect("rest");
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].shipment.id.to_string(), "3-1");
    assert_eq!(
        records
            .find_by_wms_number("S2-1")
            .await
            .expect("find")
            .map(|r| r.state()),
        Some(ShipmentState::Imported)
    );

    t.wms.with(|w| w.known_articles = None);
    t.flow
        .on_article_synced(
            &MessageId::new("a1"),
            &events::ArticleSynced {
                article_number: "ABC".into(),
                ..events::ArticleSynced::default()
            },
        )
        .await
        .expect("retried");
    assert_eq!(t.record("3-1").await.state(), ShipmentState::Imported);

    t.store.close().await;
    database.drop_database().await;
}

/// Order import under `both` and a cancellation on PostgreSQL: the `orders` table and the
/// shipments-of-an-order lookup.
#[tokio::test]
async fn order_import_and_cancellation_run_on_postgres() {
    let Some(database) = test_support::postgres_database("order-sync orders on postgres").await
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = settings();
    s.import = domain::settings::ImportMode::Both;
    let t = spawn_flow_on(s, database.url.clone(), dir).await;
    let gtg = good_to_go("7-1");
    let order = events::OrderReady {
        endpoint: "shop1".into(),
        order_id: "7".into(),
        delivery_address: gtg.delivery_address.clone(),
        lines: gtg.lines.clone(),
        ..events::OrderReady::default()
    };
    t.flow
        .on_order_ready(&MessageId::new("o1"), &order)
        .await
        .expect("order imported");
    t.good_to_go("g1", &gtg).await.expect("parked");
    assert_eq!(
        t.record("7-1").await.hold_reason().map(HoldReason::kind),
        Some("order_already_imported")
    );
    t.good_to_go("g2", &good_to_go("8-1"))
        .await
        .expect("import");
    t.flow
        .on_order_ready(
            &MessageId::new("o2"),
            &events::OrderReady {
                order_id: "8".into(),
                ..order.clone()
            },
        )
        .await
        .expect("left to its shipment");
    t.flow
        .on_shipment_cancelled(
            &MessageId::new("c1"),
            &events::ShipmentCancelled {
                endpoint: "shop1".into(),
                shipment_id: "8-1".into(),
                order_id: "8".into(),
                reason: "order cancelled".into(),
                ..events::ShipmentCancelled::default()
            },
        )
        .await
        .expect("cancelled");
    assert_eq!(t.record("8-1").await.state(), ShipmentState::Cancelled);
    t.wms.with(|w| {
        assert_eq!(w.upserts, 2, "order 7 once, shipment 8-1 once");
        assert!(w.cancelled.contains("S8-1"));
    });
}
