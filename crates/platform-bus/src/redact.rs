//! Server URLs as they may be shown: the credentials a NATS URL can carry
//! (`nats://user:password@host`, `nats://token@host`) never reach a log line, an error or a
//! `Debug` print. A URL list (`nats://a:4222,nats://b:4222`) is redacted part by part.

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
    use super::redacted_url;

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
