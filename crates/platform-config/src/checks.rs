//! Small shape checks shared by the runtime and WMS sections.

use url::Url;

/// `None` when `text` is an absolute URL with a host and one of `schemes`.
pub(crate) fn url_problem(text: &str, schemes: &[&str]) -> Option<String> {
    url_problem_shown_as(text, text, schemes)
}

/// Like [`url_problem`], quoting `shown` instead of `text` (a URL that may hold a password is
/// quoted in its redacted form).
pub(crate) fn url_problem_shown_as(text: &str, shown: &str, schemes: &[&str]) -> Option<String> {
    let expected = schemes.join(", ");
    match Url::parse(text) {
        Err(err) => Some(format!(
            "{shown:?} is not a url ({err}); expected {expected}"
        )),
        Ok(url) if !schemes.contains(&url.scheme()) => Some(format!(
            "{shown:?} has scheme {:?}; expected {expected}",
            url.scheme()
        )),
        Ok(url) if url.scheme() != "sqlite" && url.host_str().is_none_or(str::is_empty) => {
            Some(format!("{shown:?} has no host"))
        }
        Ok(_) => None,
    }
}

/// `None` when `text` can be a token of a NATS subject, stream name or event id:
/// letters, digits, `-` and `_`.
pub(crate) fn token_problem(what: &str, text: &str) -> Option<String> {
    if text.is_empty() {
        return Some("is empty".into());
    }
    text.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        .map(|c| format!("{what} {text:?} contains {c:?}; use only letters, digits, '-' and '_'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(url_problem("postgres://db/x", &["postgres"]), None);
        assert!(
            url_problem("mysql://db/x", &["postgres"])
                .expect("scheme")
                .contains("\"mysql\"")
        );
        assert!(url_problem("db", &["postgres"]).is_some());
        assert_eq!(url_problem("sqlite:data/x.db", &["sqlite"]), None);
    }

    #[test]
    fn tokens() {
        assert_eq!(token_problem("x", "centra-wms_1"), None);
        assert!(token_problem("x", "a.b").is_some());
        assert!(token_problem("x", "").is_some());
    }
}
