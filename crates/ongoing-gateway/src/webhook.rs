//! The Ongoing webhook receiver. Webhooks are hints: a call with the right static token only
//! wakes the pollers, which re-read the truth from the API. Ongoing has no signatures; the
//! token header configured in Ongoing's UI is compared in constant time, anything else is 401.
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
    /// `token` `None` accepts every call (only for private networks).
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
            return true;
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
