//! The gateway's memory in its own store: which Centra records it already published (and in
//! which version), and where each poll resumes. Both are written in the same transaction as
//! the outbox rows they guard.

use chrono::{DateTime, TimeZone, Utc};
use domain::EndpointName;
use platform_store::{StoreError, Transaction, unix_millis};

/// Kinds of remembered records.
pub mod kind {
    pub const SHIPMENT: &str = "shipment";
    pub const PRODUCT: &str = "product";
    /// The size rows of a published product, each with its fingerprint.
    pub const PRODUCT_ROWS: &str = "product-rows";
    pub const DELIVERY: &str = "delivery";
    pub const RETURN: &str = "return";
    pub const ORDER: &str = "order";
    /// How a shipment published as good to go ended: `completed` or `cancelled`.
    pub const SHIPMENT_END: &str = "shipment-end";
}

/// Shipments published as good to go whose end (completed or cancelled) is not known yet.
pub async fn open_shipments(
    tx: &mut Transaction,
    endpoint: &EndpointName,
) -> Result<Vec<String>, StoreError> {
    sqlx::query_scalar(
        "SELECT s.record_id FROM seen_records s \
         WHERE s.endpoint = $1 AND s.kind = $2 AND NOT EXISTS ( \
             SELECT 1 FROM seen_records e \
             WHERE e.endpoint = s.endpoint AND e.kind = $3 AND e.record_id = s.record_id) \
         ORDER BY s.record_id",
    )
    .bind(endpoint.as_str())
    .bind(kind::SHIPMENT)
    .bind(kind::SHIPMENT_END)
    .fetch_all(tx.conn())
    .await
    .map_err(StoreError::query(format!(
        "reading open shipments of {endpoint}"
    )))
}

/// The remembered version of one record, `None` when it was never remembered.
pub async fn version(
    tx: &mut Transaction,
    endpoint: &EndpointName,
    kind: &str,
    record_id: &str,
) -> Result<Option<String>, StoreError> {
    sqlx::query_scalar(
        "SELECT version FROM seen_records WHERE endpoint = $1 AND kind = $2 AND record_id = $3",
    )
    .bind(endpoint.as_str())
    .bind(kind)
    .bind(record_id)
    .fetch_optional(tx.conn())
    .await
    .map_err(StoreError::query(format!(
        "reading the remembered {kind} {record_id} of {endpoint}"
    )))
}

/// The remembered versions of every record of `kind`.
pub async fn versions(
    tx: &mut Transaction,
    endpoint: &EndpointName,
    kind: &str,
) -> Result<Vec<String>, StoreError> {
    sqlx::query_scalar("SELECT version FROM seen_records WHERE endpoint = $1 AND kind = $2")
        .bind(endpoint.as_str())
        .bind(kind)
        .fetch_all(tx.conn())
        .await
        .map_err(StoreError::query(format!(
            "reading the remembered {kind} records of {endpoint}"
        )))
}

/// Remembers `record_id` at `version`. Returns true when this is new (never seen, or seen at
/// another version): the caller publishes exactly then.
pub async fn remember(
    tx: &mut Transaction,
    endpoint: &EndpointName,
    kind: &str,
    record_id: &str,
    version: &str,
    event_id: &str,
) -> Result<bool, StoreError> {
    let now = unix_millis();
    let action = format!("remembering {kind} {record_id} of {endpoint}");
    let existing: Option<String> = sqlx::query_scalar(
        "SELECT version FROM seen_records WHERE endpoint = $1 AND kind = $2 AND record_id = $3",
    )
    .bind(endpoint.as_str())
    .bind(kind)
    .bind(record_id)
    .fetch_optional(tx.conn())
    .await
    .map_err(StoreError::query(action.clone()))?;
    match existing {
        Some(v) if v == version => {
            sqlx::query(
                "UPDATE seen_records SET last_seen_at = $4 \
                 WHERE endpoint = $1 AND kind = $2 AND record_id = $3",
            )
            .bind(endpoint.as_str())
            .bind(kind)
            .bind(record_id)
            .bind(now)
            .execute(tx.conn())
            .await
            .map_err(StoreError::query(action))?;
            Ok(false)
        }
        Some(_) => {
            sqlx::query(
                "UPDATE seen_records SET version = $4, event_id = $5, last_seen_at = $6 \
                 WHERE endpoint = $1 AND kind = $2 AND record_id = $3",
            )
            .bind(endpoint.as_str())
            .bind(kind)
            .bind(record_id)
            .bind(version)
            .bind(event_id)
            .bind(now)
            .execute(tx.conn())
            .await
            .map_err(StoreError::query(action))?;
            Ok(true)
        }
        None => {
            sqlx::query(
                "INSERT INTO seen_records \
                 (endpoint, kind, record_id, version, event_id, first_seen_at, last_seen_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(endpoint.as_str())
            .bind(kind)
            .bind(record_id)
            .bind(version)
            .bind(event_id)
            .bind(now)
            .execute(tx.conn())
            .await
            .map_err(StoreError::query(action))?;
            Ok(true)
        }
    }
}

/// Where `flow` of `endpoint` resumes; `None` before its first complete run.
pub async fn cursor(
    tx: &mut Transaction,
    endpoint: &EndpointName,
    flow: &str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let millis: Option<i64> =
        sqlx::query_scalar("SELECT cursor_ms FROM poll_cursors WHERE endpoint = $1 AND flow = $2")
            .bind(endpoint.as_str())
            .bind(flow)
            .fetch_optional(tx.conn())
            .await
            .map_err(StoreError::query(format!(
                "reading the {flow} cursor of {endpoint}"
            )))?;
    Ok(millis.and_then(|m| Utc.timestamp_millis_opt(m).single()))
}

/// Moves the cursor of `flow` to `at`.
pub async fn set_cursor(
    tx: &mut Transaction,
    endpoint: &EndpointName,
    flow: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO poll_cursors (endpoint, flow, cursor_ms, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (endpoint, flow) DO UPDATE SET cursor_ms = excluded.cursor_ms, \
         updated_at = excluded.updated_at",
    )
    .bind(endpoint.as_str())
    .bind(flow)
    .bind(at.timestamp_millis())
    .bind(unix_millis())
    .execute(tx.conn())
    .await
    .map_err(StoreError::query(format!(
        "moving the {flow} cursor of {endpoint}"
    )))?;
    Ok(())
}
