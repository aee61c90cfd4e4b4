//! The `modifiedAfter` cursors: the largest `editTime`/`modified` seen per flow, on OGOship's
//! clock (ogoship-api.md §3), so the gateway's own clock never matters; and the returns already
//! in an event (`returns_seen`), so the returns poll's overlap does not read every order with a
//! recent return again on every round.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use platform_store::{Store, StoreError, unix_millis};
use sqlx::Row;

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

/// The returns already in an event, with the `modified` time (unix ms) they had then. The
/// table holds only the poll's overlap (see [`forget_returns_before`]), so it is read whole.
pub(crate) async fn seen_returns(store: &Store) -> Result<HashMap<String, i64>, StoreError> {
    let rows = sqlx::query("SELECT return_id, modified_ms FROM returns_seen")
        .fetch_all(store.pool())
        .await
        .map_err(StoreError::query("loading seen returns"))?;
    rows.iter()
        .map(|row| {
            let corrupt = |field: &'static str, e: sqlx::Error| StoreError::Corrupt {
                table: "returns_seen",
                key: row.try_get::<String, _>("return_id").unwrap_or_default(),
                field,
                reason: e.to_string(),
            };
            let id: String = row
                .try_get("return_id")
                .map_err(|e| corrupt("return_id", e))?;
            let modified: i64 = row
                .try_get("modified_ms")
                .map_err(|e| corrupt("modified_ms", e))?;
            Ok((id, modified))
        })
        .collect()
}

/// Records `returns` (id, `modified` on OGOship's clock) as in an event.
pub(crate) async fn see_returns(
    store: &Store,
    returns: &[(String, DateTime<Utc>)],
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    for (id, modified) in returns {
        sqlx::query(
            "INSERT INTO returns_seen (return_id, modified_ms, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (return_id) DO UPDATE SET modified_ms = excluded.modified_ms, \
             updated_at = excluded.updated_at",
        )
        .bind(id)
        .bind(modified.timestamp_millis())
        .bind(unix_millis())
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(format!("saving seen return {id}")))?;
    }
    tx.commit().await
}

/// Forgets the returns modified before `before`: the poll's filter starts later, so they are
/// never listed again.
pub(crate) async fn forget_returns_before(
    store: &Store,
    before: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM returns_seen WHERE modified_ms < $1")
        .bind(before.timestamp_millis())
        .execute(store.pool())
        .await
        .map_err(StoreError::query("forgetting old seen returns"))?;
    Ok(())
}
