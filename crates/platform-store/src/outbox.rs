//! The outbox: events written in the same transaction as the state that caused them, published
//! later by the [`OutboxRelay`](crate::OutboxRelay). A rolled-back transaction leaves no event;
//! a committed one always gets its events out, even across crashes.
//!
//! Rows are published in `seq` order (the order they were inserted). On PostgreSQL two
//! concurrent transactions may commit in the other order than they inserted; the relay then
//! publishes the late one as soon as it is visible, so nothing is skipped, but only events of
//! one transaction (or of transactions that did not overlap) are ordered among themselves.

use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use platform_bus::{Headers, MessageId, OutgoingMessage};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::clock::{millis, unix_millis};
use crate::dead_letters::{NewDeadLetter, OUTBOX_DEAD_LETTER_KIND};
use crate::{Store, StoreError, Transaction};

/// An event to publish once the transaction commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    /// Deterministic id (e.g. `order-sync:shop1:shipment:83651-1:imported`): enqueueing the
    /// same id again is a no-op, and the bus drops a republished copy.
    pub id: MessageId,
    /// Subject relative to the bus prefix.
    pub subject: String,
    /// Headers, e.g. the W3C trace context of the work that caused the event.
    pub headers: Headers,
    pub payload: Bytes,
}

impl OutboxMessage {
    pub fn new(
        id: impl Into<String>,
        subject: impl Into<String>,
        payload: impl Into<Bytes>,
    ) -> Self {
        Self {
            id: MessageId::new(id),
            subject: subject.into(),
            headers: Headers::new(),
            payload: payload.into(),
        }
    }

    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }
}

impl From<OutboxMessage> for OutgoingMessage {
    fn from(message: OutboxMessage) -> Self {
        OutgoingMessage {
            subject: message.subject,
            id: message.id,
            headers: message.headers,
            payload: message.payload,
        }
    }
}

/// A stored outbox row, for status views and the relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// Position in the outbox: publish order.
    pub seq: i64,
    pub message: OutboxMessage,
    pub enqueued_at: i64,
    pub published_at: Option<i64>,
    /// Publish attempts so far (failed ones included).
    pub attempts: u32,
    /// The last publish error, kept after a later success as a trace of what happened.
    pub last_error: Option<String>,
    /// Set when the bus rejected the message for good; see [`Outbox::requeue`].
    pub dead_lettered_at: Option<i64>,
}

/// Writing to and inspecting a service's outbox.
#[derive(Debug, Clone)]
pub struct Outbox {
    store: Store,
}

const ENTRY_COLUMNS: &str = "seq, message_id, subject, headers, payload, enqueued_at, \
                             published_at, attempts, last_error, dead_lettered_at";

impl Outbox {
    pub(crate) fn new(store: Store) -> Self {
        Self { store }
    }

    /// Adds `message` inside the caller's transaction. True when added; false when a message
    /// with this id is already in the outbox (published or not), which changes nothing.
    pub async fn enqueue(
        &self,
        tx: &mut Transaction,
        mut message: OutboxMessage,
    ) -> Result<bool, StoreError> {
        // The trace of the work that caused the event travels with it (W3C `traceparent`), so
        // the consumer's span continues it, whichever process relays the row. The message's
        // own producer span (OpenTelemetry messaging "create") is a child of that work, or the
        // root of a new trace when the work is not traced (a poller's round), so every event
        // starts its trace in the service that saw it happen.
        if !message.headers.contains_key("traceparent") {
            let create = tracing::info_span!(
                "outbox.create",
                otel.name = %format!("create {}", message.subject),
                otel.kind = "producer",
                messaging.operation.type = "create",
                messaging.destination.name = %message.subject,
                messaging.message.id = %message.id,
            );
            create.in_scope(|| platform_telemetry::inject_into_headers(&mut message.headers));
        }
        let headers = serde_json::to_string(&message.headers).map_err(|e| StoreError::Invalid {
            what: format!("outbox message {}", message.id),
            field: "headers",
            reason: e.to_string(),
        })?;
        let result = sqlx::query(
            "INSERT INTO outbox (message_id, subject, headers, payload, enqueued_at, attempts) \
             VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT (message_id) DO NOTHING",
        )
        .bind(message.id.as_str())
        .bind(message.subject.as_str())
        .bind(headers)
        .bind(message.payload.to_vec())
        .bind(unix_millis())
        .execute(tx.conn())
        .await
        .map_err(|source| StoreError::Query {
            action: format!("enqueueing outbox message {}", message.id),
            source,
        })?;
        let added = result.rows_affected() == 1;
        if added {
            tx.mark_enqueued();
        } else {
            tracing::debug!(message_id = %message.id, "outbox message already enqueued");
        }
        Ok(added)
    }

    /// The stored row for `id`, if any.
    pub async fn get(&self, id: &MessageId) -> Result<Option<OutboxEntry>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM outbox WHERE message_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.as_str())
            .fetch_optional(self.store.pool())
            .await
            .map_err(|source| StoreError::Query {
                action: format!("loading outbox message {id}"),
                source,
            })?;
        row.as_ref().map(entry_from_row).transpose()
    }

    /// Messages waiting to be published (dead-lettered ones not counted).
    pub async fn unpublished_count(&self) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL AND dead_lettered_at IS NULL",
        )
        .fetch_one(self.store.pool())
        .await
        .map_err(StoreError::query("counting unpublished outbox messages"))?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    /// Puts a dead-lettered message back in line (after the cause was fixed) and marks its
    /// dead letter retried. False when `id` is not dead-lettered.
    pub async fn requeue(&self, tx: &mut Transaction, id: &MessageId) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "UPDATE outbox SET dead_lettered_at = NULL \
             WHERE message_id = $1 AND dead_lettered_at IS NOT NULL AND published_at IS NULL",
        )
        .bind(id.as_str())
        .execute(tx.conn())
        .await
        .map_err(|source| StoreError::Query {
            action: format!("requeueing outbox message {id}"),
            source,
        })?;
        if result.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE dead_letters SET status = 'retried', resolved_at = $1 \
             WHERE service = $2 AND kind = $3 AND record_key = $4 AND status = 'open'",
        )
        .bind(unix_millis())
        .bind(self.store.service())
        .bind(OUTBOX_DEAD_LETTER_KIND)
        .bind(id.as_str())
        .execute(tx.conn())
        .await
        .map_err(|source| StoreError::Query {
            action: format!("marking the dead letter of outbox message {id} retried"),
            source,
        })?;
        tx.mark_enqueued();
        tracing::info!(message_id = %id, "requeued dead-lettered outbox message");
        Ok(true)
    }

    /// Deletes messages published more than `age` ago. An id pruned here can be enqueued (and
    /// published) again; consumers' inboxes keep that harmless.
    pub async fn prune_published_older_than(&self, age: Duration) -> Result<u64, StoreError> {
        let cutoff = unix_millis().saturating_sub(millis(age));
        let _turn = self.store.write_turn().await?;
        let result =
            sqlx::query("DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < $1")
                .bind(cutoff)
                .execute(self.store.pool())
                .await
                .map_err(StoreError::query("pruning published outbox messages"))?;
        if result.rows_affected() > 0 {
            tracing::info!(
                removed = result.rows_affected(),
                cutoff,
                "pruned published outbox messages"
            );
        }
        Ok(result.rows_affected())
    }

    /// The next unpublished messages in publish order.
    pub(crate) async fn next_batch(&self, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM outbox \
             WHERE published_at IS NULL AND dead_lettered_at IS NULL ORDER BY seq LIMIT $1"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(i64::from(limit))
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("loading unpublished outbox messages"))?;
        rows.iter().map(entry_from_row).collect()
    }

    /// Marks `entries` published, in one transaction (one synced commit for a relay's batch).
    pub(crate) async fn mark_published(&self, entries: &[&OutboxEntry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let now = unix_millis();
        let mut tx = self.store.begin().await?;
        for entry in entries {
            sqlx::query(
                "UPDATE outbox SET published_at = $1, attempts = attempts + 1 \
                 WHERE seq = $2 AND published_at IS NULL",
            )
            .bind(now)
            .bind(entry.seq)
            .execute(tx.conn())
            .await
            .map_err(|source| StoreError::Query {
                action: format!("marking outbox message {} published", entry.message.id),
                source,
            })?;
        }
        tx.commit().await
    }

    pub(crate) async fn record_failure(
        &self,
        entry: &OutboxEntry,
        error: &str,
    ) -> Result<(), StoreError> {
        let _turn = self.store.write_turn().await?;
        sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE seq = $2")
            .bind(error)
            .bind(entry.seq)
            .execute(self.store.pool())
            .await
            .map_err(|source| StoreError::Query {
                action: format!(
                    "recording a publish failure of outbox message {}",
                    entry.message.id
                ),
                source,
            })?;
        Ok(())
    }

    /// Takes a message the bus refused for good out of line and keeps it as a dead letter, so
    /// the messages behind it go on.
    pub(crate) async fn dead_letter(
        &self,
        entry: &OutboxEntry,
        reason: String,
    ) -> Result<(), StoreError> {
        let id = &entry.message.id;
        let mut tx = self.store.begin().await?;
        sqlx::query(
            "UPDATE outbox SET dead_lettered_at = $1, attempts = attempts + 1, last_error = $2 \
             WHERE seq = $3",
        )
        .bind(unix_millis())
        .bind(reason.as_str())
        .bind(entry.seq)
        .execute(tx.conn())
        .await
        .map_err(|source| StoreError::Query {
            action: format!("dead-lettering outbox message {id}"),
            source,
        })?;
        let letter = NewDeadLetter {
            kind: OUTBOX_DEAD_LETTER_KIND.to_owned(),
            record_key: id.to_string(),
            reason,
            payload: dead_letter_payload(&entry.message),
            attempts: 1,
        };
        self.store.dead_letters().record(&mut tx, letter).await?;
        tx.commit().await
    }
}

/// What a person needs to judge a refused message: subject, headers and a readable payload.
fn dead_letter_payload(message: &OutboxMessage) -> serde_json::Value {
    let payload = match serde_json::from_slice::<serde_json::Value>(&message.payload) {
        Ok(json) => json,
        Err(_) => match std::str::from_utf8(&message.payload) {
            Ok(text) => serde_json::Value::String(text.to_owned()),
            Err(_) => serde_json::json!({
                "base64": base64::engine::general_purpose::STANDARD.encode(&message.payload)
            }),
        },
    };
    serde_json::json!({
        "subject": message.subject,
        "headers": message.headers,
        "payload": payload,
    })
}

fn entry_from_row(row: &AnyRow) -> Result<OutboxEntry, StoreError> {
    let message_id: String = row
        .try_get("message_id")
        .map_err(corrupt("?", "message_id"))?;
    let field = |name: &'static str| corrupt(&message_id, name);
    let headers: String = row.try_get("headers").map_err(field("headers"))?;
    let headers: Headers = serde_json::from_str(&headers).map_err(|e| StoreError::Corrupt {
        table: "outbox",
        key: message_id.clone(),
        field: "headers",
        reason: e.to_string(),
    })?;
    let payload: Vec<u8> = row.try_get("payload").map_err(field("payload"))?;
    let attempts: i64 = row.try_get("attempts").map_err(field("attempts"))?;
    Ok(OutboxEntry {
        seq: row.try_get("seq").map_err(field("seq"))?,
        message: OutboxMessage {
            id: MessageId::new(message_id.clone()),
            subject: row.try_get("subject").map_err(field("subject"))?,
            headers,
            payload: Bytes::from(payload),
        },
        enqueued_at: row.try_get("enqueued_at").map_err(field("enqueued_at"))?,
        published_at: row.try_get("published_at").map_err(field("published_at"))?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        last_error: row.try_get("last_error").map_err(field("last_error"))?,
        dead_lettered_at: row
            .try_get("dead_lettered_at")
            .map_err(field("dead_lettered_at"))?,
    })
}

fn corrupt(key: &str, field: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    let key = key.to_owned();
    move |e| StoreError::Corrupt {
        table: "outbox",
        key,
        field,
        reason: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dead_letter_payload_keeps_json_text_and_bytes_readable() {
        let json = OutboxMessage::new("a", "s", b"{\"n\":1}".to_vec()).with_header("h", "v");
        assert_eq!(
            dead_letter_payload(&json),
            serde_json::json!({"subject": "s", "headers": {"h": "v"}, "payload": {"n": 1}})
        );
        let text = OutboxMessage::new("b", "s", b"plain".to_vec());
        assert_eq!(dead_letter_payload(&text)["payload"], "plain");
        let bytes = OutboxMessage::new("c", "s", vec![0xff, 0x00]);
        assert_eq!(dead_letter_payload(&bytes)["payload"]["base64"], "/wA=");
    }
}
