//! The inbox: which messages a consumer has already processed.
//!
//! The bus's duplicate window is short, and a delivery can come back after a crash between
//! commit and ack. Recording the message id in the same transaction as the state change makes
//! the second delivery a no-op: if the transaction rolled back, the id was never recorded and
//! the redelivery is processed again, as it must be.

use std::time::Duration;

use platform_bus::MessageId;
use sqlx::AnyPool;

use crate::clock::{millis, unix_millis};
use crate::{StoreError, Transaction};

/// Processed message ids per consumer.
#[derive(Debug, Clone)]
pub struct Inbox {
    pool: AnyPool,
}

impl Inbox {
    pub(crate) fn new(pool: AnyPool) -> Self {
        Self { pool }
    }

    /// Records `message_id` as processed by `consumer` inside `tx`. True the first time; false
    /// for a redelivery, in which case the caller skips the work, commits (or rolls back) and
    /// acks. A concurrent transaction recording the same id waits for this one and then sees
    /// false, so two consumers never both process one message.
    pub async fn record(
        &self,
        tx: &mut Transaction,
        consumer: &str,
        message_id: &MessageId,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "INSERT INTO inbox (consumer, message_id, received_at) VALUES ($1, $2, $3) \
             ON CONFLICT (consumer, message_id) DO NOTHING",
        )
        .bind(consumer)
        .bind(message_id.as_str())
        .bind(unix_millis())
        .execute(tx.conn())
        .await
        .map_err(|source| StoreError::Query {
            action: format!("recording message {message_id} in the inbox of {consumer}"),
            source,
        })?;
        Ok(result.rows_affected() == 1)
    }

    /// True when `consumer` has a committed record of `message_id`.
    pub async fn contains(
        &self,
        consumer: &str,
        message_id: &MessageId,
    ) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT received_at FROM inbox WHERE consumer = $1 AND message_id = $2",
        )
        .bind(consumer)
        .bind(message_id.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(|source| StoreError::Query {
            action: format!("looking up message {message_id} in the inbox of {consumer}"),
            source,
        })?;
        Ok(found.is_some())
    }

    /// Forgets entries recorded more than `age` ago. Keep `age` well beyond the longest time a
    /// message can be redelivered (bus retention, max redelivery), or a late copy is processed
    /// twice. Returns how many entries were removed.
    pub async fn prune_older_than(&self, age: Duration) -> Result<u64, StoreError> {
        self.prune_received_before(unix_millis().saturating_sub(millis(age)))
            .await
    }

    /// Forgets entries recorded before `cutoff` (unix ms).
    pub async fn prune_received_before(&self, cutoff: i64) -> Result<u64, StoreError> {
        let result = sqlx::query("DELETE FROM inbox WHERE received_at < $1")
            .bind(cutoff)
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("pruning the inbox"))?;
        if result.rows_affected() > 0 {
            tracing::info!(removed = result.rows_affected(), cutoff, "pruned inbox");
        }
        Ok(result.rows_affected())
    }
}
