//! `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3), or a Unix timestamp, the
//! form Centra documents ("timestamp of when you can resume"). One reading for every gateway,
//! so the same header never means two waits depending on who called.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use reqwest::header::HeaderValue;

/// A `Retry-After` integer at or above this is a Unix time, not a number of seconds (10^9
/// seconds is about 31 years: no server asks for such a wait, and every Unix time since 2001
/// is above it).
pub const EPOCH_SECONDS_FROM: u64 = 1_000_000_000;

/// The wait `Retry-After` asks for: seconds, until a Unix timestamp, or until an HTTP date (an
/// instant in the past is no wait). `None` for a missing or unreadable value (the backoff then
/// applies).
pub fn parse_retry_after(value: Option<&HeaderValue>) -> Option<Duration> {
    parse_retry_after_at(value, SystemTime::now())
}

/// [`parse_retry_after`] as read at `now`.
pub fn parse_retry_after_at(value: Option<&HeaderValue>, now: SystemTime) -> Option<Duration> {
    let text = value?.to_str().ok()?.trim();
    if let Ok(number) = text.parse::<u64>() {
        if number < EPOCH_SECONDS_FROM {
            return Some(Duration::from_secs(number));
        }
        let at = UNIX_EPOCH + Duration::from_secs(number);
        return Some(at.duration_since(now).unwrap_or(Duration::ZERO));
    }
    let at = DateTime::parse_from_rfc2822(text).ok()?;
    let wait = at.with_timezone(&Utc) - DateTime::<Utc>::from(now);
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(text: &str) -> HeaderValue {
        HeaderValue::from_str(text).expect("a header value")
    }

    fn parse(text: &str) -> Option<Duration> {
        parse_retry_after(Some(&header(text)))
    }

    #[test]
    fn seconds_or_an_http_date() {
        assert_eq!(parse("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse(" 120 "), Some(Duration::from_secs(120)));
        assert_eq!(
            parse("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO),
            "a past date is no wait"
        );
        let soon = (Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        let wait = parse(&soon).expect("a date");
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        assert_eq!(parse("soon"), None);
        assert_eq!(parse("-1"), None);
        assert_eq!(parse_retry_after(None), None);
    }

    /// Centra's form: the instant to resume at, as a Unix time; read at a fixed `now`.
    #[test]
    fn seconds_a_unix_timestamp_or_an_http_date_at_a_given_instant() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let cases = [
            ("7", Some(Duration::from_secs(7))),
            ("999999999", Some(Duration::from_secs(999_999_999))),
            ("1700000030", Some(Duration::from_secs(30))),
            ("1699999990", Some(Duration::ZERO)),
            ("Sun, 06 Nov 1994 08:49:37 GMT", Some(Duration::ZERO)),
            (
                "Tue, 14 Nov 2023 22:13:40 GMT",
                Some(Duration::from_secs(20)),
            ),
            ("soon", None),
        ];
        for (text, expected) in cases {
            assert_eq!(
                parse_retry_after_at(Some(&header(text)), now),
                expected,
                "{text}"
            );
        }
        assert_eq!(parse_retry_after_at(None, now), None);
    }
}
