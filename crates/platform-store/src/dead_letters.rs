//! Dead letters: records a service gave up on (validation failed, capture refused, unknown
//! article), kept with the reason for a person to see, fix and retry from the CLI. A terminal
//! error on one record lands here and never blocks the others.
//!
//! One row per (service, kind, record key): the same record failing again updates the reason
//! and payload, adds its attempts and reopens it. Writes go through the caller's transaction
//! (so "give up on this message" commits with its inbox entry); reads use the pool.
//!
//! Lifecycle: `open` -> `retried` (a person asked for another attempt) or `discarded`
//! (a person decided it needs nothing more). A retried record that fails again is open again.
//! Resolved ones are deleted some time after they were resolved
//! ([`DeadLetters::prune_resolved_older_than`]); open ones wait for a person however old.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::clock::{millis, unix_millis};
use crate::{StoreError, Transaction};

/// Kind of the dead letters the outbox relay writes for messages the bus refused; retry them
/// with [`Outbox::requeue`](crate::Outbox::requeue).
pub const OUTBOX_DEAD_LETTER_KIND: &str = "outbox";

/// A record to keep.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDeadLetter {
    /// What the record is, e.g. `shipment`, `article`, `return`.
    pub kind: String,
    /// Its business key, e.g. the shipment id `83651-1`.
    pub record_key: String,
    /// Why it was given up, naming the field: `field paymentMethod: unknown value "swish2"`.
    pub reason: String,
    /// The input as received, so a person can see what was wrong without the source system.
    pub payload: serde_json::Value,
    /// Attempts made in this episode (e.g. the delivery count); added to earlier ones.
    pub attempts: u32,
}

/// Where a dead letter stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadLetterStatus {
    Open,
    Retried,
    Discarded,
}

impl DeadLetterStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadLetterStatus::Open => "open",
            DeadLetterStatus::Retried => "retried",
            DeadLetterStatus::Discarded => "discarded",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        match value {
            "open" => Some(DeadLetterStatus::Open),
            "retried" => Some(DeadLetterStatus::Retried),
            "discarded" => Some(DeadLetterStatus::Discarded),
            _ => None,
        }
    }
}

impl std::fmt::Display for DeadLetterStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kept record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeadLetter {
    pub id: i64,
    pub service: String,
    pub kind: String,
    pub record_key: String,
    pub reason: String,
    pub payload: serde_json::Value,
    pub attempts: u32,
    pub status: DeadLetterStatus,
    /// Unix ms of the first failure.
    pub first_seen_at: i64,
    /// Unix ms of the latest failure.
    pub last_seen_at: i64,
    /// Unix ms of the retry or discard; None while open.
    pub resolved_at: Option<i64>,
}

/// Which dead letters to list. The default lists open ones, newest failure first, up to 100.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetterFilter {
    pub kind: Option<String>,
    /// None: every status.
    pub status: Option<DeadLetterStatus>,
    pub limit: u32,
}

impl Default for DeadLetterFilter {
    fn default() -> Self {
        Self {
            kind: None,
            status: Some(DeadLetterStatus::Open),
            limit: 100,
        }
    }
}

/// A service's dead-letter list.
#[derive(Debug, Clone)]
pub struct DeadLetters {
    pool: AnyPool,
    service: Arc<str>,
}

const COLUMNS: &str = "id, service, kind, record_key, reason, payload, attempts, status, \
                       first_seen_at, last_seen_at, resolved_at";

impl DeadLetters {
    pub(crate) fn new(pool: AnyPool, service: Arc<str>) -> Self {
        Self { pool, service }
    }

    /// Keeps `letter` (or reopens and updates the one with the same kind and key). Returns
    /// its id.
    pub async fn record(
        &self,
        tx: &mut Transaction,
        letter: NewDeadLetter,
    ) -> Result<i64, StoreError> {
        let what = format!("dead letter {}/{}", letter.kind, letter.record_key);
        let payload = serde_json::to_string(&letter.payload).map_err(|e| StoreError::Invalid {
            what: what.clone(),
            field: "payload",
            reason: e.to_string(),
        })?;
        let now = unix_millis();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO dead_letters (service, kind, record_key, reason, payload, attempts, \
                 status, first_seen_at, last_seen_at, resolved_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7, NULL) \
             ON CONFLICT (service, kind, record_key) DO UPDATE SET \
                 reason = excluded.reason, payload = excluded.payload, \
                 attempts = dead_letters.attempts + excluded.attempts, status = 'open', \
                 last_seen_at = excluded.last_seen_at, resolved_at = NULL \
             RETURNING id",
        )
        .bind(&*self.service)
        .bind(letter.kind.as_str())
        .bind(letter.record_key.as_str())
        .bind(letter.reason.as_str())
        .bind(payload)
        .bind(i64::from(letter.attempts))
        .bind(now)
        .fetch_one(tx.conn())
        .await
        .map_err(|source| StoreError::Query {
            action: format!("recording {what}"),
            source,
        })?;
        tracing::warn!(
            service = %self.service,
            kind = %letter.kind,
            record_key = %letter.record_key,
            reason = %letter.reason,
            dead_letter_id = id,
            "kept record as dead letter"
        );
        Ok(id)
    }

    /// Dead letters matching `filter`, newest failure first.
    pub async fn list(&self, filter: &DeadLetterFilter) -> Result<Vec<DeadLetter>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM dead_letters \
             WHERE service = $1 AND ($2 IS NULL OR kind = $2) AND ($3 IS NULL OR status = $3) \
             ORDER BY last_seen_at DESC, id DESC LIMIT $4"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&*self.service)
            .bind(filter.kind.as_deref())
            .bind(filter.status.map(DeadLetterStatus::as_str))
            .bind(i64::from(filter.limit))
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::query("listing dead letters"))?;
        rows.iter().map(letter_from_row).collect()
    }

    /// One dead letter by id.
    pub async fn show(&self, id: i64) -> Result<Option<DeadLetter>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM dead_letters WHERE service = $1 AND id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&*self.service)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|source| StoreError::Query {
                action: format!("loading dead letter {id}"),
                source,
            })?;
        row.as_ref().map(letter_from_row).transpose()
    }

    /// The dead letter of one record, whatever its status.
    pub async fn find(
        &self,
        kind: &str,
        record_key: &str,
    ) -> Result<Option<DeadLetter>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM dead_letters WHERE service = $1 AND kind = $2 AND record_key = $3"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&*self.service)
            .bind(kind)
            .bind(record_key)
            .fetch_optional(&self.pool)
            .await
            .map_err(|source| StoreError::Query {
                action: format!("loading dead letter {kind}/{record_key}"),
                source,
            })?;
        row.as_ref().map(letter_from_row).transpose()
    }

    /// Marks an open dead letter retried (the caller re-runs the record in the same
    /// transaction, or right after commit). If it fails again, `record` reopens it.
    pub async fn mark_retried(&self, tx: &mut Transaction, id: i64) -> Result<(), StoreError> {
        self.resolve(tx, id, DeadLetterStatus::Retried, "retried")
            .await
    }

    /// Marks an open dead letter discarded: seen, and nothing more to do.
    pub async fn discard(&self, tx: &mut Transaction, id: i64) -> Result<(), StoreError> {
        self.resolve(tx, id, DeadLetterStatus::Discarded, "discarded")
            .await
    }

    /// Deletes this service's dead letters retried or discarded more than `age` ago; open ones
    /// stay whatever their age. Deleting by age is idempotent, so replicas pruning at once do
    /// no harm. Returns how many were deleted.
    pub async fn prune_resolved_older_than(&self, age: Duration) -> Result<u64, StoreError> {
        let cutoff = unix_millis().saturating_sub(millis(age));
        let result = sqlx::query(
            "DELETE FROM dead_letters WHERE service = $1 AND status <> 'open' \
             AND resolved_at IS NOT NULL AND resolved_at < $2",
        )
        .bind(&*self.service)
        .bind(cutoff)
        .execute(&self.pool)
        .await
        .map_err(StoreError::query("pruning resolved dead letters"))?;
        if result.rows_affected() > 0 {
            tracing::info!(service = %self.service, removed = result.rows_affected(), cutoff, "pruned resolved dead letters");
        }
        Ok(result.rows_affected())
    }

    async fn resolve(
        &self,
        tx: &mut Transaction,
        id: i64,
        status: DeadLetterStatus,
        action: &'static str,
    ) -> Result<(), StoreError> {
        let result = sqlx::query(
            "UPDATE dead_letters SET status = $1, resolved_at = $2 \
             WHERE service = $3 AND id = $4 AND status = 'open'",
        )
        .bind(status.as_str())
        .bind(unix_millis())
        .bind(&*self.service)
        .bind(id)
        .execute(tx.conn())
        .await
        .map_err(|source| StoreError::Query {
            action: format!("marking dead letter {id} {action}"),
            source,
        })?;
        if result.rows_affected() == 1 {
            tracing::info!(service = %self.service, dead_letter_id = id, status = %status, "resolved dead letter");
            return Ok(());
        }
        // Say why: unknown id, or not open any more.
        let current: Option<String> =
            sqlx::query_scalar("SELECT status FROM dead_letters WHERE service = $1 AND id = $2")
                .bind(&*self.service)
                .bind(id)
                .fetch_optional(tx.conn())
                .await
                .map_err(|source| StoreError::Query {
                    action: format!("loading dead letter {id}"),
                    source,
                })?;
        match current
            .as_deref()
            .map(|s| DeadLetterStatus::parse(s).map(DeadLetterStatus::as_str))
        {
            None => Err(StoreError::DeadLetterNotFound { id }),
            Some(status) => Err(StoreError::DeadLetterNotOpen {
                id,
                status: status.unwrap_or("unknown"),
                action,
            }),
        }
    }
}

fn letter_from_row(row: &AnyRow) -> Result<DeadLetter, StoreError> {
    let id: i64 = row.try_get("id").map_err(corrupt(None, "id"))?;
    let field = |name| corrupt(Some(id), name);
    let payload: String = row.try_get("payload").map_err(field("payload"))?;
    let payload = serde_json::from_str(&payload).map_err(|e| StoreError::Corrupt {
        table: "dead_letters",
        key: id.to_string(),
        field: "payload",
        reason: e.to_string(),
    })?;
    let status: String = row.try_get("status").map_err(field("status"))?;
    let status = DeadLetterStatus::parse(&status).ok_or_else(|| StoreError::Corrupt {
        table: "dead_letters",
        key: id.to_string(),
        field: "status",
        reason: format!("unknown status {status:?}"),
    })?;
    let attempts: i64 = row.try_get("attempts").map_err(field("attempts"))?;
    Ok(DeadLetter {
        id,
        service: row.try_get("service").map_err(field("service"))?,
        kind: row.try_get("kind").map_err(field("kind"))?,
        record_key: row.try_get("record_key").map_err(field("record_key"))?,
        reason: row.try_get("reason").map_err(field("reason"))?,
        payload,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        status,
        first_seen_at: row
            .try_get("first_seen_at")
            .map_err(field("first_seen_at"))?,
        last_seen_at: row.try_get("last_seen_at").map_err(field("last_seen_at"))?,
        resolved_at: row.try_get("resolved_at").map_err(field("resolved_at"))?,
    })
}

fn corrupt(id: Option<i64>, field: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| StoreError::Corrupt {
        table: "dead_letters",
        key: id.map_or_else(|| "?".to_owned(), |id| id.to_string()),
        field,
        reason: e.to_string(),
    }
}
