//! The simulator's clock: wall time plus an offset that `POST /_sim/clock` moves forward, so a
//! test can expire a 1.5 h access token (ogoship-api.md §2) without waiting. Every timestamp the
//! simulator writes (`editTime`, `modified`, token expiry) comes from here.
//!
//! Also the wire format of dates: ISO 8601 with an offset (§1, G1), written with milliseconds
//! so a `modifiedAfter` cursor taken from an answer round-trips exactly.

use std::sync::Mutex;

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, SecondsFormat, Timelike, Utc};

#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset: Mutex<Duration>,
}

impl Clock {
    /// Now on the simulator's clock, truncated to milliseconds (the precision written out).
    pub(crate) fn now(&self) -> DateTime<Utc> {
        let offset = *self
            .offset
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Utc::now() + offset;
        let millis = now.nanosecond() / 1_000_000 * 1_000_000;
        now.with_nanosecond(millis).unwrap_or(now)
    }

    /// Moves the clock forward by `seconds` (never backward: tokens and cursors only go on).
    pub(crate) fn advance(&self, seconds: u64) -> DateTime<Utc> {
        {
            let mut offset = self
                .offset
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let step = i64::try_from(seconds).unwrap_or(i64::MAX / 1_000_000);
            *offset += Duration::seconds(step.min(100 * 365 * 86_400));
        }
        self.now()
    }
}

/// `2018-10-20T11:11:11.123+00:00`.
pub(crate) fn format(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, false)
}

/// Reads a `modifiedAfter`-style date: RFC 3339 with an offset, or without one (read as UTC).
/// Doc gap: the docs show only offset dates (G1); zone-less dates are taken as UTC.
pub(crate) fn parse(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = DateTime::<FixedOffset>::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Some(naive.and_utc());
        }
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|naive| naive.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatted_times_parse_back_exactly() {
        let clock = Clock::default();
        let now = clock.now();
        assert_eq!(parse(&format(now)), Some(now));
        assert!(parse("2018-10-20T11:11:11+01:00").is_some());
        assert!(parse("yesterday").is_none());
    }

    #[test]
    fn advancing_moves_now_forward() {
        let clock = Clock::default();
        let before = clock.now();
        let after = clock.advance(5400);
        assert!(after - before >= Duration::seconds(5400));
    }
}
