//! Connection URLs (database, NATS) that may embed a password.
//!
//! `postgres://app:hunter2@db/centra` is configuration *and* a credential. [`ConnectionUrl`]
//! keeps the full text for the driver ([`ConnectionUrl::expose`]) and shows
//! `postgres://app:***@db/centra` everywhere else (Debug, Display, effective config).

use std::fmt;

use domain::secret::MASK;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::Url;

/// A URL whose password never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionUrl(String);

impl ConnectionUrl {
    /// Wraps a URL text (validated by the config checks, not here).
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The full URL, password included: only for handing to a driver.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with any password replaced by `***`; a text that does not parse as a URL is
    /// masked whole, as it might be a password pasted in the wrong place.
    pub fn redacted(&self) -> String {
        match Url::parse(&self.0) {
            Ok(url) if url.password().is_none() => self.0.clone(),
            Ok(mut url) => {
                if url.set_password(Some(MASK)).is_err() {
                    return MASK.to_owned();
                }
                url.to_string()
            }
            Err(_) => MASK.to_owned(),
        }
    }

    /// The scheme (`postgres`, `nats`, `sqlite`), when the text is a URL.
    pub fn scheme(&self) -> Option<String> {
        Url::parse(&self.0).ok().map(|u| u.scheme().to_owned())
    }
}

impl fmt::Debug for ConnectionUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

impl fmt::Display for ConnectionUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Serialize for ConnectionUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.redacted())
    }
}

impl<'de> Deserialize<'de> for ConnectionUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_print() {
        let url = ConnectionUrl::new("postgres://app:hunter2@db:5432/centra");
        for shown in [format!("{url}"), format!("{url:?}"), url.redacted()] {
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains("app:***@db"), "{shown}");
        }
        assert_eq!(url.expose(), "postgres://app:hunter2@db:5432/centra");
        assert_eq!(url.scheme().as_deref(), Some("postgres"));
    }

    #[test]
    fn urls_without_password_show_as_is_and_garbage_is_masked() {
        assert_eq!(
            ConnectionUrl::new("nats://127.0.0.1:4223").to_string(),
            "nats://127.0.0.1:4223"
        );
        assert_eq!(ConnectionUrl::new("hunter2").to_string(), "***");
    }
}
