//! How fast a whole catalogue becomes WMS articles, what a re-run costs, and the memory it
//! takes: the embedded runtime (SQLite bus and stores, in-process gRPC) with every service
//! against both simulators.
//!
//! `cargo bench -p centra-wms-tests --bench catalog_import [-- --sizes 2000 --runs 3]` (or
//! sizes as plain arguments, as before). Per catalogue size and run: the first import (timed from the
//! runtime's start to the last `PUT /articles` answered), one poll interval with nothing
//! changed (the calls it makes), a full reconcile with nothing changed (admin gRPC), and 100
//! changed sizes (timed from the change to the 100th write). Calls are counted in both
//! simulators' request logs; peak RSS is `VmHWM` of the bench process (runtime and both
//! simulators), reset before the run. The gateways poll every 5 s, as in the end-to-end test.
//! Every figure: median of `runs` runs (default 3) with min and max.

#[path = "common/mod.rs"]
#[allow(dead_code)]
mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use centra_wms_tests::e2e::{SIZES_PER_PRODUCT, Sims};
use common::calls::Seqs;
use common::{
    App, RUNS, Sim, arg, article_written, config, met, peak_rss_mib, priced_row, reset_peak_rss,
    rss_mib, seed_sizes, show_calls, spread, table, wait_calls,
};
use proto::admin::v1::ReconcileCatalogRequest;
use proto::admin::v1::catalog_admin_client::CatalogAdminClient;

/// Sizes changed in the incremental phase.
const CHANGED: usize = 100;

/// One run at one size.
#[derive(Debug, Default)]
struct Run {
    ready_ms: f64,
    /// Resident before the runtime starts (the simulators holding the catalogue).
    base_mib: f64,
    first_s: f64,
    first_calls: BTreeMap<String, u64>,
    first_peak_mib: f64,
    idle_calls: BTreeMap<String, u64>,
    reconcile_s: f64,
    reconcile_writes: u64,
    changed_s: f64,
    changed_calls: BTreeMap<String, u64>,
    peak_mib: f64,
}

async fn run(sizes: usize) -> Run {
    let products = sizes
        .div_ceil(SIZES_PER_PRODUCT)
        .max(CHANGED / SIZES_PER_PRODUCT);
    let sims = Sims::start().await;
    let sizes = seed_sizes(&sims, products).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config(&sims, "5s", "");
    let mut run = Run::default();

    reset_peak_rss();
    run.base_mib = rss_mib();
    let started = Instant::now();
    let app = App::start(&config, dir.path()).await;
    run.ready_ms = app.ready_after.as_secs_f64() * 1000.0;
    let mut cursor = 0;
    wait_calls(&sims, Sim::Ongoing, &mut cursor, sizes, article_written).await;
    run.first_s = started.elapsed().as_secs_f64();
    run.first_calls = Seqs::default().calls_since(&sims).await;
    run.first_peak_mib = peak_rss_mib();

    // One poll interval and a bit with nothing changed.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = Seqs::now(&sims).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    run.idle_calls = before.calls_since(&sims).await;

    let before = Seqs::now(&sims).await;
    let mut admin = CatalogAdminClient::new(app.directory.channel("catalog-sync").expect("ch"));
    let started = Instant::now();
    admin
        .reconcile(ReconcileCatalogRequest { dry_run: false })
        .await
        .expect("reconcile");
    run.reconcile_s = started.elapsed().as_secs_f64();
    run.reconcile_writes = before
        .calls_since(&sims)
        .await
        .iter()
        .filter(|(route, _)| route.starts_with("Ongoing PUT"))
        .map(|(_, n)| n)
        .sum();

    let before = Seqs::now(&sims).await;
    let mut cursor = before.ongoing;
    let started = Instant::now();
    sims.seed_products(
        (0..CHANGED)
            .map(|i| i * sizes / CHANGED)
            .map(|n| priced_row(n / SIZES_PER_PRODUCT, n % SIZES_PER_PRODUCT, "49.00"))
            .collect(),
    )
    .await;
    wait_calls(&sims, Sim::Ongoing, &mut cursor, CHANGED, article_written).await;
    run.changed_s = started.elapsed().as_secs_f64();
    run.changed_calls = before.calls_since(&sims).await;
    run.peak_mib = peak_rss_mib();
    app.stop().await;
    run
}

fn main() {
    let flagged = std::env::args().any(|a| a == "--sizes" || a == "--runs");
    let mut sizes: Vec<usize> = if flagged {
        vec![arg("sizes", 2_000)]
    } else {
        // Sizes as plain arguments, as before the flags.
        std::env::args()
            .skip(1)
            .filter_map(|a| a.parse().ok())
            .collect()
    };
    if sizes.is_empty() {
        sizes.push(2_000);
    }
    let run_count: usize = arg("runs", RUNS);
    let tokio = common::tokio();
    let mut speed = Vec::new();
    let mut calls = Vec::new();
    let mut memory = Vec::new();
    for size in sizes {
        let runs: Vec<Run> = (0..run_count).map(|_| tokio.block_on(run(size))).collect();
        let of = |f: &dyn Fn(&Run) -> f64| spread(&runs.iter().map(f).collect::<Vec<_>>());
        speed.push(vec![
            size.to_string(),
            "first import".into(),
            of(&|r| r.first_s).show(2),
            of(&|r| size as f64 / r.first_s).show(0),
        ]);
        speed.push(vec![
            size.to_string(),
            "reconcile, nothing changed".into(),
            of(&|r| r.reconcile_s).show(2),
            format!("{} writes", of(&|r| r.reconcile_writes as f64).show(0)),
        ]);
        speed.push(vec![
            size.to_string(),
            format!("{CHANGED} changed sizes"),
            of(&|r| r.changed_s).show(2),
            of(&|r| CHANGED as f64 / r.changed_s).show(0),
        ]);
        let last = &runs[runs.len() - 1];
        calls.push(vec![
            size.to_string(),
            "first import, per article".into(),
            show_calls(&last.first_calls, size as f64),
            "—".into(),
        ]);
        // Nothing changed: no run may write, only list.
        let listing_only = runs
            .iter()
            .all(|r| r.idle_calls.keys().all(|route| route.contains(" GET ")));
        calls.push(vec![
            size.to_string(),
            "5 s poll, nothing changed (total)".into(),
            show_calls(&last.idle_calls, 1.0),
            met(listing_only).into(),
        ]);
        calls.push(vec![
            size.to_string(),
            format!("{CHANGED} changed, per changed article"),
            show_calls(&last.changed_calls, CHANGED as f64),
            "—".into(),
        ]);
        let peak = of(&|r| r.peak_mib);
        let target = size >= 100_000;
        memory.push(vec![
            size.to_string(),
            of(&|r| r.ready_ms).show(0),
            of(&|r| r.first_peak_mib).show(1),
            peak.show(1),
            of(&|r| r.peak_mib - r.base_mib).show(1),
            if target {
                "< 100 MiB"
            } else {
                "— (at 100,000)"
            }
            .into(),
            if target {
                met(of(&|r| r.peak_mib - r.base_mib).median < 100.0).into()
            } else {
                "—".into()
            },
        ]);
    }
    table(
        "Catalogue import (embedded shape)",
        &format!(
            "Seconds and articles per second; the first import from the runtime's start. \
             Median of {run_count} runs (min–max)."
        ),
        &["sizes", "phase", "seconds", "articles/s"],
        &speed,
    );
    table(
        "Catalogue API calls",
        "From both simulators' request logs (last run), by route; ids shown as `{id}`. \
         Minimum: one `PUT /articles` per new or changed article (Ongoing has no batch \
         write) and the Centra product listing pages; an unchanged catalogue needs listing \
         calls only (\"only listing calls?\": no call but a `GET` in any run's idle poll). \
         Every service runs, so other flows' polls appear too.",
        &["sizes", "phase", "calls", "only listing calls?"],
        &calls,
    );
    table(
        "Catalogue footprint (embedded shape)",
        "Start-up: `Adapters::embedded` to every service serving. Peak RSS: `VmHWM` of the \
         bench process (runtime and both simulators with the catalogue, in one process), \
         reset before each run; \"above the simulators\": the peak minus the resident set \
         before the runtime started (the simulators and the seeded catalogue), the runtime's \
         share, which the target is about. Median of the runs (min–max).",
        &[
            "sizes",
            "start-up ms",
            "peak RSS after first import MiB",
            "peak RSS whole run MiB",
            "of which above the simulators MiB",
            "target",
            "met?",
        ],
        &memory,
    );
}
