//! The Ongoing webhook receiver. Webhooks are hints: a call with the right static token only
//! wakes the pollers, which re-read the truth from the API. Ongoing has no signatures; the
//! token header configured in Ongoing's UI is compared in constant time, anything else is 401.
//! Without a configured token every call is refused: an open receiver would let anyone make the
//! gateway poll Ongoing at will, and the polls are the backstop anyway.
//!
//! A body over [`MAX_WEBHOOK_BYTES`] is 413 before anything else is read. An authorized body
//! that is not JSON is 400 naming what is wrong, yet still wakes the pollers (the token proved
//! the sender; the payload is never trusted). The hint fields are logged escaped (`?`), so a
//! CR or LF in them cannot forge a log line.
//!
//! Routes: `POST /webhooks/ongoing` (and `POST /` for setups that cannot add a path).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use domain::Secret;
use serde_json::Value;
use subtle::ConstantTimeEq;
use tokio::sync::Notify;

/// Largest webhook body accepted: Ongoing sends one event of a few kilobytes per call.
pub const MAX_WEBHOOK_BYTES: usize = 256 * 1024;

/// What the receiver checks and whom it wakes.
#[derive(Debug, Clone)]
pub struct WebhookReceiver {
    token: Option<Secret>,
    header: String,
    wake: Arc<Notify>,
}

impl WebhookReceiver {
    /// `token` `None` refuses every call (webhooks off; the polls still run).
    pub fn new(token: Option<Secret>, header: impl Into<String>, wake: Arc<Notify>) -> Self {
        Self {
            token,
            header: header.into(),
            wake,
        }
    }

    pub fn router(self) -> Router {
        Router::new()
            .route("/webhooks/ongoing", post(receive))
            .route("/", post(receive))
            .layer(DefaultBodyLimit::max(MAX_WEBHOOK_BYTES))
            .with_state(Arc::new(self))
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some(expected) = &self.token else {
            return false;
        };
        let Some(sent) = headers.get(self.header.as_str()) else {
            return false;
        };
        bool::from(sent.as_bytes().ct_eq(expected.expose().as_bytes()))
    }
}

/// What an authorized body says, for the log: `(webhookEventId, order or purchase-order
/// number)` when present. An empty body is no hint.
///
/// # Errors
/// The parser's error when the body is not JSON.
pub fn hint(body: &[u8]) -> Result<(String, String), serde_json::Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok((String::new(), String::new()));
    }
    let payload: Value = serde_json::from_slice(body)?;
    let text = |key: &str| match payload.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let number = match text("orderNumber") {
        n if n.is_empty() => text("purchaseOrderNumber"),
        n => n,
    };
    Ok((text("webhookEventId"), number))
}

async fn receive(
    State(receiver): State<Arc<WebhookReceiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    if !receiver.authorized(&headers) {
        tracing::warn!("ongoing webhook refused: missing or wrong token");
        return (StatusCode::UNAUTHORIZED, "missing or wrong token");
    }
    receiver.wake.notify_one();
    match hint(&body) {
        Ok((event, number)) => {
            tracing::debug!(event = ?event, number = ?number, "ongoing webhook received; waking the pollers");
            (StatusCode::OK, "ok")
        }
        Err(error) => {
            tracing::warn!(%error, "ongoing webhook: body is not json; pollers woken anyway");
            (StatusCode::BAD_REQUEST, "body is not json")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(token: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(token) = token {
            headers.insert("x-auth-token", token.parse().expect("header value"));
        }
        headers
    }

    #[test]
    fn without_a_configured_token_every_call_is_refused() {
        let receiver = WebhookReceiver::new(None, "X-Auth-Token", Arc::new(Notify::new()));
        assert!(!receiver.authorized(&headers(None)));
        assert!(!receiver.authorized(&headers(Some("anything"))));
    }

    #[test]
    fn a_hint_reads_the_event_and_the_number_of_any_json_body() {
        let order = br#"{"webhookEventId": 77, "orderNumber": "83651-1", "orderId": 5}"#;
        assert_eq!(hint(order).expect("json"), ("77".into(), "83651-1".into()));
        let purchase = br#"{"webhookEventId": "e1", "purchaseOrderNumber": "PO-1"}"#;
        assert_eq!(hint(purchase).expect("json"), ("e1".into(), "PO-1".into()));
        assert_eq!(
            hint(b"[1, 2]").expect("json"),
            (String::new(), String::new())
        );
        assert_eq!(hint(b" ").expect("empty"), (String::new(), String::new()));
        assert!(hint(b"{\"orderNumber\": ").is_err());
    }

    #[test]
    fn only_the_configured_token_is_accepted() {
        let receiver = WebhookReceiver::new(
            Some(Secret::new("s3cret")),
            "X-Auth-Token",
            Arc::new(Notify::new()),
        );
        assert!(receiver.authorized(&headers(Some("s3cret"))));
        assert!(!receiver.authorized(&headers(Some("s3cre"))));
        assert!(!receiver.authorized(&headers(None)));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 256, ..proptest::prelude::ProptestConfig::default()
        })]

        /// Any header value other than the token itself is refused, and nothing is accepted
        /// without a configured token.
        #[test]
        fn only_the_token_itself_authorizes(
            sent in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            token in "[ -~]{1,40}",
        ) {
            let mut headers = HeaderMap::new();
            let Ok(value) = axum::http::HeaderValue::from_bytes(&sent) else {
                return Ok(());
            };
            headers.insert("x-auth-token", value);
            let receiver = WebhookReceiver::new(
                Some(Secret::new(token.clone())),
                "X-Auth-Token",
                Arc::new(Notify::new()),
            );
            proptest::prop_assert_eq!(receiver.authorized(&headers), sent == token.as_bytes());
            let open = WebhookReceiver::new(None, "X-Auth-Token", Arc::new(Notify::new()));
            proptest::prop_assert!(!open.authorized(&headers));
        }

        /// Any body is a hint or a parser error, never a panic.
        #[test]
        fn any_body_is_a_hint_or_an_error(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let _ = hint(&body);
        }
    }
}
