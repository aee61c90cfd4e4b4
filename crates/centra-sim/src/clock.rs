//! The store's wall clock: Centra's Order API speaks local time of one system-wide zone chosen by
//! the client, without any offset, both in responses (`"2012-02-04 15:16:13"`) and in filters
//! (`newer_than=2019-01-01 12:11:39` or `newer_than=2019-01-01`). The simulator keeps every
//! instant in UTC and converts only at the edge, here.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Formats and parses timestamps in the store's time zone.
#[derive(Debug, Clone, Copy)]
pub struct StoreClock {
    zone: Tz,
}

/// A filter value that is neither `YYYY-mm-dd` nor `YYYY-mm-dd HH:MM:SS`.
#[derive(Debug, thiserror::Error)]
#[error("expected YYYY-mm-dd or YYYY-mm-dd HH:MM:SS, got {0:?}")]
pub struct BadDate(pub String);

impl StoreClock {
    pub fn new(zone: Tz) -> Self {
        Self { zone }
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// `2012-02-04 15:16:13`, the shape of every Order API timestamp.
    pub fn format(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.zone)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }

    /// `2019-01-28 01:15`: supplier deliveries print minutes only (REF/503 example).
    pub fn format_minutes(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.zone)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    /// `2021-01-29 14:40:58.628033`: webhook event dates carry microseconds (HOOK example).
    pub fn format_micros(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.zone)
            .format("%Y-%m-%d %H:%M:%S%.6f")
            .to_string()
    }

    /// Reads a filter or seed date given in store-local time. A bare date means midnight. A
    /// local time that does not exist (spring-forward gap) moves forward by the gap; an
    /// ambiguous one (autumn) takes the earlier instant.
    pub fn parse(&self, raw: &str) -> Result<DateTime<Utc>, BadDate> {
        let text = raw.trim();
        let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M"))
            .or_else(|_| {
                NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
            })
            .map_err(|_| BadDate(raw.to_owned()))?;
        Ok(self.local_to_utc(naive))
    }

    fn local_to_utc(&self, naive: NaiveDateTime) -> DateTime<Utc> {
        match self.zone.from_local_datetime(&naive) {
            LocalResult::Single(t) => t.with_timezone(&Utc),
            LocalResult::Ambiguous(early, _) => early.with_timezone(&Utc),
            LocalResult::None => {
                let shifted = naive + chrono::Duration::hours(1);
                match self.zone.from_local_datetime(&shifted) {
                    LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
                    LocalResult::None => Utc.from_utc_datetime(&naive),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stockholm() -> StoreClock {
        StoreClock::new(chrono_tz::Europe::Stockholm)
    }

    #[test]
    fn formats_in_store_zone_without_offset() {
        let at = Utc.with_ymd_and_hms(2024, 1, 15, 12, 0, 0).unwrap();
        assert_eq!(stockholm().format(at), "2024-01-15 13:00:00");
        let summer = Utc.with_ymd_and_hms(2024, 7, 15, 12, 0, 0).unwrap();
        assert_eq!(stockholm().format(summer), "2024-07-15 14:00:00");
        assert_eq!(stockholm().format_minutes(summer), "2024-07-15 14:00");
    }

    #[test]
    fn parses_both_filter_shapes_as_local_time() {
        let clock = stockholm();
        assert_eq!(
            clock.parse("2024-07-15 14:00:00").unwrap(),
            Utc.with_ymd_and_hms(2024, 7, 15, 12, 0, 0).unwrap()
        );
        assert_eq!(
            clock.parse("2024-01-15").unwrap(),
            Utc.with_ymd_and_hms(2024, 1, 14, 23, 0, 0).unwrap()
        );
        assert!(clock.parse("15/01/2024").is_err());
        assert!(clock.parse("2024-01-15T10:00:00+01:00").is_err());
    }

    #[test]
    fn daylight_saving_edges_resolve_deterministically() {
        let clock = stockholm();
        // 2024-03-31 02:30 does not exist in Stockholm: 03:30 CEST = 01:30 UTC.
        assert_eq!(
            clock.parse("2024-03-31 02:30:00").unwrap(),
            Utc.with_ymd_and_hms(2024, 3, 31, 1, 30, 0).unwrap()
        );
        // 2024-10-27 02:30 happens twice: the earlier one is 00:30 UTC.
        assert_eq!(
            clock.parse("2024-10-27 02:30:00").unwrap(),
            Utc.with_ymd_and_hms(2024, 10, 27, 0, 30, 0).unwrap()
        );
    }
}
