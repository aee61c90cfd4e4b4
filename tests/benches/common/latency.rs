//! Event latency, one shipment at a time, as both shapes measure it: a good-to-go shipment in
//! Centra until its order is in the WMS (`PUT /orders` answered by ongoing-sim), then the WMS
//! order shipped with a waybill until the shipment is completed in Centra (`PUT /shipment`
//! answered by centra-sim); and the table rows of the runs of one way of triggering.

use std::time::{Duration, Instant};

use centra_wms_tests::e2e::Sims;

use super::process::Settings;
use super::shape::{Running, Shape};
use super::{
    LIMIT, Sim, WEBHOOK_TOKEN, last_seq, latency, met, order_written, percentile, point_webhooks,
    seed_catalogue, seed_order, ship, shipment_completed, spread, until, wait_call, wms_articles,
};

/// How the runtime learns of a change, and how slow the simulators answer.
#[derive(Debug, Clone)]
pub struct Trigger {
    /// Both simulators' webhooks point at the receivers (the polls at 15 minutes); else polls
    /// only, every `interval`.
    pub webhooks: bool,
    /// `settings.sync_interval`.
    pub interval: Duration,
    /// `latency_ms` on every API call of both simulators.
    pub latency_ms: u64,
    /// Shipments timed per run.
    pub shipments: usize,
}

impl Trigger {
    /// `settings.sync_interval` as the config writes it.
    pub fn sync_interval(&self) -> String {
        format!("{}s", self.interval.as_secs())
    }

    fn label(&self) -> String {
        if self.webhooks {
            "webhooks (polls every 15 min)".to_owned()
        } else {
            format!("polls only, every {}", self.sync_interval())
        }
    }
}

/// Milliseconds per shipment of one run: into the WMS, and shipped to completed.
#[derive(Debug, Default)]
pub struct Latencies {
    pub import: Vec<f64>,
    pub complete: Vec<f64>,
}

/// Times `trigger.shipments` shipments one at a time (numbered from `first`, one unit of one
/// of the first 10 sizes each) against the running services. With polls only, each shipment
/// is made good to go, and later shipped, at an instant spread over the interval (out of step
/// with the polls, as real changes are), so the figures average over where in the interval a
/// change falls.
pub async fn one_at_a_time(sims: &Sims, trigger: &Trigger, first: usize) -> Latencies {
    let mut ongoing = last_seq(sims, Sim::Ongoing).await;
    let mut centra = last_seq(sims, Sim::Centra).await;
    let mut latencies = Latencies::default();
    let count = trigger.shipments;
    // With polls only, each change waits a different part of the interval: the last call
    // answered came right after a poll, so the pause is where in the interval the change falls.
    let out_of_step = |k: usize| async move {
        if !trigger.webhooks {
            let step = (k * 7 % count) as f64 / count as f64;
            tokio::time::sleep(trigger.interval.mul_f64(step)).await;
        }
    };
    for n in first..first + count {
        out_of_step(n).await;
        let started = Instant::now();
        let id = seed_order(sims, n, 10, true).await;
        wait_call(sims, Sim::Ongoing, &mut ongoing, |e| {
            order_written(e) && e["body"]["orderNumber"] == id.as_str()
        })
        .await;
        latencies.import.push(ms(started));
        out_of_step(n + count / 2 + 1).await;
        let started = Instant::now();
        ship(sims, &id).await;
        wait_call(sims, Sim::Centra, &mut centra, |e| {
            shipment_completed(e) && e["body"]["shipment"] == id.as_str()
        })
        .await;
        latencies.complete.push(ms(started));
    }
    latencies
}

fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// Which of a run's latencies a row shows.
type Pick = fn(&Latencies) -> &Vec<f64>;

/// The columns of [`rows`].
pub const HEADERS: [&str; 9] = [
    "path",
    "trigger",
    "sim latency",
    "shipments",
    "p50 ms",
    "p99 ms",
    "max ms",
    "target",
    "met?",
];

/// Both paths' rows for the runs of one trigger: each cell the median of the runs' p50, p99
/// and max, with min and max; the target (p99 under 1 s) on the webhook import at 0 ms.
pub fn rows(trigger: &Trigger, runs: &[&Latencies]) -> Vec<Vec<String>> {
    let paths: [(&str, Pick); 2] = [
        ("Centra good-to-go → order in WMS", |l| &l.import),
        ("WMS shipped → completed in Centra", |l| &l.complete),
    ];
    paths
        .into_iter()
        .enumerate()
        .map(|(i, (path, pick))| {
            let of = |p: f64| {
                spread(
                    &runs
                        .iter()
                        .map(|l| percentile(pick(l), p))
                        .collect::<Vec<_>>(),
                )
            };
            let (p50, p99, max) = (of(0.5), of(0.99), of(1.0));
            let target = trigger.webhooks && trigger.latency_ms == 0 && i == 0;
            vec![
                path.to_owned(),
                trigger.label(),
                format!("{} ms", trigger.latency_ms),
                trigger.shipments.to_string(),
                p50.show(0),
                p99.show(0),
                max.show(0),
                if target { "p99 < 1000 ms" } else { "—" }.to_owned(),
                if target {
                    met(p99.median < 1000.0).to_owned()
                } else {
                    "—".to_owned()
                },
            ]
        })
        .collect()
}

/// The note both shapes' latency tables share after their first sentence.
pub fn note(runs: usize, poll: Duration) -> String {
    format!(
        "Milliseconds per shipment, one at a time, from the simulator control call to the \
         answered API call (request logs read every 5 ms). Each cell: median of {runs} runs \
         (min–max) of that run's p50/p99/max. \"sim latency\" is `latency_ms` on every API \
         call of both simulators. Polls only: the seed's default interval is 15 minutes, so \
         without webhooks a change waits interval/2 on average ({}s here; each shipment is made \
         good to go, and later shipped, at an instant spread over the interval).",
        poll.as_secs()
    )
}

/// The pause before a run is timed, so the start-up polls have settled.
pub const SETTLE: Duration = Duration::from_millis(500);

/// The settings of a runtime `trigger` runs against (`interval` is its `sync_interval`).
pub fn settings<'a>(trigger: &Trigger, interval: &'a str) -> Settings<'a> {
    Settings {
        sync_interval: interval,
        webhook_token: trigger.webhooks.then_some(WEBHOOK_TOKEN),
        ..Settings::default()
    }
}

/// Everything ready for `trigger` with the services started in `shape` against fresh
/// simulators: the catalogue (10 sizes) in the WMS, the webhooks pointed at the receivers when
/// `trigger` wants them, the simulators' latency set, the start-up polls settled.
pub async fn prepare(shape: Shape, trigger: &Trigger, test: &str) -> (Sims, Running) {
    let sims = Sims::start().await;
    seed_catalogue(&sims, 1).await;
    let interval = trigger.sync_interval();
    let running = Running::start(shape, &sims, &settings(trigger, &interval), test).await;
    until("the catalogue in the WMS", LIMIT, || async {
        wms_articles(&sims).await >= 10
    })
    .await;
    if trigger.webhooks {
        point_webhooks(&sims, running.config()).await;
    }
    latency(&sims, trigger.latency_ms).await;
    tokio::time::sleep(SETTLE).await;
    (sims, running)
}

/// One run of `trigger` in `shape` against fresh simulators and services.
pub async fn run_alone(shape: Shape, trigger: &Trigger) -> Latencies {
    let (sims, mut running) = prepare(shape, trigger, "bench latency").await;
    let latencies = one_at_a_time(&sims, trigger, 0).await;
    running.assert_running();
    running.stop().await;
    latencies
}
