//! A backlog of shipments imported and completed through Centra's GraphQL Integration API,
//! within the API's rate budget: 429s, the lowest each bucket fell to, and the calls per
//! shipment against the minimum.
//!
//! `cargo bench -p centra-wms-tests --bench graphql_budget [-- --n 100 --scale 10 --runs 3]`.
//! One run: the catalogue (100 sizes) is imported through GraphQL, the runtime stops, `n`
//! paid good-to-go shipments are made in Centra; the runtime starts again and imports them
//! into the WMS (timed until the `n`-th `PUT /orders`), stops, the WMS ships them all, and it
//! starts again and completes them in Centra (timed until the `n`-th answered
//! `completeShipment`). While both drains run, the bench reads centra-sim's buckets
//! (`GET /_sim/graphql/rate-limits`) every 100 ms and keeps the lowest `remainingQuota` of each.
//!
//! The quotas are the documented example quotas of a fresh instance (docs section 10: 20
//! requests, 150,000 complexity and 100 mutations per 10 s; 10,000, 20,000,000 and 1,000 per
//! hour; "may differ per client") times `scale`. Centra's windows are fixed (10 s and one hour),
//! so a backlog of thousands at scale 1 takes hours by design (1,000 mutations an hour); the
//! scale keeps the buckets' shape while the run fits a benchmark: the hourly mutation bucket
//! is then the binding one, and the governor must spread it (pace the surplus over the hour)
//! rather than spend it as a wall. `make bench` runs 5,000 shipments at scale 100 once (100,000
//! mutations an hour, paced at 52.8 a second: about 95 s), `make bench-large` 5,000 at
//! scale 20 (20,000 mutations an hour: the backlog fits one hour's budget).
//! Found with it: after each `rateLimits` reading the governor forgot the calls still in flight
//! and met a 429 loop (70 answers of 429 in 300 completions), and centra-sim refilled in whole
//! milliseconds; both fixed (`client_graphql::governor`'s module docs).
//!
//! Found with it as well: a completion read its shipment three times (order-sync's read, the
//! completion's own lookup of the id, the good-to-go poll's check of how it ended); now once
//! (`client_graphql::shipment_ids`, `detect::cancellations::remember_completed`).
//!
//! Calls per shipment are every GraphQL operation in centra-sim's log during the drain (the
//! polls of other flows included) divided by the shipments.

#[path = "common/mod.rs"]
#[allow(dead_code)]
mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use centra_wms_tests::e2e::{Sims, graphql_quota, graphql_quotas};
use common::{
    App, Sim, arg, config, last_seq, order_written, seed_catalogue, seed_order, ship, spread,
    table, wait_calls, wms_articles,
};
use domain::{CentraApi, Secret};
use platform_config::AppConfig;
use serde_json::Value;

/// Sizes in the catalogue the shipments draw from.
const SIZES: usize = 100;

/// One drain: seconds, shipments, GraphQL operations by name, 429s, the lowest remaining
/// quota of each bucket.
#[derive(Debug, Default, Clone)]
struct Drain {
    seconds: f64,
    shipments: usize,
    operations: BTreeMap<String, u64>,
    mutations: u64,
    refused: u64,
    lowest: BTreeMap<String, i64>,
}

/// One run's two drains.
#[derive(Debug, Default)]
struct Run {
    import: Drain,
    complete: Drain,
}

/// `shop1` on the Integration API with the simulator's token (the bench's `config` on the
/// Order API otherwise unchanged).
fn graphql_config(sims: &Sims) -> AppConfig {
    let mut config = config(sims, "5s", "");
    let shop = &mut config.settings.endpoints[0];
    shop.api = CentraApi::Graphql;
    shop.base_url = format!("{}/graphql", sims.centra.url());
    shop.secret = Secret::new("");
    shop.token = Some(Secret::new(centra_sim::graphql::DEFAULT_TOKEN));
    config
}

/// The documented quotas times `scale`, every bucket full.
async fn set_quotas(sims: &Sims, scale: u64) {
    sims.post(
        format!("{}/_sim/graphql/rate-limits", sims.centra.url()),
        &graphql_quotas(scale),
    )
    .await;
}

/// `TYPE/INTERVAL` (`MUTATION_COUNT/TEN_SECONDS`) -> remaining quota now.
async fn remaining(sims: &Sims) -> BTreeMap<String, i64> {
    let limits = sims
        .get(format!("{}/_sim/graphql/rate-limits", sims.centra.url()))
        .await;
    limits["buckets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|b| {
            (
                format!(
                    "{}/{}",
                    b["type"].as_str().unwrap_or("?"),
                    b["intervalSeconds"].as_str().unwrap_or("?")
                ),
                b["remainingQuota"].as_i64().unwrap_or(-1),
            )
        })
        .collect()
}

/// A completion Centra accepted.
fn completed(e: &Value) -> bool {
    operation(e).is_some_and(|o| o == "completeShipment")
        && e["status"].as_u64().is_some_and(|s| s < 300)
}

/// The GraphQL operation's first top-level field (`completeShipment`, `shipments`, ...).
fn operation(e: &Value) -> Option<&str> {
    e["graphql"]["fields"].get(0).and_then(Value::as_str)
}

/// Starts the runtime over `dir` and times until `count` calls of `sim` match `wanted`,
/// sampling the buckets meanwhile.
async fn drain(
    sims: &Arc<Sims>,
    config: &AppConfig,
    dir: &Path,
    sim: Sim,
    count: usize,
    wanted: fn(&Value) -> bool,
) -> Drain {
    let since = last_seq(sims, Sim::Centra).await;
    let mut cursor = last_seq(sims, sim).await;
    let done = Arc::new(AtomicBool::new(false));
    let sampler = tokio::spawn({
        let (sims, done) = (Arc::clone(sims), Arc::clone(&done));
        async move {
            let mut lowest: BTreeMap<String, i64> = BTreeMap::new();
            while !done.load(Ordering::Relaxed) {
                for (bucket, left) in remaining(&sims).await {
                    let low = lowest.entry(bucket).or_insert(left);
                    *low = (*low).min(left);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            lowest
        }
    });
    let started = Instant::now();
    let app = App::start(config, dir).await;
    wait_calls(sims, sim, &mut cursor, count, wanted).await;
    let seconds = started.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    let lowest = sampler.await.expect("sampler");
    let (entries, _) = common::answered(sims, Sim::Centra, since).await;
    app.stop().await;
    let mut drain = Drain {
        seconds,
        shipments: count,
        lowest,
        ..Drain::default()
    };
    for e in &entries {
        if e["graphql"].is_null() {
            continue;
        }
        if e["status"] == 429 {
            drain.refused += 1;
            continue;
        }
        if e["graphql"]["operationType"] == "mutation" {
            drain.mutations += 1;
        }
        let name = operation(e).unwrap_or("?").to_owned();
        *drain.operations.entry(name).or_default() += 1;
    }
    drain
}

async fn run(n: usize, scale: u64) -> Run {
    let sims = Arc::new(Sims::start().await);
    set_quotas(&sims, scale).await;
    seed_catalogue(&sims, SIZES / 10).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = graphql_config(&sims);
    let app = App::start(&config, dir.path()).await;
    let started = Instant::now();
    while wms_articles(&sims).await < SIZES {
        assert!(started.elapsed() < Duration::from_secs(120), "catalogue");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.stop().await;
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(seed_order(&sims, i, SIZES, true).await);
    }
    set_quotas(&sims, scale).await;
    let import = drain(&sims, &config, dir.path(), Sim::Ongoing, n, order_written).await;
    for id in &ids {
        ship(&sims, id).await;
    }
    set_quotas(&sims, scale).await;
    let complete = drain(&sims, &config, dir.path(), Sim::Centra, n, completed).await;
    Run { import, complete }
}

/// `op ×count` per shipment, most first.
fn per_shipment(drain: &Drain) -> String {
    let mut ops: Vec<(&String, &u64)> = drain.operations.iter().collect();
    ops.sort_by(|a, b| b.1.cmp(a.1));
    ops.iter()
        .map(|(op, count)| format!("`{op}` {:.2}", **count as f64 / drain.shipments as f64))
        .collect::<Vec<_>>()
        .join(", ")
}

fn main() {
    let n: usize = arg("n", 100);
    let scale: u64 = arg("scale", 10);
    let runs: usize = arg("runs", 3);
    let tokio = common::tokio();
    let results: Vec<Run> = (0..runs).map(|_| tokio.block_on(run(n, scale))).collect();
    let mut rows = Vec::new();
    let mut calls = Vec::new();
    for (what, pick, minimum) in [
        (
            "good-to-go shipments → WMS orders",
            (|r: &Run| &r.import) as fn(&Run) -> &Drain,
            "1/page of `shipments` (the good-to-go list reads a page of them, each with its \
             lines); no mutation",
        ),
        (
            "shipped WMS orders → completed in Centra",
            |r: &Run| &r.complete,
            "1 `completeShipment` (the one mutation; capture off) + 1 read of the shipment's \
             current state (`paid`, not completed: money is never guessed)",
        ),
    ] {
        let of = |f: &dyn Fn(&Drain) -> f64| {
            spread(&results.iter().map(|r| f(pick(r))).collect::<Vec<_>>())
        };
        let hour_mutations = graphql_quota("MUTATION_COUNT", "ONE_HOUR", scale);
        // The governor's even pace for a full hourly bucket: its refill plus the surplus above
        // the 10% reserve spread over the hour (governor module docs).
        let pace = (hour_mutations as f64 + 0.9 * hour_mutations as f64) / 3600.0;
        // The lowest bucket `kind`'s 10 s window fell to, "of" its quota.
        let lowest = |kind: &str| {
            of(&|d| {
                d.lowest
                    .get(&format!("{kind}/TEN_SECONDS"))
                    .copied()
                    .unwrap_or(-1) as f64
            })
            .show(0)
                + &format!(" of {}", graphql_quota(kind, "TEN_SECONDS", scale))
        };
        rows.push(vec![
            what.to_owned(),
            n.to_string(),
            of(&|d| d.shipments as f64 / d.seconds).show(1),
            of(&|d| d.mutations as f64 / d.seconds).show(2),
            format!("{pace:.2}"),
            of(&|d| d.refused as f64).show(0),
            lowest("MUTATION_COUNT"),
            lowest("REQUEST_COUNT"),
            of(&|d| d.mutations as f64 / hour_mutations as f64 * 100.0).show(1),
            met(&results, pick).to_owned(),
        ]);
        let last = pick(&results[results.len() - 1]);
        calls.push(vec![
            what.to_owned(),
            per_shipment(last),
            format!("{:.2}", last.mutations as f64 / last.shipments as f64),
            minimum.to_owned(),
        ]);
    }
    table(
        &format!("GraphQL rate budget (embedded shape, quotas ×{scale})"),
        &format!(
            "Shipments per second from the runtime's start until the last one is written, the \
             mutations per second Centra saw against the governor's even pace of a full hourly \
             mutation bucket (its refill plus the surplus above a 10% reserve spread over the \
             hour; a short burst may run ahead by 10 s of pace), 429 answers, and the lowest \
             each 10 s bucket fell to (sampled every 100 ms), with the documented example \
             quotas times {scale}; `hour used` is the drain's mutations as a share of the \
             hourly mutation quota. Median of {runs} runs (min–max)."
        ),
        &[
            "drain",
            "shipments",
            "shipments /s",
            "mutations /s",
            "hourly pace /s",
            "429s",
            "lowest mutations left (10 s)",
            "lowest requests left (10 s)",
            "hour used %",
            "zero 429s?",
        ],
        &rows,
    );
    table(
        "GraphQL calls per shipment (embedded shape)",
        "Every GraphQL operation in centra-sim's log during the drain (polls of other flows \
         included) divided by the shipments, by top-level field; of the last run.",
        &["per", "operations", "mutations", "minimum, why"],
        &calls,
    );
}

/// `yes` when no run of the drain was answered a 429.
fn met(results: &[Run], pick: fn(&Run) -> &Drain) -> &'static str {
    common::met(results.iter().all(|r| pick(r).refused == 0))
}
