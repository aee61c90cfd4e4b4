//! `sandbox` and `run`: every service in this process (embedded shape); the sandbox also runs
//! the bundled simulators and points the settings at them.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;

use platform_config::{AppConfig, ConfigLoader, RuntimeMode};
use platform_runtime::{Adapters, Runtime};
use platform_telemetry::TelemetryConfig;

use super::Failure;
use crate::services;

/// The sandbox's settings: the bundled simulators' addresses and credentials (see
/// ../shared/docs/simulators.md), used unless `--config` names a file.
pub const SANDBOX_CONFIG: &str = include_str!("../../sandbox.toml");

/// Where the sandbox's simulators listen.
#[derive(Debug, Clone, Copy)]
pub struct SimAddresses {
    pub centra: SocketAddr,
    pub ongoing: SocketAddr,
}

pub async fn sandbox(
    config: Option<&Path>,
    data_dir: Option<&Path>,
    sims: SimAddresses,
) -> Result<(), Failure> {
    let loader = match config {
        Some(path) => ConfigLoader::new().file(path),
        None => ConfigLoader::new().toml(SANDBOX_CONFIG),
    };
    let mut config = loader.load().map_err(Failure::usage)?;
    if let Some(dir) = data_dir {
        config.runtime.data_dir = dir.to_owned();
    }
    let simulators = start_simulators(&mut config, sims)
        .await
        .map_err(Failure::runtime)?;
    let result = run_embedded(config).await;
    for sim in simulators.centra {
        let _ = sim.shutdown().await;
    }
    let _ = simulators.ongoing.shutdown().await;
    result
}

struct Simulators {
    centra: Vec<centra_sim::RunningSim>,
    ongoing: ongoing_sim::RunningSim,
}

/// One Centra simulator per end-point (each checks that end-point's secret) and one Ongoing
/// simulator for the goods owner; the settings are pointed at them.
async fn start_simulators(
    config: &mut AppConfig,
    addresses: SimAddresses,
) -> anyhow::Result<Simulators> {
    let zone = config.settings.centra_time_zone;
    let mut centra = Vec::new();
    for (index, endpoint) in config.settings.endpoints.iter_mut().enumerate() {
        let addr = if index == 0 {
            addresses.centra
        } else {
            SocketAddr::new(addresses.centra.ip(), 0)
        };
        let sim = centra_sim::CentraSim::builder()
            .secret(endpoint.secret.expose())
            .time_zone(zone)
            .spawn(addr)
            .await
            .with_context(|| format!("starting the centra simulator on {addr}"))?;
        endpoint.base_url = sim.base_url();
        println!(
            "centra simulator for end-point {}: {} (control api {}/_sim/state)",
            endpoint.name,
            sim.base_url(),
            sim.url()
        );
        centra.push(sim);
    }
    let wms = &mut config.wms;
    let ongoing = ongoing_sim::OngoingSim::builder()
        .warehouse(wms.warehouse.clone())
        .credentials(wms.user.clone(), wms.password.expose().to_owned())
        .goods_owner_id(wms.goods_owner_id)
        .build()
        .spawn(addresses.ongoing)
        .await
        .with_context(|| format!("starting the ongoing simulator on {}", addresses.ongoing))?;
    wms.base_url = ongoing.base_url();
    println!(
        "ongoing simulator: {} (control api {}/_sim/state)",
        ongoing.api_url(),
        ongoing.base_url()
    );
    Ok(Simulators { centra, ongoing })
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
        .map_err(Failure::runtime)?
        .exposing_grpc(&config.runtime.grpc);
    println!(
        "centra-wms embedded runtime: services {} running over the embedded bus and SQLite in {}",
        services::names().join(", "),
        config.runtime.data_dir.display()
    );
    println!("Ctrl-C stops.");
    let runtime = services::add_all(Runtime::new(Arc::new(config), adapters));
    let result = runtime.run(platform_runtime::shutdown_on_signal()).await;
    if let Err(error) = telemetry.shutdown().await {
        eprintln!("warning: traces not flushed: {error}");
    }
    result.map_err(Failure::runtime)?;
    println!("stopped cleanly");
    Ok(())
}
