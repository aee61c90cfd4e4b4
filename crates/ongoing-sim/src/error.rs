//! Errors: [`ApiError`] is what the simulated REST API answers (ASP.NET's `{"Message": "..."}`
//! envelope); [`SimError`] is what the library returns to whoever starts the simulator.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The message ASP.NET Web API sends with every unhandled 500; the only error body seen from
/// Ongoing in production (ongoing-rest-api.md §1, MED).
pub(crate) const GENERIC_ERROR: &str = "An error has occurred.";

/// The ASP.NET default text for a refused `Authorization` header.
pub(crate) const AUTH_DENIED: &str = "Authorization has been denied for this request.";

/// An error answer of the REST API: a status code and `{"Message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// 400: validation failures and refused state changes. The 4xx body shape is undocumented;
    /// `{"Message": ...}` is the ASP.NET default (ongoing-rest-api.md §10 q1).
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub(crate) fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, AUTH_DENIED)
    }

    pub(crate) fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, GENERIC_ERROR)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(serde_json::json!({ "Message": self.message })),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"Ongoing WMS\""),
            );
        }
        response
    }
}

/// An error answer of the control API (`/_sim/...`): a status code and `{"error": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ControlError {
    pub status: StatusCode,
    pub message: String,
}

impl ControlError {
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({ "error": self.message })),
        )
            .into_response()
    }
}

/// Why the simulator could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the local address of the listener: {0}")]
    LocalAddr(#[source] std::io::Error),
    #[error("the server task failed: {0}")]
    Task(String),
}
