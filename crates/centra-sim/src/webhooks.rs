//! Webhooks as the Centra Webhook plugin sends them (HOOK):
//! `POST <url>` with `Content-Type: application/x-www-form-urlencoded`, body
//! `payload=<url-encoded JSON>`, header `X-Centra-Signature: t=<unix>,v1=<hex>` where
//! `v1 = HMAC-SHA256(secret, "<t>.<raw body>")`. Payloads use the Integration API mode:
//! `{"events":[{"type","action","date","id"}]}`, at most 100 events per call.
//!
//! Delivery: 5 s timeout, then up to 3 retries with doubling delay, then the webhook is given
//! up and logged (Centra moves on; integrators must keep a polling recovery path).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio_util::sync::CancellationToken;

use crate::clock::StoreClock;
use crate::state::Change;

/// "Max number of events per webhook call", default 100 (HOOK).
const MAX_EVENTS_PER_CALL: usize = 100;

/// Where and how to send webhooks (`POST /_sim/webhooks`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookTarget {
    pub url: String,
    pub secret: String,
    /// Retries after the first attempt (HOOK: up to 3).
    #[serde(default = "default_retries")]
    pub max_retries: u32,
    /// Delay before the first retry; each further retry waits twice as long.
    #[serde(default = "default_retry_delay_ms")]
    pub retry_delay_ms: u64,
    /// Per-attempt timeout (HOOK: 5 s).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_retries() -> u32 {
    3
}
fn default_retry_delay_ms() -> u64 {
    1000
}
fn default_timeout_ms() -> u64 {
    5000
}

/// The fate of one webhook call.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookDelivery {
    pub seq: u64,
    pub url: String,
    /// The decoded `payload` JSON.
    pub payload: Value,
    pub attempts: u32,
    /// `pending`, `delivered` or `given_up`.
    pub status: &'static str,
    pub last_error: Option<String>,
}

#[derive(Debug, Default)]
struct Deliveries {
    next_seq: u64,
    list: Vec<WebhookDelivery>,
}

/// Sends webhooks for store changes and remembers what became of them.
#[derive(Debug)]
pub struct Webhooks {
    target: Mutex<Option<WebhookTarget>>,
    deliveries: Arc<Mutex<Deliveries>>,
    /// Cancelled by reset, so retries of a previous test never reach the next one.
    generation: Mutex<CancellationToken>,
    client: reqwest::Client,
}

impl Default for Webhooks {
    fn default() -> Self {
        Self {
            target: Mutex::new(None),
            deliveries: Arc::default(),
            generation: Mutex::new(CancellationToken::new()),
            client: reqwest::Client::new(),
        }
    }
}

impl Webhooks {
    pub fn set_target(&self, target: Option<WebhookTarget>) {
        *self.target.lock().unwrap_or_else(PoisonError::into_inner) = target;
    }

    pub fn target(&self) -> Option<WebhookTarget> {
        self.target
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn deliveries(&self) -> Vec<WebhookDelivery> {
        self.deliveries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .list
            .clone()
    }

    /// Forgets the target and the delivery log and stops retries in flight.
    pub fn reset(&self) {
        self.set_target(None);
        *self
            .deliveries
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Deliveries::default();
        let mut generation = self
            .generation
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        generation.cancel();
        *generation = CancellationToken::new();
    }

    /// Sends the events for `changes` (one call per 100 events) when a target is set.
    pub fn publish(&self, clock: &StoreClock, changes: &[Change], at: DateTime<Utc>) {
        if changes.is_empty() {
            return;
        }
        let Some(target) = self.target() else {
            return;
        };
        let mut events: Vec<Value> = Vec::with_capacity(changes.len());
        for sent in changes.iter().filter_map(|c| event(clock, *c, at)) {
            // A stock and a catalogue change of one product are one `product update`.
            if !events.contains(&sent) {
                events.push(sent);
            }
        }
        if events.is_empty() {
            return;
        }
        let cancel = self
            .generation
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for chunk in events.chunks(MAX_EVENTS_PER_CALL) {
            let payload = json!({ "events": chunk });
            let seq = {
                let mut d = self
                    .deliveries
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                d.next_seq += 1;
                let seq = d.next_seq;
                d.list.push(WebhookDelivery {
                    seq,
                    url: target.url.clone(),
                    payload: payload.clone(),
                    attempts: 0,
                    status: "pending",
                    last_error: None,
                });
                seq
            };
            let job = Delivery {
                seq,
                target: target.clone(),
                body: form_body(&payload.to_string()),
                client: self.client.clone(),
                deliveries: Arc::clone(&self.deliveries),
            };
            let cancel = cancel.clone();
            tokio::spawn(async move {
                tokio::select! {
                    () = job.run() => {}
                    () = cancel.cancelled() => {}
                }
            });
        }
    }
}

/// The Integration API event for a change, if the webhook plugin sends one. Shipment events carry
/// the internal numeric shipment id (HOOK example: `"id": 1902`), not `"83651-1"`: an Order API
/// client cannot look that id up and should treat webhooks as a hint to poll.
///
/// The plugin documents no `complete`, `delete` or supplier delivery actions: those changes are
/// recorded next to an `update` (which is what is sent) or not sent at all.
fn event(clock: &StoreClock, change: Change, at: DateTime<Utc>) -> Option<Value> {
    let (kind, action, id) = match change {
        Change::OrderCreated { order_id } => ("order", "create", order_id),
        Change::OrderUpdated { order_id } => ("order", "update", order_id),
        Change::ShipmentCreated { shipment_id } => ("shipment", "create", shipment_id),
        Change::ShipmentGoodToGo { shipment_id } => ("shipment", "good_to_go", shipment_id),
        Change::ShipmentUpdated { shipment_id } => ("shipment", "update", shipment_id),
        Change::ReturnCreated { return_id } => ("return", "create", return_id),
        Change::ReturnUpdated { return_id } => ("return", "update", return_id),
        // [I] HOOK lists order|shipment|customer|account|return for this mode; the product type
        // name for catalogue and stock changes is not documented.
        Change::ProductChanged { product_id } | Change::StockChanged { product_id } => {
            ("product", "update", product_id)
        }
        Change::OrderCompleted { .. }
        | Change::ShipmentCompleted { .. }
        | Change::ShipmentDeleted { .. }
        | Change::ReturnCompleted { .. }
        | Change::DeliveryCreated { .. }
        | Change::DeliveryAccepted { .. } => return None,
    };
    Some(json!({ "type": kind, "action": action, "date": clock.format_micros(at), "id": id }))
}

/// `payload=<url-encoded json>`, the raw body that is signed and sent.
pub fn form_body(payload_json: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", payload_json)
        .finish()
}

/// `hex(HMAC-SHA256(secret, "<t>.<raw body>"))`.
pub fn sign(secret: &str, timestamp: &str, raw_body: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("hmac takes keys of any length"));
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(raw_body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The `X-Centra-Signature` header value.
pub fn signature_header(secret: &str, timestamp: &str, raw_body: &str) -> String {
    format!("t={timestamp},v1={}", sign(secret, timestamp, raw_body))
}

struct Delivery {
    seq: u64,
    target: WebhookTarget,
    body: String,
    client: reqwest::Client,
    deliveries: Arc<Mutex<Deliveries>>,
}

impl Delivery {
    async fn run(self) {
        let mut delay = Duration::from_millis(self.target.retry_delay_ms);
        for attempt in 0..=self.target.max_retries {
            if attempt > 0 {
                tokio::time::sleep(delay).await;
                delay = delay.saturating_mul(2);
            }
            let result = self.attempt().await;
            let delivered = result.is_ok();
            self.update(|d| {
                d.attempts = attempt + 1;
                d.last_error = result.err();
                if delivered {
                    d.status = "delivered";
                }
            });
            if delivered {
                tracing::debug!(seq = self.seq, attempt, "delivered webhook");
                return;
            }
        }
        self.update(|d| d.status = "given_up");
        tracing::warn!(
            seq = self.seq,
            url = %self.target.url,
            attempts = self.target.max_retries + 1,
            "gave up webhook"
        );
    }

    async fn attempt(&self) -> Result<(), String> {
        let timestamp = Utc::now().timestamp().to_string();
        let response = self
            .client
            .post(&self.target.url)
            .timeout(Duration::from_millis(self.target.timeout_ms))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header(
                "X-Centra-Signature",
                signature_header(&self.target.secret, &timestamp, &self.body),
            )
            .body(self.body.clone())
            .send()
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("receiver answered {}", response.status()))
        }
    }

    fn update(&self, f: impl FnOnce(&mut WebhookDelivery)) {
        let mut d = self
            .deliveries
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = d.list.iter_mut().find(|e| e.seq == self.seq) {
            f(entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_body_encodes_the_payload_like_the_published_example() {
        assert_eq!(
            form_body(r#"{"x":"test"}"#),
            "payload=%7B%22x%22%3A%22test%22%7D"
        );
    }

    #[test]
    fn signature_covers_timestamp_dot_raw_body() {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"k").unwrap();
        mac.update(b"1700000000.payload=%7B%7D");
        let expected = hex::encode(mac.finalize().into_bytes());
        assert_eq!(sign("k", "1700000000", "payload=%7B%7D"), expected);
        assert_eq!(
            signature_header("k", "1700000000", "payload=%7B%7D"),
            format!("t=1700000000,v1={expected}")
        );
        assert_ne!(sign("k", "1700000001", "payload=%7B%7D"), expected);
    }
}
