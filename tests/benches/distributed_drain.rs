//! Backlog drain in the distributed shape (six `centra-wms serve` processes over NATS JetStream
//! and PostgreSQL, as `distributed` runs them), against the same minimal clients as
//! `backlog_drain` in the embedded shape, and the API calls per record on the way.
//!
//! `cargo bench -p centra-wms-tests --bench distributed_drain [-- --k 1000 --complete 100
//! --capture 20 --slow-k 100 --rps 10 --runs 3 --centra-wms PATH]`: the same arguments and
//! scenarios as `backlog_drain`; the binary as in `distributed`. One run: the six processes
//! start (polls every 5 s, no webhooks: a backlog is what a poll finds) and import the
//! catalogue (100 sizes). The import: centra-gateway is stopped, `k` good-to-go shipments are
//! made in Centra (the last `capture` unpaid), and it is spawned again, as when a gateway is
//! redeployed or was down while orders came in; timed from its spawn until the `k`-th `PUT
//! /orders` is answered (the other five keep running). The completion: ongoing-gateway is
//! stopped, `complete` orders are shipped in the WMS, and it is spawned again; timed until the
//! `complete`-th `PUT /shipment`. Capture on: all six stop, the unpaid orders are shipped, the
//! settings say `capture = "on_completion"`, all six are spawned and timed until those are
//! completed. Then the processes are removed and the minimal clients run in the same
//! simulators. Peak RSS per service: each process's `VmHWM`, reset (`clear_refs`) before the
//! drain, read when it ends. Every figure: median of the runs with min and max.

#[path = "common/mod.rs"]
#[allow(dead_code)]
mod common;

use std::path::Path;

use centra_wms_tests::e2e::Sims;
use common::cpu::shared_label;
use common::deployment::Deployment;
use common::drain::{
    CALLS_HEADERS, DRAIN_HEADERS, Drain, DrainStart, DrainTables, Drains, Scenario, drain_note,
    rows, scenarios,
};
use common::minimal::{BENCH_PROCESS, minimal_complete, minimal_import};
use common::process::{SERVICES, Settings, binary};
use common::wms_time::{WMS_TIME_HEADERS, WMS_TIME_NOTE};
use common::{
    LIMIT, Sim, latency, order_written, seed_catalogue, seed_order, ship, shipment_completed,
    spread, table, until, wms_articles,
};
use serde_json::Value;

/// Sizes in the catalogue the shipments draw from (as in `backlog_drain`).
const SIZES: usize = 100;

/// One run's results.
struct Run {
    drains: Drains,
    /// Each process's peak RSS during the import and the completion drain, in the order of
    /// [`SERVICES`].
    import_peak_mib: Vec<f64>,
    complete_peak_mib: Vec<f64>,
}

/// Spawns `services` (stopped before) and times until `count` calls matching `wanted` were
/// answered by `sim`; the drain and each process's peak RSS during it.
async fn drain(
    sims: &Sims,
    deployment: &mut Deployment,
    services: &[&'static str],
    sim: Sim,
    count: usize,
    wanted: fn(&Value) -> bool,
) -> (Drain, Vec<f64>) {
    deployment.reset_peaks();
    let start = DrainStart::now(sims).await;
    for service in services {
        deployment.spawn(service);
    }
    let services = deployment.pids();
    let drain = start
        .finish(
            sims,
            (sim, count, wanted),
            |pid, comm| match services.iter().find(|(p, _)| *p == pid) {
                Some((_, service)) => (*service).to_owned(),
                None => shared_label(pid, comm, BENCH_PROCESS),
            },
            || deployment.assert_running(),
        )
        .await;
    (drain, deployment.memory_mib("VmHWM:"))
}

async fn run(binary: &Path, s: Scenario) -> Run {
    let sims = Sims::start().await;
    seed_catalogue(&sims, SIZES / 10).await;
    let plain = Settings {
        requests_per_second: Some(s.rps),
        ..Settings::default()
    };
    let mut deployment = Deployment::start(binary, &sims, &plain, "bench distributed drain").await;
    deployment.ready().await;
    until("the catalogue in the WMS", LIMIT, || async {
        wms_articles(&sims).await >= SIZES
    })
    .await;
    latency(&sims, s.latency_ms).await;

    // The backlog waits while centra-gateway is down: paid shipments, the last `capture` unpaid.
    deployment.stop("centra-gateway");
    let mut ids = Vec::new();
    for n in 0..s.import {
        ids.push(seed_order(&sims, n, SIZES, n < s.import - s.capture).await);
    }
    let (import, import_peak_mib) = drain(
        &sims,
        &mut deployment,
        &["centra-gateway"],
        Sim::Ongoing,
        s.import,
        order_written,
    )
    .await;

    deployment.stop("ongoing-gateway");
    for id in &ids[..s.complete] {
        ship(&sims, id).await;
    }
    let (complete, complete_peak_mib) = drain(
        &sims,
        &mut deployment,
        &["ongoing-gateway"],
        Sim::Centra,
        s.complete,
        shipment_completed,
    )
    .await;

    deployment.stop_all();
    for id in &ids[s.import - s.capture..] {
        ship(&sims, id).await;
    }
    deployment.write_settings(
        &sims,
        &Settings {
            extra: r#"capture = "on_completion""#,
            ..plain
        },
    );
    let (capture, _) = drain(
        &sims,
        &mut deployment,
        &SERVICES,
        Sim::Centra,
        s.capture,
        shipment_completed,
    )
    .await;
    // Nothing of ours runs while the minimal clients do (a running gateway would import the
    // shipments `minimal_complete` makes).
    deployment.remove().await;
    let minimal_import = minimal_import(&sims, s.import, s.waiting(), s.rps).await;

    Run {
        drains: Drains {
            import,
            complete,
            capture,
            minimal_import,
            minimal_complete: minimal_complete(&sims, s.complete, SIZES, s.rps).await,
        },
        import_peak_mib,
        complete_peak_mib,
    }
}

fn main() {
    let (scenarios, run_count) = scenarios();
    let rps = scenarios[0].rps;
    let binary = binary();
    let tokio = common::tokio();
    let mut tables = DrainTables::default();
    let mut footprint = Vec::new();
    for s in scenarios {
        let runs: Vec<Run> = (0..run_count)
            .map(|_| tokio.block_on(run(&binary, s)))
            .collect();
        tables.extend(rows(
            &s,
            &runs.iter().map(|r| &r.drains).collect::<Vec<_>>(),
        ));
        if s.latency_ms == 0 {
            let of = |i: usize, f: fn(&Run) -> &Vec<f64>| {
                spread(&runs.iter().map(|r| f(r)[i]).collect::<Vec<_>>())
            };
            footprint.extend(SERVICES.iter().enumerate().map(|(i, service)| {
                vec![
                    (*service).to_owned(),
                    of(i, |r| &r.import_peak_mib).show(1),
                    of(i, |r| &r.complete_peak_mib).show(1),
                ]
            }));
        }
    }
    table(
        "Backlog drain (distributed shape)",
        &drain_note(
            "the spawn of the gateway that was down while the backlog grew (the other five \
             running)",
            rps,
            run_count,
        ),
        &DRAIN_HEADERS,
        &tables.drains,
    );
    table(
        "WMS time in the import drain (distributed shape)",
        WMS_TIME_NOTE,
        &WMS_TIME_HEADERS,
        &tables.wms_time,
    );
    tables.print_cpu("distributed");
    table(
        "API calls per record (distributed shape, 0 ms)",
        "Every call in the simulators' request logs during the drain divided by the records \
         (the gateways' polls of other flows included), by route; ids shown as `{id}`. The \
         capture-on drain spawns all six processes, so their start-up polls are in it.",
        &CALLS_HEADERS,
        &tables.calls,
    );
    table(
        "Footprint of the drains (distributed shape, 0 ms)",
        "Peak resident set (`VmHWM`) of each process during the drain, reset with \
         `clear_refs` just before it (the restarted gateway: from its spawn). Median of the \
         runs (min–max).",
        &["service", "peak RSS import MiB", "peak RSS complete MiB"],
        &footprint,
    );
}
