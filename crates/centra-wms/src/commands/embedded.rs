//! `run`: every service in this process (embedded shape: the embedded bus and SQLite) against
//! the configured end-points.

use std::path::Path;
use std::sync::Arc;

use platform_config::{AppConfig, RuntimeMode};
use platform_runtime::{Adapters, CancellationToken, Runtime};
use platform_telemetry::{TelemetryConfig, TelemetryGuard};

use super::Failure;
use crate::services;

pub async fn run(config: &Path) -> Result<(), Failure> {
    let config = AppConfig::load(Some(config)).map_err(Failure::usage)?;
    Embedded::start(config)
        .await?
        .run(platform_runtime::shutdown_on_signal())
        .await
}

/// The embedded runtime, started (telemetry, stores, banner) but not yet running.
pub(super) struct Embedded {
    runtime: Runtime,
    telemetry: TelemetryGuard,
}

impl Embedded {
    pub(super) async fn start(mut config: AppConfig) -> Result<Self, Failure> {
        config.runtime.mode = RuntimeMode::Embedded;
        let telemetry = platform_telemetry::init(TelemetryConfig {
            service_name: "centra-wms".to_owned(),
            otlp_endpoint: config.runtime.otlp_endpoint.clone(),
            log_filter: config.runtime.log_filter.clone(),
            json_logs: false,
        })
        .map_err(Failure::usage)?;
        let adapters =
            Adapters::embedded_with_retention(&config.runtime.data_dir, &config.runtime.retention)
                .await
                .map_err(Failure::runtime)?
                .exposing_grpc(&config.runtime.grpc)
                .with_grpc_token(config.runtime.grpc_token.as_ref().map(|t| t.expose()))
                .with_wms_gateway(config.wms.kind().gateway());
        println!(
            "centra-wms embedded runtime: services {} running over the embedded bus and SQLite in {}",
            services::names_for(config.wms.kind()).join(", "),
            config.runtime.data_dir.display()
        );
        let page = super::admin_web::embedded(&config);
        println!("Ctrl-C stops.");
        let kind = config.wms.kind();
        let mut runtime = services::add_all(Runtime::new(Arc::new(config), adapters), kind);
        if let Some(page) = page {
            runtime = runtime.with_service(page);
        }
        Ok(Self { runtime, telemetry })
    }

    /// Runs every service until `shutdown`, then flushes the traces.
    pub(super) async fn run(self, shutdown: CancellationToken) -> Result<(), Failure> {
        let result = self.runtime.run(shutdown).await;
        if let Err(error) = self.telemetry.shutdown().await {
            eprintln!("warning: traces not flushed: {error}");
        }
        result.map_err(Failure::runtime)?;
        println!("stopped cleanly");
        Ok(())
    }
}
