//! `ReturnsAdmin` and `FlowStatus` over the flow: parked listing with reasons, retry, resync.

use proto::admin::v1 as pb;
use proto::admin::v1::flow_status_server::FlowStatus as _;
use proto::admin::v1::returns_admin_server::ReturnsAdmin as _;
use returns_sync::admin::Admin;
use returns_sync::flow_status::FlowStatusService;
use std::sync::Arc;
use tonic::Request;

use crate::harness::{line, returned, settings, spawn_flow};
use returns_sync::fakes::Fault;

#[tokio::test]
async fn a_person_sees_parked_returns_and_retries_them() {
    let t = spawn_flow(settings()).await;
    let admin = Admin::new(t.flow.clone());
    // One parked (unknown shipment line), one stuck with Centra down, one done.
    t.received(
        "m1",
        &returned("100:a", "S1-1", vec![line(1, "L9", 1, 0, vec![])]),
    )
    .await
    .expect("parked");
    let mut stuck = returned("101:a", "S1-1", vec![line(2, "L2", 1, 0, vec![])]);
    stuck.order_id = 101;
    t.centra.with(|c| c.next_fault = Fault::Down);
    t.received("m2", &stuck).await.expect_err("centra down");
    let mut done = returned("102:a", "S1-1", vec![line(3, "L1", 1, 0, vec![])]);
    done.order_id = 102;
    t.received("m3", &done).await.expect("done");

    let parked = admin
        .list_returns(Request::new(pb::ListReturnsRequest {
            state: pb::ReturnState::Parked.into(),
            ..Default::default()
        }))
        .await
        .expect("list")
        .into_inner();
    assert_eq!(parked.returns.len(), 1);
    let summary = &parked.returns[0];
    assert_eq!(summary.return_id, "100:a");
    assert_eq!(summary.reason_kind, "line_not_on_shipment");
    assert_eq!(
        summary.reason,
        "shipment 1-1: line L9 (ART-1) is not on the centra shipment"
    );
    assert_eq!(summary.lines[0].shipment_line_id, "L9");

    let status = FlowStatusService::new(t.store.clone(), Arc::new(settings()));
    let flows = status
        .list(Request::new(pb::ListFlowsRequest::default()))
        .await
        .expect("status")
        .into_inner()
        .flows;
    assert_eq!(flows.len(), 1);
    let flow = &flows[0];
    assert_eq!(flow.flow, "returns");
    assert!(flow.enabled);
    assert_eq!((flow.backlog, flow.parked), (1, 1));
    assert_eq!(flow.last_error, summary.reason);
    assert!(flow.last_success_at.is_some());

    // The shipment gets the line (a person fixed it in Centra): retry.
    t.centra.with(|c| {
        c.shipments
            .get_mut("shop1/1-1")
            .expect("shipment")
            .insert("L9".into(), 1);
    });
    let retried = admin
        .retry_return(Request::new(pb::RetryReturnRequest {
            return_id: "100:a".into(),
        }))
        .await
        .expect("retry")
        .into_inner()
        .summary
        .expect("summary");
    assert_eq!(retried.state, i32::from(pb::ReturnState::Reported));
    assert_eq!(retried.centra_return_id, "R2");

    // Resync sends what is left (the stuck one) and is safe twice.
    let first = admin
        .resync(Request::new(pb::ResyncReturnsRequest::default()))
        .await
        .expect("resync")
        .into_inner();
    assert_eq!((first.returns_found, first.queued), (1, 1));
    let second = admin
        .resync(Request::new(pb::ResyncReturnsRequest::default()))
        .await
        .expect("resync twice")
        .into_inner();
    assert_eq!(second.returns_found, 0);
    assert_eq!(t.centra_returns().len(), 3);

    let unknown = admin
        .retry_return(Request::new(pb::RetryReturnRequest {
            return_id: "nope".into(),
        }))
        .await
        .expect_err("unknown");
    assert_eq!(unknown.code(), tonic::Code::NotFound);
    assert_eq!(unknown.message(), "no return nope", "the flow error's text");
}
