//! What the benches share: arguments, the median of runs, Markdown tables, the simulators'
//! request logs, peak RSS, and one embedded runtime (SQLite bus and stores, in-process gRPC)
//! with the order services over both simulators.
//!
//! Each bench prints Markdown on stdout only; `make bench` adds the machine and the commit and
//! writes everything to `bench/results.md`.
//!
//! Layout:
//! - this file: the pieces above;
//! - `process`: one `centra-wms` binary run as its own OS process, and the settings every
//!   such process is configured with;
//! - `deployment`: the distributed shape's six processes over NATS and PostgreSQL;
//! - `drain`: one backlog drain timed in the request logs, and the drain and calls tables
//!   both shapes print;
//! - `minimal`: the minimal clients a drain's ratio is measured against;
//! - `shape`: either shape behind one start and stop, for a bench that measures both;
//! - `calls`: both simulators' request logs read together, by route;
//! - `latency`: event latency one shipment at a time, and its table rows;
//! - `wms_time`: where the WMS's time goes in an import drain (busy, one call, the gaps).

pub mod calls;
pub mod cpu;
pub mod deployment;
pub mod drain;
pub mod latency;
pub mod minimal;
pub mod process;
pub mod shape;
pub mod wms_time;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use catalog_sync::CatalogSync;
use centra_gateway::CentraGateway;
use centra_wms_tests::e2e::{SIZES_PER_PRODUCT, Sims, ean, size_row};
use ongoing_gateway::OngoingGateway;
use order_sync::OrderSync;
use platform_config::AppConfig;
use platform_runtime::{Adapters, CancellationToken, Runtime, ServiceDirectory};
use serde_json::{Value, json};

/// The longest a bench waits for the catalogue to be in the WMS, or for a phase to end.
pub const LIMIT: Duration = Duration::from_secs(120);

/// Runs of every measured figure; a figure is their median, shown with min and max.
pub const RUNS: usize = 3;

/// `--name value` from the command line (cargo bench passes `--bench` too; it is ignored).
pub fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    let args: Vec<String> = std::env::args().collect();
    args.windows(2)
        .find(|w| w[0] == format!("--{name}"))
        .and_then(|w| w[1].parse().ok())
        .unwrap_or(default)
}

/// A tokio runtime on two workers, the size of the bench machine.
pub fn tokio() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// The median of `values` with their min and max.
#[derive(Debug, Clone, Copy)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

pub fn spread(values: &[f64]) -> Spread {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Spread {
        median: sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN),
        min: sorted.first().copied().unwrap_or(f64::NAN),
        max: sorted.last().copied().unwrap_or(f64::NAN),
    }
}

impl Spread {
    /// `median (min–max)` with `decimals`.
    pub fn show(&self, decimals: usize) -> String {
        format!(
            "{:.d$} ({:.d$}–{:.d$})",
            self.median,
            self.min,
            self.max,
            d = decimals
        )
    }
}

/// The `p` quantile (0..=1) of `values` by nearest rank.
pub fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// `yes`/`no` for the "met?" column.
pub fn met(ok: bool) -> &'static str {
    if ok { "yes" } else { "**no**" }
}

/// Prints a Markdown table.
pub fn table(title: &str, note: &str, headers: &[&str], rows: &[Vec<String>]) {
    println!("\n### {title}\n");
    if !note.is_empty() {
        println!("{note}\n");
    }
    println!("| {} |", headers.join(" | "));
    println!("|{}", " --- |".repeat(headers.len()));
    for row in rows {
        println!("| {} |", row.join(" | "));
    }
}

/// Peak resident set of this process in MiB (`VmHWM`).
pub fn peak_rss_mib() -> f64 {
    status_mib("VmHWM:")
}

/// Resident set of this process now, in MiB (`VmRSS`).
pub fn rss_mib() -> f64 {
    status_mib("VmRSS:")
}

fn status_mib(key: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// Resets the peak (`VmHWM`) to the current resident set (Linux `clear_refs` 5).
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Which simulator's request log.
#[derive(Debug, Clone, Copy)]
pub enum Sim {
    Centra,
    Ongoing,
}

/// The control url of `sim`.
pub fn control(sims: &Sims, sim: Sim) -> String {
    match sim {
        Sim::Centra => sims.centra.url(),
        Sim::Ongoing => sims.ongoing.base_url(),
    }
}

/// The answered API calls after seq `since`, and the next `since`: never beyond a call still
/// in flight (its entry gets its status later).
pub async fn answered(sims: &Sims, sim: Sim, since: u64) -> (Vec<Value>, u64) {
    let log = sims
        .get(format!(
            "{}/_sim/requests?since={since}",
            control(sims, sim)
        ))
        .await;
    let mut cursor = since;
    let mut done = Vec::new();
    for entry in log.as_array().cloned().unwrap_or_default() {
        if entry["status"].is_null() {
            break;
        }
        cursor = entry["seq"].as_u64().unwrap_or(cursor);
        done.push(entry);
    }
    (done, cursor)
}

/// The last seq of `sim`'s request log.
pub async fn last_seq(sims: &Sims, sim: Sim) -> u64 {
    let mut cursor = 0;
    loop {
        let log = sims
            .get(format!(
                "{}/_sim/requests?since={cursor}",
                control(sims, sim)
            ))
            .await;
        match log.as_array().and_then(|a| a.last()) {
            Some(last) => cursor = last["seq"].as_u64().unwrap_or(cursor),
            None => return cursor,
        }
    }
}

/// `METHOD /path` with the API base cut off and ids replaced by `{id}`.
pub fn route(entry: &Value) -> String {
    let path = entry["path"].as_str().unwrap_or("");
    let path = path
        .split_once("/api/order-api")
        .or_else(|| path.split_once("/api/v1"))
        .map_or(path, |(_, rest)| rest);
    let shape: Vec<&str> = path
        .split('/')
        .map(|part| {
            if part.chars().any(|c| c.is_ascii_digit()) {
                "{id}"
            } else {
                part
            }
        })
        .collect();
    format!(
        "{} {}",
        entry["method"].as_str().unwrap_or("?"),
        shape.join("/")
    )
}

/// Every entry of `sim`'s log after seq `since` (calls still in flight included).
pub async fn log_since(sims: &Sims, sim: Sim, since: u64) -> Vec<Value> {
    let log = sims
        .get(format!(
            "{}/_sim/requests?since={since}",
            control(sims, sim)
        ))
        .await;
    log.as_array().cloned().unwrap_or_default()
}

/// Calls per route among `entries` of a log.
pub fn count_routes(entries: &[Value]) -> BTreeMap<String, u64> {
    let mut calls = BTreeMap::new();
    for entry in entries {
        *calls.entry(route(entry)).or_insert(0) += 1;
    }
    calls
}

/// Calls per route in `sim`'s log after seq `since`.
pub async fn calls_since(sims: &Sims, sim: Sim, since: u64) -> BTreeMap<String, u64> {
    count_routes(&log_since(sims, sim, since).await)
}

/// `a × 2, b × 1` for a table cell.
pub fn show_calls(calls: &BTreeMap<String, u64>, per: f64) -> String {
    if calls.is_empty() {
        return "none".to_owned();
    }
    calls
        .iter()
        .map(|(route, n)| format!("`{route}` {:.2}", *n as f64 / per))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Settings for the simulators (`Sims::config`) with the Ongoing webhook token set.
pub fn config(sims: &Sims, sync_interval: &str, extra: &str) -> AppConfig {
    let mut config = sims.config(sync_interval, extra);
    if let platform_config::WmsAccount::Ongoing(account) = &mut config.wms.account {
        account.webhook_token = Some(domain::Secret::new(WEBHOOK_TOKEN.to_owned()));
    }
    config
}

/// `config` with every Centra end-point's request rate set to `rps`.
pub fn with_rate(mut config: AppConfig, rps: u32) -> AppConfig {
    for endpoint in &mut config.settings.endpoints {
        endpoint.requests_per_second = std::num::NonZeroU32::new(rps);
    }
    config
}

/// The Ongoing webhook token the benches configure and point ongoing-sim at.
pub const WEBHOOK_TOKEN: &str = "bench-ongoing-token";

/// Seeds centra-sim with `products` active products of [`SIZES_PER_PRODUCT`] sizes each;
/// answers the number of sizes.
pub async fn seed_sizes(sims: &Sims, products: usize) -> usize {
    sims.seed_products(
        (0..products)
            .flat_map(|p| (0..SIZES_PER_PRODUCT).map(move |s| size_row(p, s)))
            .collect(),
    )
    .await;
    products * SIZES_PER_PRODUCT
}

/// Points both simulators' webhooks at the runtime's receivers.
pub async fn point_webhooks(sims: &Sims, config: &AppConfig) {
    let centra = config.runtime.centra_webhook_listen;
    sims.post(
        format!("{}/_sim/webhooks", sims.centra.url()),
        &json!({"url": format!("http://{centra}/centra/shop1/webhook"),
                "secret": "sandbox-webhook-secret", "retry_delay_ms": 100}),
    )
    .await;
    let ongoing = config.runtime.ongoing_webhook_listen;
    sims.post(
        format!("{}/_sim/webhooks", sims.ongoing.base_url()),
        &json!({"url": format!("http://{ongoing}/webhooks/ongoing"), "secret": WEBHOOK_TOKEN}),
    )
    .await;
}

/// The same `latency_ms` in both simulators.
pub async fn latency(sims: &Sims, ms: u64) {
    sims.faults(&json!({"latency_ms": ms})).await;
}

/// Seeds `products` × 10 active sizes with stock for any backlog; waits until catalog-sync
/// wrote them all to the WMS (the runtime must be running).
pub async fn seed_catalogue(sims: &Sims, products: usize) {
    let rows = (0..products)
        .flat_map(|p| (0..10).map(move |s| (p, s)))
        .map(|(p, s)| {
            let mut row = size_row(p, s);
            row["physicalStock"] = json!(1_000_000);
            row
        })
        .collect();
    sims.seed_products(rows).await;
}

/// Articles in the WMS.
pub async fn wms_articles(sims: &Sims) -> usize {
    let state = sims
        .get(format!("{}/_sim/state", sims.ongoing.base_url()))
        .await;
    state["articles"].as_array().map_or(0, Vec::len)
}

/// Seeds a good-to-go shipment of one unit of size `n % sizes` (paid unless `unpaid`);
/// returns its shipment id.
pub async fn seed_order(sims: &Sims, n: usize, sizes: usize, paid: bool) -> String {
    let (p, s) = ((n % sizes) / 10, n % 10);
    let created = sims
        .post(
            format!("{}/_sim/orders", sims.centra.url()),
            &json!({
                "order": {
                    "paid": paid, "shouldCapture": !paid, "captureFails": false,
                    "delivery": {"name": "Ada Lovelace", "address": "Storgatan 1",
                                 "zipcode": "11122", "city": "Stockholm", "country": "SE",
                                 "email": "ada@example.com", "cell": "+46700000000"},
                    "carrier": "DHL", "service": "Express",
                    "lines": [{"sku": format!("P{p}"), "variantSku": "-BL",
                               "sizeSku": format!("-{s}"), "ean": ean(p * 10 + s),
                               "qty": 1, "price": "45.00"}]
                },
                "goodToGo": true
            }),
        )
        .await;
    match &created["shipmentId"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Marks WMS order `number` shipped with a waybill (all lines picked).
pub async fn ship(sims: &Sims, number: &str) {
    sims.post(
        format!("{}/_sim/orders/{number}/ship", sims.ongoing.base_url()),
        &json!({"waybill": format!("WB-{number}"), "status": 450}),
    )
    .await;
}

/// Is answered entry `e` a successful `PUT`/`POST` on a path ending with `tail`?
pub fn writes(e: &Value, tail: &str) -> bool {
    (e["method"] == "PUT" || e["method"] == "POST")
        && e["path"].as_str().is_some_and(|p| p.ends_with(tail))
        && e["status"].as_u64().is_some_and(|s| s < 300)
}

/// A WMS order written (`PUT /orders`).
pub fn order_written(e: &Value) -> bool {
    writes(e, "/orders")
}

/// An article written to the WMS (`PUT /articles`).
pub fn article_written(e: &Value) -> bool {
    writes(e, "/articles")
}

/// `size_row` with another price: a change catalog-sync writes to the WMS.
pub fn priced_row(product: usize, size: usize, price: &str) -> Value {
    let mut row = size_row(product, size);
    row["prices"][0]["price"] = json!(price);
    row
}

/// A Centra shipment completed (`PUT /shipment`).
pub fn shipment_completed(e: &Value) -> bool {
    writes(e, "/shipment")
}

/// The order services (and catalog-sync) in one embedded runtime whose state lives in `dir`.
pub struct App {
    pub directory: ServiceDirectory,
    shutdown: CancellationToken,
    running: tokio::task::JoinHandle<Result<(), platform_runtime::RuntimeError>>,
    /// Start to every service serving.
    pub ready_after: Duration,
}

pub const SERVICES: [&str; 4] = [
    "centra-gateway",
    "ongoing-gateway",
    "catalog-sync",
    "order-sync",
];

impl App {
    pub async fn start(config: &AppConfig, dir: &Path) -> Self {
        let started = Instant::now();
        let adapters = Adapters::embedded(dir).await.expect("adapters");
        let directory = adapters.directory.clone();
        let shutdown = CancellationToken::new();
        let runtime = Runtime::new(Arc::new(config.clone()), adapters)
            .with_service(CentraGateway)
            .with_service(OngoingGateway)
            .with_service(CatalogSync)
            .with_service(OrderSync)
            .with_service(stock_sync::StockSync)
            .with_service(returns_sync::ReturnsSync);
        let running = tokio::spawn(runtime.run(shutdown.clone()));
        while !SERVICES.iter().all(|s| directory.is_serving(s)) {
            assert!(!running.is_finished(), "runtime stopped early");
            assert!(started.elapsed() < Duration::from_secs(60), "ready in 60 s");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        Self {
            directory,
            shutdown,
            running,
            ready_after: started.elapsed(),
        }
    }

    pub async fn stop(self) {
        self.shutdown.cancel();
        self.running
            .await
            .expect("runtime task")
            .expect("runtime stops");
    }
}

/// Waits until an answered call of `sim` after `*cursor` matches `wanted`, polling the log
/// every 5 ms (the resolution of the latencies measured); `*cursor` moves on.
pub async fn wait_call(sims: &Sims, sim: Sim, cursor: &mut u64, wanted: impl Fn(&Value) -> bool) {
    wait_calls(sims, sim, cursor, 1, wanted).await;
}

/// Waits until `count` answered calls of `sim` after `*cursor` match `wanted` (30 min at most).
pub async fn wait_calls(
    sims: &Sims,
    sim: Sim,
    cursor: &mut u64,
    count: usize,
    wanted: impl Fn(&Value) -> bool,
) {
    wait_calls_watched(sims, sim, cursor, count, wanted, count, || {}).await;
}

/// [`wait_calls`], and when the `mark`-th wanted call was seen (within the 5 ms poll: a drain
/// tells its start-up from its steady rate by it); calls `check` every round, so a bench whose
/// runtime runs as other processes fails there when one has stopped, rather than waiting out
/// the 30 minutes.
pub async fn wait_calls_watched(
    sims: &Sims,
    sim: Sim,
    cursor: &mut u64,
    count: usize,
    wanted: impl Fn(&Value) -> bool,
    mark: usize,
    mut check: impl FnMut(),
) -> Instant {
    let started = Instant::now();
    let mut seen = 0;
    let mut marked = None;
    loop {
        check();
        let (entries, next) = answered(sims, sim, *cursor).await;
        *cursor = next;
        seen += entries.iter().filter(|e| wanted(e)).count();
        if seen >= mark {
            marked.get_or_insert_with(Instant::now);
        }
        if seen >= count {
            return marked.unwrap_or_else(Instant::now);
        }
        assert!(
            started.elapsed() < Duration::from_secs(1800),
            "{count} calls within 30 min ({seen} seen)"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Polls `done` every 5 ms (the resolution of the latencies measured); fails after `limit`.
pub async fn until<F, Fut>(what: &str, limit: Duration, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < limit, "{what} within {limit:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
