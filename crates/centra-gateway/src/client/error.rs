//! Typed errors of the Order API client, classified as retryable or terminal.
//!
//! Retryable: timeouts, dropped connections, HTTP 5xx, HTTP 429 (with its `Retry-After`).
//! Terminal: `status: "no"` (a business refusal), other 4xx (wrong key, denied end-point), and a
//! payload the gateway cannot read (naming the object and the field). No variant carries the
//! end-point secret: it only ever lives in the request header.

use std::time::Duration;

use domain::EndpointName;
use thiserror::Error;

/// A Centra payload (or a field of it) the gateway cannot read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{object}: field {field:?}: {reason}")]
pub struct PayloadError {
    /// What was read, e.g. `shipment 83651-1` or `shipments[3]`.
    pub object: String,
    /// The field, e.g. `products[0].qty`.
    pub field: String,
    /// What is wrong with it.
    pub reason: String,
}

impl PayloadError {
    pub fn new(
        object: impl Into<String>,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            object: object.into(),
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// What went wrong with one call.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CentraErrorKind {
    /// No answer within the request timeout.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The connection failed or was dropped before a full answer arrived.
    #[error("connection failed: {0}")]
    Connection(String),
    /// HTTP 5xx.
    #[error("server error (http {0})")]
    Server(u16),
    /// HTTP 429; `Retry-After` when Centra sent one.
    #[error("throttled (http 429, retry after {0:?})")]
    Throttled(Option<Duration>),
    /// Another non-2xx status (wrong secret, denied end-point, unknown path).
    #[error("rejected with http {status}: {message}")]
    Rejected {
        /// HTTP status.
        status: u16,
        /// Centra's `msg` when the body had one.
        message: String,
    },
    /// HTTP 200 with `status: "no"`: Centra refused the request.
    #[error("refused: {0}")]
    Refused(String),
    /// An answer the gateway cannot read.
    #[error("bad payload: {0}")]
    BadPayload(PayloadError),
    /// A request the gateway will not send (bad input from the caller).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

/// One failed Order API call: which end-point, which operation, what happened.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("centra end-point {endpoint}: {operation}: {kind}")]
pub struct CentraError {
    /// The end-point's name (never its secret).
    pub endpoint: EndpointName,
    /// E.g. `GET /shipments`.
    pub operation: String,
    /// What happened.
    pub kind: CentraErrorKind,
}

impl CentraError {
    pub fn new(
        endpoint: &EndpointName,
        operation: impl Into<String>,
        kind: CentraErrorKind,
    ) -> Self {
        Self {
            endpoint: endpoint.clone(),
            operation: operation.into(),
            kind,
        }
    }

    /// True when the same call may succeed later (timeouts, dropped connections, 5xx, 429).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            CentraErrorKind::Timeout(_)
                | CentraErrorKind::Connection(_)
                | CentraErrorKind::Server(_)
                | CentraErrorKind::Throttled(_)
        )
    }

    /// The `Retry-After` Centra asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.kind {
            CentraErrorKind::Throttled(after) => after,
            _ => None,
        }
    }

    /// Centra's refusal message when this is a `status: "no"` answer.
    pub fn refusal(&self) -> Option<&str> {
        match &self.kind {
            CentraErrorKind::Refused(message) => Some(message),
            _ => None,
        }
    }

    /// The unreadable field when this is a bad payload.
    pub fn payload_error(&self) -> Option<&PayloadError> {
        match &self.kind {
            CentraErrorKind::BadPayload(error) => Some(error),
            _ => None,
        }
    }
}

impl platform_http::Retryable for CentraError {
    fn is_retryable(&self) -> bool {
        CentraError::is_retryable(self)
    }

    fn retry_after(&self) -> Option<Duration> {
        CentraError::retry_after(self)
    }
}
