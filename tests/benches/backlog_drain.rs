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

use std::path::Path;
use std::time::{Duration, Instant};

use centra_wms_tests::e2e::Sims;
use common::cpu::shared_label;
use common::drain::{
    CALLS_HEADERS, DRAIN_HEADERS, Drain, DrainStart, DrainTables, Drains, Scenario, drain_note,
    rows, scenarios,
};
use common::minimal::{BENCH_PROCESS, minimal_complete, minimal_import};
use common::wms_time::{WMS_TIME_HEADERS, WMS_TIME_NOTE};
use common::{
    App, Sim, config, latency, order_written, peak_rss_mib, reset_peak_rss, seed_catalogue,
    seed_order, ship, shipment_completed, spread, table, with_rate, wms_articles,
};
use platform_config::AppConfig;
use serde_json::Value;

/// Sizes in the catalogue the shipments draw from.
const SIZES: usize = 100;

/// One run's results.
#[derive(Debug, Default)]
struct Run {
    drains: Drains,
    /// Peak RSS of the bench process during the import and the completion drain.
    import_peak_mib: f64,
    complete_peak_mib: f64,
    ready_ms: f64,
}

/// Starts the runtime over `dir` and times until `count` calls matching `wanted` were answered
/// by `sim`; the drain and the bench process's peak RSS during it.
async fn drain(
    sims: &Sims,
    config: &AppConfig,
    dir: &Path,
    sim: Sim,
    count: usize,
    wanted: fn(&Value) -> bool,
) -> (Drain, f64) {
    reset_peak_rss();
    let start = DrainStart::now(sims).await;
    let app = App::start(config, dir).await;
    let drain = start
        .finish(
            sims,
            (sim, count, wanted),
            |pid, comm| shared_label(pid, comm, BENCH_PROCESS),
            || {},
        )
        .await;
    let peak = peak_rss_mib();
    app.stop().await;
    (drain, peak)
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
    (run.drains.import, run.import_peak_mib) = drain(
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
    (run.drains.complete, run.complete_peak_mib) = drain(
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
    (run.drains.capture, _) = drain(
        &sims,
        &capture,
        dir.path(),
        Sim::Centra,
        s.capture,
        shipment_completed,
    )
    .await;

    run.drains.minimal_import = minimal_import(&sims, s.import, s.waiting(), s.rps).await;
    run.drains.minimal_complete = minimal_complete(&sims, s.complete, SIZES, s.rps).await;
    run
}

fn main() {
    let (scenarios, run_count) = scenarios();
    let rps = scenarios[0].rps;
    let tokio = common::tokio();
    let mut tables = DrainTables::default();
    let mut footprint = Vec::new();
    for s in scenarios {
        let runs: Vec<Run> = (0..run_count).map(|_| tokio.block_on(run(s))).collect();
        let of = |f: &dyn Fn(&Run) -> f64| spread(&runs.iter().map(f).collect::<Vec<_>>());
        tables.extend(rows(
            &s,
            &runs.iter().map(|r| &r.drains).collect::<Vec<_>>(),
        ));
        footprint.push(vec![
            format!("{} ms", s.latency_ms),
            of(&|r| r.ready_ms).show(0),
            of(&|r| r.import_peak_mib).show(1),
            of(&|r| r.complete_peak_mib).show(1),
        ]);
    }
    table(
        "Backlog drain (embedded shape)",
        &drain_note("the runtime's start", rps, run_count),
        &DRAIN_HEADERS,
        &tables.drains,
    );
    table(
        "WMS time in the import drain (embedded shape)",
        WMS_TIME_NOTE,
        &WMS_TIME_HEADERS,
        &tables.wms_time,
    );
    tables.print_cpu("embedded");
    table(
        "API calls per record (embedded shape, 0 ms)",
        "Every call in the simulators' request logs during the drain divided by the records \
         (the gateways' polls of other flows included), by route; ids shown as `{id}`.",
        &CALLS_HEADERS,
        &tables.calls,
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
