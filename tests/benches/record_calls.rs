//! API calls per changed article, per stock change and per return, in the embedded and the
//! distributed shape, against the minimum the APIs allow.
//!
//! `cargo bench -p centra-wms-tests --bench record_calls [-- --articles 100 --changes 100
//! --returns 20 --shapes embedded,distributed]`. One run per shape, fresh simulators each: a
//! catalogue of at least `articles` and `changes` sizes (at least 10) with no stock in Centra
//! is imported into ongoing-sim, every article is counted to 10 units and Centra follows. Then,
//! measured from both simulators' request logs by route:
//!
//! - **changed articles**: `articles` sizes get a new price in Centra (their stock as counted),
//!   until ongoing-sim answered that many `PUT /articles`;
//! - **stock changes** (after `returns` paid shipments are imported, shipped and completed, and
//!   Centra follows their picks): `changes` articles each gain 3 units in the WMS (one manual
//!   stock move each, all at once), until Centra's physical stock shows every one of them;
//! - **returns**: each shipped order gets a customer return of its one unit in the WMS, until
//!   Centra shows every return and the WMS is told they are reported.
//!
//! Calls are divided by the records; every call of the window counts, the polls of other flows
//! included (every flow runs, polls every second). Each route's figure is the median of 3 runs
//! with min and max. The distributed shape runs the six `centra-wms serve` processes over
//! NATS and PostgreSQL (`NATS_URL`, `DATABASE_URL`, the binary as in `distributed`).

#[path = "common/mod.rs"]
#[allow(dead_code)]
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use centra_wms_tests::e2e::{SIZES_PER_PRODUCT, Sims, article_number, size_row};
use common::calls::Seqs;
use common::process::Settings;
use common::shape::{Running, Shape};
use common::{
    RUNS, Sim, arg, article_written, order_written, priced_row, seed_order, ship,
    shipment_completed, spread, table, until, wait_calls, wms_articles,
};
use serde_json::{Value, json};

/// Stock and returns flows on; the recheck short, so a run settles quickly. stock-sync's
/// batching window (`stock_batch_window`) stays at its default: the figures are the product's.
const SETTINGS: &str = r#"
stock_to_centra = true
returns_to_centra = true
stock_recheck_interval = "300ms"
stock_reconcile_interval = "1h"
"#;

/// Units every article is counted to before the measured phases.
const COUNTED: i64 = 10;

/// Units a stock change adds.
const MOVED: i64 = 3;

/// The longest any phase may take.
const LIMIT: Duration = Duration::from_secs(300);

/// One measured phase: the calls of both simulators by route (Centra's and Ongoing's prefixed)
/// and how long until it was done.
#[derive(Debug, Default)]
struct Phase {
    calls: BTreeMap<String, u64>,
    seconds: f64,
}

/// One run's three phases.
#[derive(Debug, Default)]
struct Run {
    articles: Phase,
    stock: Phase,
    returns: Phase,
}

/// How many records of each kind a run changes.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    articles: usize,
    changes: usize,
    returns: usize,
}

impl Phase {
    /// The calls since `before` and the seconds since `started`.
    async fn since(sims: &Sims, before: Seqs, started: Instant) -> Self {
        Self {
            seconds: started.elapsed().as_secs_f64(),
            calls: before.calls_since(sims).await,
        }
    }
}

/// A stock move or stock-take in ongoing-sim (`/_sim/stock`).
async fn move_stock(sims: &Sims, body: Value) {
    sims.post(format!("{}/_sim/stock", sims.ongoing.base_url()), &body)
        .await;
}

/// Centra's physical stock by article key (`/_sim/state` `stock`).
async fn centra_physical(sims: &Sims) -> BTreeMap<String, i64> {
    let state = sims.get(format!("{}/_sim/state", sims.centra.url())).await;
    state["stock"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|row| Some((row["key"].as_str()?.to_owned(), number(&row["physical"])?)))
        .collect()
}

/// A whole number the simulators may write as `10` or `10.0`.
fn number(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| value.as_f64().map(|f| f as i64))
}

/// Whether Centra's physical stock of every article in `wanted` is as wanted.
async fn centra_shows(sims: &Sims, wanted: &BTreeMap<String, i64>) -> bool {
    let physical = centra_physical(sims).await;
    wanted
        .iter()
        .all(|(key, units)| physical.get(key) == Some(units))
}

/// Centra shipments with a return (`/_sim/state` `returns`).
async fn centra_returns(sims: &Sims) -> BTreeSet<String> {
    let state = sims.get(format!("{}/_sim/state", sims.centra.url())).await;
    state["returns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["shipmentId"].as_str().map(str::to_owned))
        .collect()
}

/// Whether every line of a WMS order (`/_sim/state` `orders`) has its returned units reported.
fn return_reported(order: &Value) -> bool {
    let lines = order["lines"].as_array().cloned().unwrap_or_default();
    lines
        .iter()
        .any(|l| number(&l["returned"]).unwrap_or(0) > 0)
        && lines
            .iter()
            .all(|l| number(&l["returned"]) == number(&l["reportedReturned"]))
}

/// Every WMS order in `numbers` has its returns reported to the WMS.
async fn wms_reported(sims: &Sims, numbers: &BTreeSet<String>) -> bool {
    let state = sims
        .get(format!("{}/_sim/state", sims.ongoing.base_url()))
        .await;
    let reported: BTreeSet<String> = state["orders"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| return_reported(o))
        .filter_map(|o| o["orderNumber"].as_str().map(str::to_owned))
        .collect();
    reported.is_superset(numbers)
}

async fn run(shape: Shape, n: Sizes) -> Run {
    let products = n.changes.max(n.articles).div_ceil(SIZES_PER_PRODUCT).max(1);
    let sizes = products * SIZES_PER_PRODUCT;
    let sims = Sims::start().await;
    // Centra starts with no stock: the WMS's first stock write brings it.
    sims.seed_products(
        (0..products)
            .flat_map(|p| (0..SIZES_PER_PRODUCT).map(move |s| (p, s)))
            .map(|(p, s)| {
                let mut row = size_row(p, s);
                row["physicalStock"] = json!(0);
                row
            })
            .collect(),
    )
    .await;
    let settings = Settings {
        sync_interval: "1s",
        extra: SETTINGS,
        ..Settings::default()
    };
    let mut running = Running::start(shape, &sims, &settings, "bench record_calls").await;
    until("the catalogue in the WMS", LIMIT, || async {
        wms_articles(&sims).await >= sizes
    })
    .await;

    // Every article counted; Centra follows.
    let mut stock = BTreeMap::new();
    for p in 0..products {
        for s in 0..SIZES_PER_PRODUCT {
            let number = article_number(p, s);
            move_stock(&sims, json!({"articleNumber": number, "physical": COUNTED})).await;
            stock.insert(number, COUNTED);
        }
    }
    until("Centra at the counted stock", LIMIT, || {
        centra_shows(&sims, &stock)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;

    let mut run = Run::default();
    let before = Seqs::now(&sims).await;
    let mut cursor = before.ongoing;
    let started = Instant::now();
    sims.seed_products(
        (0..n.articles)
            .map(|i| i * sizes / n.articles)
            .map(|k| {
                let mut row = priced_row(k / SIZES_PER_PRODUCT, k % SIZES_PER_PRODUCT, "49.00");
                row["physicalStock"] = json!(COUNTED);
                row
            })
            .collect(),
    )
    .await;
    wait_calls(
        &sims,
        Sim::Ongoing,
        &mut cursor,
        n.articles,
        article_written,
    )
    .await;
    run.articles = Phase::since(&sims, before, started).await;
    running.assert_running();

    // The shipped and completed orders the returns are made on (one unit each).
    let Seqs {
        mut centra,
        mut ongoing,
    } = Seqs::now(&sims).await;
    let mut shipments = Vec::new();
    for k in 0..n.returns {
        shipments.push(seed_order(&sims, k, sizes, true).await);
    }
    wait_calls(&sims, Sim::Ongoing, &mut ongoing, n.returns, order_written).await;
    for id in &shipments {
        ship(&sims, id).await;
    }
    wait_calls(
        &sims,
        Sim::Centra,
        &mut centra,
        n.returns,
        shipment_completed,
    )
    .await;
    // The picks leave the shelf; Centra follows before the measured phases.
    for k in 0..n.returns {
        *stock
            .get_mut(&article_number((k % sizes) / 10, k % 10))
            .expect("article") -= 1;
    }
    until("Centra after the picks", LIMIT, || {
        centra_shows(&sims, &stock)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    let before = Seqs::now(&sims).await;
    let started = Instant::now();
    for (number, units) in stock.iter_mut().take(n.changes) {
        move_stock(&sims, json!({"articleNumber": number, "delta": MOVED})).await;
        *units += MOVED;
    }
    until("Centra at the moved stock", LIMIT, || {
        centra_shows(&sims, &stock)
    })
    .await;
    run.stock = Phase::since(&sims, before, started).await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    let before = Seqs::now(&sims).await;
    let started = Instant::now();
    for (k, id) in shipments.iter().enumerate() {
        let (p, s) = ((k % sizes) / 10, k % 10);
        sims.post(
            format!("{}/_sim/returns", sims.ongoing.base_url()),
            &json!({"orderNumber": id, "lines": [{"articleNumber": article_number(p, s),
                    "returned": 1, "cause": {"code": "WS", "name": "Too small"}}]}),
        )
        .await;
    }
    let wanted: BTreeSet<String> = shipments.iter().cloned().collect();
    until("every return in Centra", LIMIT, || async {
        centra_returns(&sims).await.is_superset(&wanted)
    })
    .await;
    until("every return reported to the WMS", LIMIT, || {
        wms_reported(&sims, &wanted)
    })
    .await;
    run.returns = Phase::since(&sims, before, started).await;
    running.assert_running();
    running.stop().await;
    run
}

/// `route median (min–max)` per route over the runs, divided by `per`; a route missing in a
/// run counts 0 there.
fn show(phases: &[&Phase], per: f64, prefix: &str) -> String {
    let routes: BTreeSet<&String> = phases
        .iter()
        .flat_map(|p| p.calls.keys())
        .filter(|r| r.starts_with(prefix))
        .collect();
    if routes.is_empty() {
        return "none".to_owned();
    }
    routes
        .into_iter()
        .map(|route| {
            let per_run: Vec<f64> = phases
                .iter()
                .map(|p| p.calls.get(route).copied().unwrap_or(0) as f64 / per)
                .collect();
            format!(
                "`{}` {}",
                route.trim_start_matches(prefix).trim_start(),
                spread(&per_run).show(2)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A kind of record the table has rows for: its phase in a run, how many a run changes, and
/// the minimum calls the APIs allow for one, and why.
struct Kind {
    name: &'static str,
    phase: fn(&Run) -> &Phase,
    records: fn(&Sizes) -> usize,
    minimum: &'static str,
}

const KINDS: [Kind; 3] = [
    Kind {
        name: "changed article",
        phase: |r| &r.articles,
        records: |n| n.articles,
        minimum: "Ongoing 1 `PUT /articles` per changed article (it has no batch write); \
                  Centra the product listing pages of the polls (`GET /products`, 500 \
                  products a page: one page here)",
    },
    Kind {
        name: "stock change",
        phase: |r| &r.stock,
        records: |n| n.changes,
        minimum: "Centra 1 `GET /stock` per changed product (the allocation, read fresh: the \
                  rule needs it) + 1 `POST /stock` per 100 changed articles (absolute physical \
                  stock, 100 products a call); Ongoing 1 listing page (`GET /articles` with \
                  `stockInfoChangedFrom`) for many changes; here (10 sizes a product) ≈ 0.11 \
                  Centra calls per change",
    },
    Kind {
        name: "return",
        phase: |r| &r.returns,
        records: |n| n.returns,
        minimum: "Centra 1 (`POST /return`, keyed by shipment line ids, the causes in \
                  `comment`); Ongoing 1 `PATCH …/reportedReturnedNumberOfItems` per returned \
                  line + 1 listing page (orders with returns) for many. The units back on the \
                  shelf are a stock change too (`GET`/`POST /stock`)",
    },
];

fn main() {
    let n = Sizes {
        articles: arg("articles", 100),
        changes: arg("changes", 100),
        returns: arg("returns", 20),
    };
    let shapes = Shape::from_args();
    let tokio = common::tokio();
    let runs: Vec<(Shape, Vec<Run>)> = shapes
        .iter()
        .map(|&shape| {
            let runs = (0..RUNS).map(|_| tokio.block_on(run(shape, n))).collect();
            (shape, runs)
        })
        .collect();
    let seconds =
        |phases: &[&Phase]| spread(&phases.iter().map(|p| p.seconds).collect::<Vec<_>>()).show(1);
    let mut rows = Vec::new();
    for kind in &KINDS {
        let records = (kind.records)(&n);
        for (i, (shape, runs)) in runs.iter().enumerate() {
            let phases: Vec<&Phase> = runs.iter().map(kind.phase).collect();
            rows.push(vec![
                kind.name.to_owned(),
                shape.name().to_owned(),
                records.to_string(),
                seconds(&phases),
                show(&phases, records as f64, "Centra"),
                show(&phases, records as f64, "Ongoing"),
                if i == 0 { kind.minimum } else { "as above" }.to_owned(),
            ]);
        }
    }
    table(
        "API calls per changed article, stock change and return (0 ms)",
        &format!(
            "Every call in both simulators' request logs from the change (a new price in \
             Centra, a stock move or a customer return in the WMS) until the other side shows \
             all of them (returns: and the WMS is told they are reported), divided by the \
             records, by route; the polls of every flow (each second) included, so a slow \
             phase costs more listing calls. Embedded: one runtime in the bench process; \
             distributed: six `centra-wms serve` processes over NATS JetStream and PostgreSQL. \
             Per route: median of {RUNS} runs (min–max); ids shown as `{{id}}`."
        ),
        &[
            "per",
            "shape",
            "records",
            "seconds",
            "Centra calls",
            "Ongoing calls",
            "minimum, why",
        ],
        &rows,
    );
}
