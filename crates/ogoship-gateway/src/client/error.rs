//! Typed errors of the REST client, each classified retryable or terminal.
//!
//! Worth another attempt: no answer (time-out, dropped connection), 408, 429, 5xx, and a store
//! failure while keeping the refresh token. Terminal: any other 4xx, an answer we cannot read,
//! and the token server refusing the merchant's credentials ([`OgoshipError::CredentialsRefused`]),
//! which a person must fix in the configuration.

use std::time::Duration;

use platform_store::StoreError;

/// What a person must do when the token server refuses the credentials.
pub const FIX_CREDENTIALS: &str = "check merchant id and secret in [wms] (merchant_id, merchant_secret, client_id, client_secret)";

/// What went wrong talking to OGOship.
#[derive(Debug, thiserror::Error)]
pub enum OgoshipError {
    /// No answer: connect failure, time-out, or the connection dropped before the answer.
    /// Retryable.
    #[error("{operation}: transport failed: {source}")]
    Transport {
        operation: String,
        #[source]
        source: reqwest::Error,
    },
    /// OGOship answered with an error status; retryable for 408, 429 and 5xx only.
    #[error("{operation}: ogoship answered {status}: {message}")]
    Status {
        operation: String,
        status: u16,
        /// `message` of the `ApiError` body (or `error_description` of an OAuth error).
        message: String,
        /// The OAuth `error` code (`invalid_grant`, ...) of a token answer.
        oauth_error: Option<String>,
        retry_after: Option<Duration>,
    },
    /// The token server refused the password grant: terminal until the configuration changes.
    #[error("ogoship refused the merchant credentials ({message}); {FIX_CREDENTIALS}")]
    CredentialsRefused { message: String },
    /// The answer was not what the API documents. Terminal.
    #[error("{operation}: unreadable answer: {reason}")]
    Decode { operation: String, reason: String },
    /// A record we read is unusable; names the record and the field. Terminal.
    #[error("{record}: field {field}: {reason}")]
    Invalid {
        record: String,
        field: String,
        reason: String,
    },
    /// The gateway's own store failed (keeping the refresh token, minting a handle).
    /// Retryable.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl OgoshipError {
    /// Worth another attempt later.
    pub fn is_retryable(&self) -> bool {
        match self {
            OgoshipError::Transport { .. } | OgoshipError::Store(_) => true,
            OgoshipError::Status { status, .. } => {
                matches!(status, 408 | 429) || (500..=599).contains(status)
            }
            OgoshipError::CredentialsRefused { .. }
            | OgoshipError::Decode { .. }
            | OgoshipError::Invalid { .. } => false,
        }
    }

    /// The HTTP status, when OGOship answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            OgoshipError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            OgoshipError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// A bad record or field.
    pub fn invalid(
        record: impl Into<String>,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        OgoshipError::Invalid {
            record: record.into(),
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl platform_http::Retryable for OgoshipError {
    fn is_retryable(&self) -> bool {
        OgoshipError::is_retryable(self)
    }

    fn retry_after(&self) -> Option<Duration> {
        OgoshipError::retry_after(self)
    }
}

/// The `message` of an `ApiError` body, the `error_description` of an OAuth error, else the
/// text itself (shortened); and the OAuth `error` code when there is one.
pub(crate) fn error_message(body: &[u8]) -> (String, Option<String>) {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        let text = |name: &str| value.get(name).and_then(serde_json::Value::as_str);
        let oauth = text("error").map(str::to_owned);
        if let Some(message) = text("message")
            .or_else(|| text("Message"))
            .or_else(|| text("error_description"))
        {
            return (message.to_owned(), oauth);
        }
        if let Some(code) = oauth {
            return (code.clone(), Some(code));
        }
    }
    let text = String::from_utf8_lossy(body);
    (text.chars().take(300).collect(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> OgoshipError {
        OgoshipError::Status {
            operation: "op".into(),
            status: code,
            message: String::new(),
            oauth_error: None,
            retry_after: None,
        }
    }

    #[test]
    fn classification() {
        for code in [408, 429, 500, 502, 503] {
            assert!(status(code).is_retryable(), "{code}");
        }
        for code in [400, 401, 403, 404, 409] {
            assert!(!status(code).is_retryable(), "{code}");
        }
        let refused = OgoshipError::CredentialsRefused {
            message: "invalid_grant".into(),
        };
        assert!(!refused.is_retryable());
        assert!(
            refused
                .to_string()
                .contains("check merchant id and secret in [wms]")
        );
    }

    #[test]
    fn messages() {
        assert_eq!(
            error_message(br#"{"statusCode":400,"message":"The code field is required."}"#).0,
            "The code field is required."
        );
        let (message, code) =
            error_message(br#"{"error":"invalid_grant","error_description":"used"}"#);
        assert_eq!(
            (message.as_str(), code.as_deref()),
            ("used", Some("invalid_grant"))
        );
        assert_eq!(error_message(b"plain").0, "plain");
    }
}
