//! The fault suite (#18): a seeded workload of orders, full and partial picks, completions,
//! captures, supplier deliveries and receipts, stock moves and returns, driven through the
//! simulators' control APIs against the product as real OS processes, while faults are
//! injected; after the workload settles, the invariants are checked through the simulators'
//! `/_sim/state` (nothing the product says about itself counts) and a table is printed: the
//! faults injected, the records, the violations (which must be 0).
//!
//! Faults in both shapes: the simulators fail writes and reads alike (5xx, 429 with
//! `Retry-After`, lost responses after the work is done, latency spikes during which
//! ongoing-sim's write gate times out writes that queue behind a slow one), and every webhook
//! goes through a proxy that duplicates, reorders and drops them (the polls catch up).
//!
//! - embedded (`centra-wms run`, one process, SQLite), capture on completion: the process is
//!   killed with SIGKILL at seeded instants, at least 10 times, and restarted;
//! - distributed (`centra-wms serve SERVICE` per process, a private NATS server and a private
//!   PostgreSQL cluster), capture on import with the capture-on-import filter (one process has
//!   one capture policy, so each shape runs the other): two replicas of every sync service
//!   and of ongoing-gateway behind a failover front, each process killed in turn and
//!   restarted, NATS restarted and PostgreSQL restarted mid-run.
//!
//! `FAULT_TEST_RECORDS` (workload steps per shape, default 40: what `make test` runs) and
//! `FAULT_TEST_SEED` (default 18) choose the size and the sequence; `make fault-test` runs
//! 300. Run with `--no-capture` to see the table.
//!
//! Under capture on import the warehouse ships an authorised order as soon as it holds it,
//! even while the product's capture is still being retried (5xx, 429, a kill): order-sync
//! then makes the capture it owes before completing. `FAULT_TEST_EAGER_WAREHOUSE=0` makes the
//! warehouse wait until Centra shows the order captured instead.
//!
//! Known violations, kept visible (the checks are not weakened; reported to the lead):
//! - a partial pick whose quantity update reached Centra (a line set to 0 is removed there)
//!   just before a kill: after the restart the update is sent again, refused ("is not a line
//!   of shipment") and the shipment parked, never completed nor captured (seed 18, 300 steps,
//!   embedded, shipment 1016-1). It needs a kill in that instant, which the 40 steps of
//!   `make test` have not met.
//!
//! Layout:
//! - `main.rs`: the two tests, the simulators and the settings they share;
//! - `workload.rs`: the seeded steps and what they did (the model the checks compare with);
//! - `embedded.rs`: the `centra-wms run` child, killed and restarted;
//! - `distributed.rs`: NATS, PostgreSQL, the gRPC fronts and the replicas;
//! - `webhooks.rs`: the proxy between the simulators' webhooks and the gateways;
//! - `checks.rs`: the invariants, read from `/_sim/state`;
//! - `table.rs`: the faults and records tally and the printed table.

#[path = "../support/mod.rs"]
mod support;

mod checks;
mod distributed;
mod embedded;
mod table;
mod webhooks;
mod workload;

use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use crate::table::Tally;
use crate::workload::{Capture, Rng, Workload};

/// Workload steps per shape unless `FAULT_TEST_RECORDS` says otherwise (CI's size).
const DEFAULT_RECORDS: u64 = 40;
/// The seed unless `FAULT_TEST_SEED` says otherwise.
const DEFAULT_SEED: u64 = 18;
/// The Centra end-point's webhook secret and Ongoing's webhook token.
const WEBHOOK_SECRET: &str = "fault-suite-webhook-secret";
/// How long the product may take to settle after the workload (and to take the catalogue in
/// at the start): with faults on every call and two busy cores, minutes are not a hiding
/// place; a record still open then is reported, by name.
const SETTLE: Duration = Duration::from_secs(240);

/// A progress line on stderr (seen with `--no-capture`; nextest shows it on a failure).
fn progress(what: &str) {
    static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let started = STARTED.get_or_init(std::time::Instant::now);
    eprintln!("[fault {:>6.1} s] {what}", started.elapsed().as_secs_f64());
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A simulator child, killed on drop.
#[derive(Debug)]
struct SimProcess(Child);

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Both simulators (`centra-wms sim`) and a client of their control APIs.
#[derive(Debug)]
pub struct Sims {
    pub centra: String,
    pub ongoing: String,
    http: reqwest::Client,
    _children: [SimProcess; 2],
}

impl Sims {
    fn start() -> Self {
        let (centra_child, centra) = support::start_simulator("centra");
        let (ongoing_child, ongoing) = support::start_simulator("ongoing");
        Self {
            centra,
            ongoing,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("http client"),
            _children: [SimProcess(centra_child), SimProcess(ongoing_child)],
        }
    }

    /// `GET http://ADDR/PATH` as JSON; a control API that does not answer fails the test.
    pub async fn get(&self, addr: &str, path: &str) -> Value {
        let url = format!("http://{addr}{path}");
        let answer = self.http.get(&url).send().await;
        let answer = answer.unwrap_or_else(|e| panic!("GET {url}: {e}"));
        answer
            .json()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: not json: {e}"))
    }

    /// `POST http://ADDR/PATH` with a JSON body; anything but 2xx fails the test.
    pub async fn post(&self, addr: &str, path: &str, body: &Value) -> Value {
        let url = format!("http://{addr}{path}");
        let answer = self.http.post(&url).json(body).send().await;
        let answer = answer.unwrap_or_else(|e| panic!("POST {url}: {e}"));
        let status = answer.status();
        let text = answer.text().await.unwrap_or_default();
        assert!(status.is_success(), "POST {url} {body}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    pub async fn centra_state(&self) -> Value {
        self.get(&self.centra, "/_sim/state").await
    }

    pub async fn ongoing_state(&self) -> Value {
        self.get(&self.ongoing, "/_sim/state").await
    }

    /// The same fault settings on both simulators (each reseeded); `write_timeout_ms` is
    /// Ongoing's alone.
    async fn faults(&self, settings: &Value) {
        let mut centra = settings.clone();
        if let Some(fields) = centra.as_object_mut() {
            fields.remove("write_timeout_ms");
        }
        self.post(&self.centra, "/_sim/faults", &centra).await;
        self.post(&self.ongoing, "/_sim/faults", settings).await;
    }

    /// Another integration of the goods owner writing to Ongoing (one article, again and
    /// again) until `stop`: during a latency spike each of its writes holds Ongoing's write
    /// gate, so a write of the product that queues behind it times out.
    fn other_integration(&self, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<()> {
        let url = format!("http://{}/sandbox/api/v1/articles", self.ongoing);
        let http = self.http.clone();
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let _ = http
                    .put(&url)
                    .basic_auth("sandbox", Some("sandbox"))
                    .json(
                        &json!({"goodsOwnerId": 1, "articleNumber": "OTHER-INTEGRATION",
                                  "articleName": "written by another integration"}),
                    )
                    .send()
                    .await;
            }
        })
    }

    /// Both simulators send their webhooks to the proxy (Centra signs with the end-point's
    /// secret, Ongoing sends the token in `X-Auth-Token`).
    async fn send_webhooks_to(&self, centra_proxy: &str, ongoing_proxy: &str) {
        self.post(
            &self.centra,
            "/_sim/webhooks",
            &json!({"url": format!("http://{centra_proxy}/centra/shop/webhook"),
                    "secret": WEBHOOK_SECRET}),
        )
        .await;
        self.post(
            &self.ongoing,
            "/_sim/webhooks",
            &json!({"url": format!("http://{ongoing_proxy}/webhooks/ongoing"),
                    "secret": WEBHOOK_SECRET}),
        )
        .await;
    }

    /// The API calls of both simulators that name one of `records` (path or body), in the
    /// order each received them, for a failure message.
    async fn requests_naming(&self, records: &[String]) -> String {
        let mut out = String::new();
        for (system, addr) in [("centra", &self.centra), ("ongoing", &self.ongoing)] {
            let log = self.get(addr, "/_sim/requests?since=0").await;
            for request in log.as_array().into_iter().flatten() {
                let whole = request.to_string();
                if records.iter().any(|r| whole.contains(r.as_str())) {
                    out.push_str(&format!(
                        "{system} #{} {} {} -> {} {}\n",
                        request["seq"],
                        request["method"],
                        request["path"],
                        request["status"],
                        request["fault"].as_str().unwrap_or("")
                    ));
                }
            }
        }
        out
    }

    /// The API calls each simulator answered with a fault, by simulator and fault label.
    async fn count_faults(&self, tally: &mut Tally) {
        for (system, addr) in [("centra", &self.centra), ("ongoing", &self.ongoing)] {
            let log = self.get(addr, "/_sim/requests?since=0").await;
            for request in log.as_array().into_iter().flatten() {
                tally.calls += 1;
                if let Some(label) = request["fault"].as_str() {
                    tally.fault(&format!("{system} api: {label}"));
                }
            }
        }
    }
}

/// The faults on every API call of both simulators during the workload: 5% errors, 3% 429
/// with `Retry-After: 1`, 3% lost answers; during a latency spike every call also waits
/// `latency_ms` and an Ongoing write that queues longer than 200 ms behind another times out.
fn fault_settings(seed: u64, spike: bool) -> Value {
    let mut settings = json!({"error_rate": 0.05, "throttle_rate": 0.03, "retry_after_s": 1,
                              "lost_response_rate": 0.03, "seed": seed});
    if spike {
        settings["latency_ms"] = json!(700);
        settings["write_timeout_ms"] = json!(200);
    }
    settings
}

/// The `[settings]` table both shapes share, and the capture policy of `capture`.
fn settings_table(centra: &str, capture: Capture) -> String {
    let policy = match capture {
        Capture::OnCompletion => "capture = \"on_completion\"\n",
        Capture::OnImport => "capture = \"on_import\"\nimport_filter = \"capture_on_import\"\n",
    };
    format!(
        r#"[settings]
centra_time_zone = "Europe/Stockholm"
sync_interval = "1s"
stock_to_centra = true
purchase_orders = true
returns_to_centra = true
stock_recheck_interval = "300ms"
stock_reconcile_interval = "1h"
{policy}
[[settings.endpoints]]
name = "shop"
base_url = "http://{centra}/api/order-api"
secret = "sandbox-secret"
webhook_secret = "{WEBHOOK_SECRET}"
"#
    )
}

/// The `[wms]` table: ongoing-sim's defaults, webhooks with the suite's token.
fn wms_table(ongoing: &str) -> String {
    format!(
        "{}webhook_token = \"{WEBHOOK_SECRET}\"\n",
        support::ongoing_wms_table(ongoing)
    )
}

/// What one shape's run needs from the harness around the workload: its faults come between
/// steps, and it must settle before the checks.
trait Shape {
    /// Called after step `step` of `steps`; injects the faults due then.
    async fn after_step(&mut self, step: u64, steps: u64, rng: &mut Rng, tally: &mut Tally);
    /// A process that stopped on its own (not killed by the suite), with what it printed.
    fn crashed(&mut self) -> Option<String>;
    /// What the product says about `records` (the CLI's views, the log lines naming them),
    /// for a failure message.
    fn diagnose(&self, records: &[String]) -> String;
}

/// The CLI's views of a running product (`--config FILE`, gRPC addresses in `env`): every
/// flow's status, order-sync's shipments, every service's dead letters.
fn cli_views(config: &std::path::Path, env: &[(String, String)]) -> String {
    let config = config.display().to_string();
    let mut views = vec![
        vec!["status", "--config", &config],
        vec!["shipments", "list", "--config", &config],
    ];
    for service in [
        "centra-gateway",
        "ongoing-gateway",
        "order-sync",
        "stock-sync",
        "returns-sync",
        "catalog-sync",
    ] {
        views.push(vec![
            "dead-letters",
            "list",
            "--service",
            service,
            "--config",
            &config,
        ]);
    }
    views
        .iter()
        .map(|args| {
            let out = support::cli_with(env, args);
            format!(
                "$ centra-wms {}\n{}{}",
                args.join(" "),
                support::text(&out.stdout),
                support::text(&out.stderr)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The lines of `log` that name one of `records`.
fn lines_naming(log: &str, records: &[String]) -> String {
    log.lines()
        .filter(|line| records.iter().any(|r| line.contains(r.as_str())))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The run every shape shares: the catalogue in, faults on, the steps with the shape's
/// faults between them, faults off, settle, check, print the table; fails on any violation.
async fn drive(
    name: &str,
    sims: &Sims,
    hooks: &webhooks::Proxies,
    shape: &mut impl Shape,
    capture: Capture,
) {
    let mut tally = Tally::default();
    let tally = &mut tally;
    let steps = env_number("FAULT_TEST_RECORDS", DEFAULT_RECORDS);
    let seed = env_number("FAULT_TEST_SEED", DEFAULT_SEED);
    let mut rng = Rng::new(seed);
    let mut workload = Workload::new(sims, capture, Rng::new(seed ^ 0xA5A5));
    progress(&format!("{name}: the catalogue"));
    workload.catalogue_in(SETTLE).await;
    progress(&format!("{name}: {steps} steps"));
    sims.faults(&fault_settings(seed, false)).await;
    let mut spike_until = 0;
    let mut other_integration = None;
    for step in 1..=steps {
        workload.step().await;
        if step > spike_until && rng.below(12) == 0 {
            spike_until = step + 2;
            tally.fault("latency spike (700 ms a call, Ongoing write timeout 200 ms)");
            sims.faults(&fault_settings(seed + step, true)).await;
            let stop = Arc::new(AtomicBool::new(false));
            other_integration = Some((sims.other_integration(Arc::clone(&stop)), stop));
        } else if step == spike_until {
            sims.faults(&fault_settings(seed + step, false)).await;
            if let Some((writer, stop)) = other_integration.take() {
                stop.store(true, Ordering::Relaxed);
                let _ = writer.await;
            }
        }
        shape.after_step(step, steps, &mut rng, tally).await;
        if let Some(crash) = shape.crashed() {
            panic!("{name}: a process stopped on its own at step {step}: {crash}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if let Some((writer, stop)) = other_integration.take() {
        stop.store(true, Ordering::Relaxed);
        let _ = writer.await;
    }
    // Faults off: the table counts what was injected; now everything must catch up.
    sims.count_faults(tally).await;
    sims.faults(&json!({})).await;
    progress(&format!("{name}: settling"));
    let outcome = checks::settle(sims, &workload, SETTLE).await;
    if let Some(crash) = shape.crashed() {
        panic!("{name}: a process stopped on its own while settling: {crash}");
    }
    workload.count_records(tally);
    tally.eager = workload.eager;
    hooks.count(tally);
    tally.settled = outcome.took;
    table::print(name, steps, seed, tally, &outcome.violations);
    if !outcome.violations.is_empty() {
        let records: Vec<String> = outcome.violations.iter().map(|v| v.id.clone()).collect();
        eprintln!(
            "{name}: what the product says:\n{}\nthe API calls naming them:\n{}",
            shape.diagnose(&records),
            sims.requests_naming(&records).await
        );
    }
    assert!(
        outcome.violations.is_empty(),
        "{name} (FAULT_TEST_SEED={seed}, FAULT_TEST_RECORDS={steps}): {} violations:\n{}",
        outcome.violations.len(),
        outcome
            .violations
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_loses_nothing_and_does_nothing_twice_through_kills_and_faults() {
    let sims = Sims::start();
    let hooks = webhooks::Proxies::start(&sims).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut process = embedded::Embedded::start(dir.path(), &sims, &hooks).await;
    drive(
        "embedded",
        &sims,
        &hooks,
        &mut process,
        Capture::OnCompletion,
    )
    .await;
    process.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_loses_nothing_and_does_nothing_twice_through_kills_restarts_and_faults() {
    let Some(servers) = distributed::Servers::start().await else {
        return;
    };
    let sims = Sims::start();
    let hooks = webhooks::Proxies::start(&sims).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut deployment = distributed::Deployment::start(dir.path(), servers, &sims, &hooks).await;
    drive(
        "distributed",
        &sims,
        &hooks,
        &mut deployment,
        Capture::OnImport,
    )
    .await;
    deployment.stop();
}
