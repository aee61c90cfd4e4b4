//! The `modifiedAfter` cursors: the largest `editTime`/`modified` seen per flow, on OGOship's
//! clock (ogoship-api.md §3), so the gateway's own clock never matters.

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

/// Moves `name` forward to `position` (never back).
pub(crate) async fn advance(
    store: &Store,
    name: &str,
    position: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO poll_cursors (name, position_ms, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET position_ms = excluded.position_ms, \
         updated_at = excluded.updated_at WHERE poll_cursors.position_ms < excluded.position_ms",
    )
    .bind(name)
    .bind(position.timestamp_millis())
    .bind(unix_millis())
    .execute(store.pool())
    .await
    .map_err(StoreError::query(format!("saving poll cursor {name}")))?;
    Ok(())
}
