//! Typed errors of the REST client, each classified retryable or terminal.
//!
//! Ongoing answers almost every failure with ASP.NET's `500 {"Message":"An error has
//! occurred."}`, also when it is merely overloaded, so 5xx, 408, 429 and transport failures
//! (time-outs, dropped connections) are worth another attempt; any other 4xx and a payload we
//! cannot read are not.

use std::time::Duration;

/// What went wrong talking to Ongoing.
#[derive(Debug, thiserror::Error)]
pub enum OngoingError {
    /// No answer: connect failure, time-out, or the connection dropped before the answer.
    #[error("{operation}: transport failed: {source}")]
    Transport {
        operation: String,
        #[source]
        source: reqwest::Error,
    },
    /// Ongoing answered with an error status.
    #[error("{operation}: ongoing answered {status}: {message}")]
    Status {
        operation: String,
        status: u16,
        /// `Message` of the error body, or the body text.
        message: String,
        /// `Retry-After`, when the answer carried one.
        retry_after: Option<Duration>,
    },
    /// The answer was not what the API documents.
    #[error("{operation}: unreadable answer: {reason}")]
    Decode { operation: String, reason: String },
    /// The goods owner's lane shared with the other replicas could not be taken (its
    /// database is down, or another replica held it past the wait bound): nothing was sent.
    #[error("{operation}: waiting for the goods owner's lane: {source}")]
    Lane {
        operation: String,
        #[source]
        source: platform_store::StoreError,
    },
    /// A record we were given or read is unusable; names the record and the field.
    #[error("{record}: field {field}: {reason}")]
    Invalid {
        record: String,
        field: String,
        reason: String,
    },
}

impl OngoingError {
    /// Worth another attempt later: time-outs, dropped connections, 408, 429 and 5xx, and a
    /// lane that could not be taken.
    pub fn is_retryable(&self) -> bool {
        match self {
            OngoingError::Transport { .. } | OngoingError::Lane { .. } => true,
            OngoingError::Status { status, .. } => {
                matches!(status, 408 | 429) || (500..=599).contains(status)
            }
            OngoingError::Decode { .. } | OngoingError::Invalid { .. } => false,
        }
    }

    /// The HTTP status, when Ongoing answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            OngoingError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How long Ongoing asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            OngoingError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// A bad record or field.
    pub fn invalid(
        record: impl Into<String>,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        OngoingError::Invalid {
            record: record.into(),
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// The `Message` of an ASP.NET error body, else the text itself (shortened).
pub(crate) fn error_message(body: &[u8]) -> String {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body)
        && let Some(message) = value
            .get("Message")
            .or_else(|| value.get("message"))
            .and_then(serde_json::Value::as_str)
    {
        return message.to_owned();
    }
    let text = String::from_utf8_lossy(body);
    text.chars().take(300).collect()
}

impl platform_http::Retryable for OngoingError {
    fn is_retryable(&self) -> bool {
        OngoingError::is_retryable(self)
    }

    fn retry_after(&self) -> Option<Duration> {
        OngoingError::retry_after(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> OngoingError {
        OngoingError::Status {
            operation: "op".into(),
            status: code,
            message: String::new(),
            retry_after: None,
        }
    }

    #[test]
    fn classification() {
        for code in [408, 429, 500, 502, 503, 504] {
            assert!(status(code).is_retryable(), "{code}");
        }
        for code in [400, 401, 403, 404, 409, 422] {
            assert!(!status(code).is_retryable(), "{code}");
        }
        assert!(
            !OngoingError::invalid("order X", "lines[0].articleNumber", "missing").is_retryable()
        );
        assert!(
            !OngoingError::Decode {
                operation: "op".into(),
                reason: "bad".into()
            }
            .is_retryable()
        );
    }

    #[test]
    fn messages() {
        assert_eq!(
            error_message(br#"{"Message":"An error has occurred."}"#),
            "An error has occurred."
        );
        assert_eq!(error_message(b"plain"), "plain");
    }
}
