//! Store errors. Every variant names what was being done and on which record, so a log line
//! is enough to find the row.

use platform_write_gate::GateError;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The service name cannot be a schema or file name.
    #[error("invalid service name {name:?}: {reason}")]
    InvalidServiceName { name: String, reason: &'static str },

    /// The URL names no database this store supports.
    #[error(
        "service {service}: unsupported database url scheme {scheme:?} (expected postgres:// or sqlite:)"
    )]
    UnsupportedUrl { service: String, scheme: String },

    /// Opening the database (or its schema) failed.
    #[error("service {service}: cannot open the {backend} database: {source}")]
    Connect {
        service: String,
        backend: &'static str,
        #[source]
        source: sqlx::Error,
    },

    /// A migration set failed (checksum changed, SQL error, dirty database).
    #[error("service {service}: {set} migrations failed: {source}")]
    Migrate {
        service: String,
        set: &'static str,
        #[source]
        source: sqlx::migrate::MigrateError,
    },

    /// A query failed; `action` says which one and on which record.
    #[error("database error while {action}: {source}")]
    Query {
        action: String,
        #[source]
        source: sqlx::Error,
    },

    /// A stored value cannot be read back (hand-edited row, or a bug).
    #[error("{table} row {key}: field {field} is unreadable: {reason}")]
    Corrupt {
        table: &'static str,
        key: String,
        field: &'static str,
        reason: String,
    },

    /// A value cannot be stored as given.
    #[error("{what}: field {field} cannot be stored: {reason}")]
    Invalid {
        what: String,
        field: &'static str,
        reason: String,
    },

    /// Another holder kept a record lock past the wait bound; try again later.
    #[error("lock {key} still held by another handler after {waited:?}")]
    LockTimeout {
        key: String,
        waited: std::time::Duration,
    },

    /// SQLite: a transaction's work was committed with a group of others (`platform-write-gate`)
    /// and the group failed, or the turn's savepoint did: nothing of the transaction was
    /// kept. Retryable, as any failed commit.
    #[error("write group of {scope}: the transaction failed while {reason}")]
    GroupCommit {
        scope: String,
        reason: String,
        #[source]
        source: Option<std::sync::Arc<sqlx::Error>>,
    },

    /// No dead letter with this id.
    #[error("dead letter {id} not found")]
    DeadLetterNotFound { id: i64 },

    /// Only an open dead letter can be retried or discarded.
    #[error("dead letter {id} is {status}, only an open one can be {action}")]
    DeadLetterNotOpen {
        id: i64,
        status: &'static str,
        action: &'static str,
    },
}

impl From<GateError> for StoreError {
    /// The SQLite writer gate's kinds, as the store has always named them.
    fn from(error: GateError) -> Self {
        match error {
            GateError::Timeout { scope, waited } => StoreError::LockTimeout {
                key: format!("write lock of {scope}"),
                waited,
            },
            GateError::Begin { action, source, .. } => StoreError::Query {
                action: action.to_owned(),
                source,
            },
            GateError::Group {
                scope,
                reason,
                source,
            } => StoreError::GroupCommit {
                scope,
                reason,
                source,
            },
        }
    }
}

impl StoreError {
    /// `map_err` adapter for repository code: `.map_err(StoreError::query("loading shipment 1"))`.
    pub fn query(action: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
        let action = action.into();
        move |source| StoreError::Query { action, source }
    }

    /// True when the database said "unique constraint violated" (a concurrent insert won).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Query { source, .. } | StoreError::Connect { source, .. } => source
                .as_database_error()
                .is_some_and(|e| e.is_unique_violation()),
            _ => false,
        }
    }
}
