//! The SQL of the embedded bus. Every write is a turn at the file's writer gate, in the write
//! lock (`BEGIN IMMEDIATE`), so two processes on the same file cannot both claim a message or
//! both pass the duplicate check.
//!
//! Claiming works in two steps inside one transaction: new messages past the consumer's
//! `scanned_through` mark are matched against its filters in Rust (NATS wildcards have no SQL
//! equivalent) and become `pending` delivery rows; then the due rows with the lowest
//! sequences are leased, as many as the handle asked for.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use platform_write_gate::{Turn, WriteGate};
use sqlx::{Sqlite, SqliteConnection, SqlitePool};

use crate::port::{BusError, ConsumerConfig, Headers, MessageId, OutgoingMessage, PublishReceipt};
use crate::subject::filter_matches;

/// New messages looked at per claim; a larger backlog is worked through over several claims
/// so that one claim never holds the write lock for long.
const SCAN_BATCH: i64 = 512;
const SCAN_BUDGET: usize = 8;

pub(super) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn storage(context: &str) -> impl Fn(sqlx::Error) -> BusError + '_ {
    move |e| BusError::storage(context, e)
}

/// The bus file: its pool, and this process's gate of its writers.
///
/// Why a gate (`platform-write-gate`, as the stores use): SQLite lets one writer in at a
/// time and a connection that finds the lock taken sleeps in its busy handler (1, 2, 5, 10…
/// ms) however soon the lock is free again; every publish, claim and settlement of every
/// service writes this one file, so those sleeps bounded the embedded shape's throughput.
/// Writers of this process wait at the gate instead, in order, and the work of writers that
/// follow each other closely commits with one sync (a claim, an ack and a publish of three
/// services in one group), each still answered only once its work is durable. Another
/// process on the same file still meets the busy handler.
#[derive(Debug)]
pub(super) struct BusFile {
    pub(super) pool: SqlitePool,
    gate: WriteGate<Sqlite>,
}

impl BusFile {
    /// `file` names the database file: every bus of this process on it shares its gate.
    pub(super) fn new(pool: SqlitePool, file: &str, wait: Duration) -> Self {
        Self {
            pool,
            gate: WriteGate::for_file(file, wait, true),
        }
    }

    /// Waits for this process's turn to write; the turn's statements run in the write lock.
    async fn begin(&self, context: &str) -> Result<Turn<Sqlite>, BusError> {
        self.gate
            .begin(&self.pool)
            .await
            .map_err(|e| BusError::storage(format!("{context}: beginning a write"), e))
    }
}

/// Commits a turn: answers once its work is durable.
async fn commit(turn: Turn<Sqlite>, context: &str) -> Result<(), BusError> {
    turn.commit()
        .await
        .map_err(|e| BusError::storage(context.to_owned(), e))
}

pub(super) async fn publish(
    file: &BusFile,
    message: &OutgoingMessage,
    duplicate_window_ms: i64,
) -> Result<PublishReceipt, BusError> {
    let context = format!("publishing message {}", message.id);
    let mut turn = file.begin(&context).await?;
    let receipt = insert_message(turn.conn(), message, now_ms(), duplicate_window_ms).await?;
    commit(turn, &context).await?;
    Ok(receipt)
}

/// Publishes `messages` in one transaction, in order: one synced commit for all of them.
/// Nothing is stored unless the whole batch commits.
pub(super) async fn publish_batch(
    file: &BusFile,
    messages: &[&OutgoingMessage],
    duplicate_window_ms: i64,
) -> Result<Vec<PublishReceipt>, BusError> {
    let context = format!("publishing a batch of {} messages", messages.len());
    let now = now_ms();
    let mut turn = file.begin(&context).await?;
    let mut receipts = Vec::with_capacity(messages.len());
    for message in messages {
        receipts.push(insert_message(turn.conn(), message, now, duplicate_window_ms).await?);
    }
    commit(turn, &context).await?;
    Ok(receipts)
}

/// Stores one message inside the caller's transaction, unless its id was published within the
/// window (then the receipt names the earlier copy).
async fn insert_message(
    conn: &mut SqliteConnection,
    message: &OutgoingMessage,
    now: i64,
    duplicate_window_ms: i64,
) -> Result<PublishReceipt, BusError> {
    let context = format!("publishing message {}", message.id);
    let headers = serde_json::to_string(&message.headers)
        .map_err(|e| BusError::storage(format!("{context}: encoding headers"), e))?;
    let since = now.saturating_sub(duplicate_window_ms);
    // One statement in the usual case (a new id): the insert happens only when no copy was
    // published within the window. Every statement is a round trip to the connection's
    // thread, made while the turn holds the file's gate.
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO bus_messages (subject, message_id, headers, payload, published_at)
         SELECT ?, ?, ?, ?, ?
         WHERE NOT EXISTS (SELECT 1 FROM bus_messages WHERE message_id = ? AND published_at > ?)
         RETURNING sequence",
    )
    .bind(&message.subject)
    .bind(message.id.as_str())
    .bind(headers)
    .bind(message.payload.as_ref())
    .bind(now)
    .bind(message.id.as_str())
    .bind(since)
    .fetch_optional(&mut *conn)
    .await
    .map_err(storage(&context))?;
    if let Some(sequence) = inserted {
        return Ok(PublishReceipt {
            sequence: to_sequence(sequence),
            duplicate: false,
        });
    }
    // A duplicate: the receipt names the earlier copy, found in the same transaction.
    let earlier: i64 = sqlx::query_scalar(
        "SELECT sequence FROM bus_messages
         WHERE message_id = ? AND published_at > ? ORDER BY sequence LIMIT 1",
    )
    .bind(message.id.as_str())
    .bind(since)
    .fetch_one(&mut *conn)
    .await
    .map_err(storage(&context))?;
    Ok(PublishReceipt {
        sequence: to_sequence(earlier),
        duplicate: true,
    })
}

/// Creates the consumer, or updates its settings (filters apply to messages not yet scanned).
pub(super) async fn upsert_consumer(
    file: &BusFile,
    config: &ConsumerConfig,
) -> Result<(), BusError> {
    let context = format!("creating consumer {}", config.durable_name);
    let filters = serde_json::to_string(&config.filter_subjects)
        .map_err(|e| BusError::storage(format!("{context}: encoding filters"), e))?;
    let mut turn = file.begin(&context).await?;
    sqlx::query(
        "INSERT INTO bus_consumers (durable_name, filter_subjects, ack_wait_ms, max_deliver, created_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (durable_name) DO UPDATE SET
           filter_subjects = excluded.filter_subjects,
           ack_wait_ms = excluded.ack_wait_ms,
           max_deliver = excluded.max_deliver",
    )
    .bind(&config.durable_name)
    .bind(filters)
    .bind(super::millis(config.ack_wait))
    .bind(config.max_deliver.map(i64::from))
    .bind(now_ms())
    .execute(turn.conn())
    .await
    .map_err(storage(&context))?;
    commit(turn, &context).await
}

/// A message leased to one consumer handle.
#[derive(Debug)]
pub(super) struct Claimed {
    pub subject: String,
    pub id: MessageId,
    pub headers: Headers,
    pub payload: Bytes,
    pub sequence: i64,
    pub delivery_count: i64,
}

#[derive(Debug)]
pub(super) enum Claim {
    /// One to `max` deliveries, lowest sequence first.
    Delivered(Vec<Claimed>),
    /// Nothing due; `next_due` is when the earliest waiting delivery (nak delay or expired
    /// lease) becomes due, if any.
    Idle { next_due: Option<i64> },
}

/// A due delivery and its message's columns (`None` when the message was pruned).
type DueRow = (
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<Vec<u8>>,
);

/// Leases up to `max` due deliveries to one handle, in one turn: one synced commit for all.
///
/// Few statements, because each is a round trip to the connection's thread made while the
/// turn holds the file's gate: the consumer's row comes with the first scan of new messages,
/// the due deliveries with their messages in one read, and they are leased in one update. A
/// usual claim (one new message, one due) is five statements.
pub(super) async fn claim(
    file: &BusFile,
    durable_name: &str,
    max: usize,
) -> Result<Claim, BusError> {
    let context = format!("claiming for consumer {durable_name}");
    let mut turn = file.begin(&context).await?;
    let tx = turn.conn();
    let now = now_ms();
    let (consumer, scanned) = scan_new_messages(tx, durable_name, &context).await?;
    // Whether the claim changed anything: a claim that found nothing and wrote nothing ends
    // without waiting for its group's sync.
    let mut wrote = scanned.moved;
    let want = max.max(1);
    let mut claimed = Vec::new();
    while claimed.len() < want {
        let asked = want - claimed.len();
        let due = due_deliveries(tx, durable_name, now, asked, &context).await?;
        let found = due.len();
        let mut leased = Vec::with_capacity(found);
        for (sequence, delivery_count, subject, id, headers, payload) in due {
            if consumer
                .max_deliver
                .is_some_and(|max| delivery_count >= max)
            {
                set_state(tx, durable_name, sequence, "exhausted", now, &context).await?;
                wrote = true;
                tracing::warn!(
                    consumer = durable_name,
                    sequence,
                    delivery_count,
                    "delivery limit reached; message given up"
                );
                continue;
            }
            let (Some(subject), Some(id), Some(headers), Some(payload)) =
                (subject, id, headers, payload)
            else {
                // Pruned by retention while waiting: nothing left to deliver.
                sqlx::query("DELETE FROM bus_deliveries WHERE durable_name = ? AND sequence = ?")
                    .bind(durable_name)
                    .bind(sequence)
                    .execute(&mut *tx)
                    .await
                    .map_err(storage(&context))?;
                wrote = true;
                continue;
            };
            let headers: Headers = serde_json::from_str(&headers).map_err(|e| {
                BusError::storage(
                    format!("{context}: headers of message {sequence} are not json"),
                    e,
                )
            })?;
            leased.push(Claimed {
                subject,
                id: MessageId(id),
                headers,
                payload: Bytes::from(payload),
                sequence,
                delivery_count: delivery_count + 1,
            });
        }
        if !leased.is_empty() {
            lease(
                tx,
                durable_name,
                &leased,
                now.saturating_add(consumer.ack_wait_ms),
                &context,
            )
            .await?;
            wrote = true;
            claimed.append(&mut leased);
        }
        // Fewer due than asked: none are left. As many: look again only when some of them
        // were given up or pruned instead of leased.
        if found < asked {
            break;
        }
    }
    let claim = if claimed.is_empty() {
        let next_due = if scanned.more {
            Some(now)
        } else {
            sqlx::query_scalar(
                "SELECT MIN(not_before) FROM bus_deliveries
                 WHERE durable_name = ? AND state IN ('pending', 'in_flight')",
            )
            .bind(durable_name)
            .fetch_one(&mut *tx)
            .await
            .map_err(storage(&context))?
        };
        Claim::Idle { next_due }
    } else {
        Claim::Delivered(claimed)
    };
    if wrote {
        commit(turn, &context).await?;
    } else {
        turn.rollback()
            .await
            .map_err(|e| BusError::storage(context, e))?;
    }
    Ok(claim)
}

/// Up to `limit` due deliveries of the consumer, lowest sequence first, each with its
/// message's columns in the same statement (`None` when retention pruned the message while
/// the delivery waited).
async fn due_deliveries(
    tx: &mut SqliteConnection,
    durable_name: &str,
    now: i64,
    limit: usize,
    context: &str,
) -> Result<Vec<DueRow>, BusError> {
    sqlx::query_as(
        "SELECT d.sequence, d.delivery_count, m.subject, m.message_id, m.headers, m.payload
         FROM bus_deliveries d LEFT JOIN bus_messages m ON m.sequence = d.sequence
         WHERE d.durable_name = ? AND d.state IN ('pending', 'in_flight')
           AND d.not_before <= ?
         ORDER BY d.sequence LIMIT ?",
    )
    .bind(durable_name)
    .bind(now)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(&mut *tx)
    .await
    .map_err(storage(context))
}

/// Leases `claimed` (in flight until `until`, their delivery counted) in one statement.
async fn lease(
    tx: &mut SqliteConnection,
    durable_name: &str,
    claimed: &[Claimed],
    until: i64,
    context: &str,
) -> Result<(), BusError> {
    let sequences: Vec<i64> = claimed.iter().map(|c| c.sequence).collect();
    sqlx::query(
        "UPDATE bus_deliveries
         SET state = 'in_flight', delivery_count = delivery_count + 1, not_before = ?
         WHERE durable_name = ? AND sequence IN (SELECT value FROM json_each(?))",
    )
    .bind(until)
    .bind(durable_name)
    .bind(json_list(&sequences))
    .execute(&mut *tx)
    .await
    .map_err(storage(context))?;
    Ok(())
}

/// Sequences as one JSON array, read back with `json_each`: a list of any length is one
/// statement, always the same one (a statement per length would crowd the connection's cache
/// of prepared statements).
fn json_list(sequences: &[i64]) -> String {
    let items: Vec<String> = sequences.iter().map(i64::to_string).collect();
    format!("[{}]", items.join(","))
}

/// The consumer's settings and mark, as the first scan of a claim reads them.
struct ConsumerRow {
    filters: Vec<String>,
    ack_wait_ms: i64,
    max_deliver: Option<i64>,
    scanned_through: i64,
}

impl ConsumerRow {
    fn wants(&self, subject: &str) -> bool {
        self.filters.is_empty() || self.filters.iter().any(|f| filter_matches(f, subject))
    }
}

/// The first scan's row: the consumer's columns (on every row), then a new message's
/// sequence and subject (`None` on the one row of a consumer with nothing new).
type ConsumerScanRow = (String, i64, Option<i64>, i64, Option<i64>, Option<String>);

/// What a scan of new messages did.
struct Scanned {
    /// The scan budget ran out before the end of the stream.
    more: bool,
    /// The consumer's mark moved (and `pending` rows may have been written).
    moved: bool,
}

/// Reads the consumer and turns messages it has not looked at yet into `pending` rows when
/// they match its filters. The first batch of new messages comes with the consumer's row, in
/// one statement.
async fn scan_new_messages(
    tx: &mut SqliteConnection,
    durable_name: &str,
    context: &str,
) -> Result<(ConsumerRow, Scanned), BusError> {
    let first: Vec<ConsumerScanRow> = sqlx::query_as(
        "SELECT c.filter_subjects, c.ack_wait_ms, c.max_deliver, c.scanned_through,
                m.sequence, m.subject
         FROM bus_consumers c LEFT JOIN bus_messages m ON m.sequence > c.scanned_through
         WHERE c.durable_name = ?
         ORDER BY m.sequence LIMIT ?",
    )
    .bind(durable_name)
    .bind(SCAN_BATCH)
    .fetch_all(&mut *tx)
    .await
    .map_err(storage(context))?;
    let Some((filters, ack_wait_ms, max_deliver, mark, _, _)) = first.first().cloned() else {
        return Err(BusError::rejected(
            format!("consumer {durable_name}"),
            "it no longer exists".to_owned(),
        ));
    };
    let filters = serde_json::from_str(&filters).map_err(|e| {
        BusError::storage(format!("{context}: filters of consumer are not json"), e)
    })?;
    let consumer = ConsumerRow {
        filters,
        ack_wait_ms,
        max_deliver,
        scanned_through: mark,
    };
    let mut batch: Vec<(i64, String)> = first
        .into_iter()
        .filter_map(|(.., sequence, subject)| sequence.zip(subject))
        .collect();
    let mut scanned_through = consumer.scanned_through;
    let mut more = false;
    for round in 0..SCAN_BUDGET {
        if round > 0 {
            batch = sqlx::query_as(
                "SELECT sequence, subject FROM bus_messages WHERE sequence > ?
                 ORDER BY sequence LIMIT ?",
            )
            .bind(scanned_through)
            .bind(SCAN_BATCH)
            .fetch_all(&mut *tx)
            .await
            .map_err(storage(context))?;
        }
        let Some(&(last, _)) = batch.last() else {
            break;
        };
        let wanted: Vec<i64> = batch
            .iter()
            .filter(|(_, subject)| consumer.wants(subject))
            .map(|&(sequence, _)| sequence)
            .collect();
        insert_pending(tx, durable_name, &wanted, context).await?;
        scanned_through = last;
        if i64::try_from(batch.len()).unwrap_or(i64::MAX) < SCAN_BATCH {
            break;
        }
        more = round + 1 == SCAN_BUDGET;
    }
    let moved = scanned_through != consumer.scanned_through;
    if moved {
        sqlx::query("UPDATE bus_consumers SET scanned_through = ? WHERE durable_name = ?")
            .bind(scanned_through)
            .bind(durable_name)
            .execute(&mut *tx)
            .await
            .map_err(storage(context))?;
    }
    Ok((consumer, Scanned { more, moved }))
}

/// `pending` delivery rows for `sequences`, in one statement (none for an empty list); rows
/// already there are left as they are.
async fn insert_pending(
    tx: &mut SqliteConnection,
    durable_name: &str,
    sequences: &[i64],
    context: &str,
) -> Result<(), BusError> {
    if sequences.is_empty() {
        return Ok(());
    }
    // `WHERE true`: SQLite's grammar needs it between an INSERT's SELECT and its ON CONFLICT.
    sqlx::query(
        "INSERT INTO bus_deliveries (durable_name, sequence, state)
         SELECT ?, value, 'pending' FROM json_each(?) WHERE true
         ON CONFLICT DO NOTHING",
    )
    .bind(durable_name)
    .bind(json_list(sequences))
    .execute(&mut *tx)
    .await
    .map_err(storage(context))?;
    Ok(())
}

async fn set_state(
    tx: &mut SqliteConnection,
    durable_name: &str,
    sequence: i64,
    state: &str,
    now: i64,
    context: &str,
) -> Result<(), BusError> {
    sqlx::query(
        "UPDATE bus_deliveries SET state = ?, settled_at = ? WHERE durable_name = ? AND sequence = ?",
    )
    .bind(state)
    .bind(now)
    .bind(durable_name)
    .bind(sequence)
    .execute(&mut *tx)
    .await
    .map_err(storage(context))?;
    Ok(())
}

/// How a delivery ends.
#[derive(Debug, Clone, Copy)]
pub(super) enum Settlement {
    Ack,
    Term,
    /// Back to `pending`, due after the delay (milliseconds).
    Nak(i64),
}

/// Settles one delivery. Ack and term apply whoever holds the message now (as on JetStream, a
/// late ack still counts); a nak applies only to the delivery it came with, so a stale handle
/// cannot push back a redelivery another handle is working on.
pub(super) async fn settle(
    file: &BusFile,
    durable_name: &str,
    sequence: i64,
    delivery_count: i64,
    settlement: Settlement,
) -> Result<(), BusError> {
    let context = format!("settling message {sequence} of consumer {durable_name}");
    let now = now_ms();
    let query = match settlement {
        Settlement::Ack | Settlement::Term => sqlx::query(
            "UPDATE bus_deliveries SET state = ?, settled_at = ?
             WHERE durable_name = ? AND sequence = ? AND state IN ('pending', 'in_flight')",
        )
        .bind(if matches!(settlement, Settlement::Ack) { "acked" } else { "terminated" })
        .bind(now),
        Settlement::Nak(delay_ms) => sqlx::query(
            "UPDATE bus_deliveries SET state = 'pending', not_before = ?
             WHERE durable_name = ? AND sequence = ? AND state = 'in_flight' AND delivery_count = ?",
        )
        .bind(now.saturating_add(delay_ms)),
    };
    let query = query.bind(durable_name).bind(sequence);
    let query = match settlement {
        Settlement::Nak(_) => query.bind(delivery_count),
        _ => query,
    };
    let mut turn = file.begin(&context).await?;
    query
        .execute(turn.conn())
        .await
        .map_err(storage(&context))?;
    commit(turn, &context).await
}

/// Starts the lease of a delivery again from now (a progress ack). Only the delivery it came
/// with: a stale handle cannot hold a message another handle was given after its lease ran out.
pub(super) async fn extend_lease(
    file: &BusFile,
    durable_name: &str,
    sequence: i64,
    delivery_count: i64,
) -> Result<(), BusError> {
    let context = format!("extending the lease of message {sequence} of consumer {durable_name}");
    let mut turn = file.begin(&context).await?;
    sqlx::query(
        "UPDATE bus_deliveries SET not_before = ? + (
             SELECT ack_wait_ms FROM bus_consumers WHERE durable_name = bus_deliveries.durable_name)
         WHERE durable_name = ? AND sequence = ? AND state = 'in_flight' AND delivery_count = ?",
    )
    .bind(now_ms())
    .bind(durable_name)
    .bind(sequence)
    .bind(delivery_count)
    .execute(turn.conn())
    .await
    .map_err(storage(&context))?;
    commit(turn, &context).await
}

/// Deletes messages published before `cutoff_ms` and their delivery rows.
pub(super) async fn prune(file: &BusFile, cutoff_ms: i64) -> Result<u64, BusError> {
    let context = "pruning old messages";
    let mut turn = file.begin(context).await?;
    let tx = turn.conn();
    sqlx::query(
        "DELETE FROM bus_deliveries WHERE sequence IN
         (SELECT sequence FROM bus_messages WHERE published_at < ?)",
    )
    .bind(cutoff_ms)
    .execute(&mut *tx)
    .await
    .map_err(storage(context))?;
    let removed = sqlx::query("DELETE FROM bus_messages WHERE published_at < ?")
        .bind(cutoff_ms)
        .execute(&mut *tx)
        .await
        .map_err(storage(context))?
        .rows_affected();
    commit(turn, context).await?;
    Ok(removed)
}

fn to_sequence(sequence: i64) -> u64 {
    u64::try_from(sequence).unwrap_or_default()
}
