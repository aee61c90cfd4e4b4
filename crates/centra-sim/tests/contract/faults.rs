//! Injected faults: 500, 429 + Retry-After, latency, lost responses (applied, then dropped),
//! determinism by seed, and control routes staying unfaulted.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use crate::harness::{SECRET, TestSim, spawn_sim};

async fn seeded() -> TestSim {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    t
}

#[tokio::test]
async fn errors_answer_500_and_apply_nothing() {
    let t = seeded().await;
    let s = t.seed_order(3001).await;
    t.control("/faults", &json!({"error_rate": 1.0})).await;
    let response = t
        .send(
            Method::PUT,
            "/capture",
            Some(&json!({"shipment": s.shipment_id})),
        )
        .await;
    assert_eq!(response.status(), 500);
    // Control routes are never faulted.
    assert_eq!(t.shipment_state(&s.shipment_id).await["captureCount"], 0);
    let log = t.control_get("/requests").await;
    assert_eq!(log[0]["status"], 500);
    assert_eq!(log[0]["fault"], "error");
    assert_eq!(log[0]["body"], json!({"shipment": s.shipment_id}));
}

#[tokio::test]
async fn throttling_answers_429_with_retry_after() {
    let t = seeded().await;
    t.control(
        "/faults",
        &json!({"throttle_rate": 1.0, "retry_after_s": 7}),
    )
    .await;
    let response = t.send(Method::GET, "/orders", None).await;
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    t.control("/faults", &json!({})).await;
    assert_eq!(t.send(Method::GET, "/orders", None).await.status(), 200);
}

#[tokio::test]
async fn latency_delays_api_calls_only() {
    let t = seeded().await;
    t.control("/faults", &json!({"latency_ms": 300})).await;
    let started = Instant::now();
    t.get("/orders").await;
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    let started = Instant::now();
    t.state().await;
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "control route was delayed"
    );
}

#[tokio::test]
async fn a_lost_response_still_applies_the_request() {
    let t = seeded().await;
    let s = t.seed_order(3002).await;
    t.control("/faults", &json!({"lost_response_rate": 1.0}))
        .await;
    let result = t
        .http
        .put(t.api_url("/shipment"))
        .header("API-Authorization", SECRET)
        .json(&json!({"order": s.order_id, "shipment": s.shipment_id}))
        .send()
        .await;
    let err = result.expect_err("the connection closes without an answer");
    assert!(!err.is_timeout(), "dropped, not timed out: {err}");
    let state = t.shipment_state(&s.shipment_id).await;
    assert_eq!(state["completeCount"], 1);
    assert_eq!(state["captureCount"], 1);
    let log = t.control_get("/requests").await;
    assert_eq!(log[0]["fault"], "lost_response");
    assert_eq!(log[0]["status"], 200);

    // The client retries (faults off): Centra refuses the second completion, nothing repeats.
    t.control("/faults", &json!({})).await;
    let retry = t
        .put(
            "/shipment",
            &json!({"order": s.order_id, "shipment": s.shipment_id}),
        )
        .await;
    assert_eq!(retry["status"], "no");
    assert_eq!(t.shipment_state(&s.shipment_id).await["completeCount"], 1);
}

#[tokio::test]
async fn the_same_seed_gives_the_same_faults() {
    let t = seeded().await;
    let mut runs = Vec::new();
    for _ in 0..2 {
        t.control("/faults", &json!({"error_rate": 0.5, "seed": 11}))
            .await;
        let mut statuses = Vec::new();
        for _ in 0..24 {
            statuses.push(t.send(Method::GET, "/orders", None).await.status().as_u16());
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(
        runs[0].contains(&500) && runs[0].contains(&200),
        "{:?}",
        runs[0]
    );
}

#[tokio::test]
async fn fault_settings_are_validated_read_back_and_reset() {
    let t = seeded().await;
    let bad = t
        .http
        .post(t.control_url("/faults"))
        .json(&json!({"error_rate": 2.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let unknown = t
        .http
        .post(t.control_url("/faults"))
        .json(&json!({"eror_rate": 0.5}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    t.control("/faults", &json!({"throttle_rate": 1.0})).await;
    assert_eq!(t.control_get("/faults").await["throttle_rate"], 1.0);
    t.control("/reset", &json!({})).await;
    assert_eq!(t.control_get("/faults").await["throttle_rate"], 0.0);
    assert_eq!(t.send(Method::GET, "/orders", None).await.status(), 200);
}

#[tokio::test]
async fn method_and_path_contains_narrow_the_faults_to_matching_calls() {
    let t = seeded().await;
    t.control(
        "/faults",
        &json!({"throttle_rate": 1.0, "method": "GET", "path_contains": "/orders"}),
    )
    .await;
    assert_eq!(t.send(Method::GET, "/orders", None).await.status(), 429);
    assert_eq!(
        t.send(Method::GET, "/shipments", None).await.status(),
        200,
        "another path"
    );
    assert_eq!(t.control_get("/faults").await["path_contains"], "/orders");
    t.control("/faults", &json!({})).await;
    assert_eq!(t.send(Method::GET, "/orders", None).await.status(), 200);
}
