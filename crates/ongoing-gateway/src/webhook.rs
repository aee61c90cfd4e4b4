//! The Ongoing webhook receiver. Webhooks are hints: a call with the right static token only
//! wakes the pollers, which re-read the truth from the API. Ongoing has no signatures; the
//! token header configured in Ongoing's UI is compared in constant time, anything else is 401.
//! Without a configured token every call is refused: an open receiver would let anyone make the
//! gateway poll Ongoing at will, and the polls are the backstop anyway.
//!
//! Routes: `POST /webhooks/ongoing` (and `POST /` for setups that cannot add a path).

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use domain::Secret;
use subtle::ConstantTimeEq;
use tokio::sync::Notify;

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

async fn receive(State(receiver): State<Arc<WebhookReceiver>>, headers: HeaderMap) -> StatusCode {
    if !receiver.authorized(&headers) {
        tracing::warn!("ongoing webhook refused: missing or wrong token");
        return StatusCode::UNAUTHORIZED;
    }
    tracing::debug!("ongoing webhook received; waking the pollers");
    receiver.wake.notify_one();
    StatusCode::OK
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
}
