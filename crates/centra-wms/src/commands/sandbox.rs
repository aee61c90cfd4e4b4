//! `sandbox`: every service in this process (embedded shape, as `run`) with the bundled
//! simulators (Centra, and Ongoing or OGOship by `[wms] kind`): points the settings (and the
//! simulators' webhooks) at them and, unless `--no-demo`, brings the demo store to life (see
//! `crate::demo`). Built with the `simulators` feature only, so the release image carries no
//! simulator.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;

use anyhow::Context as _;
use serde_json::json;

use platform_config::{AppConfig, ConfigLoader, WmsAccount};
use platform_runtime::{Adapters, CancellationToken};

use super::embedded::Embedded;
use super::{Failure, SandboxWms};
use crate::demo::{ControlApi, Demo, Warehouse};
use crate::services;

/// Where the sandbox's simulators listen.
#[derive(Debug, Clone, Copy)]
pub struct SimAddresses {
    pub centra: SocketAddr,
    pub wms: SocketAddr,
}

/// Which settings the sandbox runs with.
#[derive(Debug, Clone, Copy)]
pub enum Settings<'a> {
    /// `--config FILE`: its `[wms] kind` chooses the WMS simulator.
    File(&'a Path),
    /// The built-in settings of `--wms` (default Ongoing).
    BuiltIn(SandboxWms),
}

pub async fn sandbox(
    settings: Settings<'_>,
    data_dir: Option<&Path>,
    sims: SimAddresses,
    demo: bool,
) -> Result<(), Failure> {
    let loader = match settings {
        Settings::File(path) => ConfigLoader::new().file(path),
        Settings::BuiltIn(wms) => ConfigLoader::new().toml(wms.settings()),
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
    match simulators.wms {
        WmsSimulator::Ongoing(sim) => {
            let _ = sim.shutdown().await;
        }
        WmsSimulator::Ogoship(sim) => {
            let _ = sim.shutdown().await;
        }
    }
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
        ControlApi::new(first_centra, simulators.warehouse()).map_err(Failure::runtime)?;
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
    // (OGOship's gateway registers its own webhooks through the API: `wms.webhook_url`, set
    // in `start_simulators`.)
    if let (Some(receiver), Some(token)) = (
        reachable(config.runtime.ongoing_webhook_listen),
        config.wms.ongoing().and_then(|a| a.webhook_token.as_ref()),
    ) {
        let target = json!({ "url": format!("http://{receiver}/webhooks/ongoing"),
                             "secret": token.expose() });
        control
            .warehouse_control("webhooks", &target)
            .await
            .context("pointing the ongoing simulator's webhooks")?;
    }
    Ok(())
}

/// The receiver address a simulator can call for `listen`; `None` for port 0 (a test's
/// choice, only known once bound).
fn reachable(listen: SocketAddr) -> Option<SocketAddr> {
    (listen.port() != 0).then(|| {
        let ip = if listen.ip().is_unspecified() {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            listen.ip()
        };
        SocketAddr::new(ip, listen.port())
    })
}

/// The WMS simulator of `[wms] kind`.
enum WmsSimulator {
    Ongoing(ongoing_sim::RunningSim),
    Ogoship(ogoship_sim::RunningSim),
}

struct Simulators {
    centra: Vec<centra_sim::RunningSim>,
    wms: WmsSimulator,
}

impl Simulators {
    /// The WMS simulator's control API, in the demo's terms.
    fn warehouse(&self) -> Warehouse {
        match &self.wms {
            WmsSimulator::Ongoing(sim) => Warehouse::Ongoing(sim.base_url()),
            WmsSimulator::Ogoship(sim) => Warehouse::Ogoship(sim.base_url()),
        }
    }
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
    let wms_hooks = reachable(config.runtime.ongoing_webhook_listen);
    let wms = match &mut config.wms.account {
        WmsAccount::Ongoing(account) => {
            let sim = ongoing_sim::OngoingSim::builder()
                .warehouse(warehouse)
                .credentials(account.user.clone(), account.password.expose().to_owned())
                .goods_owner_id(account.goods_owner_id)
                .build()
                .spawn(addresses.wms)
                .await
                .with_context(|| format!("starting the ongoing simulator on {}", addresses.wms))?;
            account.base_url = sim.base_url();
            println!(
                "ongoing simulator: {} (control api {}/_sim/state)",
                sim.api_url(),
                sim.base_url()
            );
            WmsSimulator::Ongoing(sim)
        }
        WmsAccount::Ogoship(account) => {
            let mut builder = ogoship_sim::OgoshipSim::builder()
                .client(
                    account.client_id.clone(),
                    account.client_secret.expose().to_owned(),
                )
                .merchant(
                    account.merchant_id.clone(),
                    account.merchant_secret.expose().to_owned(),
                );
            // The merchant has enabled what the settings name (the simulator's own three
            // otherwise).
            if !account.shipping_codes.is_empty() {
                builder = builder.shipping_codes(account.shipping_codes.clone());
            }
            let sim = builder
                .build()
                .spawn(addresses.wms)
                .await
                .with_context(|| format!("starting the ogoship simulator on {}", addresses.wms))?;
            account.api_url = sim.base_url();
            account.token_url = sim.token_url();
            // The gateway registers its receiver at the simulator, as it would at OGOship.
            if account.webhook_key.is_some() {
                account.webhook_url =
                    wms_hooks.map(|receiver| format!("http://{receiver}/webhooks/ogoship"));
            }
            println!(
                "ogoship simulator: {} (control api {}/_sim/state)",
                sim.api_url(),
                sim.base_url()
            );
            WmsSimulator::Ogoship(sim)
        }
    };
    Ok(Simulators { centra, wms })
}
