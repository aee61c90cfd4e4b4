//! [`GateError`]: what a writer hears from the gate, made here so that the store and the bus
//! map kinds, never text, into their own errors.

use std::sync::Arc;
use std::time::Duration;

/// Why a turn could not begin or its work was not kept. Every kind is retryable: nothing of
/// the turn was written.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// The writers before kept the gate past the wait bound (as SQLite's own "database is
    /// locked" past its busy timeout).
    #[error("write lock of {scope} still held by other writers after {waited:?}")]
    Timeout { scope: String, waited: Duration },

    /// No connection, or `BEGIN IMMEDIATE` failed, for a new group: no turn was in it yet.
    #[error("{scope}: {action}: {source}")]
    Begin {
        scope: String,
        action: &'static str,
        #[source]
        source: sqlx::Error,
    },

    /// The turn's work was in a group whose transaction failed (its `COMMIT`, or any turn's
    /// savepoint), or it was dropped unfinished: the whole group was rolled back.
    #[error("write group of {scope}: the transaction failed while {reason}")]
    Group {
        scope: String,
        reason: String,
        /// Shared by every turn of the failed group.
        #[source]
        source: Option<Arc<sqlx::Error>>,
    },
}
