//! The Centra webhook receiver: `POST /centra/{endpoint}/webhook`.
//!
//! Centra posts `application/x-www-form-urlencoded` bodies `payload=<json>` signed with
//! `X-Centra-Signature` (see [`crate::signature`]). A webhook is only a hint: a verified one
//! wakes the end-point's polls, which re-read Centra; the payload itself is never trusted.
//! Unsigned, badly signed, stale and replayed requests get 401 and one log line (never the
//! secret); a body over [`MAX_WEBHOOK_BYTES`] gets 413 before anything is read. Text from the
//! request (the end-point in the path, the hints) is logged escaped (`?`), so a CR or LF in
//! it cannot forge a log line.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use domain::{EndpointName, Secret};
use serde_json::Value;

use crate::detect::Wakers;
use crate::signature::{REPLAY_WINDOW, Replays, SIGNATURE_HEADER, verify};

/// Largest webhook body accepted (100 events are a few kilobytes).
pub const MAX_WEBHOOK_BYTES: usize = 1024 * 1024;

/// What the receiver needs: one signing secret per end-point and the polls to wake.
#[derive(Debug, Clone)]
pub struct WebhookReceiver {
    secrets: Arc<HashMap<EndpointName, Secret>>,
    wakers: Wakers,
    window: Duration,
    replays: Arc<Replays>,
}

/// One hint of a webhook payload (Integration API mode), for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub kind: String,
    pub action: String,
    pub id: String,
}

/// Reads the hints of a decoded `payload`: `{"events":[{type, action, id}]}` (Integration API
/// mode) or `{"products":["1"], ...}` (Checkout API mode). Unknown shapes give no hints.
pub fn hints(payload: &Value) -> Vec<Hint> {
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    if let Some(events) = payload.get("events").and_then(Value::as_array) {
        return events
            .iter()
            .map(|e| Hint {
                kind: text(e.get("type")),
                action: text(e.get("action")),
                id: text(e.get("id")),
            })
            .collect();
    }
    let Some(groups) = payload.as_object() else {
        return Vec::new();
    };
    groups
        .iter()
        .filter_map(|(kind, ids)| ids.as_array().map(|ids| (kind, ids)))
        .flat_map(|(kind, ids)| {
            ids.iter().map(move |id| Hint {
                kind: kind.clone(),
                action: "changed".to_owned(),
                id: text(Some(id)),
            })
        })
        .collect()
}

impl WebhookReceiver {
    pub fn new(secrets: HashMap<EndpointName, Secret>, wakers: Wakers) -> Self {
        Self {
            secrets: Arc::new(secrets),
            wakers,
            window: REPLAY_WINDOW,
            replays: Arc::new(Replays::new(REPLAY_WINDOW)),
        }
    }

    /// The axum routes.
    pub fn router(self) -> Router {
        Router::new()
            .route("/centra/{endpoint}/webhook", post(receive))
            .layer(axum::extract::DefaultBodyLimit::max(MAX_WEBHOOK_BYTES))
            .with_state(self)
    }
}

async fn receive(
    State(receiver): State<WebhookReceiver>,
    Path(endpoint): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let Some((name, secret)) = EndpointName::parse(&endpoint)
        .ok()
        .and_then(|name| receiver.secrets.get_key_value(&name))
    else {
        tracing::warn!(endpoint = ?endpoint, "webhook for an unknown end-point");
        return (StatusCode::NOT_FOUND, "unknown end-point");
    };
    let header = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    let now = chrono::Utc::now().timestamp();
    let verified = verify(secret, header, &body, now, receiver.window)
        .and_then(|()| receiver.replays.first_use(header, &body, now));
    if let Err(error) = verified {
        tracing::warn!(endpoint = %name, %error, "refused centra webhook");
        return (StatusCode::UNAUTHORIZED, "invalid signature");
    }
    // Verified: whatever the payload says, the polls re-read Centra.
    receiver.wakers.wake(name);
    let payload = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "payload"))
        .map(|(_, json)| serde_json::from_str::<Value>(&json));
    match payload {
        Some(Ok(payload)) => {
            for hint in hints(&payload) {
                tracing::debug!(endpoint = %name, kind = ?hint.kind, action = ?hint.action, id = ?hint.id, "centra webhook hint");
            }
            (StatusCode::OK, "ok")
        }
        Some(Err(error)) => {
            tracing::warn!(endpoint = %name, %error, "centra webhook: field payload is not json; polls woken anyway");
            (StatusCode::BAD_REQUEST, "field payload is not json")
        }
        None => {
            tracing::warn!(endpoint = %name, "centra webhook: field payload is missing; polls woken anyway");
            (StatusCode::BAD_REQUEST, "field payload is missing")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_both_payload_modes() {
        let integration = json!({"events":[{"type":"shipment","action":"good_to_go","date":"2021-01-29 14:40:58.628033","id":2735}]});
        assert_eq!(
            hints(&integration),
            vec![Hint {
                kind: "shipment".into(),
                action: "good_to_go".into(),
                id: "2735".into()
            }]
        );
        let checkout = json!({"products":["1","6"]});
        assert_eq!(hints(&checkout).len(), 2);
    }
}
