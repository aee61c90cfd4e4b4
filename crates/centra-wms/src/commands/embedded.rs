//! `sandbox` and `run`: every service in this process (embedded shape).

use std::path::Path;
use std::sync::Arc;

use platform_config::{AppConfig, ConfigLoader, RuntimeMode};
use platform_runtime::{Adapters, Runtime};
use platform_telemetry::TelemetryConfig;

use super::Failure;
use crate::services;

/// The sandbox's settings: the bundled simulators' addresses and credentials (see
/// ../shared/docs/simulators.md), used unless `--config` names a file.
const SANDBOX_CONFIG: &str = include_str!("../../sandbox.toml");

pub async fn sandbox(config: Option<&Path>, data_dir: Option<&Path>) -> Result<(), Failure> {
    let loader = match config {
        Some(path) => ConfigLoader::new().file(path),
        None => ConfigLoader::new().toml(SANDBOX_CONFIG),
    };
    let mut config = loader.load().map_err(Failure::usage)?;
    if let Some(dir) = data_dir {
        config.runtime.data_dir = dir.to_owned();
    }
    run_embedded(config).await
}

pub async fn run(config: &Path) -> Result<(), Failure> {
    let config = AppConfig::load(Some(config)).map_err(Failure::usage)?;
    run_embedded(config).await
}

async fn run_embedded(mut config: AppConfig) -> Result<(), Failure> {
    config.runtime.mode = RuntimeMode::Embedded;
    let telemetry = platform_telemetry::init(TelemetryConfig {
        service_name: "centra-wms".to_owned(),
        otlp_endpoint: config.runtime.otlp_endpoint.clone(),
        log_filter: config.runtime.log_filter.clone(),
        json_logs: false,
    })
    .map_err(Failure::usage)?;
    let adapters = Adapters::embedded(&config.runtime.data_dir)
        .await
        .map_err(Failure::runtime)?;
    println!(
        "centra-wms embedded runtime: services {} running over the embedded bus and SQLite in {}",
        services::names().join(", "),
        config.runtime.data_dir.display()
    );
    println!(
        "no flow is switched on yet: the services open their stores and relay their outboxes; \
         flows land issue by issue. Ctrl-C stops."
    );
    let runtime = services::add_all(Runtime::new(Arc::new(config), adapters));
    let result = runtime.run(platform_runtime::shutdown_on_signal()).await;
    if let Err(error) = telemetry.shutdown().await {
        eprintln!("warning: traces not flushed: {error}");
    }
    result.map_err(Failure::runtime)?;
    println!("stopped cleanly");
    Ok(())
}
