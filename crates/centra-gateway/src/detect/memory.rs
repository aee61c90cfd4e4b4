//! The gateway's memory in its own store: which Centra records it already published (and in
//! which version), and where each poll resumes. Both are written in the same transaction as
//! the outbox rows they guard.

use std::collections::HashMap;

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
    let new = remember_all(
        tx,
        endpoint,
        kind,
        &[Remembered {
            record_id,
            version,
            event_id,
        }],
    )
    .await?;
    Ok(new.first().copied().unwrap_or(false))
}

/// One record [`remember_all`] remembers.
#[derive(Debug, Clone, Copy)]
pub struct Remembered<'a> {
    pub record_id: &'a str,
    pub version: &'a str,
    /// The event published for this version.
    pub event_id: &'a str,
}

/// Most records one statement names (a listing page is 100).
const REMEMBERED_PER_STATEMENT: usize = 100;

/// [`remember`] for a page of records at once: per record, true when it is new (never seen,
/// or seen at another version), in `records`' order; a record named twice is new at most once.
/// A few statements a page (read the versions, insert the new, touch the unchanged) instead of
/// two a record: a backlog lists every waiting shipment on every poll, and those were about 5
/// of the 39 statements an imported order cost in a distributed drain (counted with
/// `pg_stat_statements`).
///
/// # Errors
/// The store failing.
pub async fn remember_all(
    tx: &mut Transaction,
    endpoint: &EndpointName,
    kind: &str,
    records: &[Remembered<'_>],
) -> Result<Vec<bool>, StoreError> {
    let mut new = Vec::with_capacity(records.len());
    for chunk in records.chunks(REMEMBERED_PER_STATEMENT) {
        new.extend(remember_chunk(tx, endpoint, kind, chunk).await?);
    }
    Ok(new)
}

async fn remember_chunk(
    tx: &mut Transaction,
    endpoint: &EndpointName,
    kind: &str,
    records: &[Remembered<'_>],
) -> Result<Vec<bool>, StoreError> {
    let now = unix_millis();
    let action = || {
        format!(
            "remembering {} {kind} records of {endpoint} (the first {})",
            records.len(),
            records.first().map_or("", |r| r.record_id)
        )
    };
    // $1 endpoint, $2 kind, then one placeholder per record id.
    let ids = placeholders(3, records.len());
    let sql = format!(
        "SELECT record_id, version FROM seen_records \
         WHERE endpoint = $1 AND kind = $2 AND record_id IN ({ids})"
    );
    let mut query = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(sql))
        .bind(endpoint.as_str())
        .bind(kind);
    for record in records {
        query = query.bind(record.record_id);
    }
    let mut known: HashMap<String, String> = query
        .fetch_all(tx.conn())
        .await
        .map_err(StoreError::query(action()))?
        .into_iter()
        .collect();
    let (mut inserted, mut unchanged, mut changed) = (Vec::new(), Vec::new(), Vec::new());
    let new: Vec<bool> = records
        .iter()
        .map(|record| match known.get(record.record_id) {
            Some(version) if version == record.version => {
                unchanged.push(record.record_id);
                false
            }
            Some(_) => {
                changed.push(*record);
                known.insert(record.record_id.to_owned(), record.version.to_owned());
                true
            }
            None => {
                inserted.push(*record);
                known.insert(record.record_id.to_owned(), record.version.to_owned());
                true
            }
        })
        .collect();
    if !inserted.is_empty() {
        // $1 endpoint, $2 kind, $3 now, then id, version and event id per record.
        let rows = (0..inserted.len())
            .map(|n| {
                let at = 4 + 3 * n;
                format!("($1, $2, ${at}, ${}, ${}, $3, $3)", at + 1, at + 2)
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO seen_records \
             (endpoint, kind, record_id, version, event_id, first_seen_at, last_seen_at) \
             VALUES {rows}"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(endpoint.as_str())
            .bind(kind)
            .bind(now);
        for record in &inserted {
            query = query
                .bind(record.record_id)
                .bind(record.version)
                .bind(record.event_id);
        }
        query
            .execute(tx.conn())
            .await
            .map_err(StoreError::query(action()))?;
    }
    if !unchanged.is_empty() {
        let ids = placeholders(4, unchanged.len());
        let sql = format!(
            "UPDATE seen_records SET last_seen_at = $3 \
             WHERE endpoint = $1 AND kind = $2 AND record_id IN ({ids})"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(endpoint.as_str())
            .bind(kind)
            .bind(now);
        for id in &unchanged {
            query = query.bind(*id);
        }
        query
            .execute(tx.conn())
            .await
            .map_err(StoreError::query(action()))?;
    }
    // A changed version is rare (a product edited again): one statement each.
    for record in changed {
        sqlx::query(
            "UPDATE seen_records SET version = $4, event_id = $5, last_seen_at = $6 \
             WHERE endpoint = $1 AND kind = $2 AND record_id = $3",
        )
        .bind(endpoint.as_str())
        .bind(kind)
        .bind(record.record_id)
        .bind(record.version)
        .bind(record.event_id)
        .bind(now)
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(action()))?;
    }
    Ok(new)
}

/// `$from, $from+1, …`: `count` numbered placeholders.
fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
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
