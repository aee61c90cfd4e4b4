//! The one translation from a gRPC answer to a [`PortError`], used by every sync service's gRPC
//! adapters: the kind comes from the status code and the typed reasons of `proto::reasons`,
//! never from the message text.

use domain::{PortError, PortErrorKind};
use tonic::{Code, Status};

/// `status` from `service` as a port error, the status kept as its source.
///
/// - a typed `ARTICLE_MISSING` reason: [`PortErrorKind::ArticlesMissing`] with the articles;
/// - a refusal of the record (`INVALID_ARGUMENT`, `FAILED_PRECONDITION`, `NOT_FOUND`,
///   `OUT_OF_RANGE`, `ALREADY_EXISTS`): [`PortErrorKind::Refused`];
/// - a contract mismatch (`UNIMPLEMENTED`, `DATA_LOSS`): [`PortErrorKind::BrokenAnswer`];
/// - anything else, credentials included (`UNAUTHENTICATED`, `PERMISSION_DENIED` say nothing
///   about the record: once the credentials are fixed the same call passes), and `INTERNAL`:
///   [`PortErrorKind::Unavailable`], retried until `[runtime.redelivery]` gives the message up
///   into a dead letter.
pub fn port_error(service: &'static str, status: Status) -> PortError {
    let reason = status.message().to_owned();
    let error = if let Some(articles) = proto::reasons::missing_articles(&status) {
        PortError::articles_missing(service, reason, articles)
    } else {
        let kind = match status.code() {
            Code::InvalidArgument
            | Code::FailedPrecondition
            | Code::NotFound
            | Code::OutOfRange
            | Code::AlreadyExists => PortErrorKind::Refused,
            Code::Unimplemented | Code::DataLoss => PortErrorKind::BrokenAnswer,
            _ => PortErrorKind::Unavailable,
        };
        PortError::new(service, kind, reason)
    };
    error.with_source(status)
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn missing_articles_are_read_from_the_reason_never_from_the_text() {
        let typed =
            proto::reasons::articles_missing("Artikel existiert nicht", &["SHIRTREDM".to_owned()]);
        let error = port_error("wms-gateway", typed);
        assert_eq!(error.kind(), PortErrorKind::ArticlesMissing);
        assert_eq!(error.missing_articles(), ["SHIRTREDM".to_owned()]);
        // The same words without the reason are a plain refusal.
        let plain = port_error(
            "wms-gateway",
            Status::failed_precondition("article SHIRTREDM does not exist"),
        );
        assert_eq!(plain.kind(), PortErrorKind::Refused);
        assert!(plain.missing_articles().is_empty());
    }

    #[test]
    fn each_code_has_its_kind_and_the_status_is_the_source() {
        let cases = [
            (Status::invalid_argument("x"), PortErrorKind::Refused),
            (Status::failed_precondition("x"), PortErrorKind::Refused),
            (Status::not_found("x"), PortErrorKind::Refused),
            (Status::unimplemented("x"), PortErrorKind::BrokenAnswer),
            (Status::unavailable("x"), PortErrorKind::Unavailable),
            (Status::internal("x"), PortErrorKind::Unavailable),
            (Status::unauthenticated("x"), PortErrorKind::Unavailable),
            (Status::deadline_exceeded("x"), PortErrorKind::Unavailable),
        ];
        for (status, kind) in cases {
            let code = status.code();
            let error = port_error("centra-gateway", status);
            assert_eq!(error.kind(), kind, "{code:?}");
            let source = error.source().expect("status kept");
            assert!(source.downcast_ref::<Status>().is_some(), "{code:?}");
        }
    }
}
