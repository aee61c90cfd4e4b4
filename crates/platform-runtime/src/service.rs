//! The contract between the runtime and a service.

use std::sync::Arc;

use async_trait::async_trait;
use platform_bus::Bus;
use platform_config::AppConfig;
use tokio_util::sync::CancellationToken;

use crate::ServiceDirectory;

/// Everything a service gets from the runtime: it opens its own store from `store_url` (it owns
/// its schema and migrations) and talks to other services only through `bus` and gRPC.
#[derive(Debug, Clone)]
pub struct ServiceContext {
    pub config: Arc<AppConfig>,
    pub bus: Arc<dyn Bus>,
    /// Where this service keeps its state: its own SQLite file (embedded) or the PostgreSQL
    /// database in which it owns a schema named after it (distributed).
    pub store_url: String,
    /// Where the other services' gRPC command services are, and where this one serves its own.
    pub directory: ServiceDirectory,
    /// Cancelled when the process shuts down; a service returns soon after.
    pub shutdown: CancellationToken,
    /// What keeps the process unready besides store and bus (a gateway's refused
    /// credentials); the process's `/readyz` reads it.
    pub readiness: crate::Readiness,
}

/// One service of the platform (a gateway or a sync service).
#[async_trait]
pub trait Service: Send + Sync + std::fmt::Debug + 'static {
    /// Also names the service's schema, its log lines and its bus consumers.
    fn name(&self) -> &'static str;

    /// Runs until `ctx.shutdown` is cancelled; an error stops the whole process, so return one
    /// only for what a restart could fix (storage unreachable), never for one bad record.
    async fn run(&self, ctx: ServiceContext) -> Result<(), ServiceError>;
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{service}: storage: {source}")]
    Store {
        service: &'static str,
        #[source]
        source: platform_store::StoreError,
    },
    #[error("{service}: bus: {source}")]
    Bus {
        service: &'static str,
        #[source]
        source: platform_bus::BusError,
    },
    #[error("{service}: {message}")]
    Other {
        service: &'static str,
        message: String,
    },
}

/// Waits for the parts of `service` (its consumers, timers, command server) and stops them all
/// when one fails, so the runtime sees the first error and restarts the service whole rather
/// than run it half. Returns when every part has ended.
///
/// # Errors
/// The first part's error, or [`ServiceError::Other`] for a part that panicked.
pub async fn supervise(
    service: &'static str,
    mut parts: tokio::task::JoinSet<Result<(), ServiceError>>,
    stop: tokio_util::sync::CancellationToken,
) -> Result<(), ServiceError> {
    let mut result = Ok(());
    while let Some(joined) = parts.join_next().await {
        let outcome = joined.map_err(|e| ServiceError::Other {
            service,
            message: format!("task ended abnormally: {e}"),
        });
        if let Err(error) = outcome.and_then(|r| r) {
            tracing::error!(%error, service, "service part stopped");
            stop.cancel();
            if result.is_ok() {
                result = Err(error);
            }
        }
    }
    result
}
