//! The `FlowStatus` service: the `articles` counts, the newest dead letter, the WMS writes.

use catalog_sync::flow_status::FlowStatusService;
use catalog_sync::rules::CatalogRules;
use proto::admin::v1 as pb;
use proto::admin::v1::flow_status_server::FlowStatus as _;
use tonic::{Code, Request};

use crate::harness::{Backend, product, size, spawn_flow, spawn_flow_on};

async fn articles(service: &FlowStatusService) -> pb::FlowReport {
    let mut flows = service
        .list(Request::new(pb::ListFlowsRequest::default()))
        .await
        .expect("list")
        .into_inner()
        .flows;
    assert_eq!(flows.len(), 1, "{flows:?}");
    flows.remove(0)
}

on_both_stores!(reports_written_failed_and_parked_articles, status_scenario);

async fn status_scenario(backend: Backend) {
    let Some(t) = spawn_flow_on(backend, "flow status", CatalogRules::default(), false).await
    else {
        return;
    };
    let service = FlowStatusService::new(t.flow.clone());
    let empty = articles(&service).await;
    assert_eq!(empty.flow, "articles");
    assert!(empty.enabled);
    assert!(empty.last_run_at.is_none() && empty.last_success_at.is_none());
    assert_eq!((empty.backlog, empty.parked, empty.failed), (0, 0, 0));

    let mut bad = size("101", "M");
    bad.weight = "heavy".into();
    let mut typo = size("102", "L");
    typo.ean = "4006381333932".into();
    t.publish(&product("1", vec![size("100", "S"), bad, typo]));
    t.flow.reconcile(false).await.expect("reconcile");

    let report = articles(&service).await;
    assert_eq!((report.backlog, report.parked, report.failed), (0, 1, 1));
    assert!(report.last_success_at.is_some(), "size 100 was written");
    assert!(report.last_run_at.is_some());
    assert!(
        report.last_error.starts_with("shop1:101: weight"),
        "{}",
        report.last_error
    );
    assert!(report.last_error_at.is_some());
    assert!(report.cursor.is_empty());
    // Issue #11 point 1: the bad bar code is a warning, not a failure: written, and shown.
    assert_eq!(report.warnings, 1);
    assert!(
        report
            .last_warning
            .starts_with("M411-740L (shop1:102): ean 4006381333932 is not a valid gtin"),
        "{}",
        report.last_warning
    );
}

#[tokio::test]
async fn manual_selection_leaves_no_backlog_until_selected_and_other_flows_are_not_found() {
    let t = spawn_flow(CatalogRules::default(), true).await;
    t.publish(&product("1", vec![size("100", "S")]));
    t.flow.refresh().await.expect("refresh");
    let service = FlowStatusService::new(t.flow.clone());
    let report = articles(&service).await;
    assert_eq!((report.backlog, report.failed), (0, 0));
    assert!(report.last_run_at.is_some());
    assert!(report.last_success_at.is_none());

    let error = service
        .list(Request::new(pb::ListFlowsRequest {
            flow: "shipments".into(),
        }))
        .await
        .expect_err("not catalog-sync's");
    assert_eq!(error.code(), Code::NotFound);
}
