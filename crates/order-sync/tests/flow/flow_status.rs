//! The `FlowStatus` service over the flow's tables: counts per flow, newest reason, settings.

use std::sync::Arc;

use order_sync::flow_status::FlowStatusService;
use proto::admin::v1 as pb;
use proto::admin::v1::flow_status_server::FlowStatus;
use tonic::{Code, Request};

use crate::harness::{TestFlow, good_to_go, settings, shipped, spawn_flow, spawn_flow_on};

fn report<'a>(flows: &'a [pb::FlowReport], name: &str) -> &'a pb::FlowReport {
    flows
        .iter()
        .find(|f| f.flow == name)
        .unwrap_or_else(|| panic!("no flow {name} in {flows:?}"))
}

#[tokio::test]
async fn reports_each_flow_from_the_shipment_records() {
    reports_each_flow(spawn_flow(settings()).await).await;
}

/// The same counts on PostgreSQL: the grouping SQL is portable.
#[tokio::test]
async fn reports_each_flow_on_postgres() {
    let Some(database) = test_support::postgres_database("order-sync flow status").await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    reports_each_flow(spawn_flow_on(settings(), database.url.clone(), dir).await).await;
}

async fn reports_each_flow(t: TestFlow) {
    t.good_to_go("g1", &good_to_go("1-1"))
        .await
        .expect("import");
    t.good_to_go("g2", &good_to_go("2-1"))
        .await
        .expect("import");
    let mut empty = good_to_go("3-1");
    empty.lines.clear();
    t.good_to_go("g3", &empty).await.expect("parked");
    t.shipped("s1", &shipped("S1-1", &[("11", 2, 2), ("12", 1, 1)]))
        .await
        .expect("complete");
    let service = FlowStatusService::new(t.store.clone(), Arc::new(settings()));

    let flows = service
        .list(Request::new(pb::ListFlowsRequest::default()))
        .await
        .expect("list")
        .into_inner()
        .flows;
    let names: Vec<&str> = flows.iter().map(|f| f.flow.as_str()).collect();
    assert_eq!(
        names,
        [
            "shipments",
            "completion",
            "cancellation",
            "orders",
            "purchase-orders"
        ]
    );
    let shipments = report(&flows, "shipments");
    assert!(shipments.enabled);
    assert_eq!(
        (shipments.backlog, shipments.parked, shipments.failed),
        (0, 1, 0)
    );
    assert_eq!(shipments.last_error, "shipment has no lines");
    assert!(shipments.last_error_at.is_some());
    assert!(shipments.last_success_at.is_some(), "2-1 was imported");
    let seconds = |t: Option<&prost_types::Timestamp>| t.map_or(0, |t| t.seconds);
    assert!(seconds(shipments.last_run_at.as_ref()) >= seconds(shipments.last_success_at.as_ref()));

    let completion = report(&flows, "completion");
    assert_eq!((completion.backlog, completion.parked), (0, 0));
    assert!(completion.last_success_at.is_some(), "1-1 was completed");
    assert!(completion.last_error.is_empty());

    let orders = report(&flows, "orders");
    assert!(!orders.enabled, "import = shipments by default");
    assert!(orders.last_run_at.is_none());
    assert!(!report(&flows, "purchase-orders").enabled);
}

#[tokio::test]
async fn one_flow_by_name_and_an_unknown_name_is_not_found() {
    let t = spawn_flow(settings()).await;
    let service = FlowStatusService::new(t.store.clone(), Arc::new(settings()));
    let flows = service
        .list(Request::new(pb::ListFlowsRequest {
            flow: "completion".into(),
        }))
        .await
        .expect("list")
        .into_inner()
        .flows;
    assert_eq!(flows.len(), 1);
    assert_eq!(flows[0].flow, "completion");
    assert_eq!(flows[0].backlog, 0);

    let error = service
        .list(Request::new(pb::ListFlowsRequest {
            flow: "stock".into(),
        }))
        .await
        .expect_err("unknown flow");
    assert_eq!(error.code(), Code::NotFound);
    assert!(error.message().contains("stock"), "{}", error.message());
}
