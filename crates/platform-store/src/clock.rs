//! Timestamps as unix milliseconds: the one time representation both databases store and
//! sqlx's Any driver reads (`BIGINT`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the unix epoch, from this machine's clock.
pub fn unix_millis() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}

/// `Duration` as whole milliseconds, saturating (a `Duration::MAX` retention means "forever").
pub(crate) fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
