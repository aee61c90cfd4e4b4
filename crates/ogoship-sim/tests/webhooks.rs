//! Webhooks (§9): the CRUD API with its quirks (`null` list, 204 delete) and signed delivery,
//! checked by a receiver that recomputes the HMAC over the raw body.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use base64::Engine;
use common::{spawn_sim, spawn_sim_with};
use hmac::{Hmac, Mac};
use ogoship_sim::OgoshipSim;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    fail_first: Arc<Mutex<u32>>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> AxumStatus {
    r.got.lock().unwrap().push((headers, body));
    let mut fail = r.fail_first.lock().unwrap();
    if *fail > 0 {
        *fail -= 1;
        return AxumStatus::INTERNAL_SERVER_ERROR;
    }
    AxumStatus::OK
}

async fn start_receiver(fail_first: u32) -> (String, Receiver) {
    let receiver = Receiver {
        fail_first: Arc::new(Mutex::new(fail_first)),
        ..Receiver::default()
    };
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), receiver)
}

/// Waits until `receiver` holds `count` deliveries matching `filter`.
async fn wait_for(
    receiver: &Receiver,
    count: usize,
    filter: impl Fn(&Value) -> bool,
) -> Vec<(HeaderMap, Bytes)> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got: Vec<_> = receiver
            .got
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, b)| filter(&serde_json::from_slice(b).unwrap()))
            .cloned()
            .collect();
        if got.len() >= count {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "only {} deliveries arrived",
            got.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn verify(key: &str, headers: &HeaderMap, body: &[u8]) {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let sent = headers
        .get("X-OGOship-Hmac-SHA256")
        .expect("signature header")
        .to_str()
        .unwrap();
    assert_eq!(sent, expected, "signature over the raw body");
}

#[tokio::test]
async fn the_webhook_api_lists_null_creates_updates_and_deletes_with_204() {
    let t = spawn_sim().await;
    let empty = t.get("webhooks").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.body, Value::Null, "literal null when there are none");

    let created = t
        .post("webhooks", &json!({ "url": "http://127.0.0.1:9/x", "key": "k1", "type": 1, "customHeaders": { "X-Shop": "a" } }))
        .await;
    assert_eq!(created.status, StatusCode::OK, "{:?}", created.body);
    assert_eq!(
        created.body["type"], "OrderShipped",
        "the number is read, the name written"
    );
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 36);
    assert_eq!(t.get("webhooks").await.body.as_array().unwrap().len(), 1);
    assert_eq!(t.get(&format!("webhooks/{id}")).await.body["key"], "k1");

    let updated = t
        .put(&format!("webhooks/{id}"), &json!({ "url": "http://127.0.0.1:9/y", "key": "k2", "type": "productstocklevelchanged" }))
        .await;
    assert_eq!(updated.body["type"], "ProductStockLevelChanged");
    assert_eq!(updated.body["id"], id.as_str());
    let bad = t
        .post(
            "webhooks",
            &json!({ "url": "http://x/", "key": "k", "type": "Nope" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let deleted = t.delete(&format!("webhooks/{id}")).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        t.delete(&format!("webhooks/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(t.get("webhooks").await.body, Value::Null);
}

#[tokio::test]
async fn shipping_and_stock_changes_are_delivered_signed_with_the_hook_key() {
    let t = spawn_sim().await;
    let (url, receiver) = start_receiver(0).await;
    t.post("webhooks", &json!({ "url": url, "key": "ship-key", "type": "OrderShipped", "customHeaders": { "X-Shop": "s1" } }))
        .await;
    t.post(
        "webhooks",
        &json!({ "url": url, "key": "stock-key", "type": "ProductStockLevelChanged" }),
    )
    .await;
    t.product("A", 5).await;
    let stock = wait_for(&receiver, 1, |b| b["type"] == "ProductStockLevelChanged").await;
    let (headers, body) = &stock[0];
    verify("stock-key", headers, body);
    let payload: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(payload["productCode"], "A");

    t.order("R1", &[("A", 1)]).await;
    t.control_post("orders/R1/ship", &json!({ "trackingNumber": "TN1" }))
        .await;
    let shipped = wait_for(&receiver, 1, |b| b["type"] == "OrderShipped").await;
    let (headers, body) = &shipped[0];
    verify("ship-key", headers, body);
    assert_eq!(headers.get("X-Shop").unwrap(), "s1");
    let payload: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(payload["reference"], "R1");
    assert_eq!(payload["trackingNumber"], "TN1");
    assert_eq!(shipped.len(), 1, "no OrderShipped before shipping");
}

#[tokio::test]
async fn the_control_hook_gets_both_types_and_failed_deliveries_are_retried() {
    let t =
        spawn_sim_with(
            OgoshipSim::builder().webhook_retry_delays(vec![Duration::from_millis(50); 3]),
        )
        .await;
    let (url, receiver) = start_receiver(2).await;
    let set = t
        .control_post("webhooks", &json!({ "url": url, "secret": "s3cret" }))
        .await;
    assert_eq!(set.status, StatusCode::OK);
    t.product("A", 2).await;
    let got = wait_for(&receiver, 3, |b| b["type"] == "ProductStockLevelChanged").await;
    for (headers, body) in &got {
        verify("s3cret", headers, body);
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let hooks = t.control_get("webhooks").await;
        let delivery = &hooks["deliveries"][0];
        if delivery["delivered"] == true {
            assert_eq!(delivery["attempts"], 3, "two failures, then success");
            break;
        }
        assert!(Instant::now() < deadline, "never delivered: {hooks}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    t.order("R1", &[("A", 1)]).await;
    t.control_post("orders/R1/ship", &json!({ "trackingNumber": "TN" }))
        .await;
    wait_for(&receiver, 1, |b| b["type"] == "OrderShipped").await;
}
