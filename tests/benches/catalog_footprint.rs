//! The embedded runtime's own memory while it imports a whole catalogue: `centra-wms run` (every
//! service in one process, SQLite bus and stores) as its own OS process against both
//! simulators, which run in the bench process. `catalog_import` measures the same import inside
//! the bench process, where the simulators' catalogue and request logs and the bench's copies
//! of them share the peak; here the process holds only the runtime, so its `VmHWM` is what a
//! merchant's machine needs (the target: under 100 MiB at 100,000 sizes).
//!
//! `cargo bench -p centra-wms-tests --bench catalog_footprint [-- --sizes 2000 --shipments
//! 1000 --runs 3 --centra-wms PATH]`: the binary as in `distributed` (`make bench` builds it
//! in release first). Per run: the process starts, imports the catalogue (timed from its spawn
//! to the last `PUT /articles` answered), then one poll interval (5 s) with nothing changed;
//! its `VmRSS` after the import and after the idle poll, and its `VmHWM` over the whole run.
//! Then the backlog drain's memory (the issue's footprint "during the drain", which
//! `backlog_drain` cannot tell apart from the simulators in its process): `--shipments` paid
//! good-to-go shipments are seeded, the process's peak is reset (`clear_refs`), and its
//! `VmHWM` is read once the last `PUT /orders` was answered. Every figure: the median of the
//! runs with min and max.

#[path = "common/mod.rs"]
#[allow(dead_code)]
mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use centra_wms_tests::e2e::{SIZES_PER_PRODUCT, Sims, free_port};
use common::process::{Process, Settings, binary, grpc_tables, sims_toml};
use common::{
    RUNS, Sim, answered, arg, met, order_written, seed_order, seed_sizes, spread, table, writes,
};

/// The longest the first import may take.
const IMPORT_LIMIT: Duration = Duration::from_secs(3600);

/// One run's figures.
struct Run {
    /// From the spawn to its first call to the WMS.
    first_call_ms: f64,
    first_s: f64,
    after_import_mib: f64,
    after_idle_mib: f64,
    peak_mib: f64,
    /// The drain of `--shipments` good-to-go shipments after the import, if any were asked.
    drain: Option<Drain>,
}

/// The process's backlog drain.
struct Drain {
    /// From the first `PUT /orders` answered to the last (the drain starts at the next poll).
    per_second: f64,
    before_mib: f64,
    /// `VmHWM` from the seeding of the backlog (peak reset) to its last order.
    peak_mib: f64,
    after_mib: f64,
}

/// The embedded runtime's settings: both simulators, the gateways polling every 5 s, SQLite in
/// `dir`, nothing listening on a fixed port.
fn config_text(sims: &Sims, dir: &Path) -> String {
    format!(
        r#"{sims}
[runtime]
mode = "embedded"
data_dir = "{data}"
log_filter = "warn"
centra_webhook_listen = "{centra_hook}"
ongoing_webhook_listen = "{ongoing_hook}"

[admin_web]
listen = "{admin}"

{grpc}"#,
        sims = sims_toml(sims, &Settings::default()),
        grpc = grpc_tables(),
        data = dir.join("data").display(),
        centra_hook = free_port(),
        ongoing_hook = free_port(),
        admin = free_port(),
    )
}

async fn run(binary: &Path, sizes: usize, shipments: usize) -> Run {
    let sims = Sims::start().await;
    let sizes = seed_sizes(&sims, sizes.div_ceil(SIZES_PER_PRODUCT)).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("centra-wms.toml");
    std::fs::write(&file, config_text(&sims, dir.path())).expect("config written");

    let mut process = Process::spawn(binary, "embedded", &["run"], &file, dir.path());
    // The embedded runtime serves no health endpoint: the import is watched in ongoing-sim's
    // request log, the process checked alive on every round.
    let (mut cursor, mut written, mut first_call_ms) = (0, 0, None);
    while written < sizes {
        process.assert_running();
        let (entries, next) = answered(&sims, Sim::Ongoing, cursor).await;
        cursor = next;
        if first_call_ms.is_none() && !entries.is_empty() {
            first_call_ms = Some(process.spawned.elapsed().as_secs_f64() * 1000.0);
        }
        written += entries.iter().filter(|e| writes(e, "/articles")).count();
        assert!(
            process.spawned.elapsed() < IMPORT_LIMIT,
            "{sizes} articles within {IMPORT_LIMIT:?} ({written} written)"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let first_s = process.spawned.elapsed().as_secs_f64();
    process.assert_running();
    let after_import_mib = process.memory_mib("VmRSS:");
    tokio::time::sleep(Duration::from_secs(7)).await;
    process.assert_running();
    let after_idle_mib = process.memory_mib("VmRSS:");
    let peak_mib = process.memory_mib("VmHWM:");
    let drain = if shipments > 0 {
        Some(drain(&sims, &mut process, cursor, sizes, shipments).await)
    } else {
        None
    };
    process.stop();
    Run {
        first_call_ms: first_call_ms.unwrap_or(f64::NAN),
        first_s,
        after_import_mib,
        after_idle_mib,
        peak_mib,
        drain,
    }
}

/// Seeds `shipments` paid good-to-go shipments of the imported `sizes` and waits until the
/// process wrote them all to the WMS (`cursor`: ongoing-sim's log read so far).
async fn drain(
    sims: &Sims,
    process: &mut Process,
    mut cursor: u64,
    sizes: usize,
    shipments: usize,
) -> Drain {
    let before_mib = process.memory_mib("VmRSS:");
    process.reset_peak();
    for n in 0..shipments {
        seed_order(sims, n, sizes, true).await;
    }
    let started = Instant::now();
    let (mut written, mut first, mut last) = (0, None, started);
    while written < shipments {
        process.assert_running();
        let (entries, next) = answered(sims, Sim::Ongoing, cursor).await;
        cursor = next;
        let now = written + entries.iter().filter(|e| order_written(e)).count();
        if now > written {
            first.get_or_insert_with(Instant::now);
            last = Instant::now();
        }
        written = now;
        assert!(
            started.elapsed() < IMPORT_LIMIT,
            "{shipments} orders within {IMPORT_LIMIT:?} ({written} written)"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seconds = last
        .duration_since(first.unwrap_or(started))
        .as_secs_f64()
        .max(f64::EPSILON);
    Drain {
        per_second: shipments.saturating_sub(1) as f64 / seconds,
        before_mib,
        peak_mib: process.memory_mib("VmHWM:"),
        after_mib: process.memory_mib("VmRSS:"),
    }
}

fn main() {
    let binary = binary();
    let runs: usize = arg("runs", RUNS);
    let shipments: usize = arg("shipments", 0);
    let mut sizes: Vec<usize> = Vec::new();
    let args: Vec<String> = std::env::args().collect();
    for pair in args.windows(2) {
        if pair[0] == "--sizes" {
            sizes.extend(pair[1].split(',').filter_map(|s| s.parse::<usize>().ok()));
        }
    }
    if sizes.is_empty() {
        sizes.push(2_000);
    }
    let tokio = common::tokio();
    let (mut rows, mut drains) = (Vec::new(), Vec::new());
    for size in sizes {
        let done: Vec<Run> = (0..runs.max(1))
            .map(|_| tokio.block_on(run(&binary, size, shipments)))
            .collect();
        let drained: Vec<&Drain> = done.iter().filter_map(|r| r.drain.as_ref()).collect();
        if !drained.is_empty() {
            let of = |f: &dyn Fn(&Drain) -> f64| {
                spread(&drained.iter().map(|d| f(d)).collect::<Vec<_>>())
            };
            drains.push(vec![
                size.to_string(),
                shipments.to_string(),
                drained.len().to_string(),
                of(&|d| d.per_second).show(1),
                of(&|d| d.before_mib).show(1),
                of(&|d| d.peak_mib).show(1),
                of(&|d| d.after_mib).show(1),
            ]);
        }
        let of = |f: &dyn Fn(&Run) -> f64| spread(&done.iter().map(f).collect::<Vec<_>>());
        let peak = of(&|r| r.peak_mib);
        let target = size >= 100_000;
        rows.push(vec![
            size.to_string(),
            done.len().to_string(),
            of(&|r| r.first_call_ms).show(0),
            of(&|r| r.first_s).show(1),
            of(&|r| size as f64 / r.first_s).show(0),
            of(&|r| r.after_import_mib).show(1),
            of(&|r| r.after_idle_mib).show(1),
            peak.show(1),
            if target {
                "< 100 MiB"
            } else {
                "— (at 100,000)"
            }
            .into(),
            if target {
                met(peak.median < 100.0).into()
            } else {
                "—".into()
            },
        ]);
    }
    table(
        "Catalogue footprint of the embedded process",
        "`centra-wms run` (every service, SQLite bus and stores) as its own process against \
         both simulators (in the bench process): from its spawn to its first call to the WMS; the \
         first import from its spawn to the last `PUT /articles` answered; `VmRSS` after the import \
         and after one 5 s poll with nothing changed; peak: its `VmHWM` over the run. Median of \
         the runs (min–max).",
        &[
            "sizes",
            "runs",
            "first WMS call ms",
            "first import s",
            "articles/s",
            "RSS after import MiB",
            "RSS after idle poll MiB",
            "peak RSS MiB",
            "target",
            "met?",
        ],
        &rows,
    );
    if !drains.is_empty() {
        table(
            "Drain footprint of the embedded process",
            "The same process after the catalogue and the idle poll: `--shipments` paid good-to-go \
             shipments seeded in centra-sim (each one unit of one imported size), its peak reset \
             (`/proc/<pid>/clear_refs`), then drained to the WMS by its polls (every 5 s, no \
             webhooks here). Orders per second from the first `PUT /orders` answered to the \
             last; `VmRSS` before the seeding and after the last order; peak: its `VmHWM` from \
             the seeding to the last order. Median of the runs (min–max).",
            &[
                "sizes",
                "shipments",
                "runs",
                "orders/s",
                "RSS before MiB",
                "peak RSS during the drain MiB",
                "RSS after MiB",
            ],
            &drains,
        );
    }
}
