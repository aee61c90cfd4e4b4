//! Authentication, the envelope, base path and unknown routes.

use centra_sim::CentraSim;
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{SECRET, spawn_sim, spawn_sim_with};

#[tokio::test]
async fn calls_without_or_with_a_wrong_key_are_refused_and_logged() {
    let t = spawn_sim().await;
    let url = t.api_url("/orders");
    let missing = t.http.get(&url).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["status"], "no");

    let wrong = t
        .http
        .get(&url)
        .header("API-Authorization", "not-the-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);

    let log = t.control_get("/requests?since=0").await;
    let statuses: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["status"])
        .collect();
    assert_eq!(statuses, [&json!(401), &json!(401)]);
    assert_eq!(log[0]["path"], "/api/order-api/orders");
}

#[tokio::test]
async fn the_header_name_is_case_insensitive() {
    let t = spawn_sim().await;
    let response = t
        .http
        .get(t.api_url("/orders"))
        .header("api-authorization", SECRET)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"status": "ok", "orders": []}));
}

#[tokio::test]
async fn control_routes_need_no_key() {
    let t = spawn_sim().await;
    let health = t.http.get(t.control_url("/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.json::<Value>().await.unwrap(), json!({"ok": true}));
}

#[tokio::test]
async fn business_errors_are_http_200_with_status_no() {
    let t = spawn_sim().await;
    let answer = t.put("/capture", &json!({"shipment": "999-1"})).await;
    assert_eq!(answer["status"], "no");
    assert_eq!(answer["shipment"], "999-1");
    assert!(answer["msg"].is_string());

    let response = t
        .http
        .put(t.api_url("/capture"))
        .header("API-Authorization", SECRET)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "no");
    assert!(
        body["msg"]
            .as_str()
            .unwrap()
            .contains("invalid request body")
    );
}

#[tokio::test]
async fn unknown_endpoints_answer_not_found_in_the_envelope() {
    let t = spawn_sim().await;
    let response = t.send(Method::GET, "/no-such-thing", None).await;
    assert_eq!(response.status(), 404);
    assert_eq!(response.json::<Value>().await.unwrap()["status"], "no");
}

#[tokio::test]
async fn the_base_path_is_configurable_and_trailing_slashes_work() {
    let t = spawn_sim_with(CentraSim::builder().base_path("/api/wms-plugin")).await;
    assert!(t.sim.base_url().ends_with("/api/wms-plugin"));
    assert_eq!(t.get("/products/").await["status"], "ok");
    let old = t
        .http
        .get(format!("{}/api/order-api/products", t.sim.url()))
        .header("API-Authorization", SECRET)
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 404);
}

#[tokio::test]
async fn a_bad_query_value_is_a_business_error_naming_the_parameter() {
    let t = spawn_sim().await;
    let answer = t.get("/orders?limit=ten").await;
    assert_eq!(answer["status"], "no");
    assert!(
        answer["msg"].as_str().unwrap().contains("limit"),
        "{answer}"
    );
    let answer = t.get("/orders?newer_than=yesterday").await;
    assert!(
        answer["msg"].as_str().unwrap().contains("newer_than"),
        "{answer}"
    );
}
