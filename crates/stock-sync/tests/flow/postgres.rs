//! The same flow on PostgreSQL (the distributed shape's store): upserts, claims and keyset
//! pages on the second database.

use stock_sync::articles::ArticleFilter;
use stock_sync::rules::StockState;

use crate::harness::{flow_over, spawn_flow_on};

#[tokio::test]
async fn the_flow_runs_on_postgres() {
    let Some(database) = test_support::postgres_database("stock-sync flow on postgres").await
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let t = spawn_flow_on(database.url.clone(), dir).await;
    for i in 0..30 {
        let key = format!("G{i:02}");
        t.article(&key, "1", (i, i), (0, 0));
        t.synced(&format!("s{i}"), &key, "1").await;
    }
    t.article("F1", "2", (8, 8), (10, 2));
    t.synced("f1", "F1", "2").await;
    let other = flow_over(&t.store, &t.centra, &t.wms);
    let (a, b) = tokio::join!(t.flow.check_due(), other.check_due());
    let claimed = a.expect("a").checked + b.expect("b").checked;
    assert_eq!(
        claimed, 31,
        "two replicas claim disjoint rows, every due row once"
    );
    // F1 is settling: its recheck (50 ms in these tests) may come due on a slow machine.
    let rechecked = t.drain().await.checked;
    assert!(rechecked <= 1, "only F1's recheck may follow: {rechecked}");
    assert_eq!(t.centra.with(|c| c.written_products()), 30);
    assert_eq!(t.state("F1").await.state(), StockState::Settling);
    let page = t
        .flow
        .articles()
        .list(&ArticleFilter {
            state: Some(StockState::InSync),
            after: Some("G10"),
            limit: 5,
            ..Default::default()
        })
        .await
        .expect("list");
    let numbers: Vec<&str> = page.iter().map(|a| a.article_number.as_str()).collect();
    assert_eq!(numbers, ["G11", "G12", "G13", "G14", "G15"]);
    let again = t.flow.reconcile(&[], false).await.expect("reconcile");
    assert_eq!(again.written, 0);
}
