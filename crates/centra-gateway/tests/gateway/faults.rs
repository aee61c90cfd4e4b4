//! Injected faults: 500s and 429s are retried (honouring `Retry-After`), slow answers time out,
//! and a lost answer never doubles an effect.

use std::time::{Duration, Instant};

use centra_gateway::client::{CentraErrorKind, ShipmentStatusFilter};
use centra_gateway::commands::CommandError;
use serde_json::json;

use crate::commands::{complete_request, completed_shipment, return_request};
use crate::harness::{fast_options, spawn_app, spawn_app_with};

#[tokio::test]
async fn server_errors_are_retried_then_reported_as_retryable() {
    let app = spawn_app().await;
    app.faults(json!({"error_rate": 1.0})).await;
    let error = app
        .client
        .shipments(ShipmentStatusFilter::GoodToGo, None)
        .await
        .expect_err("always 500");
    assert!(error.is_retryable());
    assert_eq!(error.kind, CentraErrorKind::Server(500));
    assert_eq!(app.requests().await.len(), 4, "first attempt and 3 retries");
}

#[tokio::test]
async fn some_server_errors_are_ridden_out() {
    let app = spawn_app().await;
    app.seed_products().await;
    app.place_order(true, false, true).await;
    app.faults(json!({"error_rate": 0.5, "seed": 7})).await;
    let mut successes = 0;
    for _ in 0..5 {
        if app
            .client
            .shipments(ShipmentStatusFilter::GoodToGo, None)
            .await
            .is_ok_and(|rows| rows.len() == 1)
        {
            successes += 1;
        }
    }
    assert!(
        successes >= 4,
        "retries hide most 500s, {successes}/5 succeeded"
    );
    let failed = app
        .requests()
        .await
        .iter()
        .filter(|r| r["status"] == json!(500))
        .count();
    assert!(failed > 0, "the seed injected errors");
}

#[tokio::test]
async fn throttling_waits_for_retry_after() {
    let mut options = fast_options();
    options.retry.max_retries = 1;
    let app = spawn_app_with(chrono_tz::Europe::Stockholm, options).await;
    app.faults(json!({"throttle_rate": 1.0, "retry_after_s": 1}))
        .await;
    let started = Instant::now();
    let error = app
        .client
        .shipments(ShipmentStatusFilter::GoodToGo, None)
        .await
        .expect_err("always 429");
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(
        error.kind,
        CentraErrorKind::Throttled(Some(Duration::from_secs(1)))
    );
    assert!(error.is_retryable());
    assert_eq!(app.requests().await.len(), 2);
}

#[tokio::test]
async fn a_slow_answer_times_out_and_a_quick_one_does_not() {
    let mut options = fast_options();
    options.request_timeout = Duration::from_millis(300);
    options.retry.max_retries = 0;
    let app = spawn_app_with(chrono_tz::Europe::Stockholm, options).await;
    app.faults(json!({"latency_ms": 1500})).await;
    let error = app
        .client
        .shipments(ShipmentStatusFilter::GoodToGo, None)
        .await
        .expect_err("too slow");
    assert!(
        matches!(error.kind, CentraErrorKind::Timeout(_)),
        "{error:?}"
    );
    assert!(error.is_retryable());
    app.faults(json!({"latency_ms": 50})).await;
    app.client
        .shipments(ShipmentStatusFilter::GoodToGo, None)
        .await
        .expect("quick enough");
}

#[tokio::test]
async fn a_lost_completion_answer_is_settled_by_reading_centra() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (_, shipment_id) = app.place_order(true, false, true).await;
    app.faults(json!({"lost_response_rate": 1.0})).await;
    let error = app
        .commands
        .complete_shipment(complete_request(&shipment_id, Some(false)))
        .await
        .expect_err("every answer lost");
    assert!(matches!(error, CommandError::Unavailable(_)), "{error}");
    assert_eq!(tonic::Status::from(error).code(), tonic::Code::Unavailable);
    // The completion itself reached Centra.
    assert_eq!(
        app.sim_shipment(&shipment_id).await["completeCount"],
        json!(1)
    );

    app.clear_faults().await;
    let retried = app
        .commands
        .complete_shipment(complete_request(&shipment_id, Some(false)))
        .await
        .expect("settled");
    assert!(retried.already_done);
    assert_eq!(
        app.sim_shipment(&shipment_id).await["completeCount"],
        json!(1)
    );
}

#[tokio::test]
async fn a_lost_return_answer_does_not_create_a_second_return() {
    let app = spawn_app().await;
    let (shipment_id, lines) = completed_shipment(&app).await;
    // Lose about half the answers; the command retries until it sees its own return.
    app.faults(json!({"lost_response_rate": 0.5, "seed": 3}))
        .await;
    let mut outcome = None;
    for _ in 0..10 {
        if let Ok(done) = app
            .commands
            .create_return(return_request(&shipment_id, &lines[0]))
            .await
        {
            outcome = Some(done);
            break;
        }
    }
    let outcome = outcome.expect("one attempt got through");
    app.clear_faults().await;
    let again = app
        .commands
        .create_return(return_request(&shipment_id, &lines[0]))
        .await
        .expect("answered");
    assert!(again.already_done);
    assert_eq!(again.return_id, outcome.return_id);
    assert_eq!(
        app.state().await["returns"].as_array().map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn a_lost_acceptance_answer_is_settled_by_reading_centra() {
    use proto::centra::v1::{AcceptSupplierDeliveryRequest, AcceptedQuantity, ProductKeyKind};
    let app = spawn_app().await;
    app.seed_products().await;
    let announced = app
        .control(
            "/supplier-deliveries",
            &json!({"orderId": 4402, "supplierName": "Nordic Textiles", "lines": [
                {"ean": "7350000000011", "sku": "HJ100", "variantSku": "NVY", "sizeSku": "S", "quantity": 5}
            ]}),
        )
        .await;
    let id = match &announced["id"] {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let request = AcceptSupplierDeliveryRequest {
        idempotency_key: "accept".into(),
        endpoint: crate::harness::ENDPOINT.into(),
        delivery_id: id.clone(),
        key_kind: ProductKeyKind::Ean as i32,
        quantities: vec![AcceptedQuantity {
            product: "7350000000011".into(),
            quantity: 5,
        }],
        insert_stock: None,
    };
    app.faults(json!({"lost_response_rate": 1.0})).await;
    let error = app
        .commands
        .accept_supplier_delivery(request.clone())
        .await
        .expect_err("every answer lost");
    assert!(matches!(error, CommandError::Unavailable(_)), "{error}");
    app.clear_faults().await;
    let retried = app
        .commands
        .accept_supplier_delivery(request)
        .await
        .expect("settled");
    assert!(retried.already_done);
    let state = app.state().await;
    let accept_count = state["supplierDeliveries"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|d| d["id"].to_string().trim_matches('"') == id)
        })
        .map(|d| d["acceptCount"].clone());
    assert_eq!(
        accept_count,
        Some(json!(1)),
        "accepted exactly once: {state}"
    );
}
