//! The distributed shape as it is deployed: the six services as separate OS processes
//! (`centra-wms serve SERVICE`) over this machine's NATS JetStream and PostgreSQL (a database
//! and a stream prefix of their own), against the two simulators (`centra-wms sim`), with gRPC
//! between them authenticated by a shared token, and an OTLP receiver in the collector's place.
//!
//! - every process answers `/readyz` once its store, the bus and the database are there;
//! - catalog: a Centra product becomes a WMS article;
//! - order: a paid shipment reaches the WMS, ships with tracking and is completed in Centra
//!   once; stock-sync then writes the WMS's physical stock to Centra;
//! - trace: the shipment's import and its completion form one connected trace across at
//!   least four services, exported by the processes themselves;
//! - every process stops cleanly on SIGTERM.

#[path = "../support/mod.rs"]
mod support;

mod otlp;
mod secrets;

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{free_port, get_json, ongoing_wms_table, post_json, rows, shirt, start_simulator};

/// The services, in the order they start (gateways first: the sync services call them).
const SERVICES: [&str; 6] = [
    "centra-gateway",
    "ongoing-gateway",
    "catalog-sync",
    "order-sync",
    "stock-sync",
    "returns-sync",
];

/// A child process killed on drop (a failing test leaves nothing running).
struct Running {
    name: String,
    child: Child,
    /// Everything it wrote to stderr so far, read as it comes (a full pipe would stall a
    /// process that logs a lot).
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Running {
    /// `child` with its stderr (when piped) drained into [`Running::stderr`].
    fn new(name: &str, mut child: Child) -> Self {
        let stderr = Arc::new(Mutex::new(Vec::new()));
        if let Some(mut pipe) = child.stderr.take() {
            let sink = Arc::clone(&stderr);
            std::thread::spawn(move || {
                let mut chunk = [0u8; 8192];
                while let Ok(n) = std::io::Read::read(&mut pipe, &mut chunk) {
                    if n == 0 {
                        break;
                    }
                    sink.lock().expect("stderr").extend_from_slice(&chunk[..n]);
                }
            });
        }
        Self {
            name: name.to_owned(),
            child,
            stderr,
        }
    }

    /// What it wrote to stderr so far, as text.
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().expect("stderr")).into_owned()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What every process shares: the config file, the addresses of all gRPC services.
struct Deployment {
    config: std::path::PathBuf,
    health: Vec<(String, String)>,
    processes: Vec<Running>,
}

impl Deployment {
    /// `centra-wms serve SERVICE --config FILE` with its own health address.
    fn start(&mut self, service: &str) {
        let health = format!("127.0.0.1:{}", free_port());
        let child = Command::new(env!("CARGO_BIN_EXE_centra-wms"))
            .args(["serve", service, "--config"])
            .arg(&self.config)
            .env_remove("RUST_LOG")
            .env("CENTRA_WMS__RUNTIME__HEALTH_LISTEN", &health)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        self.health.push((service.to_owned(), health));
        self.processes.push(Running::new(service, child));
    }

    /// Waits until every process answers 200 on `/readyz`; fails at once when one stops.
    async fn wait_ready(&mut self) {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(90);
        for (service, health) in &self.health {
            loop {
                let ready = http
                    .get(format!("http://{health}/readyz"))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .map_err(|e| e.to_string());
                if ready == Ok(200) {
                    break;
                }
                for running in &mut self.processes {
                    if let Ok(Some(exit)) = running.child.try_wait() {
                        std::thread::sleep(Duration::from_millis(100));
                        panic!("{} stopped ({exit:?}): {}", running.name, running.stderr());
                    }
                }
                assert!(
                    Instant::now() < deadline,
                    "{service} not ready on {health}: {ready:?}"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }

    /// `/metrics` of every process, by service.
    async fn metrics(&self) -> std::collections::HashMap<String, String> {
        let http = reqwest::Client::new();
        let mut all = std::collections::HashMap::new();
        for (service, health) in &self.health {
            let answer = http
                .get(format!("http://{health}/metrics"))
                .send()
                .await
                .expect("metrics answer");
            assert_eq!(answer.status().as_u16(), 200, "{service}");
            all.insert(service.clone(), answer.text().await.expect("metrics text"));
        }
        all
    }

    /// SIGTERM to every process, then each must exit 0 (in-flight work finished, nothing
    /// unfinished acked); answers what each wrote to stderr, by service.
    fn stop(mut self) -> Vec<(String, String)> {
        let mut logs = Vec::new();
        for running in &self.processes {
            let status = Command::new("kill")
                .args(["-TERM", &running.child.id().to_string()])
                .status()
                .expect("kill runs");
            assert!(status.success());
        }
        for mut running in self.processes.drain(..) {
            let deadline = Instant::now() + Duration::from_secs(30);
            let exit = loop {
                if let Some(exit) = running.child.try_wait().expect("wait") {
                    break exit;
                }
                assert!(
                    Instant::now() < deadline,
                    "{} still running 30 s after SIGTERM",
                    running.name
                );
                std::thread::sleep(Duration::from_millis(100));
            };
            // The drain thread reads to the end of the closed pipe.
            std::thread::sleep(Duration::from_millis(100));
            let stderr = running.stderr();
            assert!(exit.success(), "{}: {exit:?}: {stderr}", running.name);
            logs.push((running.name.clone(), stderr));
        }
        logs
    }
}

/// Polls `done` (blocking calls to the simulators) until it answers `Ok`; fails with its last
/// `Err` after `limit`.
async fn wait_for<T>(
    what: &str,
    limit: Duration,
    mut done: impl FnMut() -> Result<T, String>,
) -> T {
    let started = Instant::now();
    loop {
        match done() {
            Ok(value) => return value,
            Err(last) => assert!(started.elapsed() < limit, "{what} within {limit:?}: {last}"),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// What one deployment of this file's tests is made of: where everything is, and the
/// credentials and log level it runs with.
struct Setup<'a> {
    centra: &'a str,
    nats: &'a str,
    database: &'a str,
    prefix: &'a str,
    otlp: &'a str,
    centra_secret: &'a str,
    /// More end-point keys, one per line.
    endpoint: String,
    /// The `[wms]` table.
    wms: String,
    grpc_token: &'a str,
    log_filter: &'a str,
    /// More `[runtime]` keys, one per line.
    runtime: String,
}

impl Setup<'_> {
    /// The common case: the simulators' default credentials, quiet logs.
    fn quiet<'a>(
        centra: &'a str,
        ongoing: &str,
        nats: &'a str,
        database: &'a str,
        prefix: &'a str,
        otlp: &'a str,
    ) -> Setup<'a> {
        Setup {
            centra,
            nats,
            database,
            prefix,
            otlp,
            centra_secret: "sandbox-secret",
            endpoint: String::new(),
            wms: ongoing_wms_table(ongoing),
            grpc_token: "a-token-only-these-processes-share",
            log_filter: "warn",
            runtime: String::new(),
        }
    }

    /// Writes the one config file every process reads; each service gets its own gRPC address.
    fn write(&self, dir: &std::path::Path) -> std::path::PathBuf {
        let grpc: String = SERVICES
            .iter()
            .map(|service| {
                let addr = format!("127.0.0.1:{}", free_port());
                format!(
                    "[runtime.grpc.{}]\nlisten = \"{addr}\"\nconnect = \"http://{addr}\"\n\n",
                    service.replace('-', "_")
                )
            })
            .collect();
        let file = dir.join("centra-wms.toml");
        let Setup {
            centra,
            nats,
            database,
            prefix,
            otlp,
            centra_secret,
            endpoint,
            wms,
            grpc_token,
            log_filter,
            runtime,
        } = self;
        std::fs::write(
            &file,
            format!(
                r#"
[settings]
centra_time_zone = "Europe/Stockholm"
sync_interval = "2s"
stock_to_centra = true

[[settings.endpoints]]
name = "shop"
base_url = "http://{centra}/api/order-api"
secret = "{centra_secret}"
{endpoint}

{wms}
[runtime]
mode = "distributed"
nats_url = "{nats}"
database_url = "{database}"
stream_prefix = "{prefix}"
grpc_token = "{grpc_token}"
otlp_endpoint = "http://{otlp}"
log_filter = "{log_filter}"
{runtime}

{grpc}"#
            ),
        )
        .expect("config written");
        file
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_processes_sync_a_catalog_and_a_shipment_in_one_trace() {
    let test = "six separate processes";
    let Some(nats) = test_support::nats_url(test).await else {
        return;
    };
    let Some(database) = test_support::postgres_database(test).await else {
        return;
    };
    let prefix = test_support::unique("processes");
    let otlp_addr = format!("127.0.0.1:{}", free_port());
    let receiver = otlp::Receiver::start(otlp_addr.parse().expect("an address")).await;
    let (centra_sim, centra) = start_simulator("centra");
    let (ongoing_sim, ongoing) = start_simulator("ongoing");
    let _simulators = [
        Running::new("centra-sim", centra_sim),
        Running::new("ongoing-sim", ongoing_sim),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let mut deployment = Deployment {
        config: Setup::quiet(&centra, &ongoing, &nats, &database.url, &prefix, &otlp_addr)
            .write(dir.path()),
        health: Vec::new(),
        processes: Vec::new(),
    };
    for service in SERVICES {
        deployment.start(service);
    }
    deployment.wait_ready().await;

    // Catalog: the product becomes an article in the WMS, and the WMS holds 10 of it.
    post_json(&centra, "/_sim/products", &shirt());
    wait_for("the article in the wms", Duration::from_secs(60), || {
        let state = get_json(&ongoing, "/_sim/state");
        rows(&state, "articles")
            .iter()
            .any(|a| a["articleNumber"] == "SHIRTREDM")
            .then_some(())
            .ok_or_else(|| state.to_string())
    })
    .await;
    post_json(
        &ongoing,
        "/_sim/stock",
        &json!({"articleNumber": "SHIRTREDM", "physical": 10}),
    );

    // Order: a paid shipment of two reaches the WMS, ships with tracking, is completed once.
    let placed = post_json(
        &centra,
        "/_sim/orders",
        &json!({"order": {"paid": true,
                          "delivery": {"name": "Ada", "address": "Storgatan 1", "zipcode": "11122",
                                       "city": "Stockholm", "country": "SE"},
                          "lines": [{"sku": "SHIRT", "variantSku": "RED", "sizeSku": "M",
                                     "ean": "7350000000016", "qty": 2, "price": "10.00"}]},
                "goodToGo": true}),
    );
    let shipment = match &placed["shipmentId"] {
        Value::String(id) => id.clone(),
        other => other.to_string(),
    };
    wait_for("the order in the wms", Duration::from_secs(60), || {
        let state = get_json(&ongoing, "/_sim/state");
        rows(&state, "orders")
            .iter()
            .any(|o| o["orderNumber"] == shipment.as_str())
            .then_some(())
            .ok_or_else(|| state.to_string())
    })
    .await;
    post_json(
        &ongoing,
        &format!("/_sim/orders/{shipment}/ship"),
        &json!({"waybill": "WB-83651"}),
    );
    wait_for(
        "the shipment completed in centra",
        Duration::from_secs(60),
        || {
            let state = get_json(&centra, "/_sim/state");
            rows(&state, "shipments")
                .iter()
                .any(|s| s["completed"] == true && s["completeCount"] == 1)
                .then_some(())
                .ok_or_else(|| state.to_string())
        },
    )
    .await;
    // Stock: the WMS's 8 left reach Centra through stock-sync's own process.
    wait_for("the wms stock in centra", Duration::from_secs(60), || {
        let state = get_json(&centra, "/_sim/state");
        rows(&state, "stock")
            .iter()
            .any(|s| s["key"] == "SHIRTREDM" && s["physical"] == 8)
            .then_some(())
            .ok_or_else(|| state.to_string())
    })
    .await;

    // Trace: the import (ongoing-gateway's UpsertOrder) and the completion (centra-gateway's
    // CompleteShipment) of this shipment are one trace, connected, across four services or
    // more. The processes export in batches, so the receiver is polled.
    let trace = wait_for("one connected trace", Duration::from_secs(30), || {
        let traces = receiver.traces();
        let found = traces.values().find(|trace| {
            trace
                .iter()
                .any(|s| s.name.ends_with("WmsGateway/UpsertOrder"))
                && trace
                    .iter()
                    .any(|s| s.name.ends_with("CentraGateway/CompleteShipment"))
        });
        match found {
            Some(trace)
                if otlp::services(trace).len() >= 4 && otlp::unconnected(trace).is_empty() =>
            {
                Ok(trace.clone())
            }
            Some(trace) => Err(format!(
                "services {:?}, unconnected {:?}",
                otlp::services(trace),
                otlp::unconnected(trace)
            )),
            None => Err(format!(
                "no trace holds both calls; {} traces, spans: {:?}",
                traces.len(),
                traces
                    .values()
                    .flatten()
                    .map(|s| format!("{}:{}", s.service, s.name))
                    .collect::<Vec<_>>()
            )),
        }
    })
    .await;
    let services = otlp::services(&trace);
    for service in [
        "centra-gateway",
        "order-sync",
        "ongoing-gateway",
        "stock-sync",
    ] {
        assert!(services.contains(service), "{service} in {services:?}");
    }
    // The gateways' calls to Centra and the WMS are client spans inside it (HTTP conventions:
    // named by method, the URL without query or secret).
    for gateway in ["centra-gateway", "ongoing-gateway"] {
        assert!(
            trace.iter().any(|span| span.service == gateway
                && ["GET", "PUT", "POST"].contains(&span.name.as_str())
                && span
                    .attributes
                    .get("url.full")
                    .is_some_and(|url| !url.contains('?'))),
            "{gateway}'s http calls in {trace:?}"
        );
    }
    // It starts where the shipment was seen: centra-gateway's event for it.
    let roots = otlp::roots(&trace);
    assert_eq!(roots.len(), 1, "one root: {trace:?}");
    assert_eq!(
        (roots[0].service.as_str(), roots[0].name.as_str()),
        ("centra-gateway", "create centra.shop.shipment.good-to-go")
    );
    // The poll that saw the shipment leave the warehouse is its own trace, linked from the
    // completion rather than hiding the shipment's journey.
    assert!(
        trace.iter().any(|span| !span.links.is_empty()),
        "the completion links the wms report: {trace:?}"
    );

    // Metrics: what the on-call engineer reads, per process.
    let metrics = deployment.metrics().await;
    let has = |service: &str, line_start: &str| {
        let text = &metrics[service];
        assert!(
            text.lines().any(|line| line.starts_with(line_start)),
            "{service} /metrics has {line_start}: {text}"
        );
    };
    has(
        "centra-gateway",
        r#"centra_wms_external_calls_total{system="centra",endpoint="shop",method="GET",status="200"}"#,
    );
    has(
        "centra-gateway",
        r#"centra_wms_external_call_duration_seconds_bucket{system="centra",endpoint="shop",method="GET",status="200",le="0.005"}"#,
    );
    has(
        "ongoing-gateway",
        r#"centra_wms_external_calls_total{system="ongoing",endpoint="sandbox",method="PUT",status="#,
    );
    has(
        "order-sync",
        r#"centra_wms_relay_lag_seconds_bucket{service="order-sync",le="#,
    );
    has("order-sync", r#"centra_wms_deliveries_total{consumer="#);
    for service in SERVICES {
        has(
            service,
            &format!(r#"centra_wms_flow_parked{{service="{service}",flow="#),
        );
    }
    has(
        "centra-gateway",
        r#"centra_wms_flow_lag_seconds{service="centra-gateway",flow="#,
    );

    deployment.stop();
    support::delete_stream(&nats, &prefix).await;
    database.drop_database().await;
}
