//! `FlowStatus`: one flow per detector, filled by the detector's rounds (last run, last
//! error) and the store (backstop cursors, dead letters).

mod common;

use common::spawn_app;
use ongoing_gateway::flow_status::{self, DetectLog, FlowStatusService};
use proto::admin::v1 as pb;
use proto::admin::v1::flow_status_server::FlowStatus as _;
use tonic::{Code, Request};

async fn flows(service: &FlowStatusService) -> Vec<pb::FlowReport> {
    service
        .list(Request::new(pb::ListFlowsRequest::default()))
        .await
        .expect("list")
        .into_inner()
        .flows
}

#[tokio::test]
async fn reports_each_detector_with_its_cursor_after_a_round() {
    let app = spawn_app().await;
    let log = DetectLog::default();
    let service = flow_status::service(app.store.clone(), &app.settings, log.clone());
    let before = flows(&service).await;
    let names: Vec<&str> = before.iter().map(|f| f.flow.as_str()).collect();
    assert_eq!(names, ["shipped", "received", "returns", "stock"]);
    assert!(
        before
            .iter()
            .all(|f| f.last_run_at.is_none() && f.cursor.is_empty())
    );

    app.gateway
        .detector()
        .with_log(log.clone())
        .poll_once()
        .await
        .expect("poll");
    let after = flows(&service).await;
    let shipped = &after[0];
    assert!(shipped.enabled);
    assert!(shipped.last_success_at.is_some());
    assert!(shipped.cursor.ends_with('Z'), "{}", shipped.cursor);
    assert!(shipped.last_error.is_empty(), "{}", shipped.last_error);
    assert_eq!(shipped.parked, 0);
    assert!(after[2].cursor.is_empty(), "returns keep no cursor");

    let error = service
        .list(Request::new(pb::ListFlowsRequest {
            flow: "articles".into(),
        }))
        .await
        .expect_err("not a detector");
    assert_eq!(error.code(), Code::NotFound);
}
