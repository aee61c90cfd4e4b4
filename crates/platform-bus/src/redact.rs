//! Server URLs as they may be shown: the credentials a NATS URL can carry
//! (`nats://user:password@host`, `nats://token@host`) never reach a log line, an error or a
//! `Debug` print. A URL list (`nats://a:4222,nats://b:4222`) is redacted part by part.
//!
//! The NATS client itself logs the server address it dials at `debug`, credentials included,
//! so [`split_credentials`] takes them out of the URL before it is handed over and gives them
//! to the client as options instead.

/// What a NATS URL's user information means to the client (async-nats reads it the same way:
/// user and password, or a lone user part as a token; both as written in the URL).
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    UserAndPassword { user: String, password: String },
    Token(String),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UserAndPassword { user, .. } => write!(f, "UserAndPassword({user}, ***)"),
            Self::Token(_) => f.write_str("Token(***)"),
        }
    }
}

/// `url` without user information (every part of a list), and the credentials of the first
/// part that carries any. A part that does not parse as a URL is left as it is: the client
/// refuses it with its own error, which callers show through [`redacted_url`].
pub fn split_credentials(url: &str) -> (String, Option<Credentials>) {
    let mut credentials = None;
    let parts: Vec<String> = url
        .split(',')
        .map(|part| {
            let trimmed = part.trim();
            let with_scheme = if trimmed.contains("://") {
                trimmed.to_owned()
            } else {
                format!("nats://{trimmed}")
            };
            let Ok(mut parsed) = url::Url::parse(&with_scheme) else {
                return part.to_owned();
            };
            let user = parsed.username().to_owned();
            let password = parsed.password().map(str::to_owned);
            if user.is_empty() && password.is_none() {
                return part.to_owned();
            }
            if credentials.is_none() {
                credentials = Some(match password {
                    Some(password) => Credentials::UserAndPassword { user, password },
                    None => Credentials::Token(user),
                });
            }
            if parsed.set_username("").is_err() || parsed.set_password(None).is_err() {
                return part.to_owned();
            }
            let mut shown = parsed.to_string();
            // `Url` adds a `/` path to a bare authority; the client wants `host:port`.
            if shown.ends_with('/') && !with_scheme.ends_with('/') {
                shown.pop();
            }
            if trimmed.contains("://") {
                shown
            } else {
                shown.trim_start_matches("nats://").to_owned()
            }
        })
        .collect();
    (parts.join(","), credentials)
}

/// `url` with any user information replaced by `***`.
pub fn redacted_url(url: &str) -> String {
    url.split(',')
        .map(|part| {
            let (scheme, rest) = match part.find("://") {
                Some(at) => part.split_at(at + 3),
                None => ("", part),
            };
            // The authority ends at the first `/`; user information is what precedes its last `@`.
            let authority_end = rest.find('/').unwrap_or(rest.len());
            match rest[..authority_end].rfind('@') {
                Some(at) => format!("{scheme}***{}", &rest[at..]),
                None => part.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::{Credentials, redacted_url, split_credentials};

    #[test]
    fn credentials_leave_the_url_for_the_options() {
        for (url, bare, credentials) in [
            ("nats://127.0.0.1:4222", "nats://127.0.0.1:4222", None),
            (
                "nats://app:s3cr3t@nats:4222",
                "nats://nats:4222",
                Some(Credentials::UserAndPassword {
                    user: "app".into(),
                    password: "s3cr3t".into(),
                }),
            ),
            (
                "nats://tok3n@nats:4222",
                "nats://nats:4222",
                Some(Credentials::Token("tok3n".into())),
            ),
            (
                "app:s3cr3t@nats:4222",
                "nats:4222",
                Some(Credentials::UserAndPassword {
                    user: "app".into(),
                    password: "s3cr3t".into(),
                }),
            ),
            (
                "tls://u:p@a:4222,tls://u:p@b:4222",
                "tls://a:4222,tls://b:4222",
                Some(Credentials::UserAndPassword {
                    user: "u".into(),
                    password: "p".into(),
                }),
            ),
        ] {
            assert_eq!(
                split_credentials(url),
                (bare.to_owned(), credentials),
                "{url}"
            );
        }
    }

    #[test]
    fn credentials_never_print() {
        let (_, credentials) = split_credentials("nats://user:hunter2@host:4222");
        let shown = format!("{credentials:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        let (_, token) = split_credentials("nats://hunter2@host:4222");
        assert!(!format!("{token:?}").contains("hunter2"));
    }

    #[test]
    fn credentials_are_replaced_and_the_rest_kept() {
        for (url, shown) in [
            ("nats://127.0.0.1:4222", "nats://127.0.0.1:4222"),
            ("nats://app:s3cr3t@nats:4222", "nats://***@nats:4222"),
            ("nats://tok3n@nats:4222", "nats://***@nats:4222"),
            ("app:s3cr3t@nats:4222", "***@nats:4222"),
            (
                "tls://u:p@a:4222,tls://u:p@b:4222",
                "tls://***@a:4222,tls://***@b:4222",
            ),
            ("nats://u:p%40ss@nats:4222/x@y", "nats://***@nats:4222/x@y"),
        ] {
            assert_eq!(redacted_url(url), shown, "{url}");
        }
    }

    #[test]
    fn no_secret_survives() {
        let shown = redacted_url("nats://user:hunter2@host:4222,nats://hunter2@other:4222");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
