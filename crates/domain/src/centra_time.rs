//! Centra Order API timestamps, which carry no offset.
//!
//! Centra writes and filters times in one system-wide zone chosen by the client
//! (`settings.centra_time_zone`); nothing in a payload says which. Every Centra time is converted
//! to UTC here, on the way in, and cursors are converted back on the way out, so no comparison in
//! centra-wms ever mixes zones.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use thiserror::Error;

/// Format of Centra's timestamps and date-time filters.
pub const CENTRA_DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// A text that is not a Centra timestamp.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{text:?} is not a centra timestamp (YYYY-mm-dd HH:MM:SS or YYYY-mm-dd)")]
pub struct CentraTimeError {
    /// The text.
    pub text: String,
}

/// Converts a Centra wall-clock time to UTC.
///
/// In the autumn overlap the earlier instant is taken (a cursor that starts earlier re-reads, it
/// never skips). A time inside the spring gap does not exist; it is read as the same wall time
/// after the clocks moved (e.g. 02:30 becomes 03:30 local), again erring towards overlap.
pub fn centra_local_to_utc(local: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => {
            // Read the wall time with the offset in force just before the gap. Gaps are at most a
            // few hours in every IANA zone, so the probe finds a valid time quickly.
            let mut probe = local;
            for _ in 0..48 {
                probe -= Duration::minutes(30);
                if let Some(before) = zone.from_local_datetime(&probe).earliest() {
                    let offset =
                        Duration::seconds(i64::from(before.offset().fix().local_minus_utc()));
                    return Utc.from_utc_datetime(&(local - offset));
                }
            }
            Utc.from_utc_datetime(&local)
        }
    }
}

/// Parses a Centra timestamp (`2012-02-04 15:16:13`, optional fractional seconds as in webhook
/// dates, or a bare date meaning midnight) in `zone` and returns it in UTC.
pub fn parse_centra_time(text: &str, zone: Tz) -> Result<DateTime<Utc>, CentraTimeError> {
    let trimmed = text.trim();
    let local = NaiveDateTime::parse_from_str(trimmed, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| {
            NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
        })
        .map_err(|_| CentraTimeError {
            text: text.to_owned(),
        })?;
    Ok(centra_local_to_utc(local, zone))
}

/// Formats a UTC instant as a Centra filter value (`newer_than`), in `zone`.
pub fn format_centra_time(instant: DateTime<Utc>, zone: Tz) -> String {
    instant
        .with_timezone(&zone)
        .format(CENTRA_DATETIME_FORMAT)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Stockholm;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("rfc3339")
            .with_timezone(&Utc)
    }

    #[test]
    fn parses_in_the_configured_zone() {
        assert_eq!(
            parse_centra_time("2012-02-04 15:16:13", Stockholm).expect("ok"),
            utc("2012-02-04T14:16:13Z")
        );
        assert_eq!(
            parse_centra_time("2021-07-01", Stockholm).expect("ok"),
            utc("2021-06-30T22:00:00Z")
        );
        assert_eq!(
            parse_centra_time("2021-01-29 14:40:58.628033", chrono_tz::UTC)
                .expect("ok")
                .timestamp(),
            utc("2021-01-29T14:40:58Z").timestamp()
        );
        assert!(parse_centra_time("04/02/2012", Stockholm).is_err());
    }

    #[test]
    fn formats_back_in_the_zone() {
        assert_eq!(
            format_centra_time(utc("2012-02-04T14:16:13Z"), Stockholm),
            "2012-02-04 15:16:13"
        );
    }

    #[test]
    fn ambiguous_autumn_time_takes_the_earlier_instant() {
        // 2023-10-29 02:30 happens twice in Stockholm (CEST then CET).
        let t = parse_centra_time("2023-10-29 02:30:00", Stockholm).expect("ok");
        assert_eq!(t, utc("2023-10-29T00:30:00Z"));
    }

    #[test]
    fn spring_gap_time_moves_forward_not_back() {
        // 2023-03-26 02:30 does not exist in Stockholm; 03:00 CEST is 01:00 UTC.
        let t = parse_centra_time("2023-03-26 02:30:00", Stockholm).expect("ok");
        assert_eq!(t, utc("2023-03-26T01:30:00Z"));
    }
}
