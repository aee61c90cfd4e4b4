//! `sandbox` and `run`: every service in this process (embedded shape); the sandbox also runs
//! the bundled simulators, points the settings (and the simulators' webhooks) at them, and,
//! unless `--no-demo`, brings the demo store to life (see `crate::demo`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use serde_json::json;

use platform_config::{AppConfig, ConfigLoader, RuntimeMode};
use platform_runtime::{Adapters, CancellationToken, Runtime};
use platform_telemetry::{TelemetryConfig, TelemetryGuard};

use super::Failure;
use crate::demo::{ControlApi, Demo};
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
    demo: bool,
) -> Result<(), Failure> {
    let loader = match config {
        Some(path) => ConfigLoader::new().file(path),
        None => ConfigLoader::new().toml(SANDBOX_CONFIG),
    };
    let mut config = loader.load().map_err(Failure::usage)?;
    if let Some(dir) = data_dir {
        config.runtime.data_dir = dir.to_owned();
    }
    forget_previous_run(&config.runtime.data_dir).map_err(Failure::runtime)?;
    let shutdown = platform_runtime::shutdown_on_signal();
    let simulators = start_simulators(&mut config, sims)
        .await
        .map_err(Failure::runtime)?;
    let result = run_sandbox(config, &simulators, demo, shutdown).await;
    for sim in simulators.centra {
        let _ = sim.shutdown().await;
    }
    let _ = simulators.ongoing.shutdown().await;
    result
}

/// Removes the state files of an earlier sandbox run. The simulators keep everything in
/// memory and start empty, so cursors, content hashes and mappings from a previous run would
/// only describe a world that is gone (a catalogue "already synced" to an empty WMS).
fn forget_previous_run(data_dir: &Path) -> anyhow::Result<()> {
    for file in Adapters::embedded_files(data_dir, services::names()) {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| {
                    format!("removing {} of an earlier sandbox run", file.display())
                });
            }
        }
    }
    Ok(())
}

/// The runtime with the live view (and the demo activity) beside it; the final summary once
/// the runtime has stopped.
async fn run_sandbox(
    config: AppConfig,
    simulators: &Simulators,
    demo: bool,
    shutdown: CancellationToken,
) -> Result<(), Failure> {
    let first_centra = simulators
        .centra
        .first()
        .map(centra_sim::RunningSim::url)
        .ok_or_else(|| Failure::usage(anyhow::anyhow!("settings.endpoints: none configured")))?;
    let control =
        ControlApi::new(first_centra, simulators.ongoing.base_url()).map_err(Failure::runtime)?;
    point_webhooks(&config, simulators, &control)
        .await
        .map_err(Failure::runtime)?;
    let embedded = Embedded::start(config).await?;
    let running = Demo::start(control, demo, &shutdown);
    let result = embedded.run(shutdown.clone()).await;
    // A runtime that failed stops the demo too.
    shutdown.cancel();
    let counts = running.stop().await;
    println!("{}", counts.summary());
    result
}

/// Points every simulator's webhooks at the matching receiver of the gateways, so changes
/// arrive in seconds rather than at the next poll. A receiver on port 0 (a test's choice) has
/// no address known in advance: that simulator stays without webhooks and polling finds its
/// changes.
async fn point_webhooks(
    config: &AppConfig,
    simulators: &Simulators,
    control: &ControlApi,
) -> anyhow::Result<()> {
    let reachable = |listen: SocketAddr| {
        (listen.port() != 0).then(|| {
            let ip = if listen.ip().is_unspecified() {
                IpAddr::V4(Ipv4Addr::LOCALHOST)
            } else {
                listen.ip()
            };
            SocketAddr::new(ip, listen.port())
        })
    };
    if let Some(receiver) = reachable(config.runtime.centra_webhook_listen) {
        for (endpoint, sim) in config.settings.endpoints.iter().zip(&simulators.centra) {
            let Some(secret) = &endpoint.webhook_secret else {
                continue;
            };
            let target = json!({
                "url": format!("http://{receiver}/centra/{}/webhook", endpoint.name),
                "secret": secret.expose(),
            });
            control
                .post(format!("{}/_sim/webhooks", sim.url()), &target)
                .await
                .with_context(|| format!("pointing the webhooks of end-point {}", endpoint.name))?;
        }
    }
    // The gateway refuses Ongoing webhooks without a token: without one, the polls alone.
    if let (Some(receiver), Some(token)) = (
        reachable(config.runtime.ongoing_webhook_listen),
        &config.wms.webhook_token,
    ) {
        let target = json!({ "url": format!("http://{receiver}/webhooks/ongoing"),
                             "secret": token.expose() });
        control
            .ongoing("webhooks", &target)
            .await
            .context("pointing the ongoing simulator's webhooks")?;
    }
    Ok(())
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
    Embedded::start(config)
        .await?
        .run(platform_runtime::shutdown_on_signal())
        .await
}

/// The embedded runtime, started (telemetry, stores, banner) but not yet running.
struct Embedded {
    runtime: Runtime,
    telemetry: TelemetryGuard,
}

impl Embedded {
    async fn start(mut config: AppConfig) -> Result<Self, Failure> {
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
            .exposing_grpc(&config.runtime.grpc)
            .with_grpc_token(config.runtime.grpc_token.as_ref().map(|t| t.expose()));
        println!(
            "centra-wms embedded runtime: services {} running over the embedded bus and SQLite in {}",
            services::names().join(", "),
            config.runtime.data_dir.display()
        );
        println!("Ctrl-C stops.");
        let runtime = services::add_all(Runtime::new(Arc::new(config), adapters));
        Ok(Self { runtime, telemetry })
    }

    /// Runs every service until `shutdown`, then flushes the traces.
    async fn run(self, shutdown: CancellationToken) -> Result<(), Failure> {
        let result = self.runtime.run(shutdown).await;
        if let Err(error) = self.telemetry.shutdown().await {
            eprintln!("warning: traces not flushed: {error}");
        }
        result.map_err(Failure::runtime)?;
        println!("stopped cleanly");
        Ok(())
    }
}
