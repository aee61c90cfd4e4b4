//! What a call through a port can fail with: one type for every sync service, so the flows, the
//! dead-letter policy and the operator's status read failures the same way everywhere.
//!
//! The rule every adapter keeps (as restate's loglet errors and quickwit's storage errors do):
//! the [`PortErrorKind`] is decided **at the adapter boundary**, from the transport's own typed
//! signal (a gRPC status code, a typed reason in the status details), and nobody reads it back
//! from the text later. The transport's error is kept as the [`source`](std::error::Error::source)
//! so a log shows the whole chain.

use std::error::Error;
use std::sync::Arc;

/// Why a call did not go through, and whether trying it again can help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PortErrorKind {
    /// Down, unreachable, timed out, not serving yet: the outcome is unknown and the same call
    /// (with the same idempotency key) may pass later. Retryable.
    #[error("unavailable")]
    Unavailable,
    /// The far side refused this record (a bad field, a state that does not allow it): the same
    /// call fails again until a person or new facts change something. Terminal.
    #[error("refused")]
    Refused,
    /// The WMS refused the record because it lacks the articles named in
    /// [`PortError::missing_articles`]: it can pass once they are synced. Terminal for this
    /// call; the flow parks the record and resumes it when the articles arrive.
    #[error("articles missing")]
    ArticlesMissing,
    /// The answer breaks the port's contract (a bug on one side). Terminal.
    #[error("broken answer")]
    BrokenAnswer,
}

impl PortErrorKind {
    /// Whether the same call may pass later without anything changing.
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::Unavailable)
    }
}

/// A failed port call: which service, the kind (retryable or terminal), the far side's words,
/// and the transport error it came from.
#[derive(Debug, Clone)]
pub struct PortError {
    service: &'static str,
    kind: PortErrorKind,
    reason: String,
    missing_articles: Vec<String>,
    source: Option<Arc<dyn Error + Send + Sync>>,
}

impl std::fmt::Display for PortError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.service, self.kind, self.reason)
    }
}

/// The source is the transport's error itself (not the `Arc` around it), so a caller can
/// downcast it to, say, a `tonic::Status`.
impl Error for PortError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn Error + 'static))
    }
}

impl PortError {
    /// A failure of `kind` from `service`, with the far side's `reason`.
    pub fn new(service: &'static str, kind: PortErrorKind, reason: impl Into<String>) -> Self {
        Self {
            service,
            kind,
            reason: reason.into(),
            missing_articles: Vec::new(),
            source: None,
        }
    }

    /// [`PortErrorKind::Unavailable`].
    pub fn unavailable(service: &'static str, reason: impl Into<String>) -> Self {
        Self::new(service, PortErrorKind::Unavailable, reason)
    }

    /// [`PortErrorKind::Refused`].
    pub fn refused(service: &'static str, reason: impl Into<String>) -> Self {
        Self::new(service, PortErrorKind::Refused, reason)
    }

    /// [`PortErrorKind::ArticlesMissing`], naming the articles.
    pub fn articles_missing(
        service: &'static str,
        reason: impl Into<String>,
        articles: Vec<String>,
    ) -> Self {
        Self {
            missing_articles: articles,
            ..Self::new(service, PortErrorKind::ArticlesMissing, reason)
        }
    }

    /// [`PortErrorKind::BrokenAnswer`].
    pub fn broken_answer(service: &'static str, reason: impl Into<String>) -> Self {
        Self::new(service, PortErrorKind::BrokenAnswer, reason)
    }

    /// Keeps the transport's error as the source.
    #[must_use]
    pub fn with_source(mut self, source: impl Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    pub fn service(&self) -> &'static str {
        self.service
    }

    pub fn kind(&self) -> PortErrorKind {
        self.kind
    }

    /// The far side's words, for a person.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The articles the WMS lacks, when the kind is [`PortErrorKind::ArticlesMissing`].
    pub fn missing_articles(&self) -> &[String] {
        &self.missing_articles
    }

    /// Whether the same call may pass later; see [`PortErrorKind::is_retryable`].
    pub fn is_retryable(&self) -> bool {
        self.kind.is_retryable()
    }

    /// Splits a port call's result by the error's kind, the one rule every flow follows: a
    /// retryable failure comes back as `Err`, for the flow to return so the record stays where
    /// it is for the retry; success or a terminal failure comes back as `Ok`, for the flow to
    /// act on (park, answer, record), since the same call would fail the same way.
    ///
    /// # Errors
    /// The retryable failure.
    pub fn retryable_apart<T>(result: Result<T, PortError>) -> Result<Result<T, PortError>, Self> {
        match result {
            Err(error) if error.is_retryable() => Err(error),
            other => Ok(other),
        }
    }
}

/// Equal when service, kind, reason and missing articles are; the source is the transport's
/// detail and does not take part.
impl PartialEq for PortError {
    fn eq(&self, other: &Self) -> bool {
        self.service == other.service
            && self.kind == other.kind
            && self.reason == other.reason
            && self.missing_articles == other.missing_articles
    }
}

impl Eq for PortError {}

#[cfg(test)]
mod tests {
    #[test]
    fn a_retryable_failure_is_set_apart_and_a_terminal_one_handed_back() {
        let down: Result<(), PortError> = Err(PortError::unavailable("wms", "down"));
        let refused: Result<(), PortError> = Err(PortError::refused("wms", "no"));
        assert!(PortError::retryable_apart(down).is_err());
        assert_eq!(PortError::retryable_apart(refused.clone()), Ok(refused));
        assert_eq!(PortError::retryable_apart(Ok::<_, PortError>(7)), Ok(Ok(7)));
    }

    use super::*;

    #[test]
    fn only_unavailable_is_retryable() {
        assert!(PortErrorKind::Unavailable.is_retryable());
        for kind in [
            PortErrorKind::Refused,
            PortErrorKind::ArticlesMissing,
            PortErrorKind::BrokenAnswer,
        ] {
            assert!(!kind.is_retryable(), "{kind}");
        }
    }

    #[test]
    fn the_source_is_kept_and_the_text_names_service_and_kind() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused by peer");
        let error = PortError::unavailable("wms-gateway", "connect failed").with_source(io);
        assert_eq!(
            error.to_string(),
            "wms-gateway: unavailable: connect failed"
        );
        let source = error.source().expect("source kept");
        assert_eq!(source.to_string(), "refused by peer");
        assert_eq!(
            error,
            PortError::unavailable("wms-gateway", "connect failed")
        );
    }

    #[test]
    fn missing_articles_travel_with_their_kind() {
        let error =
            PortError::articles_missing("wms-gateway", "no such article", vec!["A1".into()]);
        assert_eq!(error.kind(), PortErrorKind::ArticlesMissing);
        assert_eq!(error.missing_articles(), ["A1".to_owned()]);
        assert!(!error.is_retryable());
    }
}
