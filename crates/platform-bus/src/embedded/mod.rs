//! The embedded bus: a durable in-process bus in one SQLite file (WAL mode).
//!
//! It keeps the JetStream semantics the services rely on, so a service cannot tell the two
//! apart: a duplicate window on message ids, durable consumers whose handles share the work,
//! explicit acks with a lease (`ack_wait`) that a progress ack extends, nak with delay, term,
//! `max_deliver`, NATS subject
//! wildcards, and redelivery of whatever was in flight when the process died.
//!
//! Layout:
//! - `schema`: the tables and the delivery states;
//! - `ledger`: the SQL of publishing, claiming and settling (each one turn at the file's
//!   writer gate, `platform-write-gate`: its work committed with the turns around it);
//! - `consumer`: `EmbeddedConsumer` (waits to be woken, polls as a backstop for other
//!   processes) and the acker of its deliveries;
//! - `waiters`: which handles a publish in this process wakes (those whose filters take it).
//!
//! Time is wall-clock milliseconds, because leases and nak delays must survive a restart.

mod consumer;
mod ledger;
mod schema;
mod waiters;

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use consumer::EmbeddedConsumer;
use waiters::Waiters;

use crate::port::{Bus, BusError, Consumer, ConsumerConfig, OutgoingMessage, PublishReceipt};

/// The page cache of each SQLite connection, in KiB (SQLite's default is 2,000 KiB). The
/// embedded shape opens a pool per store (`platform-store`) and the bus, some 40 connections in one
/// process, and each connection's cache fills up to its size as the database grows: at the
/// default that is 80 MiB of page caches once a catalogue is large, held for good. Reads that
/// miss the smaller cache are served from the operating system's file cache, so the cost is a
/// system call, not a disk read.
pub const SQLITE_PAGE_CACHE_KIB: u32 = 512;

/// How often retention pruning may run at most (it runs on publish, when `max_age` is set);
/// short ages prune more often, a quarter of the age.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// Tuning of the embedded bus.
#[derive(Debug, Clone)]
pub struct EmbeddedBusConfig {
    /// A publish whose id was already published within this window is dropped (as JetStream).
    pub duplicate_window: Duration,
    /// How often a waiting consumer looks for work published by another process on the same
    /// file; publishes in this process that its filters take wake it at once.
    pub poll_interval: Duration,
    /// Messages older than this are deleted with their delivery states (None: kept forever).
    /// Must not be shorter than `duplicate_window`.
    pub max_age: Option<Duration>,
    /// How long a statement waits for another writer before failing.
    pub busy_timeout: Duration,
}

impl Default for EmbeddedBusConfig {
    fn default() -> Self {
        Self {
            duplicate_window: Duration::from_secs(10 * 60),
            poll_interval: Duration::from_millis(500),
            max_age: None,
            busy_timeout: Duration::from_secs(10),
        }
    }
}

/// The embedded bus. Cheap to clone: clones share the pool and the registered handles.
#[derive(Debug, Clone)]
pub struct EmbeddedBus {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    /// The file and this process's gate of its writers.
    file: ledger::BusFile,
    /// Wakes this process's consumer handles on publish (those whose filters match) and nak.
    waiters: Waiters,
    config: EmbeddedBusConfig,
    last_prune: Mutex<Option<Instant>>,
}

impl EmbeddedBus {
    /// Opens (creating when missing) the bus in `location`: a file path or a `sqlite:` URL.
    pub async fn open(location: &str, config: EmbeddedBusConfig) -> Result<Self, BusError> {
        if location.contains(":memory:") || location.contains("mode=memory") {
            return Err(BusError::rejected(
                format!("bus location {location:?}"),
                "the embedded bus must be a file: it has to survive a restart".to_owned(),
            ));
        }
        if config
            .max_age
            .is_some_and(|age| age < config.duplicate_window)
        {
            return Err(BusError::rejected(
                "embedded bus config".to_owned(),
                "max_age is shorter than duplicate_window".to_owned(),
            ));
        }
        let options = if location.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(location)
                .map_err(|e| BusError::rejected_by(format!("bus location {location:?}"), e))?
        } else {
            SqliteConnectOptions::new().filename(location)
        };
        // The gate of the file's writers is shared by every bus of this process on it.
        let file = options.get_filename().display().to_string();
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(config.busy_timeout)
            .pragma("cache_size", format!("-{SQLITE_PAGE_CACHE_KIB}"));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| BusError::storage(format!("opening bus at {location:?}"), e))?;
        schema::create(&pool).await?;
        tracing::info!(location, "opened embedded bus");
        let bus = Self {
            shared: Arc::new(Shared {
                file: ledger::BusFile::new(pool, &file, config.busy_timeout),
                waiters: Waiters::default(),
                config,
                last_prune: Mutex::new(None),
            }),
        };
        bus.prune_if_due().await?;
        Ok(bus)
    }

    /// Closes the pool; later calls on clones fail with a storage error.
    pub async fn close(&self) {
        self.shared.file.pool.close().await;
    }

    /// Deletes messages past `max_age` (and their delivery states) now; the runtime calls it
    /// on a timer so an idle bus shrinks too. Returns how many messages went; 0 without a
    /// `max_age`.
    ///
    /// # Errors
    /// The file could not be written ([`BusError::Storage`], retryable).
    pub async fn prune(&self) -> Result<u64, BusError> {
        let Some(max_age) = self.shared.config.max_age else {
            return Ok(0);
        };
        let removed = ledger::prune(&self.shared.file, ledger::now_ms() - millis(max_age)).await?;
        if removed > 0 {
            tracing::info!(removed, "pruned messages past max age");
        }
        Ok(removed)
    }

    /// [`EmbeddedBus::prune`], at most once per `PRUNE_EVERY` (a quarter of a short age).
    async fn prune_if_due(&self) -> Result<(), BusError> {
        let Some(max_age) = self.shared.config.max_age else {
            return Ok(());
        };
        {
            let mut last = self
                .shared
                .last_prune
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let every = PRUNE_EVERY.min(max_age / 4);
            if last.is_some_and(|at| at.elapsed() < every) {
                return Ok(());
            }
            *last = Some(Instant::now());
        }
        self.prune().await.map(drop)
    }
}

#[async_trait]
impl Bus for EmbeddedBus {
    async fn publish(&self, message: OutgoingMessage) -> Result<PublishReceipt, BusError> {
        message.validate()?;
        let window = millis(self.shared.config.duplicate_window);
        let receipt = ledger::publish(&self.shared.file, &message, window).await?;
        if receipt.duplicate {
            tracing::debug!(message_id = %message.id, sequence = receipt.sequence, "duplicate publish dropped");
        } else {
            self.shared.waiters.published(&message.subject);
        }
        self.prune_if_due().await?;
        Ok(receipt)
    }

    /// The valid messages in one transaction; a refused one is answered on its own. When the
    /// transaction fails, every valid message gets that (retryable) error: none was stored.
    async fn publish_batch(
        &self,
        messages: Vec<OutgoingMessage>,
    ) -> Vec<Result<PublishReceipt, BusError>> {
        let checked: Vec<Result<(), BusError>> = messages.iter().map(|m| m.validate()).collect();
        let valid: Vec<&OutgoingMessage> = messages
            .iter()
            .zip(&checked)
            .filter_map(|(message, check)| check.is_ok().then_some(message))
            .collect();
        let window = millis(self.shared.config.duplicate_window);
        let stored = if valid.is_empty() {
            Ok(Vec::new())
        } else {
            ledger::publish_batch(&self.shared.file, &valid, window).await
        };
        let mut results = Vec::with_capacity(messages.len());
        match stored {
            Ok(receipts) => {
                let mut receipts = receipts.into_iter();
                for (message, check) in messages.iter().zip(checked) {
                    results.push(check.map(|()| {
                        let receipt = receipts.next().expect("one receipt per valid message");
                        if !receipt.duplicate {
                            self.shared.waiters.published(&message.subject);
                        }
                        receipt
                    }));
                }
            }
            Err(error) => {
                // One error for the batch, the source of each valid message's own error.
                let retryable = error.is_retryable();
                let error = Arc::new(error);
                for (message, check) in messages.iter().zip(checked) {
                    results.push(check.and_then(|()| {
                        let what = format!("publishing message {} in a batch", message.id);
                        Err(if retryable {
                            BusError::storage(what, Arc::clone(&error))
                        } else {
                            BusError::rejected_by(what, Arc::clone(&error))
                        })
                    }));
                }
            }
        }
        if let Err(error) = self.prune_if_due().await {
            tracing::warn!(%error, "pruning the embedded bus after a batch failed");
        }
        results
    }

    async fn consumer(&self, config: ConsumerConfig) -> Result<Box<dyn Consumer>, BusError> {
        config.validate()?;
        ledger::upsert_consumer(&self.shared.file, &config).await?;
        let waiter = self
            .shared
            .waiters
            .register(&config.durable_name, &config.filter_subjects);
        Ok(Box::new(EmbeddedConsumer::new(
            Arc::clone(&self.shared),
            config.durable_name,
            waiter,
        )))
    }
}

/// Milliseconds as stored, saturating (durations beyond ~292 million years are not a concern).
fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_connection_has_the_small_page_cache() {
        let dir = tempfile::tempdir().expect("tempdir");
        let location = dir.path().join("bus.db");
        let bus = EmbeddedBus::open(
            location.to_str().expect("utf-8 path"),
            EmbeddedBusConfig::default(),
        )
        .await
        .expect("bus opens");
        let mut held = Vec::new();
        for _ in 0..2 {
            held.push(bus.shared.file.pool.acquire().await.expect("connection"));
        }
        for conn in &mut held {
            let cache: i64 = sqlx::query_scalar("PRAGMA cache_size")
                .fetch_one(&mut **conn)
                .await
                .expect("cache_size");
            assert_eq!(cache, -i64::from(SQLITE_PAGE_CACHE_KIB));
        }
    }
}
