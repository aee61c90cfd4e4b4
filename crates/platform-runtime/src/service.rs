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

/// Any error a part of a service stops with, kept whole as a [`ServiceError::Part`]'s source.
pub type PartError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a service stopped. Every variant but [`ServiceError::Misconfigured`] (settings, no
/// cause below them) keeps what caused it as its `source`, so the log line and a test can walk
/// the chain instead of reading a flattened message.
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
    /// One part (the command server, a consumer, the webhook receiver, a task that panicked)
    /// stopped with `source`.
    #[error("{service}: {part}: {source}")]
    Part {
        service: &'static str,
        /// Which part, e.g. `consumer order-sync-shipments` or `grpc server`.
        part: String,
        #[source]
        source: PartError,
    },
    /// The settings do not let the service run here (e.g. a WMS gateway for another WMS);
    /// a restart will not help until they change.
    #[error("{service}: {message}")]
    Misconfigured {
        service: &'static str,
        message: String,
    },
}

impl ServiceError {
    /// The [`ServiceError::Misconfigured`] of a WMS gateway started while `[wms] kind` in
    /// `config` names another warehouse, so the settings hold no `account` for it to speak to.
    pub fn other_wms(service: &'static str, account: &str, config: &AppConfig) -> Self {
        let kind = config.wms.kind();
        Self::Misconfigured {
            service,
            message: format!(
                "[wms] kind is {:?}: {service} has no {account} to speak to; run {} instead",
                kind.name(),
                kind.gateway(),
            ),
        }
    }

    /// A [`ServiceError::Part`]: `part` of `service` stopped with `source`.
    pub fn part(
        service: &'static str,
        part: impl Into<String>,
        source: impl Into<PartError>,
    ) -> Self {
        Self::Part {
            service,
            part: part.into(),
            source: source.into(),
        }
    }
}

/// Waits for the parts of `service` (its consumers, timers, command server) and stops them all
/// when one fails, so the runtime sees the first error and restarts the service whole rather
/// than run it half. Returns when every part has ended.
///
/// # Errors
/// The first part's error, or [`ServiceError::Part`] with the join error for a part that
/// panicked.
pub async fn supervise(
    service: &'static str,
    mut parts: tokio::task::JoinSet<Result<(), ServiceError>>,
    stop: tokio_util::sync::CancellationToken,
) -> Result<(), ServiceError> {
    let mut result = Ok(());
    while let Some(joined) = parts.join_next().await {
        let outcome = joined.map_err(|e| ServiceError::part(service, "task", e));
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

#[cfg(test)]
mod tests {
    use std::error::Error as _;
    use std::io;

    use super::*;

    #[test]
    fn a_gateway_for_another_wms_names_the_one_to_run() {
        // An Ongoing account: the default `[wms] kind`.
        let config = AppConfig::from_toml_str(
            r#"
            [settings]
            centra_time_zone = "Europe/Stockholm"
            [[settings.endpoints]]
            name = "shop1"
            base_url = "http://127.0.0.1:1/api/order-api"
            secret = "s"
            [wms]
            base_url = "http://127.0.0.1:1"
            warehouse = "sandbox"
            user = "u"
            password = "p"
            goods_owner_id = 1
            "#,
        )
        .expect("valid");
        let error = ServiceError::other_wms("ogoship-gateway", "OGOship account", &config);
        assert!(matches!(
            error,
            ServiceError::Misconfigured {
                service: "ogoship-gateway",
                ..
            }
        ));
        assert_eq!(
            error.to_string(),
            "ogoship-gateway: [wms] kind is \"ongoing\": ogoship-gateway has no OGOship account \
             to speak to; run ongoing-gateway instead"
        );
    }

    #[tokio::test]
    async fn a_failing_part_stops_the_others_and_its_error_keeps_its_source() {
        let stop = CancellationToken::new();
        let mut parts = tokio::task::JoinSet::new();
        let waiting = stop.clone();
        parts.spawn(async move {
            waiting.cancelled().await;
            Ok(())
        });
        parts.spawn(async {
            Err(ServiceError::part(
                "svc",
                "consumer svc-orders",
                io::Error::new(io::ErrorKind::ConnectionRefused, "refused"),
            ))
        });

        let error = supervise("svc", parts, stop.clone())
            .await
            .expect_err("the part's error");

        assert!(stop.is_cancelled(), "the other part was stopped");
        assert_eq!(error.to_string(), "svc: consumer svc-orders: refused");
        let source = error
            .source()
            .and_then(|s| s.downcast_ref::<io::Error>())
            .expect("the io error is kept as the source");
        assert_eq!(source.kind(), io::ErrorKind::ConnectionRefused);
    }

    #[tokio::test]
    async fn a_part_that_panics_is_a_part_error_with_the_join_error_as_source() {
        let mut parts = tokio::task::JoinSet::new();
        parts.spawn(async { panic!("boom") });

        let error = supervise("svc", parts, CancellationToken::new())
            .await
            .expect_err("the panic");

        let join = error
            .source()
            .and_then(|s| s.downcast_ref::<tokio::task::JoinError>())
            .expect("the join error is kept as the source");
        assert!(join.is_panic());
    }
}
