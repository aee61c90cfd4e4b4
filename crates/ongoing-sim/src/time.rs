//! Time in Ongoing's formats.
//!
//! - Responses: UTC with up to seven fraction digits and trailing zeros dropped, as .NET
//!   writes them: `2019-04-09T10:39:31.3Z` (ongoing-rest-api.md §1).
//! - Webhooks: seven fraction digits and no zone: `2023-01-01T12:00:00.0000000` (§8).
//! - Requests: RFC 3339 with an offset is what Ongoing asks for; a value without a zone is read
//!   as UTC (doubt: §10 q5 leaves this open) and a bare date as its midnight UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Timelike, Utc};
use serde::{Serialize, Serializer};

/// A point in time that serializes the way Ongoing's responses do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct UtcTime(pub DateTime<Utc>);

impl Serialize for UtcTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_utc(self.0))
    }
}

/// `2019-04-09T10:39:31.3Z`: .NET round-trip style with the trailing zeros trimmed.
pub(crate) fn format_utc(time: DateTime<Utc>) -> String {
    let base = time.format("%Y-%m-%dT%H:%M:%S").to_string();
    let ticks = time.nanosecond() % 1_000_000_000 / 100;
    if ticks == 0 {
        return format!("{base}Z");
    }
    let fraction = format!("{ticks:07}");
    format!("{base}.{}Z", fraction.trim_end_matches('0'))
}

/// `2023-01-01T12:00:00.0000000`: the webhook `timestamp`, which carries no zone.
pub(crate) fn format_webhook(time: DateTime<Utc>) -> String {
    let ticks = time.nanosecond() % 1_000_000_000 / 100;
    format!("{}.{ticks:07}", time.format("%Y-%m-%dT%H:%M:%S"))
}

/// The request log's own format (RFC 3339, microseconds, `Z`).
pub(crate) fn format_log(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Reads a time given in a query string or a body.
pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    // Doubt: a value without a zone is taken as UTC (ongoing-rest-api.md §10 q5).
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Some(naive.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|naive| naive.and_utc())
}

/// A date field such as `deliveryDate` or `inDate`: the examples send and return a bare date
/// (`"2019-10-10"`); a full time is accepted too and returned in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OngoingDate {
    Day(NaiveDate),
    Time(DateTime<Utc>),
}

impl OngoingDate {
    pub(crate) fn parse(text: &str) -> Option<Self> {
        if let Ok(day) = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
            return Some(Self::Day(day));
        }
        parse_time(text).map(Self::Time)
    }
}

impl Serialize for OngoingDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Day(day) => serializer.serialize_str(&day.format("%Y-%m-%d").to_string()),
            Self::Time(time) => serializer.serialize_str(&format_utc(*time)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn utc_format_trims_trailing_zeros_like_dotnet() {
        let time = Utc.with_ymd_and_hms(2019, 4, 9, 10, 39, 31).unwrap()
            + chrono::Duration::milliseconds(300);
        assert_eq!(format_utc(time), "2019-04-09T10:39:31.3Z");
        let whole = Utc.with_ymd_and_hms(2019, 4, 9, 10, 39, 31).unwrap();
        assert_eq!(format_utc(whole), "2019-04-09T10:39:31Z");
        let leading = whole + chrono::Duration::milliseconds(83);
        assert_eq!(format_utc(leading), "2019-04-09T10:39:31.083Z");
    }

    #[test]
    fn webhook_timestamp_has_seven_digits_and_no_zone() {
        let time = Utc.with_ymd_and_hms(2023, 1, 1, 12, 0, 0).unwrap();
        assert_eq!(format_webhook(time), "2023-01-01T12:00:00.0000000");
    }

    #[test]
    fn parses_offsets_zoneless_and_dates() {
        let expected = Utc.with_ymd_and_hms(2019, 4, 9, 8, 0, 0).unwrap();
        assert_eq!(parse_time("2019-04-09T08:00:00.000+00:00"), Some(expected));
        assert_eq!(parse_time("2019-04-09T10:00:00+02:00"), Some(expected));
        assert_eq!(parse_time("2019-04-09T08:00:00"), Some(expected));
        assert_eq!(
            parse_time("2019-04-09"),
            Some(Utc.with_ymd_and_hms(2019, 4, 9, 0, 0, 0).unwrap())
        );
        assert_eq!(parse_time("yesterday"), None);
    }
}
