//! Delivering webhooks (ogoship-api.md §9): a JSON POST signed with header
//! `X-OGOship-Hmac-SHA256` = standard Base64 (with padding) of HMAC-SHA256 over the raw body,
//! keyed with the hook's `key` (or the control hook's `secret`).
//!
//! Doc gap: the payloads are undocumented (§12 q3). The simulator sends a small trigger a
//! client re-reads from: `{"type":"OrderShipped","reference","trackingNumber"}` and
//! `{"type":"ProductStockLevelChanged","productCode"}`. Doc gap: §9 marks standard Base64 with
//! padding as [I].
//!
//! Deliveries run in background tasks and never block the API call that caused them. A
//! delivery that fails (no answer or not 2xx) is retried after each of the configured delays.
//! `GET /_sim/webhooks` lists every delivery with its attempts; reset stops pending retries.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::Sha256;

use super::HookType;
use crate::state::{Event, Store};

/// The signature header.
pub(crate) const SIGNATURE_HEADER: &str = "X-OGOship-Hmac-SHA256";

/// Base64(HMAC-SHA256(key, body)).
pub(crate) fn sign(key: &[u8], body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this arm cannot happen.
        Err(_) => return String::new(),
    };
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The payload of an event (see the module docs).
fn payload(event: &Event) -> Value {
    match event {
        Event::OrderShipped {
            reference,
            tracking_number,
        } => json!({
            "type": HookType::OrderShipped.as_str(),
            "reference": reference,
            "trackingNumber": tracking_number,
        }),
        Event::StockLevelChanged { product_code } => json!({
            "type": HookType::ProductStockLevelChanged.as_str(),
            "productCode": product_code,
        }),
    }
}

/// One delivery as shown by `GET /_sim/webhooks`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Delivery {
    pub seq: u64,
    /// The API hook's id; null for the control hook.
    pub hook_id: Option<String>,
    pub url: String,
    #[serde(rename = "type")]
    pub hook_type: &'static str,
    pub body: Value,
    pub attempts: u32,
    pub delivered: bool,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
}

#[derive(Debug, Default)]
struct Shared {
    deliveries: Mutex<Vec<Delivery>>,
    /// Bumped by reset so retries of an earlier test stop.
    generation: AtomicU64,
    seq: AtomicU64,
}

impl Shared {
    fn deliveries(&self) -> MutexGuard<'_, Vec<Delivery>> {
        self.deliveries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn update(&self, seq: u64, change: impl FnOnce(&mut Delivery)) {
        if let Some(delivery) = self.deliveries().iter_mut().find(|d| d.seq == seq) {
            change(delivery);
        }
    }
}

/// The webhook sender of one simulator.
#[derive(Debug)]
pub(crate) struct Sender {
    shared: Arc<Shared>,
    client: reqwest::Client,
    delays: Vec<Duration>,
}

struct Outgoing {
    seq: u64,
    url: String,
    signature: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    generation: u64,
}

impl Sender {
    pub(crate) fn start(delays: Vec<Duration>) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self {
            shared: Arc::new(Shared::default()),
            client,
            delays,
        }
    }

    /// Sends every event to every hook of its type and to the control hook.
    pub(crate) fn publish(&self, store: &Store, events: &[Event]) {
        for event in events {
            let hook_type = HookType::of(event);
            let body = payload(event);
            let bytes = body.to_string().into_bytes();
            for hook in store.webhooks.iter().filter(|h| h.hook_type == hook_type) {
                self.send(
                    Some(hook.id.to_string()),
                    &hook.url,
                    &hook.key,
                    hook.headers(),
                    hook_type,
                    &body,
                    &bytes,
                );
            }
            if let Some(control) = &store.control_hook {
                self.send(
                    None,
                    &control.url,
                    &control.secret,
                    Vec::new(),
                    hook_type,
                    &body,
                    &bytes,
                );
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn send(
        &self,
        hook_id: Option<String>,
        url: &str,
        key: &str,
        headers: Vec<(String, String)>,
        hook_type: HookType,
        body: &Value,
        bytes: &[u8],
    ) {
        let seq = self.shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
        self.shared.deliveries().push(Delivery {
            seq,
            hook_id,
            url: url.to_owned(),
            hook_type: hook_type.as_str(),
            body: body.clone(),
            attempts: 0,
            delivered: false,
            last_status: None,
            last_error: None,
        });
        let outgoing = Outgoing {
            seq,
            url: url.to_owned(),
            signature: sign(key.as_bytes(), bytes),
            headers,
            body: bytes.to_vec(),
            generation: self.shared.generation.load(Ordering::SeqCst),
        };
        tokio::spawn(deliver(
            outgoing,
            self.client.clone(),
            self.shared.clone(),
            self.delays.clone(),
        ));
    }

    pub(crate) fn deliveries(&self) -> Vec<Delivery> {
        self.shared.deliveries().clone()
    }

    /// Forgets deliveries and stops pending retries.
    pub(crate) fn clear(&self) {
        self.shared.generation.fetch_add(1, Ordering::SeqCst);
        self.shared.deliveries().clear();
    }
}

/// Sends one delivery, retrying after each delay until a 2xx answer.
async fn deliver(
    outgoing: Outgoing,
    client: reqwest::Client,
    shared: Arc<Shared>,
    delays: Vec<Duration>,
) {
    for attempt in 0..=delays.len() {
        if shared.generation.load(Ordering::SeqCst) != outgoing.generation {
            return;
        }
        let mut request = client
            .post(&outgoing.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, &outgoing.signature);
        for (name, value) in &outgoing.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let result = request.body(outgoing.body.clone()).send().await;
        let (delivered, status, error) = match result {
            Ok(response) => (
                response.status().is_success(),
                Some(response.status().as_u16()),
                None,
            ),
            Err(err) => (false, None, Some(err.to_string())),
        };
        shared.update(outgoing.seq, |d| {
            d.attempts += 1;
            d.delivered = delivered;
            d.last_status = status;
            d.last_error = error;
        });
        if delivered {
            return;
        }
        tracing::debug!(url = %outgoing.url, attempt, "webhook delivery failed");
        if let Some(delay) = delays.get(attempt) {
            tokio::time::sleep(*delay).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_padded_standard_base64_of_hmac_sha256() {
        // RFC 4231 test case 2.
        let signature = sign(b"Jefe", b"what do ya want for nothing?");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&signature)
            .unwrap();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(signature.ends_with('='));
    }
}
