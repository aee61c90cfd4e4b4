//! The distributed shape as deployed: the six services as separate OS processes
//! (`centra-wms serve SERVICE`) over this machine's NATS JetStream and PostgreSQL (a fresh
//! database and stream prefix per run), against both simulators (in the bench process).
//! Measures the event latency with webhooks, each service's start-up to ready and its
//! resident memory idle and after the run.
//!
//! `cargo bench -p centra-wms-tests --bench distributed [-- --n 10 --centra-wms PATH]`. Needs
//! `NATS_URL` and `DATABASE_URL` and a built `centra-wms` binary: `--centra-wms`, else the
//! one beside the bench's own profile folder (`make bench` builds it in release first). One
//! run: the six processes start at once, each timed from its spawn until `/readyz` answers 200;
//! the catalogue (10 sizes) is imported, both simulators' webhooks point at the gateways' receivers
//! (polls at the seed's 15 minutes), and after 2 s each process's `VmRSS` is its idle figure.
//! Then `n` shipments one at a time, as `order_latency` does in the embedded shape: good to go
//! in centra-sim until ongoing-sim answered its `PUT /orders`, then shipped in ongoing-sim until
//! centra-sim answered its `PUT /shipment`, at 0 ms simulated latency. After the run each
//! process's `VmRSS` and `VmHWM` (its peak). Every figure: median of 3 runs with min and max.
//! The backlog drains and calls per record in this shape: `distributed_drain`.

#[path = "common/mod.rs"]
#[allow(dead_code)]
mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use centra_wms_tests::e2e::Sims;
use common::deployment::Deployment;
use common::process::{SERVICES, Settings, binary};
use common::{
    RUNS, Sim, arg, last_seq, met, order_written, percentile, point_webhooks, seed_catalogue,
    seed_order, ship, shipment_completed, spread, table, until, wait_call, wms_articles,
};

/// The longest the catalogue may take to be imported.
const LIMIT: Duration = Duration::from_secs(120);

/// One run's figures, per service in the order of [`SERVICES`].
struct Run {
    ready_ms: Vec<f64>,
    idle_mib: Vec<f64>,
    after_mib: Vec<f64>,
    peak_mib: Vec<f64>,
    import: Vec<f64>,
    complete: Vec<f64>,
}

async fn run(binary: &Path, shipments: usize) -> Run {
    let sims = Sims::start().await;
    seed_catalogue(&sims, 1).await;
    // Webhooks on, polls at the seed's 15 minutes.
    let settings = Settings {
        sync_interval: "15m",
        webhook_token: Some(common::WEBHOOK_TOKEN),
        ..Settings::default()
    };
    let mut deployment = Deployment::start(binary, &sims, &settings, "bench distributed").await;
    let ready_ms = deployment.ready().await;
    until("the catalogue in the WMS", LIMIT, || async {
        wms_articles(&sims).await >= 10
    })
    .await;
    point_webhooks(&sims, &deployment.config).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_mib = deployment.memory_mib("VmRSS:");

    let mut ongoing = last_seq(&sims, Sim::Ongoing).await;
    let mut centra = last_seq(&sims, Sim::Centra).await;
    let (mut import, mut complete) = (Vec::new(), Vec::new());
    for n in 0..shipments {
        let started = Instant::now();
        let id = seed_order(&sims, n, 10, true).await;
        wait_call(&sims, Sim::Ongoing, &mut ongoing, |e| {
            order_written(e) && e["body"]["orderNumber"] == id.as_str()
        })
        .await;
        import.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        ship(&sims, &id).await;
        wait_call(&sims, Sim::Centra, &mut centra, |e| {
            shipment_completed(e) && e["body"]["shipment"] == id.as_str()
        })
        .await;
        complete.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    deployment.assert_running();
    let after_mib = deployment.memory_mib("VmRSS:");
    let peak_mib = deployment.memory_mib("VmHWM:");
    deployment.remove().await;
    Run {
        ready_ms,
        idle_mib,
        after_mib,
        peak_mib,
        import,
        complete,
    }
}

fn main() {
    let shipments: usize = arg("n", 10);
    let binary = binary();
    let tokio = common::tokio();
    let runs: Vec<Run> = (0..RUNS)
        .map(|_| tokio.block_on(run(&binary, shipments)))
        .collect();

    let mut latency = Vec::new();
    for (path, pick) in [
        (
            "Centra good-to-go → order in WMS",
            (|r: &Run| r.import.clone()) as fn(&Run) -> Vec<f64>,
        ),
        ("WMS shipped → completed in Centra", |r: &Run| {
            r.complete.clone()
        }),
    ] {
        let of = |p: f64| {
            spread(
                &runs
                    .iter()
                    .map(|r| percentile(&pick(r), p))
                    .collect::<Vec<_>>(),
            )
        };
        let (p50, p99, max) = (of(0.5), of(0.99), of(1.0));
        let target = path.starts_with("Centra");
        latency.push(vec![
            path.to_owned(),
            shipments.to_string(),
            p50.show(0),
            p99.show(0),
            max.show(0),
            if target { "p99 < 1000 ms" } else { "—" }.to_owned(),
            if target {
                met(p99.median < 1000.0).to_owned()
            } else {
                "—".to_owned()
            },
        ]);
    }
    table(
        "Event latency (distributed shape)",
        &format!(
            "Six `centra-wms serve` processes over NATS JetStream and PostgreSQL, webhooks on \
             (polls every 15 min), 0 ms simulated latency. Milliseconds per shipment, one at a \
             time, from the simulator control call to the answered API call (request logs read \
             every 5 ms). Each cell: median of {RUNS} runs (min–max) of that run's p50/p99/max."
        ),
        &[
            "path",
            "shipments",
            "p50 ms",
            "p99 ms",
            "max ms",
            "target",
            "met?",
        ],
        &latency,
    );

    let of = |i: usize, f: fn(&Run) -> &Vec<f64>| {
        spread(&runs.iter().map(|r| f(r)[i]).collect::<Vec<_>>())
    };
    let mut footprint: Vec<Vec<String>> = SERVICES
        .iter()
        .enumerate()
        .map(|(i, service)| {
            vec![
                (*service).to_owned(),
                of(i, |r| &r.ready_ms).show(0),
                of(i, |r| &r.idle_mib).show(1),
                of(i, |r| &r.after_mib).show(1),
                of(i, |r| &r.peak_mib).show(1),
            ]
        })
        .collect();
    let total = |f: fn(&Run) -> &Vec<f64>, max: bool| {
        spread(
            &runs
                .iter()
                .map(|r| {
                    if max {
                        f(r).iter().copied().fold(0.0, f64::max)
                    } else {
                        f(r).iter().sum()
                    }
                })
                .collect::<Vec<_>>(),
        )
    };
    footprint.push(vec![
        "all six (start-up: the last ready; memory: the sum)".to_owned(),
        total(|r| &r.ready_ms, true).show(0),
        total(|r| &r.idle_mib, false).show(1),
        total(|r| &r.after_mib, false).show(1),
        total(|r| &r.peak_mib, false).show(1),
    ]);
    table(
        "Footprint (distributed shape)",
        &format!(
            "Per process: start-up from its spawn (all six at once) until `/readyz` answers \
             200 (store, bus and database there); resident set (`VmRSS` of \
             `/proc/<pid>/status`) idle, 2 s after the catalogue import, and after the \
             latency run of {shipments} shipments; its peak (`VmHWM`) over the whole run. \
             Median of {RUNS} runs (min–max)."
        ),
        &[
            "service",
            "start-up to ready ms",
            "RSS idle MiB",
            "RSS after the run MiB",
            "peak RSS MiB",
        ],
        &footprint,
    );
}
