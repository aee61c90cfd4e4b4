//! Typed errors of the GraphQL client, classified as retryable or terminal.
//!
//! Retryable: timeouts, dropped connections, HTTP 5xx, HTTP 429 (with the wait Centra asked
//! for). Terminal: a token Centra refuses or one that lacks a permission (HTTP 401/403, or a
//! top-level `errors[]` entry with `extensions.category = "authorization"`), a mutation's
//! `userErrors` (a refusal naming the record and each field's `path`), other top-level errors
//! (a query Centra's schema does not take), other 4xx, and an answer the gateway cannot read.
//! No variant carries the token: it only ever lives in the request header.

use std::fmt;
use std::time::Duration;

use domain::EndpointName;
use thiserror::Error;

pub use crate::client::PayloadError;

/// One `userErrors` (or `userWarnings`) entry: Centra's message and the input field it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserProblem {
    /// Centra's message, e.g. `Quantity exceeds the order line`.
    pub message: String,
    /// The input field, e.g. `["input", "lines", "0", "quantity"]`; empty when Centra named
    /// none.
    pub path: Vec<String>,
}

impl UserProblem {
    /// The field as one dotted name (`input.lines.0.quantity`), or `-` when Centra named none.
    pub fn field(&self) -> String {
        if self.path.is_empty() {
            "-".to_owned()
        } else {
            self.path.join(".")
        }
    }
}

impl fmt::Display for UserProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field(), self.message)
    }
}

/// A mutation Centra refused with `userErrors`: which record, and what was wrong with which
/// field. Kept for a person; trying again unchanged cannot help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The record the mutation was about, e.g. `shipment 17` or `supplier delivery 4`.
    pub record: String,
    /// Every `userErrors` entry, in Centra's order.
    pub problems: Vec<UserProblem>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.record)?;
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// What went wrong with one call.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GraphqlErrorKind {
    /// No answer within the request timeout.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The connection failed or was dropped before a full answer arrived.
    #[error("connection failed: {0}")]
    Connection(String),
    /// HTTP 5xx.
    #[error("server error (http {0})")]
    Server(u16),
    /// HTTP 429: over one of the token buckets; the wait Centra asked for, when it did.
    #[error("throttled (http 429, retry after {0:?})")]
    Throttled(Option<Duration>),
    /// The token is refused (HTTP 401/403) or lacks a permission (a top-level error with
    /// `extensions.category = "authorization"`). Centra's message names the permission.
    #[error("not authorized: {0}")]
    NotAuthorized(String),
    /// The mutation's `userErrors`.
    #[error("refused: {0}")]
    Refused(Refusal),
    /// Other top-level `errors[]`: Centra did not run the operation as sent.
    #[error("query failed: {0}")]
    QueryFailed(String),
    /// Another non-2xx status.
    #[error("rejected with http {status}: {message}")]
    Rejected {
        /// HTTP status.
        status: u16,
        /// The first error message of the body, when it had one.
        message: String,
    },
    /// An answer the gateway cannot read.
    #[error("bad payload: {0}")]
    BadPayload(PayloadError),
    /// A request the gateway will not send (bad input from the caller, no token).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

/// One failed Integration API call: which end-point, which operation, what happened.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("centra end-point {endpoint} (graphql): {operation}: {kind}")]
pub struct GraphqlError {
    /// The end-point's name (never its token).
    pub endpoint: EndpointName,
    /// The operation, e.g. `captureShipment`.
    pub operation: String,
    /// What happened.
    pub kind: GraphqlErrorKind,
}

impl GraphqlError {
    pub fn new(
        endpoint: &EndpointName,
        operation: impl Into<String>,
        kind: GraphqlErrorKind,
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
            GraphqlErrorKind::Timeout(_)
                | GraphqlErrorKind::Connection(_)
                | GraphqlErrorKind::Server(_)
                | GraphqlErrorKind::Throttled(_)
        )
    }

    /// True for a 429: Centra refused the call before running it, so even a mutation may be
    /// sent again.
    pub fn is_throttled(&self) -> bool {
        matches!(self.kind, GraphqlErrorKind::Throttled(_))
    }

    /// The wait Centra asked for with a 429, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.kind {
            GraphqlErrorKind::Throttled(after) => after,
            _ => None,
        }
    }

    /// The `userErrors` refusal, when this is one.
    pub fn refusal(&self) -> Option<&Refusal> {
        match &self.kind {
            GraphqlErrorKind::Refused(refusal) => Some(refusal),
            _ => None,
        }
    }

    /// True when the token is refused or lacks a permission.
    pub fn is_not_authorized(&self) -> bool {
        matches!(self.kind, GraphqlErrorKind::NotAuthorized(_))
    }

    /// The unreadable field when this is a bad payload.
    pub fn payload_error(&self) -> Option<&PayloadError> {
        match &self.kind {
            GraphqlErrorKind::BadPayload(error) => Some(error),
            _ => None,
        }
    }
}

impl platform_http::Retryable for GraphqlError {
    fn is_retryable(&self) -> bool {
        GraphqlError::is_retryable(self)
    }

    fn retry_after(&self) -> Option<Duration> {
        GraphqlError::retry_after(self)
    }
}

/// A mutation's error seen by the retry loop: only a 429 is retried, as Centra did not run the
/// mutation; after a timeout or a lost answer it may have, so the caller decides (it reads the
/// record back before trying again).
#[derive(Debug)]
pub(crate) struct MutationAttempt(pub GraphqlError);

impl fmt::Display for MutationAttempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl platform_http::Retryable for MutationAttempt {
    fn is_retryable(&self) -> bool {
        self.0.is_throttled()
    }

    fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_the_record_and_every_field() {
        let refusal = Refusal {
            record: "shipment 17".to_owned(),
            problems: vec![
                UserProblem {
                    message: "must be paid".to_owned(),
                    path: vec!["id".to_owned()],
                },
                UserProblem {
                    message: "in the future".to_owned(),
                    path: vec!["input".to_owned(), "shippedAt".to_owned()],
                },
                UserProblem {
                    message: "no field".to_owned(),
                    path: Vec::new(),
                },
            ],
        };
        assert_eq!(
            refusal.to_string(),
            "shipment 17: id: must be paid; input.shippedAt: in the future; -: no field"
        );
    }

    #[test]
    fn only_transient_failures_are_retryable_and_a_mutation_retries_a_429_alone() {
        let endpoint = EndpointName::parse("shop1").expect("name");
        let error = |kind| GraphqlError::new(&endpoint, "captureShipment", kind);
        let throttled = error(GraphqlErrorKind::Throttled(Some(Duration::from_secs(3))));
        assert!(throttled.is_retryable());
        assert_eq!(throttled.retry_after(), Some(Duration::from_secs(3)));
        assert!(platform_http::Retryable::is_retryable(&MutationAttempt(
            throttled
        )));
        let timeout = error(GraphqlErrorKind::Timeout(Duration::from_secs(30)));
        assert!(timeout.is_retryable(), "a read may be sent again");
        assert!(
            !platform_http::Retryable::is_retryable(&MutationAttempt(timeout)),
            "a mutation may have run: the caller reads back first"
        );
        for terminal in [
            GraphqlErrorKind::NotAuthorized("Shipment:write".to_owned()),
            GraphqlErrorKind::QueryFailed("unknown field".to_owned()),
            GraphqlErrorKind::Rejected {
                status: 400,
                message: String::new(),
            },
        ] {
            assert!(!error(terminal).is_retryable());
        }
    }
}
