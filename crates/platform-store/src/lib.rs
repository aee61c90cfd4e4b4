//! Storage plumbing every service uses: one pool per service, its own schema and migrations,
//! and the inbox, outbox and dead-letter tables that make messaging exactly-once in effect.
//!
//! One code path for both databases: everything goes through [`sqlx::Any`], so a service writes
//! its repository code once and runs it on PostgreSQL (production, one schema per service) and
//! SQLite (embedded, one file per service). A state change, its inbox entry and the events it
//! causes are written in ONE [`Transaction`]:
//!
//! ```no_run
//! # use platform_store::*;
//! # async fn handle(store: &Store, delivery_id: &MessageId) -> Result<(), StoreError> {
//! let mut tx = store.begin().await?;
//! if store.inbox().record(&mut tx, "order-sync.shipments", delivery_id).await? {
//!     sqlx::query("UPDATE shipments SET state = $1 WHERE id = $2")
//!         .bind("imported")
//!         .bind("83651-1")
//!         .execute(tx.conn())
//!         .await
//!         .map_err(StoreError::query("updating shipment 83651-1"))?;
//!     store
//!         .outbox()
//!         .enqueue(&mut tx, OutboxMessage::new("order-sync:83651-1:imported", "orders.imported", b"{}".to_vec()))
//!         .await?;
//! }
//! tx.commit().await?; // then ack the delivery
//! # Ok(())
//! # }
//! ```
//!
//! Portable SQL rules for repositories (verified by the contract suite on both databases):
//! - placeholders are `$1, $2, ...` (SQLite accepts them too);
//! - column types: `TEXT`, `BIGINT` (i64, unix-millisecond timestamps), `BYTEA`/`BLOB` (bytes,
//!   the only type that differs between the two migration folders);
//! - no `BOOLEAN`: sqlx's Any driver cannot read a SQLite `BOOLEAN` column, so store flags as
//!   `BIGINT` 0/1 and bind `i64::from(flag)`;
//! - no JSON, NUMERIC, TIMESTAMP types: store JSON as `TEXT`, decimals as `TEXT`, times as millis;
//! - `INSERT ... ON CONFLICT ... DO NOTHING / DO UPDATE` and `RETURNING` work on both.
//!
//! Every service schema (or file) also holds the store's own tables, which services must not
//! reuse as names: `inbox`, `outbox`, `outbox_relay_lease`, `dead_letters` and the migration
//! bookkeeping tables `_platform_store_migrations` (store) and `_sqlx_migrations` (service).
//! A service embedding migrations with `sqlx::migrate!` should add a `build.rs` printing
//! `cargo:rerun-if-changed=migrations`, or a new migration file is not picked up.
//!
//! The relay publishes through the bus port at least once, in outbox order, with a single
//! active relay per schema (a lease in the database): two replicas never publish the same row
//! concurrently. See `relay` for the failure cases.
//!
//! Layout:
//! - `backend`: which database a URL names, and the few SQL fragments that differ.
//! - `store`: [`Store`], [`StoreOptions`], [`Migrations`]: pool, schema, migrations.
//! - `transaction`: [`Transaction`], what repositories, the inbox and the outbox all accept.
//!   On SQLite a transaction is a turn at the file's writer gate (`platform-write-gate`):
//!   writers queued in this process, not in busy sleeps, and the transactions of turns that
//!   follow each other committed together.
//! - `inbox`: [`Inbox`], the idempotent-consumer record.
//! - `outbox`: [`Outbox`], [`OutboxMessage`]: events written with the state that caused them.
//! - `relay`: [`OutboxRelay`]: publishes the outbox through the bus, one active relay per schema.
//! - `dead_letters`: [`DeadLetters`]: records kept for a person to see and retry.
//! - `locks`: [`Locks`]: one holder per record key across every replica of a service.
//! - `error`: [`StoreError`].
//! - `clock`: unix-millisecond timestamps.

mod backend;
mod clock;
mod dead_letters;
mod error;
mod inbox;
mod locks;
mod outbox;
mod relay;
mod store;
mod transaction;

pub use backend::Backend;
pub use clock::unix_millis;
pub use dead_letters::{
    DeadLetter, DeadLetterFilter, DeadLetterStatus, DeadLetters, NewDeadLetter,
    OUTBOX_DEAD_LETTER_KIND,
};
pub use error::StoreError;
pub use inbox::Inbox;
pub use locks::{LOCK_CONNECTIONS, LOCK_WAIT, LockGuard, Locks};
pub use outbox::{Outbox, OutboxEntry, OutboxMessage};
pub use platform_bus::{Headers, MessageId};
pub use relay::{OutboxRelay, RelayConfig, RelayError, RelayRound};
pub use store::{Migrations, STORE_MIGRATIONS_TABLE, Store, StoreOptions, WriteTurn};
pub use transaction::Transaction;
