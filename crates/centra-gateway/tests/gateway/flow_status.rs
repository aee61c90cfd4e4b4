//! `FlowStatus`: one flow per poll, filled by the poll rounds (last run, last error) and the
//! store (cursor, parked records).

use centra_gateway::detect::{Flows, poll_round};
use centra_gateway::flow_status::{FlowStatusService, PollLog};
use domain::EndpointName;
use proto::admin::v1 as pb;
use proto::admin::v1::flow_status_server::FlowStatus as _;
use serde_json::json;
use tonic::{Code, Request};

use crate::harness::{ENDPOINT, spawn_app};

const ALL: Flows = Flows {
    shipments: true,
    orders: false,
    products: true,
    deliveries: true,
};

async fn flows(service: &FlowStatusService, flow: &str) -> Vec<pb::FlowReport> {
    service
        .list(Request::new(pb::ListFlowsRequest { flow: flow.into() }))
        .await
        .expect("list")
        .into_inner()
        .flows
}

#[tokio::test]
async fn reports_each_poll_with_its_cursor_and_last_error() {
    let app = spawn_app().await;
    app.seed_products().await;
    let endpoint = EndpointName::parse(ENDPOINT).expect("name");
    let log = PollLog::default();
    let service = FlowStatusService::new(app.store.clone(), vec![(endpoint, ALL)], log.clone());

    let before = flows(&service, "").await;
    let names: Vec<&str> = before.iter().map(|f| f.flow.as_str()).collect();
    assert_eq!(
        names,
        [
            "shop1/shipments",
            "shop1/orders",
            "shop1/products",
            "shop1/deliveries"
        ]
    );
    assert!(before.iter().all(|f| f.last_run_at.is_none()));
    assert!(!before[1].enabled, "orders are not imported here");

    poll_round(&app.store, &app.client.clone().into(), ALL, &log).await;
    let products = flows(&service, "products").await;
    assert_eq!(products.len(), 1);
    assert!(products[0].last_success_at.is_some());
    assert!(products[0].cursor.ends_with('Z'), "{}", products[0].cursor);
    assert!(products[0].last_error.is_empty());

    app.faults(json!({"error_rate": 1.0})).await;
    poll_round(&app.store, &app.client.clone().into(), ALL, &log).await;
    let shipments = &flows(&service, "shop1/shipments").await[0];
    assert!(!shipments.last_error.is_empty());
    assert!(shipments.last_error_at.is_some());
    assert_eq!(shipments.parked, 0);

    let error = service
        .list(Request::new(pb::ListFlowsRequest {
            flow: "articles".into(),
        }))
        .await
        .expect_err("not a poll");
    assert_eq!(error.code(), Code::NotFound);
}
