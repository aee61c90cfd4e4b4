//! The same flow on PostgreSQL (the distributed shape's store): upserts, nullable filters and
//! keyset pages on the second database.

use returns_sync::records::ReturnFilter;
use returns_sync::rules::ReturnState;

use crate::harness::{item, line, returned, settings, spawn_flow_on};
use returns_sync::fakes::Fault;

#[tokio::test]
async fn the_flow_runs_on_postgres() {
    let Some(database) = test_support::postgres_database("returns-sync flow on postgres").await
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let t = spawn_flow_on(settings(), database.url.clone(), dir).await;

    let event = returned(
        "100:a",
        "S1-1",
        vec![line(11, "L1", 2, 0, vec![item(2, "WS", "Too small", 10)])],
    );
    t.centra.with(|c| c.next_fault = Fault::LoseAnswer);
    t.received("m1", &event).await.expect_err("answer lost");
    t.received("m1", &event).await.expect("retried");
    t.received("m1", &event).await.expect("redelivery");
    assert_eq!(t.centra_returns().len(), 1);
    assert_eq!(t.reported(100, 11), 2);

    let mut parked = returned("101:a", "X-1", vec![line(1, "L1", 1, 0, vec![])]);
    parked.order_id = 101;
    t.received("m2", &parked).await.expect("parked");

    let records = t.flow.records();
    let page = records
        .list(&ReturnFilter {
            states: &[ReturnState::Parked],
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("list");
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].return_id, "101:a");
    let page = records
        .list(&ReturnFilter {
            order_number: Some("S1-1"),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("list");
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].state(), ReturnState::Reported);
    let after = records
        .list(&ReturnFilter {
            after: Some("100:a"),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("page");
    assert_eq!(after.len(), 1);
    assert_eq!(
        records.covered("main", 100).await.expect("covered"),
        [(11, 2)].into()
    );
}
