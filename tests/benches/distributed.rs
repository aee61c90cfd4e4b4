//! The distributed shape as deployed: the six services as separate OS processes
//! (`centra-wms serve SERVICE`) over this machine's NATS JetStream and PostgreSQL (a fresh
//! database and stream prefix per run), against both simulators (in the bench process).
//! Measures the event latency, each service's start-up to ready and its resident memory idle
//! and after the run.
//!
//! `cargo bench -p centra-wms-tests --bench distributed [-- --n 10 --poll-n 3
//! --poll-interval-s 2 --centra-wms PATH]`. Needs `NATS_URL` and `DATABASE_URL` and a built
//! `centra-wms` binary: `--centra-wms`, else the one beside the bench's own profile folder
//! (`make bench` builds it in release first). One run: the six processes start at once, each
//! timed from its spawn until `/readyz` answers 200; the catalogue (10 sizes) is imported, both
//! simulators' webhooks point at the gateways' receivers (polls at the seed's 15 minutes), and
//! after 2 s each process's `VmRSS` is its idle figure. Then `n` shipments one at a time, as
//! `order_latency` does in the embedded shape, at 0 ms and then `n` more at 50 ms simulated
//! latency; after them each process's `VmRSS` and `VmHWM` (its peak). Then polls only: a
//! fresh deployment polling every `poll-interval-s` with no webhooks, `poll-n` shipments made
//! at instants spread over the interval. Every figure: median of 3 runs with min and max. The
//! backlog drains and calls per record in this shape: `distributed_drain` and `record_calls`.

#[path = "common/mod.rs"]
#[allow(dead_code)]
mod common;

use std::path::Path;
use std::time::Duration;

use centra_wms_tests::e2e::Sims;
use common::deployment::Deployment;
use common::latency::{
    self, HEADERS, Latencies, SETTLE, Trigger, note, one_at_a_time, rows, run_alone,
};
use common::process::{SERVICES, binary};
use common::shape::Shape;
use common::{
    LIMIT, RUNS, arg, point_webhooks, seed_catalogue, spread, table, until, wms_articles,
};

/// One run's figures: per service in the order of [`SERVICES`], and the latencies of the two
/// webhook triggers.
struct Run {
    ready_ms: Vec<f64>,
    idle_mib: Vec<f64>,
    after_mib: Vec<f64>,
    peak_mib: Vec<f64>,
    webhooks: [Latencies; 2],
}

/// The deployment with webhooks: start-up, memory, and `triggers` (0 ms, then 50 ms) one
/// after the other in it.
async fn run(binary: &Path, triggers: &[Trigger; 2]) -> Run {
    let sims = Sims::start().await;
    seed_catalogue(&sims, 1).await;
    let interval = triggers[0].sync_interval();
    let settings = latency::settings(&triggers[0], &interval);
    let mut deployment = Deployment::start(binary, &sims, &settings, "bench distributed").await;
    let ready_ms = deployment.ready().await;
    until("the catalogue in the WMS", LIMIT, || async {
        wms_articles(&sims).await >= 10
    })
    .await;
    point_webhooks(&sims, &deployment.config).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_mib = deployment.memory_mib("VmRSS:");

    let mut first = 0;
    let mut webhooks = Vec::new();
    for trigger in triggers {
        common::latency(&sims, trigger.latency_ms).await;
        tokio::time::sleep(SETTLE).await;
        webhooks.push(one_at_a_time(&sims, trigger, first).await);
        first += trigger.shipments;
    }
    deployment.assert_running();
    let after_mib = deployment.memory_mib("VmRSS:");
    let peak_mib = deployment.memory_mib("VmHWM:");
    deployment.remove().await;
    let [at_0, at_50]: [Latencies; 2] = webhooks.try_into().expect("two triggers");
    Run {
        ready_ms,
        idle_mib,
        after_mib,
        peak_mib,
        webhooks: [at_0, at_50],
    }
}

fn main() {
    let shipments: usize = arg("n", 10);
    let poll_shipments: usize = arg("poll-n", 3);
    let poll = Duration::from_secs(arg("poll-interval-s", 2));
    let binary = binary();
    let webhooks = |latency_ms| Trigger {
        webhooks: true,
        interval: Duration::from_secs(15 * 60),
        latency_ms,
        shipments,
    };
    let triggers = [webhooks(0), webhooks(50)];
    let polls = Trigger {
        webhooks: false,
        interval: poll,
        latency_ms: 0,
        shipments: poll_shipments,
    };
    let tokio = common::tokio();
    let runs: Vec<Run> = (0..RUNS)
        .map(|_| tokio.block_on(run(&binary, &triggers)))
        .collect();
    let polled: Vec<Latencies> = (0..RUNS)
        .map(|_| tokio.block_on(run_alone(Shape::Distributed, &polls)))
        .collect();

    let mut latency = Vec::new();
    for (i, trigger) in triggers.iter().enumerate() {
        latency.extend(rows(
            trigger,
            &runs.iter().map(|r| &r.webhooks[i]).collect::<Vec<_>>(),
        ));
    }
    latency.extend(rows(&polls, &polled.iter().collect::<Vec<_>>()));
    table(
        "Event latency (distributed shape)",
        &format!(
            "Six `centra-wms serve` processes over NATS JetStream and PostgreSQL; with \
             webhooks, the 0 ms and the 50 ms shipments run one after the other in one \
             deployment, the polls-only ones in another. {}",
            note(RUNS, poll)
        ),
        &HEADERS,
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
             latency runs with webhooks ({shipments} shipments at 0 ms, {shipments} at 50 ms); \
             its peak (`VmHWM`) over the whole run. Median of {RUNS} runs (min–max)."
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
