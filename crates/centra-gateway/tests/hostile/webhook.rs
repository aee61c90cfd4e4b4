//! The webhook cases of `corpus.json`, against the running receiver (`WebhookReceiver`'s
//! routes served on 127.0.0.1:0). Each case checks the status, whether the polls were woken
//! (only by a verified request), the log (no line forged by text from the request), and that a
//! fresh valid webhook afterwards still gets 200 and wakes the polls.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use centra_gateway::detect::Wakers;
use centra_gateway::signature::sign;
use centra_gateway::webhook::WebhookReceiver;
use domain::{EndpointName, Secret};
use serde_json::{Value, json};

use crate::corpus;
use crate::harness::ENDPOINT;

const WEBHOOK_SECRET: &str = "webhook-endpoint-secret";

struct Receiver {
    addr: std::net::SocketAddr,
    wakers: Wakers,
    http: reqwest::Client,
}

async fn spawn_receiver() -> Receiver {
    let name = EndpointName::parse(ENDPOINT).expect("name");
    let wakers = Wakers::new([&name]);
    let receiver = WebhookReceiver::new(
        HashMap::from([(name, Secret::new(WEBHOOK_SECRET))]),
        wakers.clone(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, receiver.router()).await });
    Receiver {
        addr,
        wakers,
        http: reqwest::Client::new(),
    }
}

impl Receiver {
    async fn post(&self, endpoint: &str, body: Vec<u8>, signature: Option<&str>) -> u16 {
        let mut request = self
            .http
            .post(format!("http://{}/centra/{endpoint}/webhook", self.addr))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(signature) = signature {
            request = request.header("X-Centra-Signature", signature);
        }
        request.send().await.expect("answered").status().as_u16()
    }

    /// Whether the polls were woken (consumes the wake-up).
    async fn woken(&self) -> bool {
        let signal = self
            .wakers
            .signal(&EndpointName::parse(ENDPOINT).expect("name"));
        tokio::time::timeout(Duration::from_millis(200), signal.notified())
            .await
            .is_ok()
    }
}

fn form(payload: &Value) -> Vec<u8> {
    serde_urlencoded::to_string([("payload", payload.to_string())])
        .expect("form")
        .into_bytes()
}

fn signed(secret: &str, t: i64, body: &[u8]) -> String {
    format!(
        "t={t},v1={}",
        sign(&Secret::new(secret), &t.to_string(), body)
    )
}

/// The body a case sends.
fn body_of(case: &Value) -> Vec<u8> {
    if let Some(kind) = case["generate"].as_str() {
        let mut body = b"payload=".to_vec();
        match kind {
            "huge" => body.extend(std::iter::repeat_n(b'x', 2 * 1024 * 1024)),
            "deep_nesting" => body.extend(corpus::generated("deep_nesting")),
            "invalid_utf8" => body.extend(b"%7B%22events%22%3A%5B%5D%7D\xff\xfe"),
            other => panic!("unknown generator {other}"),
        }
        return body;
    }
    if let Some(text) = case["body"].as_str() {
        return text.as_bytes().to_vec();
    }
    let payload = case.get("payload").cloned().unwrap_or_else(
        || json!({"events": [{"type": "shipment", "action": "good_to_go", "id": 2735}]}),
    );
    form(&payload)
}

/// A log capture for the receiver's lines (the test's runtime runs the server on this thread).
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("capture").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn take(&self) -> String {
        String::from_utf8_lossy(&std::mem::take(&mut *self.0.lock().expect("capture"))).into_owned()
    }
}

/// Runs one case; `Err` says what did not hold.
async fn run(receiver: &Receiver, capture: &Capture, case: &Value) -> Result<(), String> {
    let now = chrono::Utc::now().timestamp();
    let body = body_of(case);
    let endpoint = case["path_endpoint"].as_str().unwrap_or(ENDPOINT);
    let expected = case["expect"]["status"].as_u64().expect("status");
    let signature = match case["signature"].as_str().expect("signature") {
        "valid" | "replayed" => Some(signed(WEBHOOK_SECRET, now, &body)),
        "wrong_secret" => Some(signed("not-the-secret", now, &body)),
        "changed_body" => Some(signed(WEBHOOK_SECRET, now, b"payload=%7B%7D")),
        "stale" => Some(signed(WEBHOOK_SECRET, now - 600, &body)),
        "future" => Some(signed(WEBHOOK_SECRET, now + 600, &body)),
        "none" => None,
        literal => Some(literal.replace("NOW", &now.to_string())),
    };
    capture.take();
    if case["signature"] == "replayed" {
        let first = receiver
            .post(endpoint, body.clone(), signature.as_deref())
            .await;
        if first != 200 || !receiver.woken().await {
            return Err(format!("the first copy got {first} or woke nothing"));
        }
    }
    let status = receiver.post(endpoint, body, signature.as_deref()).await;
    if u64::from(status) != expected {
        return Err(format!("status {status}, expected {expected}"));
    }
    // Only a verified request wakes the polls (200, or 400 for a payload it cannot read).
    let should_wake = matches!(status, 200 | 400);
    if receiver.woken().await != should_wake {
        return Err(format!("woken should be {should_wake}"));
    }
    let log = capture.take();
    if let Some(marker) = case["log_must_not_start_a_line_with"].as_str() {
        if !log.contains("webhook") {
            return Err(format!("the case logged nothing to check: {log:?}"));
        }
        if let Some(line) = log.lines().find(|l| l.trim_start().starts_with(marker)) {
            return Err(format!("forged log line {line:?} in {log:?}"));
        }
    }
    // The receiver is still up and a good webhook still wakes the polls.
    let good = form(
        &json!({"events": [{"type": "shipment", "action": "good_to_go",
                                        "id": corpus::name(case)}]}),
    );
    let header = signed(WEBHOOK_SECRET, now, &good);
    let after = receiver.post(ENDPOINT, good, Some(&header)).await;
    if after != 200 || !receiver.woken().await {
        return Err(format!(
            "a good webhook after the case got {after} or woke nothing"
        ));
    }
    Ok(())
}

#[tokio::test]
async fn every_webhook_case_of_the_corpus_gets_its_status_and_good_webhooks_still_wake() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    let _log = tracing::subscriber::set_default(subscriber);
    let receiver = spawn_receiver().await;
    let cases = corpus::cases("webhook");
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(why) = run(&receiver, &capture, case).await {
            failures.push(format!("{}: {why}", corpus::name(case)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
