//! `sandbox`: every service in this process (embedded shape, as `run`) with the bundled
//! simulators: points the settings (and the simulators' webhooks) at them and, unless
//! `--no-demo`, brings the demo store to life (see `crate::demo`). Built with the
//! `simulators` feature only, so the release image carries no simulator.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;

use anyhow::Context as _;
use serde_json::json;

use platform_config::{AppConfig, ConfigLoader};
use platform_runtime::{Adapters, CancellationToken};

use super::embedded::Embedded;
use super::{Failure, SANDBOX_CONFIG};
use crate::demo::{ControlApi, Demo};
use crate::services;

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
        config.wms.ongoing().and_then(|a| a.webhook_token.as_ref()),
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
    let warehouse = config.wms.warehouse.clone();
    let platform_config::WmsAccount::Ongoing(account) = &mut config.wms.account else {
        anyhow::bail!("the sandbox runs the Ongoing simulator; set [wms] kind = \"ongoing\"");
    };
    let ongoing = ongoing_sim::OngoingSim::builder()
        .warehouse(warehouse)
        .credentials(account.user.clone(), account.password.expose().to_owned())
        .goods_owner_id(account.goods_owner_id)
        .build()
        .spawn(addresses.ongoing)
        .await
        .with_context(|| format!("starting the ongoing simulator on {}", addresses.ongoing))?;
    account.base_url = ongoing.base_url();
    println!(
        "ongoing simulator: {} (control api {}/_sim/state)",
        ongoing.api_url(),
        ongoing.base_url()
    );
    Ok(Simulators { centra, ongoing })
}
