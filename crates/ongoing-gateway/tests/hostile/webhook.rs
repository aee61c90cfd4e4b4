//! The webhook cases of `corpus.json`, against the running receiver (`WebhookReceiver`'s
//! routes served on 127.0.0.1:0). Each case checks the status, whether the pollers were woken
//! (only with the right token), the log (no line forged by text from the request), and that a
//! fresh webhook with the token afterwards still gets 200 and wakes the pollers.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::Secret;
use ongoing_gateway::webhook::WebhookReceiver;
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::common::WEBHOOK_TOKEN;
use crate::corpus;

struct Receiver {
    url: String,
    wake: Arc<Notify>,
    http: reqwest::Client,
}

async fn spawn_receiver() -> Receiver {
    let wake = Arc::new(Notify::new());
    let receiver = WebhookReceiver::new(
        Some(Secret::new(WEBHOOK_TOKEN)),
        "X-Auth-Token",
        wake.clone(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, receiver.router()).await });
    Receiver {
        url: format!("http://{addr}/webhooks/ongoing"),
        wake,
        http: reqwest::Client::new(),
    }
}

impl Receiver {
    async fn post(&self, body: Vec<u8>, token: Option<&str>) -> u16 {
        let mut request = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body);
        if let Some(token) = token {
            request = request.header("X-Auth-Token", token);
        }
        request.send().await.expect("answered").status().as_u16()
    }

    /// Whether the pollers were woken (consumes the wake-up).
    async fn woken(&self) -> bool {
        tokio::time::timeout(Duration::from_millis(200), self.wake.notified())
            .await
            .is_ok()
    }
}

fn body_of(case: &Value) -> Vec<u8> {
    match case["generate"].as_str() {
        Some("huge") => {
            let mut body = br#"{"orderNumber": ""#.to_vec();
            body.extend(std::iter::repeat_n(b'x', 1024 * 1024));
            body.extend(br#""}"#);
            body
        }
        Some("invalid_utf8") => b"{\"orderNumber\": \"1\xff\xfe\"}".to_vec(),
        Some(kind) => corpus::generated(kind),
        None => match case["body"].as_str() {
            Some(text) => text.as_bytes().to_vec(),
            None => serde_json::to_vec(
                case.get("json")
                    .unwrap_or(&json!({"webhookEventId": 1, "orderNumber": "GOOD-1"})),
            )
            .expect("json"),
        },
    }
}

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

async fn run(receiver: &Receiver, capture: &Capture, case: &Value) -> Result<(), String> {
    let token = match case.get("token") {
        None => Some(WEBHOOK_TOKEN),
        Some(Value::Null) => None,
        Some(token) => Some(token.as_str().expect("token")),
    };
    let expected = case["expect"]["status"].as_u64().expect("status");
    capture.take();
    let status = receiver.post(body_of(case), token).await;
    if u64::from(status) != expected {
        return Err(format!("status {status}, expected {expected}"));
    }
    // Only an authorized call wakes the pollers (200, or 400 for a body it cannot read).
    let should_wake = matches!(status, 200 | 400);
    if receiver.woken().await != should_wake {
        return Err(format!("woken should be {should_wake}"));
    }
    let log = capture.take();
    if let Some(marker) = case["log_must_not_start_a_line_with"].as_str() {
        if !log.contains("ongoing webhook") {
            return Err(format!("the case logged nothing to check: {log:?}"));
        }
        if let Some(line) = log.lines().find(|l| l.trim_start().starts_with(marker)) {
            return Err(format!("forged log line {line:?} in {log:?}"));
        }
    }
    let good =
        serde_json::to_vec(&json!({"webhookEventId": 2, "orderNumber": "GOOD-1"})).expect("json");
    let after = receiver.post(good, Some(WEBHOOK_TOKEN)).await;
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
