//! Tables of the embedded bus, created idempotently when the file is opened.
//!
//! - `bus_messages`: the stream; `sequence` never repeats (AUTOINCREMENT), even after pruning.
//! - `bus_consumers`: one row per durable name, with how far it has looked into the stream.
//! - `bus_deliveries`: per consumer and message, the delivery state:
//!   `pending` (due at `not_before`, which a nak pushes out), `in_flight` (leased until
//!   `not_before` = delivery time + ack_wait), `acked`, `terminated`, `exhausted`
//!   (max_deliver reached).

use sqlx::SqlitePool;

use crate::port::BusError;

const STATEMENTS: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS bus_messages (
        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
        subject TEXT NOT NULL,
        message_id TEXT NOT NULL,
        headers TEXT NOT NULL,
        payload BLOB NOT NULL,
        published_at INTEGER NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS bus_messages_by_id ON bus_messages (message_id, published_at)",
    "CREATE INDEX IF NOT EXISTS bus_messages_by_age ON bus_messages (published_at)",
    "CREATE TABLE IF NOT EXISTS bus_consumers (
        durable_name TEXT PRIMARY KEY,
        filter_subjects TEXT NOT NULL,
        ack_wait_ms INTEGER NOT NULL,
        max_deliver INTEGER,
        scanned_through INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS bus_deliveries (
        durable_name TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        state TEXT NOT NULL,
        delivery_count INTEGER NOT NULL DEFAULT 0,
        not_before INTEGER NOT NULL DEFAULT 0,
        settled_at INTEGER,
        PRIMARY KEY (durable_name, sequence)
    )",
    "CREATE INDEX IF NOT EXISTS bus_deliveries_open ON bus_deliveries (durable_name, sequence)
        WHERE state IN ('pending', 'in_flight')",
];

pub(super) async fn create(pool: &SqlitePool) -> Result<(), BusError> {
    for statement in STATEMENTS {
        sqlx::query(*statement)
            .execute(pool)
            .await
            .map_err(|e| BusError::storage("creating bus tables", e))?;
    }
    Ok(())
}
