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
    // Centra's news marks here too: a new allocation (no completion time to bind) and a
    // completion.
    t.good_to_go("g1", "1-1", "G01").await;
    t.completed("c1", "1-2", "G02").await;
    for key in ["G01", "G02"] {
        assert!(t.state(key).await.due_at.is_some(), "{key} marked");
    }
    t.drain().await;
    for key in ["G01", "G02"] {
        assert_eq!(t.state(key).await.due_at, None, "{key} checked");
    }
}

/// A check goes on while a renewal of its claim waits, and both end: here another session's
/// transaction holds the claimed row, as the check's own save does while it runs. Before, the
/// check was paused while a renewal ran, so a renewal that came during the save waited for
/// the save's lock and the save for the renewal: the writer and every mark of those rows hung
/// for good, unseen by PostgreSQL (found by `stock_returns_e2e` in CI). With the check paused,
/// the Centra write below never comes while the row is held.
#[tokio::test]
async fn a_check_goes_on_while_its_claim_renewal_waits() {
    use std::time::Duration;

    use sqlx::Connection as _;

    let Some(database) = test_support::postgres_database("stock-sync renewal waits").await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let t = spawn_flow_on(database.url.clone(), dir).await;
    t.article("R1", "1", (7, 7), (0, 0));
    t.synced("r1", "R1", "1").await;
    t.wms.with(|w| w.read_delay = Duration::from_millis(400));
    let flow = t.flow.clone().with_claim_renewal(Duration::from_millis(50));
    let check = tokio::spawn(async move { flow.check_due().await });
    let claimed = async {
        loop {
            let due = t.state("R1").await.due_at.unwrap_or(0);
            if due > platform_store::unix_millis() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), claimed)
        .await
        .expect("R1 claimed");
    let mut other = sqlx::PgConnection::connect(&database.url)
        .await
        .expect("connect");
    sqlx::raw_sql(
        "BEGIN; SELECT 1 FROM stock_sync.stock_articles WHERE article_number = 'R1' FOR UPDATE",
    )
    .execute(&mut other)
    .await
    .expect("row held");
    let written = async {
        while t.centra.with(|c| c.writes.is_empty()) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    let went_on = tokio::time::timeout(Duration::from_secs(5), written).await;
    sqlx::raw_sql("ROLLBACK")
        .execute(&mut other)
        .await
        .expect("row released");
    assert!(
        went_on.is_ok(),
        "the check wrote nothing in 5 s while a renewal of its claim waited"
    );
    let report = tokio::time::timeout(Duration::from_secs(10), check)
        .await
        .expect("the check ends once the row is free")
        .expect("check task")
        .expect("check");
    assert_eq!((report.checked, report.written), (1, 1));
    assert_eq!(t.centra_sells("R1"), 7);
    let after = t.state("R1").await;
    assert!(
        after
            .due_at
            .is_none_or(|due| due < platform_store::unix_millis() + 1_000),
        "the outcome is saved, not left under a lease: {after:?}"
    );
    drop(other);
    database.drop_database().await;
}
