//! One writing transaction at a time per SQLite file in this process, queued in tokio before
//! `BEGIN IMMEDIATE` rather than inside SQLite.
//!
//! Why: SQLite lets one writer in at a time, and a connection that finds the write lock taken
//! waits in its busy handler, which sleeps 1, 2, 5, 10, 15, 20, 25… ms between tries however
//! soon the lock is free again. With several handlers of one service writing at once (the
//! consumers run eight deliveries each), most of a record's time went to those sleeps while
//! the lock itself was idle: the embedded backlog drain (`tests/benches/backlog_drain.rs`)
//! was bound by them. Waiting here instead is FIFO and wakes the next writer the moment the
//! transaction before it ends.
//!
//! ```text
//! Store::begin (SQLite)  WriteGate::enter (bounded by the busy timeout) -> BEGIN IMMEDIATE
//! commit / rollback / drop of the Transaction   releases it, after the transaction ends
//! ```
//!
//! Rules: stores opened on the same file in this process share one gate (keyed as the record
//! locks are); a wait past the bound is [`StoreError::LockTimeout`] (retryable), as SQLite's
//! own "database is locked" was; writes outside a transaction and other processes on the
//! same file still meet SQLite's busy handler, which stays as the backstop. PostgreSQL has no
//! gate: its writers do not exclude each other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::StoreError;

/// The writer gate of one SQLite file.
#[derive(Debug, Clone)]
pub(crate) struct WriteGate {
    lock: Arc<AsyncMutex<()>>,
    /// The file (the lock scope), for the timeout's message.
    scope: Arc<str>,
    wait: Duration,
}

/// A held gate: the transaction writes while it lives.
pub(crate) type GateGuard = OwnedMutexGuard<()>;

impl WriteGate {
    /// The gate of the file `scope` names, shared by every store of this process on it.
    pub(crate) fn for_file(scope: &str, wait: Duration) -> Self {
        static GATES: OnceLock<Mutex<HashMap<String, Arc<AsyncMutex<()>>>>> = OnceLock::new();
        let lock = GATES
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(scope.to_owned())
            .or_default()
            .clone();
        Self {
            lock,
            scope: scope.into(),
            wait,
        }
    }

    /// Waits for the gate.
    ///
    /// # Errors
    /// [`StoreError::LockTimeout`] when the writers before kept it past the wait bound
    /// (retryable: nothing was written).
    pub(crate) async fn enter(&self) -> Result<GateGuard, StoreError> {
        let started = Instant::now();
        tokio::time::timeout(self.wait, self.lock.clone().lock_owned())
            .await
            .map_err(|_| StoreError::LockTimeout {
                key: format!("write lock of {}", self.scope),
                waited: started.elapsed(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_of_one_file_share_a_gate_and_other_files_do_not() {
        let one = WriteGate::for_file("sqlite:/tmp/gate-one.db", Duration::from_millis(20));
        let same = WriteGate::for_file("sqlite:/tmp/gate-one.db", Duration::from_millis(20));
        let other = WriteGate::for_file("sqlite:/tmp/gate-other.db", Duration::from_millis(20));

        let held = one.enter().await.expect("free");
        assert!(other.enter().await.is_ok(), "another file does not wait");
        let waited = same.enter().await.expect_err("the same file waits");
        assert!(matches!(waited, StoreError::LockTimeout { .. }), "{waited}");
        assert!(waited.to_string().contains("gate-one.db"), "{waited}");
        drop(held);
        assert!(same.enter().await.is_ok(), "free again once released");
    }
}
