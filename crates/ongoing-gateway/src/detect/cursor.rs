//! The backstop cursors: the start time of the last complete time-filtered poll per flow.

use chrono::{DateTime, Utc};
use platform_store::{Store, StoreError, unix_millis};

/// The stored position of `name`.
pub(crate) async fn load(store: &Store, name: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    let position: Option<i64> =
        sqlx::query_scalar("SELECT position_ms FROM poll_cursors WHERE name = $1")
            .bind(name)
            .fetch_optional(store.pool())
            .await
            .map_err(StoreError::query(format!("loading poll cursor {name}")))?;
    Ok(position.and_then(DateTime::from_timestamp_millis))
}

/// Moves `name` to `position` (the start of the poll that just completed).
pub(crate) async fn save(
    store: &Store,
    name: &str,
    position: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO poll_cursors (name, position_ms, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET position_ms = excluded.position_ms, \
         updated_at = excluded.updated_at",
    )
    .bind(name)
    .bind(position.timestamp_millis())
    .bind(unix_millis())
    .execute(store.pool())
    .await
    .map_err(StoreError::query(format!("saving poll cursor {name}")))?;
    Ok(())
}
