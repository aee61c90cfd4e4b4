//! Event latency in the embedded shape: a good-to-go shipment in Centra until its order is in
//! the WMS (`PUT /orders` answered by ongoing-sim), and a WMS order shipped with a waybill
//! until the shipment is completed in Centra (`PUT /shipment` answered by centra-sim).
//!
//! `cargo bench -p centra-wms-tests --bench order_latency [-- --n 50 --poll-n 10
//! --poll-interval-s 2]`. One shipment at a time (a latency, not a throughput), timed from the
//! control call that makes the shipment good to go (or ships the WMS order) to the answered API
//! call, read from the simulators' request logs every 5 ms. Modes: webhooks on both
//! simulators with the polls at 15 minutes (the seed's default, so only webhooks wake them), at
//! 0 ms and 50 ms simulated latency on every API call; then polls only, at a short interval.
//! Every figure is the median of 3 runs (fresh simulators and runtime) with min and max.

#[path = "common/mod.rs"]
#[allow(dead_code)]
mod common;

use std::time::{Duration, Instant};

use centra_wms_tests::e2e::Sims;
use common::{
    App, RUNS, Sim, arg, config, last_seq, latency, met, order_written, percentile, point_webhooks,
    seed_catalogue, seed_order, ship, shipment_completed, spread, table, wait_call, wms_articles,
};

/// How one run is set up.
#[derive(Debug, Clone)]
struct Mode {
    webhooks: bool,
    interval: String,
    latency_ms: u64,
    shipments: usize,
    /// `interval` as a duration (the polls-only runs spread the shipments over it).
    poll_interval: Duration,
}

/// Milliseconds per shipment: into the WMS, and shipped to completed.
struct Sample {
    import: Vec<f64>,
    complete: Vec<f64>,
}

async fn run(mode: &Mode) -> Sample {
    let sims = Sims::start().await;
    seed_catalogue(&sims, 1).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config(&sims, &mode.interval, "");
    let app = App::start(&config, dir.path()).await;
    let started = Instant::now();
    while wms_articles(&sims).await < 10 {
        assert!(started.elapsed() < Duration::from_secs(60), "catalogue");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if mode.webhooks {
        point_webhooks(&sims, &config).await;
    }
    latency(&sims, mode.latency_ms).await;
    // Let the start-up polls settle.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut ongoing = last_seq(&sims, Sim::Ongoing).await;
    let mut centra = last_seq(&sims, Sim::Centra).await;
    let mut sample = Sample {
        import: Vec::new(),
        complete: Vec::new(),
    };
    for n in 0..mode.shipments {
        if !mode.webhooks {
            // Out of step with the polls, as real shipments are: 0..interval, spread evenly.
            let step = (n * 7 % mode.shipments) as f64 / mode.shipments as f64;
            tokio::time::sleep(mode.poll_interval.mul_f64(step)).await;
        }
        let started = Instant::now();
        let id = seed_order(&sims, n, 10, true).await;
        wait_call(&sims, Sim::Ongoing, &mut ongoing, |e| {
            order_written(e) && e["body"]["orderNumber"] == id.as_str()
        })
        .await;
        sample.import.push(started.elapsed().as_secs_f64() * 1000.0);

        let started = Instant::now();
        ship(&sims, &id).await;
        wait_call(&sims, Sim::Centra, &mut centra, |e| {
            shipment_completed(e) && e["body"]["shipment"] == id.as_str()
        })
        .await;
        sample
            .complete
            .push(started.elapsed().as_secs_f64() * 1000.0);
    }
    app.stop().await;
    sample
}

fn main() {
    let shipments: usize = arg("n", 50);
    let poll_shipments: usize = arg("poll-n", 10);
    let poll_secs: u64 = arg("poll-interval-s", 2);
    let poll_interval = format!("{poll_secs}s");
    let every = Duration::from_secs(poll_secs);
    let tokio = common::tokio();
    let modes = [
        Mode {
            webhooks: true,
            interval: "15m".into(),
            latency_ms: 0,
            shipments,
            poll_interval: every,
        },
        Mode {
            webhooks: true,
            interval: "15m".into(),
            latency_ms: 50,
            shipments,
            poll_interval: every,
        },
        Mode {
            webhooks: false,
            interval: poll_interval.clone(),
            latency_ms: 0,
            shipments: poll_shipments,
            poll_interval: every,
        },
    ];
    let mut rows = Vec::new();
    for mode in &modes {
        let samples: Vec<Sample> = (0..RUNS).map(|_| tokio.block_on(run(mode))).collect();
        let trigger = if mode.webhooks {
            "webhooks (polls every 15 min)".to_owned()
        } else {
            format!("polls only, every {}", mode.interval)
        };
        for (path, pick) in [
            (
                "Centra good-to-go → order in WMS",
                (|s: &Sample| s.import.clone()) as fn(&Sample) -> Vec<f64>,
            ),
            ("WMS shipped → completed in Centra", |s: &Sample| {
                s.complete.clone()
            }),
        ] {
            let of = |p: f64| {
                spread(
                    &samples
                        .iter()
                        .map(|s| percentile(&pick(s), p))
                        .collect::<Vec<_>>(),
                )
            };
            let (p50, p99, max) = (of(0.5), of(0.99), of(1.0));
            let target = mode.webhooks && mode.latency_ms == 0 && path.starts_with("Centra");
            rows.push(vec![
                path.to_owned(),
                trigger.clone(),
                format!("{} ms", mode.latency_ms),
                mode.shipments.to_string(),
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
    }
    table(
        "Event latency (embedded shape)",
        &format!(
            "Milliseconds per shipment, one at a time, from the simulator control call to the \
             answered API call (request logs read every 5 ms). Each cell: median of {RUNS} runs \
             (min–max) of that run's p50/p99/max. \"sim latency\" is `latency_ms` on every API \
             call of both simulators. Polls only: the seed's default interval is 15 minutes, \
             so without webhooks a shipment waits interval/2 on average ({poll_interval} here; \
             the shipments are made at instants spread over the interval)."
        ),
        &[
            "path",
            "trigger",
            "sim latency",
            "shipments",
            "p50 ms",
            "p99 ms",
            "max ms",
            "target",
            "met?",
        ],
        &rows,
    );
}
