//! One service as its own process (distributed shape): config, telemetry, NATS + PostgreSQL,
//! run until SIGTERM.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use platform_config::{AppConfig, ConfigError, RuntimeMode};
use platform_telemetry::{TelemetryConfig, TelemetryError};

use crate::health::{DatabaseCheck, Health, install_metrics};
use crate::{Adapters, AdaptersError, Runtime, RuntimeError, Service, shutdown_on_signal};

/// Command line of a service binary.
#[derive(Debug, Parser)]
#[command(about = "run one centra-wms service (distributed shape)")]
struct ServeArgs {
    /// TOML config file; `CENTRA_WMS__…` environment variables override it.
    #[arg(long, env = "CENTRA_WMS_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(
        "runtime.mode is \"embedded\": a single service runs only in distributed mode; use `centra-wms sandbox` or `centra-wms run` for the embedded runtime"
    )]
    NotDistributed,
    #[error("runtime.{key}: required in distributed mode")]
    Missing { key: &'static str },
    #[error(transparent)]
    Telemetry(#[from] TelemetryError),
    #[error(transparent)]
    Adapters(#[from] AdaptersError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error("runtime.database_url: {0}")]
    Database(#[source] sqlx::Error),
}

/// `/readyz`'s look at PostgreSQL: `SELECT 1` over one lazily opened connection of its own, so a
/// busy service pool never makes the probe wait.
#[derive(Debug)]
struct PostgresCheck(sqlx::PgPool);

impl PostgresCheck {
    fn lazy(url: &str) -> Result<Self, ServeError> {
        sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(std::time::Duration::from_secs(2))
            .connect_lazy(url)
            .map(Self)
            .map_err(ServeError::Database)
    }
}

#[async_trait::async_trait]
impl DatabaseCheck for PostgresCheck {
    async fn check(&self) -> Result<(), String> {
        sqlx::query("SELECT 1")
            .execute(&self.0)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// `main` of every service binary: reads `--config`, then [`serve`].
pub async fn serve_from_args(service: impl Service) -> Result<(), ServeError> {
    let args = ServeArgs::parse();
    let config = AppConfig::load(args.config.as_deref())?;
    serve(Arc::new(service), config).await
}

/// Runs `service` alone over NATS JetStream and PostgreSQL until Ctrl-C or SIGTERM.
pub async fn serve(service: Arc<dyn Service>, config: AppConfig) -> Result<(), ServeError> {
    let runtime = &config.runtime;
    if runtime.mode != RuntimeMode::Distributed {
        return Err(ServeError::NotDistributed);
    }
    let nats = runtime
        .nats_url
        .as_ref()
        .ok_or(ServeError::Missing { key: "nats_url" })?;
    let database = runtime.database_url.as_ref().ok_or(ServeError::Missing {
        key: "database_url",
    })?;
    let telemetry = platform_telemetry::init(TelemetryConfig {
        service_name: service.name().to_owned(),
        otlp_endpoint: runtime.otlp_endpoint.clone(),
        log_filter: runtime.log_filter.clone(),
        json_logs: false,
    })?;
    let adapters = Adapters::distributed_with_retention(
        nats.expose(),
        database.expose(),
        &runtime.stream_prefix,
        &runtime.grpc,
        &runtime.retention,
    )
    .await?
    .with_grpc_token(runtime.grpc_token.as_ref().map(|t| t.expose()))
    .with_wms_gateway(config.wms.kind().gateway());
    if runtime.grpc_token.is_none() {
        tracing::warn!(
            "runtime.grpc_token is not set: gRPC calls between services are not authenticated"
        );
    }
    let shutdown = shutdown_on_signal();
    let probes = match runtime.health_listen {
        Some(listen) => {
            let mut health = Health::new(
                vec![service.name()],
                adapters.directory.clone(),
                adapters.bus.clone(),
            )
            .with_database(Arc::new(PostgresCheck::lazy(database.expose())?))
            .with_readiness(adapters.readiness.clone());
            if let Some(metrics) = install_metrics() {
                health = health.with_metrics(metrics);
            }
            let stop = shutdown.clone();
            Some(tokio::spawn(async move {
                if let Err(error) = health.serve(listen, stop).await {
                    tracing::error!(%listen, %error, "health and metrics server stopped");
                }
            }))
        }
        None => None,
    };
    let result = Runtime::new(Arc::new(config), adapters)
        .with_shared_service(service)
        .run(shutdown.clone())
        .await;
    shutdown.cancel();
    if let Some(probes) = probes {
        let _ = probes.await;
    }
    if let Err(error) = telemetry.shutdown().await {
        eprintln!("warning: traces not flushed: {error}");
    }
    Ok(result?)
}

/// What a service binary's `main` returns: one line naming the cause (no backtrace), exit code 2
/// for what the operator must fix (config), 1 for the rest.
pub fn exit_code(result: Result<(), ServeError>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            let usage = matches!(
                error,
                ServeError::Config(_) | ServeError::NotDistributed | ServeError::Missing { .. }
            );
            std::process::ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}
