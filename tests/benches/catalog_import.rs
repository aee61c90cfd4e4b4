//! How fast a whole catalogue becomes WMS articles, and how little a re-run costs: the
//! embedded runtime (SQLite bus and stores, in-process gRPC) with centra-gateway,
//! ongoing-gateway and catalog-sync against both simulators.
//!
//! `cargo bench -p centra-wms-tests --bench catalog_import [-- SIZES...]` (default 2000 20000)
//! prints one table: per catalogue size the first import, a re-run with nothing changed (a
//! full reconcile) and a re-run with 10 changed sizes, each with seconds, articles written per
//! second and the WMS requests (`PUT /articles`) counted in ongoing-sim's request log.
//! The gateways poll every 5 s, as in the end-to-end test: within the centra-gateway's cursor
//! overlap every poll lists the whole catalogue again, which a shorter interval repeats for
//! nothing.
//!
//! Layout: the wait for writes, one catalogue run, `main` (the simulators and settings are the
//! end-to-end suites' `centra_wms_tests::e2e`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use catalog_sync::CatalogSync;
use centra_gateway::CentraGateway;
use centra_wms_tests::e2e::{SIZES_PER_PRODUCT, Sims, size_row};
use ongoing_gateway::OngoingGateway;
use platform_runtime::{Adapters, CancellationToken, Runtime};
use proto::admin::v1::ReconcileCatalogRequest;
use proto::admin::v1::catalog_admin_client::CatalogAdminClient;
use serde_json::{Value, json};

/// `size_row` with another price (the 10 changed sizes).
fn priced_row(product: usize, size: usize, price: &str) -> Value {
    let mut row = size_row(product, size);
    row["prices"][0]["price"] = json!(price);
    row
}

/// Waits until `count` article writes arrived after request-log seq `since`; the elapsed
/// time, the seq and the writes seen.
async fn wait_for_puts(sims: &Sims, since: u64, count: u64) -> (Duration, u64, u64) {
    let started = Instant::now();
    let (mut seen, mut cursor) = (0, since);
    while seen < count {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (puts, last) = sims.article_puts(cursor).await;
        seen += puts.len() as u64;
        cursor = last;
        assert!(
            started.elapsed() < Duration::from_secs(1800),
            "{count} writes within 30 min"
        );
    }
    (started.elapsed(), cursor, seen)
}

/// One measured phase.
struct Row {
    sizes: usize,
    phase: &'static str,
    seconds: f64,
    written: u64,
}

async fn run(products: usize) -> Vec<Row> {
    let sizes = products * SIZES_PER_PRODUCT;
    let sims = Sims::start().await;
    sims.seed_products(
        (0..products)
            .flat_map(|p| (0..SIZES_PER_PRODUCT).map(move |s| size_row(p, s)))
            .collect(),
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let adapters = Adapters::embedded(dir.path()).await.expect("adapters");
    let directory = adapters.directory.clone();
    let shutdown = CancellationToken::new();
    let runtime = Runtime::new(Arc::new(sims.config("5s", "")), adapters)
        .with_service(CentraGateway)
        .with_service(OngoingGateway)
        .with_service(CatalogSync);
    let running = tokio::spawn(runtime.run(shutdown.clone()));
    let mut rows = Vec::new();

    let (elapsed, seq, written) = wait_for_puts(&sims, 0, sizes as u64).await;
    rows.push(Row {
        sizes,
        phase: "first import",
        seconds: elapsed.as_secs_f64(),
        written,
    });

    let mut admin = CatalogAdminClient::new(directory.channel("catalog-sync").expect("channel"));
    let started = Instant::now();
    admin
        .reconcile(ReconcileCatalogRequest { dry_run: false })
        .await
        .expect("reconcile");
    let elapsed = started.elapsed();
    let (puts, seq) = sims.article_puts(seq).await;
    let written = puts.len() as u64;
    rows.push(Row {
        sizes,
        phase: "reconcile, nothing changed",
        seconds: elapsed.as_secs_f64(),
        written,
    });

    sims.seed_products(
        (0..10)
            .map(|i| priced_row(i * 17 % products, i % SIZES_PER_PRODUCT, "49.00"))
            .collect(),
    )
    .await;
    let (elapsed, _, written) = wait_for_puts(&sims, seq, 10).await;
    rows.push(Row {
        sizes,
        phase: "10 changed sizes",
        seconds: elapsed.as_secs_f64(),
        written,
    });

    shutdown.cancel();
    running.await.expect("runtime task").expect("runtime stops");
    rows
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![2_000, 20_000]
    } else {
        sizes
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let mut rows = Vec::new();
    for size in sizes {
        rows.extend(runtime.block_on(run(size.div_ceil(SIZES_PER_PRODUCT).max(2))));
    }
    println!(
        "{:>7}  {:<28}  {:>9}  {:>11}  {:>9}",
        "sizes", "phase", "seconds", "articles/s", "requests"
    );
    for row in rows {
        let rate = if row.seconds > 0.0 {
            row.written as f64 / row.seconds
        } else {
            0.0
        };
        println!(
            "{:>7}  {:<28}  {:>9.2}  {:>11.1}  {:>9}",
            row.sizes, row.phase, row.seconds, rate, row.written
        );
    }
}
