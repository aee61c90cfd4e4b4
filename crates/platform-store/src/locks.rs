//! Record locks: one holder at a time per key, across every process that shares the store.
//!
//! A service that reads a record, calls another system and writes the record back must not
//! interleave with a second handler of the same record, in this process (a redelivery beside
//! an operator's retry) or in another replica of the service. [`Locks::lock`] gives that:
//!
//! ```text
//! Locks::lock("order:shop:83651")   waits (FIFO in this process) for the key,
//!   PostgreSQL: then for pg_try_advisory_lock(hash(schema, key)) on a connection of its own
//!   SQLite:     nothing more (the embedded shape is one process; see below)
//! LockGuard dropped                 releases both, the advisory lock first: the next
//!                                   waiter of this process finds the key free in PostgreSQL
//!                                   too; a process that dies releases its advisory locks
//!                                   with its connections
//! ```
//!
//! Rules every caller keeps and every backend honours (the contract suite checks them):
//! - a key is held by at most one [`LockGuard`] of all the stores opened on the same database
//!   and service, whichever process opened them; other keys never wait for it;
//! - waiters of one process are served in arrival order, each once the holder before it has
//!   released the key everywhere, so a hand-over within a process never polls; between
//!   processes the order is not fair (they poll, counted by [`Locks::polls`]), but a waiter
//!   is never starved by its own process;
//! - waiting is bounded ([`LOCK_WAIT`]): past it the answer is [`StoreError::LockTimeout`],
//!   which says "try again later" (a delivery is redelivered), never "go on without it";
//! - a guard holds one connection of a small pool kept apart from the store's own, so a
//!   handler holding a lock can still run its queries.
//!
//! SQLite serves the embedded shape, where one process owns the files; its locks are
//! process-wide (every store opened on the same file in this process shares them), which is
//! all that shape needs.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use sqlx::any::AnyPoolOptions;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::StoreError;

/// How long [`Locks::lock`] waits before it answers [`StoreError::LockTimeout`].
pub const LOCK_WAIT: Duration = Duration::from_secs(120);

/// Connections one store keeps for held locks (PostgreSQL): the most keys one process holds
/// at once. The consumers' concurrency stays well below it.
pub const LOCK_CONNECTIONS: u32 = 16;

/// How often a waiter asks PostgreSQL again, at first and at most.
const POLL_FIRST: Duration = Duration::from_millis(5);
const POLL_MAX: Duration = Duration::from_millis(200);

type Local = Arc<Mutex<HashMap<String, Arc<AsyncMutex<()>>>>>;

/// The in-process waiters of every store, by the database (and schema) it serves, so two
/// stores opened on the same file or schema in one process share their keys.
fn registry(scope: &str) -> Local {
    static REGISTRY: OnceLock<Mutex<HashMap<String, Local>>> = OnceLock::new();
    REGISTRY
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(scope.to_owned())
        .or_default()
        .clone()
}

/// The record locks of one store. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Locks {
    local: Local,
    /// PostgreSQL: the connections advisory locks are held on.
    shared: Option<AnyPool>,
    /// What keys are hashed with, so services sharing a database never share a key.
    schema: Arc<str>,
    wait: Duration,
    /// Times a waiter found its key held in PostgreSQL and asked again.
    polls: Arc<AtomicU64>,
}

impl Locks {
    /// Locks for a SQLite store (`scope`: its URL) or, with `shared` (the PostgreSQL URL), for a
    /// PostgreSQL schema. The PostgreSQL pool connects lazily: a store that never locks opens
    /// no connection for it.
    pub(crate) fn new(
        scope: &str,
        schema: &str,
        shared: Option<&str>,
    ) -> Result<Self, sqlx::Error> {
        let shared = shared
            .map(|url| {
                AnyPoolOptions::new()
                    .max_connections(LOCK_CONNECTIONS)
                    .min_connections(0)
                    .idle_timeout(Some(Duration::from_secs(60)))
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_lazy(url)
            })
            .transpose()?;
        Ok(Self {
            local: registry(&format!("{scope}#{schema}")),
            shared,
            schema: schema.into(),
            wait: LOCK_WAIT,
            polls: Arc::default(),
        })
    }

    /// The same locks with another wait bound (tests).
    pub fn with_wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// Waits for `key`; the lock is held until the guard is dropped.
    ///
    /// # Errors
    /// [`StoreError::LockTimeout`] when another holder kept it past the wait bound (retryable:
    /// try the whole handler again later); [`StoreError::Query`] when PostgreSQL cannot be
    /// asked (retryable as any store error).
    pub async fn lock(&self, key: &str) -> Result<LockGuard, StoreError> {
        let started = Instant::now();
        let entry = self
            .local
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key.to_owned())
            .or_default()
            .clone();
        let local = tokio::time::timeout(self.wait, entry.lock_owned())
            .await
            .map_err(|_| StoreError::LockTimeout {
                key: key.to_owned(),
                waited: started.elapsed(),
            })?;
        let mut guard = LockGuard {
            key: key.to_owned(),
            local: Some(local),
            connection: None,
            locks: self.clone(),
        };
        if let Some(pool) = &self.shared {
            let mut connection = pool.acquire().await.map_err(StoreError::query(format!(
                "taking a connection for lock {key}"
            )))?;
            let mut pause = POLL_FIRST;
            loop {
                let taken: bool = sqlx::query_scalar(
                    "SELECT pg_try_advisory_lock(hashtextextended($1 || ':' || $2, 0))",
                )
                .bind(self.schema.as_ref())
                .bind(key)
                .fetch_one(&mut *connection)
                .await
                .map_err(StoreError::query(format!("taking lock {key}")))?;
                if taken {
                    break;
                }
                self.polls.fetch_add(1, Ordering::Relaxed);
                let Some(left) = self
                    .wait
                    .checked_sub(started.elapsed())
                    .filter(|l| !l.is_zero())
                else {
                    return Err(StoreError::LockTimeout {
                        key: key.to_owned(),
                        waited: started.elapsed(),
                    });
                };
                tokio::time::sleep(pause.min(left)).await;
                pause = (pause * 2).min(POLL_MAX);
            }
            guard.connection = Some(connection);
        }
        Ok(guard)
    }

    /// Drops the in-process entry of `key` when nobody holds or waits for it.
    fn forget_if_unused(&self, key: &str) {
        let mut local = self.local.lock().unwrap_or_else(PoisonError::into_inner);
        if local
            .get(key)
            .is_some_and(|entry| Arc::strong_count(entry) == 1)
        {
            local.remove(key);
        }
    }

    /// How often a waiter of these locks (and their clones) found its key held in PostgreSQL
    /// and had to ask again: contention with another process (a replica), or a bug when one
    /// process alone holds the key. Always 0 on SQLite.
    pub fn polls(&self) -> u64 {
        self.polls.load(Ordering::Relaxed)
    }

    /// Keys with a holder or a waiter in this process (tests: the map does not grow).
    pub fn in_use(&self) -> usize {
        self.local
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// A held lock; released on drop.
#[derive(Debug)]
pub struct LockGuard {
    key: String,
    local: Option<OwnedMutexGuard<()>>,
    connection: Option<PoolConnection<Any>>,
    locks: Locks,
}

impl LockGuard {
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let local = self.local.take();
        if let Some(connection) = self.connection.take() {
            match tokio::runtime::Handle::try_current() {
                // The unlock runs before the connection goes back to the pool, and the key
                // passes to the next waiter of this process only after it: handed over at
                // once, that waiter would find the advisory lock still held and sleep a poll.
                // A connection whose unlock failed is closed, which releases every lock of
                // its session.
                Ok(runtime) => {
                    runtime.spawn(release(
                        connection,
                        local,
                        self.locks.clone(),
                        self.key.clone(),
                    ));
                    return;
                }
                Err(_) => drop(connection.detach()),
            }
        }
        drop(local);
        self.locks.forget_if_unused(&self.key);
    }
}

/// How long the unlock may take before its connection is dropped instead (which ends the
/// session, and PostgreSQL releases its locks once it notices): the waiters of this process
/// wait for the unlock, so a server that stopped answering must not hold them to [`LOCK_WAIT`].
const RELEASE_WAIT: Duration = Duration::from_secs(5);

/// Unlocks `key` in PostgreSQL, then passes it on in this process (`local`).
async fn release(
    mut connection: PoolConnection<Any>,
    local: Option<OwnedMutexGuard<()>>,
    locks: Locks,
    key: String,
) {
    let unlock = sqlx::query_scalar::<_, bool>(
        "SELECT pg_advisory_unlock(hashtextextended($1 || ':' || $2, 0))",
    )
    .bind(locks.schema.as_ref())
    .bind(&key)
    .fetch_one(&mut *connection);
    match tokio::time::timeout(RELEASE_WAIT, unlock).await {
        Ok(Ok(true)) => {}
        Ok(released) => {
            tracing::warn!(lock = %key, result = ?released, "lock not released cleanly; closing its connection");
            let _ = tokio::time::timeout(RELEASE_WAIT, connection.close()).await;
        }
        Err(_) => {
            tracing::warn!(lock = %key, waited = ?RELEASE_WAIT, "unlock unanswered; dropping its connection");
            drop(connection.detach());
        }
    }
    drop(local);
    locks.forget_if_unused(&key);
}
