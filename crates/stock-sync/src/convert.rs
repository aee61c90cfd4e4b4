//! Bus events into the flow's terms, each problem naming the record and the field (the same
//! `ConvertError` as the other sync services).

use platform_store::MessageId;

/// An event that can never be handled as it is, naming the record and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{record}: {field}: {problem}")]
pub struct ConvertError {
    pub record: String,
    pub field: String,
    pub problem: String,
}

/// A payload that does not decode as the feed's event.
pub fn undecodable(id: &MessageId, kind: &str, error: &prost::DecodeError) -> ConvertError {
    ConvertError {
        record: format!("message {id}"),
        field: "payload".into(),
        problem: format!("is not a {kind}: {error}"),
    }
}

/// The article number an event names, which must not be empty.
///
/// # Errors
/// [`ConvertError`] naming the message and `article_number` when it is empty.
pub fn article_number<'a>(
    id: &MessageId,
    article_number: &'a str,
) -> Result<&'a str, ConvertError> {
    if article_number.trim().is_empty() {
        return Err(ConvertError {
            record: format!("message {id}"),
            field: "article_number".to_owned(),
            problem: "is empty".to_owned(),
        });
    }
    Ok(article_number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_article_number_names_the_message_and_the_field() {
        let id = MessageId::new("m-1");
        let error = article_number(&id, "  ").expect_err("empty");
        assert_eq!(error.field, "article_number");
        assert_eq!(error.record, "message m-1");
        assert_eq!(article_number(&id, "A-1"), Ok("A-1"));
    }
}
