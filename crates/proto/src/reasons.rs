//! Refusal reasons that travel typed between services. A gateway answers a refusal it can
//! name with `google.rpc.ErrorInfo` in the status details (a reason code, the domain
//! [`DOMAIN`], the records involved as metadata); a sync service matches on the code, never on
//! the message, which carries the upstream's own words in its own language.
//!
//! ```text
//! gateway:  Err(articles_missing("Order 83651-1, row 1: article X does not exist.", &["X"]))
//! caller:   if let Some(articles) = missing_articles(&status) { park until they are synced }
//! ```

use std::collections::HashMap;

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt as _};

/// `ErrorInfo.domain` of every reason here.
pub const DOMAIN: &str = "centra-wms";

/// The WMS refused a record because some of its articles are not in the WMS (yet): the record
/// can go through once they are. `metadata`: `article.0`, `article.1`, ... the article
/// numbers the WMS lacks.
pub const ARTICLE_MISSING: &str = "ARTICLE_MISSING";

const ARTICLE_KEY: &str = "article.";

/// `FAILED_PRECONDITION` with [`ARTICLE_MISSING`] naming `articles`.
pub fn articles_missing(message: impl Into<String>, articles: &[String]) -> Status {
    let metadata: HashMap<String, String> = articles
        .iter()
        .enumerate()
        .map(|(i, article)| (format!("{ARTICLE_KEY}{i}"), article.clone()))
        .collect();
    Status::with_error_details(
        Code::FailedPrecondition,
        message,
        ErrorDetails::with_error_info(ARTICLE_MISSING, DOMAIN, metadata),
    )
}

/// The upstream refused the record itself (Centra's refusal answer, GraphQL `userErrors`): the
/// same call will be refused again until the record changes. `metadata`: `record` (e.g.
/// `shipment 17`) when the gateway knows it, `field.0`, `field.1`, ... the input fields named.
pub const RECORD_REFUSED: &str = "RECORD_REFUSED";

/// The upstream refused the call but not because of the record: the credential, a permission
/// it lacks, or another 4xx the gateway cannot pin on the record. A person looks at the
/// settings or the gateway, not the record. `metadata`: none.
pub const ACCESS_REFUSED: &str = "ACCESS_REFUSED";

/// The upstream has not finished (a capture the payment provider settles later): not done, and
/// asking again later is how to learn the outcome. Travels as `UNAVAILABLE`.
pub const NOT_YET: &str = "NOT_YET";

const FIELD_KEY: &str = "field.";

/// `FAILED_PRECONDITION` with [`RECORD_REFUSED`] naming `record` (when known) and `fields`.
pub fn record_refused(
    message: impl Into<String>,
    record: Option<&str>,
    fields: &[String],
) -> Status {
    let mut metadata: HashMap<String, String> = fields
        .iter()
        .enumerate()
        .map(|(i, field)| (format!("{FIELD_KEY}{i}"), field.clone()))
        .collect();
    if let Some(record) = record {
        metadata.insert("record".to_owned(), record.to_owned());
    }
    Status::with_error_details(
        Code::FailedPrecondition,
        message,
        ErrorDetails::with_error_info(RECORD_REFUSED, DOMAIN, metadata),
    )
}

/// `FAILED_PRECONDITION` with [`ACCESS_REFUSED`].
pub fn access_refused(message: impl Into<String>) -> Status {
    Status::with_error_details(
        Code::FailedPrecondition,
        message,
        ErrorDetails::with_error_info(ACCESS_REFUSED, DOMAIN, HashMap::new()),
    )
}

/// `UNAVAILABLE` with [`NOT_YET`].
pub fn not_yet(message: impl Into<String>) -> Status {
    Status::with_error_details(
        Code::Unavailable,
        message,
        ErrorDetails::with_error_info(NOT_YET, DOMAIN, HashMap::new()),
    )
}

/// The record and fields a [`RECORD_REFUSED`] refusal names; `None` for any other status.
pub fn refused_record(status: &Status) -> Option<(Option<String>, Vec<String>)> {
    let info = status
        .get_details_error_info()
        .filter(|info| info.domain == DOMAIN && info.reason == RECORD_REFUSED)?;
    let record = info.metadata.get("record").cloned();
    Some((record, numbered(info.metadata, FIELD_KEY)))
}

/// The reason code of `status`, when a gateway gave one.
pub fn reason(status: &Status) -> Option<String> {
    status
        .get_details_error_info()
        .filter(|info| info.domain == DOMAIN)
        .map(|info| info.reason)
}

/// The articles an [`ARTICLE_MISSING`] refusal names, in order; `None` for any other status.
pub fn missing_articles(status: &Status) -> Option<Vec<String>> {
    let info = status
        .get_details_error_info()
        .filter(|info| info.domain == DOMAIN && info.reason == ARTICLE_MISSING)?;
    Some(numbered(info.metadata, ARTICLE_KEY))
}

/// The values of `metadata` whose keys are `prefix` and an index, in index order.
fn numbered(metadata: HashMap<String, String>, prefix: &str) -> Vec<String> {
    let mut numbered: Vec<(usize, String)> = metadata
        .into_iter()
        .filter_map(|(key, value)| {
            let index = key.strip_prefix(prefix)?.parse().ok()?;
            Some((index, value))
        })
        .collect();
    numbered.sort();
    numbered.into_iter().map(|(_, value)| value).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_articles_survive_the_trip_through_the_status_details() {
        let articles: Vec<String> = (0..12).map(|i| format!("SHIRT-{i}")).collect();
        let status = articles_missing("Artikel SHIRT-0 existiert nicht", &articles);
        assert_eq!(status.code(), Code::FailedPrecondition);
        assert_eq!(reason(&status).as_deref(), Some(ARTICLE_MISSING));
        // Through the wire form (the details are bytes in `grpc-status-details-bin`).
        let http: tonic::codegen::http::Response<()> = status.into_http();
        let back = Status::from_header_map(http.headers()).expect("a status");
        assert_eq!(missing_articles(&back), Some(articles));
    }

    #[test]
    fn a_refused_record_keeps_its_record_and_fields_through_the_wire() {
        let fields = vec!["input.lines.0.quantity".to_owned(), "id".to_owned()];
        let status = record_refused("Quantity exceeds the line", Some("shipment 17"), &fields);
        let http: tonic::codegen::http::Response<()> = status.into_http();
        let back = Status::from_header_map(http.headers()).expect("a status");
        assert_eq!(back.code(), Code::FailedPrecondition);
        assert_eq!(reason(&back).as_deref(), Some(RECORD_REFUSED));
        assert_eq!(
            refused_record(&back),
            Some((Some("shipment 17".to_owned()), fields))
        );
        assert_eq!(missing_articles(&back), None);
    }

    #[test]
    fn access_refused_and_not_yet_are_told_apart_by_their_code() {
        assert_eq!(
            reason(&access_refused("token expired")).as_deref(),
            Some(ACCESS_REFUSED)
        );
        let pending = not_yet("capture pending");
        assert_eq!(pending.code(), Code::Unavailable);
        assert_eq!(reason(&pending).as_deref(), Some(NOT_YET));
        assert_eq!(refused_record(&pending), None);
    }

    #[test]
    fn a_plain_refusal_names_no_articles() {
        let status = Status::failed_precondition("article X does not exist");
        assert_eq!(missing_articles(&status), None);
        assert_eq!(reason(&status), None);
    }
}
