//! Errors of the simulator's own plumbing (binding, configuration). Business errors of the
//! simulated API are not Rust errors: they are `{"status":"no"}` answers (see `api::envelope`).

use std::net::SocketAddr;

/// Why the simulator could not be configured or started.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The base path must look like `/api/order-api`.
    #[error("invalid base path {path:?}: {reason}")]
    InvalidBasePath { path: String, reason: &'static str },
    /// The time zone name is not an IANA zone known to chrono-tz.
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    /// The listener could not be bound.
    #[error("could not bind {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    /// Any other I/O failure of the listener.
    #[error("listener failed: {0}")]
    Io(#[from] std::io::Error),
}
