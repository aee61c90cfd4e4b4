//! Backlog drain in the embedded shape, against the limit the APIs set, and the API calls per
//! record on the way.
//!
//! `cargo bench -p centra-wms-tests --bench backlog_drain [-- --k 1000 --complete 100
//! --capture 20 --slow-k 100 --rps 10 --runs 3]`. One run: the catalogue (100 sizes) is imported, the runtime
//! stops, `k` good-to-go shipments are made in Centra, the runtime starts again and drains
//! them into the WMS (timed from the start until the `k`-th `PUT /orders` is answered). Then it
//! stops, `complete` of those orders are shipped in the WMS, it starts again and completes them
//! in Centra; then `capture` unpaid ones are shipped and completed with `capture =
//! "on_completion"`. The limit: in the same simulators with the same latency, a minimal client
//! written here sends the same number of the same bodies with the fewest calls the APIs allow
//! and one request in flight (Ongoing allows one per goods owner): for the import, a listing
//! page of 100 shipments and then 100 `PUT /orders`; against Centra it
//! keeps to the request rate the gateway is configured with (the end-point's
//! `requests_per_second`, `--rps`, default 10: Centra documents no limit for the Order API,
//! the gateway still throttles; at 10 a second, 2 calls per completion, 10,000 completions
//! take 33 minutes by design, so the large run configures more), and it reads
//! each shipment once before completing it (`GET /shipment/{id}?status=goodtogo`: the current
//! `paid` flag, as money is never guessed). Ratio = ours / minimal. Calls per record are the
//! simulators' request logs during each drain divided by the records (polls included).
//! Every figure: median of `runs` runs (default 3) with min and max; at 0 ms latency with `k`,
//! and at 50 ms with `slow-k` shipments (and `slow-k / 10` completions).

#[path = "common/mod.rs"]
#[allow(dead_code)]
mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use centra_wms_tests::e2e::Sims;
use common::{
    App, RUNS, Sim, arg, calls_since, config, last_seq, latency, met, order_written, peak_rss_mib,
    reset_peak_rss, seed_catalogue, seed_order, ship, shipment_completed, show_calls, spread,
    table, wait_calls_marked, wms_articles,
};
use platform_config::AppConfig;
use serde_json::{Value, json};

/// Sizes in the catalogue the shipments draw from.
const SIZES: usize = 100;

#[derive(Debug, Clone, Copy)]
struct Scenario {
    latency_ms: u64,
    import: usize,
    complete: usize,
    capture: usize,
    /// The Centra end-point's configured `requests_per_second`, kept by ours and the minimal
    /// client alike.
    rps: u32,
}

/// One drain: seconds, records, the calls per route in both logs, peak RSS.
#[derive(Debug, Default, Clone)]
struct Drain {
    seconds: f64,
    records: usize,
    /// Seconds from the first tenth of the records written to the last: the rate without
    /// the runtime's start-up and its first listing page.
    steady_seconds: f64,
    centra: BTreeMap<String, u64>,
    ongoing: BTreeMap<String, u64>,
    peak_mib: f64,
}

impl Drain {
    fn rate(&self) -> f64 {
        self.records as f64 / self.seconds
    }

    fn steady_rate(&self) -> f64 {
        (self.records - self.records / 10) as f64 / self.steady_seconds
    }
}

/// One run's results.
#[derive(Debug, Default)]
struct Run {
    import: Drain,
    complete: Drain,
    capture: Drain,
    minimal_import: f64,
    minimal_complete: f64,
    ready_ms: f64,
}

/// Starts the runtime over `dir` and times until `count` calls matching `wanted` were answered
/// by `sim`.
async fn drain(
    sims: &Sims,
    config: &AppConfig,
    dir: &Path,
    sim: Sim,
    count: usize,
    wanted: fn(&Value) -> bool,
) -> Drain {
    let centra = last_seq(sims, Sim::Centra).await;
    let ongoing = last_seq(sims, Sim::Ongoing).await;
    let mut cursor = match sim {
        Sim::Centra => centra,
        Sim::Ongoing => ongoing,
    };
    reset_peak_rss();
    let started = Instant::now();
    let app = App::start(config, dir).await;
    let tenth = wait_calls_marked(sims, sim, &mut cursor, count, wanted, count / 10).await;
    let seconds = started.elapsed().as_secs_f64();
    let drain = Drain {
        seconds,
        records: count,
        steady_seconds: tenth.elapsed().as_secs_f64(),
        centra: calls_since(sims, Sim::Centra, centra).await,
        ongoing: calls_since(sims, Sim::Ongoing, ongoing).await,
        peak_mib: peak_rss_mib(),
    };
    app.stop().await;
    drain
}

/// The first answered body of a call matching `wanted` in `sim`'s log.
async fn template(sims: &Sims, sim: Sim, wanted: fn(&Value) -> bool) -> Value {
    let (entries, _) = common::answered(sims, sim, 0).await;
    entries
        .into_iter()
        .find(wanted)
        .map(|mut e| e["body"].take())
        .expect("a call to copy")
}

/// The minimal import client: the fewest calls both APIs allow, one in flight, a loop of one
/// listing page of 100 shipments (`GET /shipments`, at the Centra end-point's configured
/// request rate, as ours keeps it) and 100 `PUT /orders`: 1/100 listing calls per imported
/// shipment, the minimum; orders per second. The pages are real full pages where the store has
/// them: of the good-to-go list while a page of it is still waiting (`waiting` shipments),
/// else of the completed list (at `bench-large` sizes every shipment is completed before this
/// runs), reading from the start again past the end. The bodies are the first order ours
/// wrote, renumbered.
async fn minimal_import(sims: &Sims, count: usize, waiting: usize, rate: u32) -> f64 {
    const PAGE: usize = 100;
    let mut body = template(sims, Sim::Ongoing, order_written).await;
    let orders = format!("{}/orders", sims.ongoing.api_url());
    let shipments = format!("{}/shipments", sims.centra.base_url());
    let (status, listed) = if waiting >= PAGE {
        ("goodtogo", waiting)
    } else {
        ("completed", count.saturating_sub(waiting))
    };
    let pages_in_list = (listed / PAGE).max(1);
    let mut pace = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate)));
    let started = Instant::now();
    let mut n = 0;
    for page in 0.. {
        if n == count {
            break;
        }
        pace.tick().await;
        let offset = (page % pages_in_list) * PAGE;
        let answer = sims
            .http
            .get(&shipments)
            .query(&[
                ("status", status.to_owned()),
                ("limit", PAGE.to_string()),
                ("offset", offset.to_string()),
            ])
            .header("API-Authorization", "sandbox-secret")
            .send()
            .await
            .expect("answered");
        assert!(answer.status().is_success(), "{}", answer.status());
        let _page: Value = answer.json().await.expect("a page");
        for _ in 0..PAGE.min(count - n) {
            body["orderNumber"] = json!(format!("MIN-{n}"));
            let answer = sims
                .http
                .put(&orders)
                .basic_auth("sandbox", Some("sandbox"))
                .json(&body)
                .send()
                .await
                .expect("answered");
            assert!(answer.status().is_success(), "{}", answer.status());
            n += 1;
        }
    }
    count as f64 / started.elapsed().as_secs_f64()
}

/// The minimal Centra client over `count` new good-to-go shipments, one call in flight at the
/// gateway's configured request rate: per shipment one read of its current state
/// (`GET /shipment/{id}?status=goodtogo`, which answers `paid` and "not completed") and one
/// `PUT /shipment`; shipments per second.
async fn minimal_complete(sims: &Sims, count: usize, rate: u32) -> f64 {
    let mut body = template(sims, Sim::Centra, shipment_completed).await;
    let mut shipments = Vec::new();
    for n in 0..count {
        shipments.push(seed_order(sims, n, SIZES, true).await);
    }
    let url = format!("{}/shipment", sims.centra.base_url());
    let mut pace = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate)));
    let started = Instant::now();
    for id in shipments {
        pace.tick().await;
        let read = sims
            .http
            .get(format!("{}/shipment/{id}", sims.centra.base_url()))
            .query(&[("status", "goodtogo")])
            .header("API-Authorization", "sandbox-secret")
            .send()
            .await
            .expect("answered");
        assert!(read.status().is_success(), "{}", read.status());
        pace.tick().await;
        let order = id.split_once('-').map_or(id.as_str(), |(o, _)| o);
        body["order"] = match body["order"] {
            Value::Number(_) => json!(order.parse::<u64>().expect("numeric order")),
            _ => json!(order),
        };
        body["shipment"] = json!(id);
        let answer = sims
            .http
            .put(&url)
            .header("API-Authorization", "sandbox-secret")
            .json(&body)
            .send()
            .await
            .expect("answered");
        assert!(answer.status().is_success(), "{}", answer.status());
    }
    count as f64 / started.elapsed().as_secs_f64()
}

async fn run(s: Scenario) -> Run {
    let sims = Sims::start().await;
    seed_catalogue(&sims, SIZES / 10).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = with_rate(config(&sims, "5s", ""), s.rps);
    let mut run = Run::default();
    let app = App::start(&plain, dir.path()).await;
    run.ready_ms = app.ready_after.as_secs_f64() * 1000.0;
    let started = Instant::now();
    while wms_articles(&sims).await < SIZES {
        assert!(started.elapsed() < Duration::from_secs(120), "catalogue");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.stop().await;
    latency(&sims, s.latency_ms).await;

    // The backlog: paid shipments, the last `capture` unpaid.
    let mut ids = Vec::new();
    for n in 0..s.import {
        ids.push(seed_order(&sims, n, SIZES, n < s.import - s.capture).await);
    }
    run.import = drain(
        &sims,
        &plain,
        dir.path(),
        Sim::Ongoing,
        s.import,
        order_written,
    )
    .await;

    for id in &ids[..s.complete] {
        ship(&sims, id).await;
    }
    run.complete = drain(
        &sims,
        &plain,
        dir.path(),
        Sim::Centra,
        s.complete,
        shipment_completed,
    )
    .await;

    for id in &ids[s.import - s.capture..] {
        ship(&sims, id).await;
    }
    let capture = with_rate(config(&sims, "5s", r#"capture = "on_completion""#), s.rps);
    run.capture = drain(
        &sims,
        &capture,
        dir.path(),
        Sim::Centra,
        s.capture,
        shipment_completed,
    )
    .await;

    let waiting = s.import - s.complete - s.capture;
    run.minimal_import = minimal_import(&sims, s.import, waiting, s.rps).await;
    run.minimal_complete = minimal_complete(&sims, s.complete, s.rps).await;
    run
}

/// `config` with the Centra end-point's request rate set to `rps`.
fn with_rate(mut config: AppConfig, rps: u32) -> AppConfig {
    for endpoint in &mut config.settings.endpoints {
        endpoint.requests_per_second = std::num::NonZeroU32::new(rps);
    }
    config
}

fn main() {
    let k: usize = arg("k", 1000);
    let complete: usize = arg("complete", 100);
    let capture: usize = arg("capture", 20);
    let slow_k: usize = arg("slow-k", 100);
    let default_rps = centra_gateway::client::ClientOptions::default().requests_per_second;
    let rps: u32 = arg("rps", default_rps);
    let run_count: usize = arg("runs", RUNS);
    let tokio = common::tokio();
    let scenarios = [
        Scenario {
            latency_ms: 0,
            import: k,
            // The last `capture` shipments are unpaid: the completion drain (capture off)
            // takes paid ones only, since an unpaid one is parked, never completed.
            complete: complete.min(k - capture.min(k / 2)),
            capture: capture.min(k / 2),
            rps,
        },
        Scenario {
            latency_ms: 50,
            import: slow_k,
            complete: (slow_k / 10).max(1),
            capture: (slow_k / 10).max(1),
            rps,
        },
    ];
    let mut drains = Vec::new();
    let mut calls = Vec::new();
    let mut footprint = Vec::new();
    for s in scenarios {
        let runs: Vec<Run> = (0..run_count).map(|_| tokio.block_on(run(s))).collect();
        let of = |f: &dyn Fn(&Run) -> f64| spread(&runs.iter().map(f).collect::<Vec<_>>());
        for (what, ours, steady, minimal, records) in [
            (
                "good-to-go shipments → WMS orders",
                of(&|r| r.import.rate()),
                of(&|r| r.import.steady_rate()),
                of(&|r| r.minimal_import),
                s.import,
            ),
            (
                "shipped WMS orders → completed in Centra",
                of(&|r| r.complete.rate()),
                of(&|r| r.complete.steady_rate()),
                of(&|r| r.minimal_complete),
                s.complete,
            ),
        ] {
            let ratio = of(&|r| {
                if what.starts_with("good") {
                    r.import.rate() / r.minimal_import
                } else {
                    r.complete.rate() / r.minimal_complete
                }
            });
            drains.push(vec![
                what.to_owned(),
                format!("{} ms", s.latency_ms),
                records.to_string(),
                ours.show(1),
                steady.show(1),
                minimal.show(1),
                ratio.show(3),
                "≥ 0.9".to_owned(),
                met(ratio.median >= 0.9).to_owned(),
            ]);
        }
        // Calls of the median-rate run (the counts hardly move between runs).
        let last = &runs[runs.len() - 1];
        for (what, drain, minimum) in [
            (
                "imported shipment",
                &last.import,
                "Ongoing 1 (`PUT /orders` upserts by order number); Centra 1/100 \
                 (`GET /shipments`, 100 per page)",
            ),
            (
                "completed shipment, capture off",
                &last.complete,
                "Centra 2 (`GET /shipment/{id}?status=goodtogo` reads the current `paid`, \
                 `PUT /shipment` completes with `capture:false`); Ongoing 1 (one `PATCH` marks \
                 the order reported) + 1/page of shipped orders",
            ),
            (
                "completed shipment, capture on",
                &last.capture,
                "Centra 2 (the read, then `PUT /shipment` with `capture:true`, which captures \
                 too); Ongoing as above",
            ),
        ] {
            if s.latency_ms == 0 {
                calls.push(vec![
                    what.to_owned(),
                    drain.records.to_string(),
                    show_calls(&drain.centra, drain.records as f64),
                    show_calls(&drain.ongoing, drain.records as f64),
                    minimum.to_owned(),
                ]);
            }
        }
        footprint.push(vec![
            format!("{} ms", s.latency_ms),
            of(&|r| r.ready_ms).show(0),
            of(&|r| r.import.peak_mib).show(1),
            of(&|r| r.complete.peak_mib).show(1),
        ]);
    }
    table(
        "Backlog drain (embedded shape)",
        &format!(
            "Records per second from the runtime's start until the last record is written, \
             against a minimal client in the same simulators (same latency) sending the same \
             bodies one at a time with the fewest calls (import: a listing page of 100 \
             shipments, then 100 `PUT /orders`); both keep the Centra end-point's \
             configured {rps} requests a second. \"ours past the first tenth\": the same drain \
             from the moment its first tenth of the records was written (the start-up and \
             the first listing page left out), for where the gap is; the ratio is of the \
             whole drain. Median of {run_count} runs (min–max)."
        ),
        &[
            "drain",
            "sim latency",
            "records",
            "ours /s",
            "ours past the first tenth /s",
            "minimal /s",
            "ratio",
            "target",
            "met?",
        ],
        &drains,
    );
    table(
        "API calls per record (embedded shape, 0 ms)",
        "Every call in the simulators' request logs during the drain divided by the records \
         (the gateways' polls of other flows included), by route; ids shown as `{id}`.",
        &[
            "per",
            "records",
            "Centra calls",
            "Ongoing calls",
            "minimum, why",
        ],
        &calls,
    );
    table(
        "Footprint of the drains (embedded shape)",
        "Start-up: `Adapters::embedded` to every service serving (fresh SQLite). Peak RSS: \
         `VmHWM` of the bench process during the drain (runtime, both simulators and the bench \
         client in one process). Median of the runs (min–max).",
        &[
            "sim latency",
            "start-up ms",
            "peak RSS import MiB",
            "peak RSS complete MiB",
        ],
        &footprint,
    );
}
