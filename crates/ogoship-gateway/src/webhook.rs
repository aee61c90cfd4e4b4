//! The OGOship webhook receiver. Webhooks are hints: a call only wakes the pollers, which
//! re-read the truth from the API (the payloads are undocumented, ogoship-api.md §9).
//!
//! With a configured key, the `X-OGOship-Hmac-SHA256` header must be Base64(HMAC-SHA256(key,
//! raw body)), compared in constant time; a missing or wrong signature is 401. Without a key
//! (`[wms] webhook_key` unset) nothing can be checked, so every call is refused and the polls
//! alone find changes: an open receiver would let anyone drive the gateway's calls to OGOship.
//!
//! Routes: `POST /webhooks/ogoship` (and `POST /` for setups that cannot add a path).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine as _;
use domain::Secret;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tokio::sync::Notify;

/// The signature header (§9).
pub const SIGNATURE_HEADER: &str = "X-OGOship-Hmac-SHA256";

/// What the receiver checks and whom it wakes.
#[derive(Debug, Clone)]
pub struct WebhookReceiver {
    key: Option<Secret>,
    wake: Arc<Notify>,
}

/// Base64(HMAC-SHA256(key, body)), standard alphabet with padding.
pub fn sign(key: &[u8], body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this arm cannot happen.
        Err(_) => return String::new(),
    };
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

impl WebhookReceiver {
    pub fn new(key: Option<Secret>, wake: Arc<Notify>) -> Self {
        Self { key, wake }
    }

    pub fn router(self) -> Router {
        Router::new()
            .route("/webhooks/ogoship", post(receive))
            .route("/", post(receive))
            .with_state(Arc::new(self))
    }

    /// Whether `body` with `headers` may wake the pollers.
    pub fn authorized(&self, headers: &HeaderMap, body: &[u8]) -> bool {
        // Without a key nothing can be checked, so nothing is accepted (as Ongoing's receiver
        // without a token): the polls find every change anyway.
        let Some(key) = &self.key else {
            return false;
        };
        let Some(sent) = headers.get(SIGNATURE_HEADER) else {
            return false;
        };
        let expected = sign(key.expose().as_bytes(), body);
        bool::from(sent.as_bytes().trim_ascii().ct_eq(expected.as_bytes()))
    }
}

async fn receive(
    State(receiver): State<Arc<WebhookReceiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if !receiver.authorized(&headers, &body) {
        tracing::warn!("ogoship webhook refused: missing or wrong signature");
        return StatusCode::UNAUTHORIZED;
    }
    tracing::debug!("ogoship webhook received; waking the pollers");
    receiver.wake.notify_one();
    StatusCode::OK
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(signature: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(signature) = signature {
            headers.insert(SIGNATURE_HEADER, signature.parse().expect("header value"));
        }
        headers
    }

    #[test]
    fn only_the_signature_over_the_raw_body_is_accepted() {
        let receiver = WebhookReceiver::new(Some(Secret::new("k3y")), Arc::new(Notify::new()));
        let body = br#"{"type":"OrderShipped","reference":"R-1"}"#;
        let good = sign(b"k3y", body);
        assert!(receiver.authorized(&headers(Some(&good)), body));
        assert!(!receiver.authorized(&headers(Some(&good)), b"{}"));
        assert!(!receiver.authorized(&headers(Some(&sign(b"other", body))), body));
        assert!(!receiver.authorized(&headers(None), body));
    }

    #[test]
    fn without_a_key_every_call_is_refused() {
        let receiver = WebhookReceiver::new(None, Arc::new(Notify::new()));
        assert!(!receiver.authorized(&headers(None), b"{}"));
        let signed = sign(b"anything", b"{}");
        assert!(!receiver.authorized(&headers(Some(&signed)), b"{}"));
    }
}
