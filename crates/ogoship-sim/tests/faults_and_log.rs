//! The shared control contract (simulators.md): faults, the request log, reset, health.

mod common;

use std::time::Duration;

use common::spawn_sim;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn error_rate_one_answers_500_api_errors_and_applies_nothing() {
    let t = spawn_sim().await;
    let set = t
        .control_post("faults", &json!({ "error_rate": 1.0 }))
        .await;
    assert_eq!(set.status, StatusCode::OK);
    let failed = t
        .post("products", &json!({ "code": "A", "languageCode": "en" }))
        .await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(failed.body["statusCode"], 500);
    assert!(failed.body["message"].is_string());
    assert!(t.state().await["products"].as_array().unwrap().is_empty());
    t.control_post("faults", &json!({})).await;
    assert_eq!(
        t.post("products", &json!({ "code": "A", "languageCode": "en" }))
            .await
            .status,
        StatusCode::OK
    );
    let bad = t
        .control_post("faults", &json!({ "error_rate": 2.0 }))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn throttling_answers_429_with_retry_after() {
    let t = spawn_sim().await;
    t.control_post(
        "faults",
        &json!({ "throttle_rate": 1.0, "retry_after_s": 7 }),
    )
    .await;
    let throttled = t.get("orders").await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.headers.get("retry-after").unwrap(), "7");
    assert_eq!(throttled.body["statusCode"], 429);
    let log = t.requests(0).await;
    assert_eq!(log.last().unwrap()["fault"], "throttle");
}

#[tokio::test]
async fn a_lost_response_drops_the_connection_but_the_call_is_applied() {
    let t = spawn_sim().await;
    t.control_post("faults", &json!({ "lost_response_rate": 1.0 }))
        .await;
    let sent = t
        .client
        .post(t.api("products"))
        .bearer_auth(&t.token)
        .json(&json!({ "code": "LOST", "languageCode": "en" }))
        .timeout(Duration::from_secs(10))
        .send()
        .await;
    let err = sent.expect_err("no answer");
    assert!(
        !err.is_timeout(),
        "the connection is dropped, not left hanging: {err}"
    );
    let state = t.state().await;
    assert_eq!(state["products"][0]["code"], "LOST", "the effect applied");
    let log = t.requests(0).await;
    let entry = log
        .iter()
        .find(|e| e["path"] == "/api/v1/products" && e["method"] == "POST")
        .unwrap();
    assert_eq!(entry["lost"], true);
}

#[tokio::test]
async fn the_request_log_records_calls_as_sent_and_masks_token_secrets() {
    let t = spawn_sim().await;
    let before = t.requests(0).await;
    assert_eq!(before.len(), 1, "the harness's token request");
    assert_eq!(before[0]["path"], "/OAuth/Token");
    assert_eq!(before[0]["body"]["client_secret"], "***");
    assert_eq!(before[0]["body"]["password"], "***");
    assert_eq!(before[0]["body"]["username"], "sandbox-merchant");
    let since = before[0]["seq"].as_u64().unwrap();

    let url = format!("{}/Api/v1/Products?limit=5", t.sim.base_url());
    t.client
        .get(url)
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap();
    t.post("products", &json!({ "code": "A", "languageCode": "en" }))
        .await;
    let log = t.requests(since).await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["method"], "GET");
    assert_eq!(log[0]["path"], "/Api/v1/Products", "the path as sent");
    assert_eq!(log[0]["query"], "limit=5");
    assert_eq!(log[0]["status"], 200);
    assert_eq!(log[1]["body"]["code"], "A");
    assert!(log[1]["seq"].as_u64().unwrap() > log[0]["seq"].as_u64().unwrap());
    assert_eq!(t.requests(log[1]["seq"].as_u64().unwrap()).await.len(), 0);
}

#[tokio::test]
async fn reset_empties_the_state_but_keeps_tokens_and_health_answers() {
    let t = spawn_sim().await;
    assert_eq!(t.control_get("health").await, json!({ "ok": true }));
    t.product("A", 3).await;
    t.order("R1", &[("A", 1)]).await;
    t.control_post("faults", &json!({ "latency_ms": 1 })).await;
    let reset = t.control_post("reset", &json!({})).await;
    assert_eq!(reset.status, StatusCode::OK);
    let state = t.state().await;
    for key in [
        "products",
        "orders",
        "stock",
        "stockUpdates",
        "returns",
        "webhooks",
    ] {
        assert!(state[key].as_array().unwrap().is_empty(), "{key}");
    }
    assert!(t.requests(0).await.is_empty());
    assert_eq!(t.control_get("faults").await["latency_ms"], 0);
    assert_eq!(
        t.get("products").await.status,
        StatusCode::OK,
        "token still valid"
    );
}
