//! Webhooks as Centra sends them, checked by a tiny receiver that verifies the signature the
//! way an integrator would: HMAC-SHA256(secret, "<t>.<raw body>") over the undecoded body.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::harness::{TestSim, published_examples, spawn_sim};

const HOOK_SECRET: &str = "endpoint-secret";

#[derive(Clone, Default)]
struct Receiver {
    calls: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    /// Answer 500 to this many calls before answering 204.
    failures: Arc<AtomicU32>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    r.calls
        .lock()
        .unwrap()
        .push((headers, String::from_utf8_lossy(&body).into_owned()));
    let failing = r
        .failures
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::NO_CONTENT
    }
}

async fn start_receiver(failures: u32) -> (String, Receiver) {
    let receiver = Receiver::default();
    receiver.failures.store(failures, Ordering::SeqCst);
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, receiver)
}

/// Checks the signature and returns the decoded payload.
fn verify(headers: &HeaderMap, raw_body: &str) -> Value {
    assert_eq!(headers["content-type"], "application/x-www-form-urlencoded");
    let header = headers["x-centra-signature"].to_str().unwrap();
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value),
            Some(("v1", value)) => v1 = Some(value),
            _ => {}
        }
    }
    let (t, v1) = (t.expect("t in signature"), v1.expect("v1 in signature"));
    let age = chrono::Utc::now().timestamp() - t.parse::<i64>().unwrap();
    assert!((0..300).contains(&age), "fresh timestamp");
    let mut mac = Hmac::<Sha256>::new_from_slice(HOOK_SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.{raw_body}").as_bytes());
    mac.verify_slice(&hex::decode(v1).unwrap())
        .expect("signature matches");
    let payload = url::form_urlencoded::parse(raw_body.as_bytes())
        .find(|(k, _)| k == "payload")
        .expect("payload field")
        .1
        .into_owned();
    serde_json::from_str(&payload).expect("payload is json")
}

async fn wait_for_calls(receiver: &Receiver, n: usize) -> Vec<(HeaderMap, String)> {
    for _ in 0..200 {
        let calls = receiver.calls.lock().unwrap().clone();
        if calls.len() >= n {
            return calls;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "expected {n} webhook calls, got {}",
        receiver.calls.lock().unwrap().len()
    );
}

fn events(payload: &Value) -> Vec<(String, String)> {
    payload["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn hooked(failures: u32, extra: Value) -> (TestSim, Receiver) {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    let (url, receiver) = start_receiver(failures).await;
    let mut target = json!({"url": url, "secret": HOOK_SECRET, "retry_delay_ms": 50});
    if let (Some(target), Some(extra)) = (target.as_object_mut(), extra.as_object()) {
        target.extend(extra.clone());
    }
    t.control("/webhooks", &target).await;
    (t, receiver)
}

#[tokio::test]
async fn a_new_good_to_go_order_is_announced_with_a_valid_signature() {
    let (t, receiver) = hooked(0, json!({})).await;
    let s = t.seed_order(2001).await;
    let calls = wait_for_calls(&receiver, 1).await;
    let payload = verify(&calls[0].0, &calls[0].1);
    assert_eq!(
        events(&payload),
        [
            ("order".to_owned(), "create".to_owned()),
            ("shipment".to_owned(), "create".to_owned()),
            ("shipment".to_owned(), "good_to_go".to_owned())
        ]
    );
    assert_eq!(payload["events"][0]["id"], 2001);
    let shipment_id = t.shipment_state(&s.shipment_id).await["id"].clone();
    assert_eq!(payload["events"][1]["id"], shipment_id);
    let date = payload["events"][0]["date"].as_str().unwrap();
    assert_eq!(date.len(), "2021-01-29 14:40:58.628033".len());
}

#[tokio::test]
async fn completion_and_stock_changes_are_announced() {
    let (t, receiver) = hooked(0, json!({})).await;
    let s = t.seed_order(2002).await;
    wait_for_calls(&receiver, 1).await;
    t.put(
        "/shipment",
        &json!({"order": s.order_id, "shipment": s.shipment_id}),
    )
    .await;
    let calls = wait_for_calls(&receiver, 2).await;
    let completion = events(&verify(&calls[1].0, &calls[1].1));
    assert!(
        completion.contains(&("shipment".to_owned(), "update".to_owned())),
        "{completion:?}"
    );
    assert!(
        completion.contains(&("product".to_owned(), "update".to_owned())),
        "{completion:?}"
    );
    t.post(
        "/stock",
        &json!({"products": [{"product": "7350000000035", "quantity": 50}]}),
    )
    .await;
    let calls = wait_for_calls(&receiver, 3).await;
    let stock = verify(&calls[2].0, &calls[2].1);
    assert_eq!(
        events(&stock),
        [("product".to_owned(), "update".to_owned())]
    );
}

#[tokio::test]
async fn a_failing_receiver_gets_retries_then_is_given_up() {
    let (t, receiver) = hooked(2, json!({})).await;
    t.seed_order(2003).await;
    let calls = wait_for_calls(&receiver, 3).await;
    assert_eq!(calls[0].1, calls[2].1, "a retry sends the same body");
    let log = t.control_get("/webhooks").await;
    assert_eq!(log["deliveries"][0]["status"], "delivered");
    assert_eq!(log["deliveries"][0]["attempts"], 3);

    let (t, receiver) = hooked(100, json!({"max_retries": 3})).await;
    t.seed_order(2004).await;
    wait_for_calls(&receiver, 4).await;
    let mut status = Value::Null;
    for _ in 0..100 {
        let log = t.control_get("/webhooks").await;
        status = log["deliveries"][0]["status"].clone();
        if status == "given_up" {
            assert_eq!(log["deliveries"][0]["attempts"], 4);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, "given_up");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.calls.lock().unwrap().len(), 4, "no fifth attempt");
}

#[tokio::test]
async fn webhooks_are_off_until_configured_and_after_reset() {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    let (url, receiver) = start_receiver(0).await;
    t.seed_order(2005).await;
    t.control("/webhooks", &json!({"url": url, "secret": HOOK_SECRET}))
        .await;
    t.control("/reset", &json!({})).await;
    t.seed_catalog().await;
    t.seed_order(2006).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(receiver.calls.lock().unwrap().is_empty());
    assert_eq!(t.control_get("/webhooks").await["target"], Value::Null);
}

#[test]
fn our_signature_matches_the_published_test_vector() {
    let Some(dir) = published_examples("our_signature_matches_the_published_test_vector") else {
        return;
    };
    let text = std::fs::read_to_string(dir.join("webhook-signature-example.json"))
        .expect("webhook-signature-example.json in the shared fixtures");
    let vector: Value = serde_json::from_str(&text).expect("test vector is json");
    let secret = vector["endpointSecret"].as_str().unwrap();
    let t = vector["t"].as_str().unwrap();
    let raw_body = vector["rawBody"].as_str().unwrap();
    assert_eq!(
        centra_sim::webhooks::sign(secret, t, raw_body),
        vector["v1"].as_str().unwrap()
    );
    assert_eq!(
        format!(
            "X-Centra-Signature: {}",
            centra_sim::webhooks::signature_header(secret, t, raw_body)
        ),
        vector["header"].as_str().unwrap()
    );
    assert_eq!(centra_sim::webhooks::form_body(r#"{"x":"test"}"#), raw_body);
}
