//! The article flow end to end: centra-sim and ongoing-sim, with CentraGateway, OngoingGateway
//! and CatalogSync in one runtime. Effects are checked through the simulators' control API
//! (`/_sim/state`, `/_sim/requests`) and Ongoing's own `GET /articles`, never through the
//! services' own tables.
//!
//! Two scenarios, each in both shapes: embedded (SQLite bus and stores, in-process gRPC) and
//! distributed (NATS JetStream, PostgreSQL, gRPC over TCP; `NATS_URL` and `DATABASE_URL`):
//! - `catalogue`: the import runs once (20,000 sizes embedded, 1,000 distributed), an unchanged
//!   catalogue writes nothing, and 10 changed sizes write exactly those 10 articles;
//! - `lifecycle`: the customer price reaches the WMS, and a size made inactive in Centra is
//!   written once as an inactive article.
//!
//! Speed is measured by the `catalog_import` benchmark of catalog-sync, not here: the phases
//! are printed for a person, never asserted.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use catalog_sync::CatalogSync;
use centra_gateway::CentraGateway;
use centra_wms_tests::e2e::{
    SIZES_PER_PRODUCT, Sims, article_number, ean, free_port, size_row, wait_for,
};
use ongoing_gateway::OngoingGateway;
use platform_config::{AppConfig, ServiceAddress};
use platform_runtime::{
    Adapters, CancellationToken, GrpcChannel, Runtime, RuntimeError, ServiceDirectory,
};
use proto::admin::v1::ReconcileCatalogRequest;
use proto::admin::v1::catalog_admin_client::CatalogAdminClient;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// A catalogue row at `price`.
fn priced_row(product: usize, size: usize, price: &str) -> Value {
    let mut row = size_row(product, size);
    row["prices"][0]["price"] = json!(price);
    row
}

async fn wms_articles(sims: &Sims) -> Vec<Value> {
    let state = sims
        .get(format!("{}/_sim/state", sims.ongoing.base_url()))
        .await;
    state["articles"].as_array().cloned().unwrap_or_default()
}

/// One article as Ongoing's `GET /articles` shows it (every field of the model).
async fn wms_article(sims: &Sims, number: &str) -> Value {
    let answer: Value = sims
        .http
        .get(format!(
            "{}/sandbox/api/v1/articles",
            sims.ongoing.base_url()
        ))
        .basic_auth("sandbox", Some("sandbox"))
        .query(&[("goodsOwnerId", "1"), ("articleNumber", number)])
        .send()
        .await
        .expect("articles answered")
        .json()
        .await
        .expect("json");
    answer
        .as_array()
        .and_then(|list| list.first())
        .cloned()
        .unwrap_or_else(|| panic!("article {number} in the wms"))
}

fn numbers(puts: &[Value]) -> Vec<String> {
    puts.iter()
        .map(|b| b["articleNumber"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The last seq of centra-sim's request log.
async fn centra_seq(sims: &Sims, since: u64) -> u64 {
    let log = sims
        .get(format!("{}/_sim/requests?since={since}", sims.centra.url()))
        .await;
    log.as_array()
        .and_then(|entries| entries.iter().filter_map(|e| e["seq"].as_u64()).max())
        .unwrap_or(since)
}

/// Waits until `polls` more product polls of the centra-gateway started (each poll's first
/// page asks for `modified`; polls run one after the other, so when the second starts, one
/// whole poll ran in between): the incremental runs that could write something have run.
async fn wait_for_product_polls(sims: &Sims, polls: usize) {
    let since = centra_seq(sims, 0).await;
    wait_for("product polls", Duration::from_secs(120), || async {
        let log = sims
            .get(format!("{}/_sim/requests?since={since}", sims.centra.url()))
            .await;
        let started = log.as_array().map_or(0, |entries| {
            entries
                .iter()
                .filter(|e| {
                    let query = e["query"].as_str().unwrap_or_default();
                    e["method"] == "GET"
                        && e["path"].as_str().is_some_and(|p| p.ends_with("/products"))
                        && query.contains("modified=")
                        && !query.contains("page=")
                })
                .count()
        });
        started >= polls
    })
    .await;
}

/// Collects article PUTs after `cursor` until `count` arrived (polled every 250 ms, failing
/// after `within`); returns them and the new cursor.
async fn collect_puts(
    sims: &Sims,
    mut cursor: u64,
    count: usize,
    within: Duration,
) -> (Vec<Value>, u64) {
    let limit = Instant::now() + within;
    let mut written = Vec::new();
    loop {
        let (puts, last) = sims.article_puts(cursor).await;
        written.extend(puts);
        cursor = last;
        if written.len() >= count {
            return (written, cursor);
        }
        assert!(
            Instant::now() < limit,
            "{count} article writes within {within:?}, saw {}",
            written.len()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Which runtime shape a scenario runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Embedded,
    Distributed,
}

fn local_address() -> ServiceAddress {
    let listen = free_port();
    ServiceAddress {
        listen,
        connect: format!("http://{listen}"),
    }
}

/// The three services of the article flow, running in `shape`.
struct Running {
    directory: ServiceDirectory,
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), RuntimeError>>,
    database: Option<test_support::PostgresDatabase>,
    _dir: tempfile::TempDir,
}

impl Running {
    /// Starts the runtime; None when the distributed shape's servers are not configured.
    async fn start(shape: Shape, mut config: AppConfig, test: &str) -> Option<Self> {
        let dir = tempfile::tempdir().expect("tempdir");
        let (adapters, database) = match shape {
            Shape::Embedded => (
                Adapters::embedded(dir.path()).await.expect("adapters"),
                None,
            ),
            Shape::Distributed => {
                let database = test_support::postgres_database(test).await?;
                let nats = test_support::nats_url(test).await?;
                config.runtime.grpc.centra_gateway = local_address();
                config.runtime.grpc.ongoing_gateway = local_address();
                config.runtime.grpc.catalog_sync = local_address();
                let adapters = Adapters::distributed(
                    &nats,
                    &database.url,
                    &test_support::unique("catalog"),
                    &config.runtime.grpc,
                )
                .await
                .expect("adapters");
                (adapters, Some(database))
            }
        };
        let directory = adapters.directory.clone();
        let shutdown = CancellationToken::new();
        let runtime = Runtime::new(Arc::new(config), adapters)
            .with_service(CentraGateway)
            .with_service(OngoingGateway)
            .with_service(CatalogSync);
        let task = tokio::spawn(runtime.run(shutdown.clone()));
        Some(Self {
            directory,
            shutdown,
            task,
            database,
            _dir: dir,
        })
    }

    fn admin(&self) -> CatalogAdminClient<GrpcChannel> {
        CatalogAdminClient::new(self.directory.channel("catalog-sync").expect("channel"))
    }

    async fn stop(self) {
        self.shutdown.cancel();
        self.task
            .await
            .expect("runtime task")
            .expect("runtime stops cleanly");
        if let Some(database) = self.database {
            database.drop_database().await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_imports_20000_sizes_once_and_writes_only_changes() {
    catalogue(Shape::Embedded, 2_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_imports_once_and_writes_only_changes() {
    catalogue(Shape::Distributed, 100).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_prices_and_deactivates_articles() {
    lifecycle(Shape::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_prices_and_deactivates_articles() {
    lifecycle(Shape::Distributed).await;
}

async fn catalogue(shape: Shape, products: usize) {
    let sizes = products * SIZES_PER_PRODUCT;
    let sims = Sims::start().await;
    let started = Instant::now();
    let rows: Vec<Value> = (0..products)
        .flat_map(|p| (0..SIZES_PER_PRODUCT).map(move |s| size_row(p, s)))
        .collect();
    sims.seed_products(rows).await;
    println!("{shape:?}: seeded {sizes} sizes in {:?}", started.elapsed());
    // Polls every 5 s: each one lists the whole catalogue while it is within the gateway's
    // cursor overlap, so a shorter interval would keep the simulator busy for nothing.
    let Some(running) = Running::start(shape, sims.config("5s", ""), "catalog e2e").await else {
        return;
    };

    // The first import: every size becomes an article, each written once.
    let started = Instant::now();
    let (puts, seq) = collect_puts(&sims, 0, sizes, Duration::from_secs(600)).await;
    println!(
        "{shape:?}: imported {sizes} articles in {:?}",
        started.elapsed()
    );
    let distinct: BTreeSet<String> = numbers(&puts).into_iter().collect();
    assert_eq!(distinct.len(), sizes, "every size written once");
    let articles = wms_articles(&sims).await;
    assert_eq!(articles.len(), sizes);
    let one = articles
        .iter()
        .find(|a| a["articleNumber"] == article_number(2, 4))
        .expect("article P2-BL-4");
    assert_eq!(one["articleName"], "Shirt 2 Blue S4");
    assert_eq!(one["barCode"], ean(2 * SIZES_PER_PRODUCT + 4));

    // Nothing changed: a full reconcile and two gateway polls write nothing.
    let started = Instant::now();
    let mut admin = running.admin();
    let reconciled = admin
        .reconcile(ReconcileCatalogRequest { dry_run: false })
        .await
        .expect("reconcile")
        .into_inner();
    assert_eq!(reconciled.checked, sizes as u64);
    assert_eq!(reconciled.queued, 0);
    println!(
        "{shape:?}: reconciled {sizes} unchanged sizes in {:?}",
        started.elapsed()
    );
    wait_for_product_polls(&sims, 2).await;
    let (puts, seq) = sims.article_puts(seq).await;
    assert!(puts.is_empty(), "unchanged catalogue wrote {puts:?}");

    // Ten sizes change in Centra: exactly those ten are written, once.
    let started = Instant::now();
    let changed: Vec<(usize, usize)> = (0..10)
        .map(|i| (i * 17 % products, i % SIZES_PER_PRODUCT))
        .collect();
    sims.seed_products(
        changed
            .iter()
            .map(|&(p, s)| priced_row(p, s, "49.00"))
            .collect(),
    )
    .await;
    let (mut written, cursor) = collect_puts(&sims, seq, 10, Duration::from_secs(120)).await;
    println!(
        "{shape:?}: wrote 10 changed articles in {:?}",
        started.elapsed()
    );
    let reconciled = admin
        .reconcile(ReconcileCatalogRequest { dry_run: false })
        .await
        .expect("reconcile")
        .into_inner();
    assert_eq!(reconciled.queued, 0, "events already wrote every change");
    wait_for_product_polls(&sims, 2).await;
    let (late, _) = sims.article_puts(cursor).await;
    written.extend(late);
    let mut written = numbers(&written);
    written.sort();
    let mut expected: Vec<String> = changed.iter().map(|&(p, s)| article_number(p, s)).collect();
    expected.sort();
    assert_eq!(written, expected);

    running.stop().await;
}

async fn lifecycle(shape: Shape) {
    let products = 3;
    let sims = Sims::start().await;
    sims.seed_products(
        (0..products)
            .flat_map(|p| (0..SIZES_PER_PRODUCT).map(move |s| size_row(p, s)))
            .collect(),
    )
    .await;
    let Some(running) = Running::start(shape, sims.config("1s", ""), "catalog lifecycle").await
    else {
        return;
    };
    let (_, seq) = collect_puts(
        &sims,
        0,
        products * SIZES_PER_PRODUCT,
        Duration::from_secs(120),
    )
    .await;

    // The configured price (EUR by default) is the customer price, weight in kilograms.
    let article = wms_article(&sims, &article_number(1, 3)).await;
    assert_eq!(article["customerPrice"], json!(45.0));
    assert_eq!(article["isActive"], json!(true));
    assert_eq!(article["weight"], json!(0.25));
    assert_eq!(article["statisticsNumber"], "6109100010");
    assert_eq!(article["countryOfOriginCode"], "PT");

    // A size made inactive in Centra is written once as an inactive article.
    let mut inactive = size_row(1, 3);
    inactive["active"] = json!(false);
    sims.post(
        format!("{}/_sim/products", sims.centra.url()),
        &json!({ "products": [inactive] }),
    )
    .await;
    let (written, cursor) = collect_puts(&sims, seq, 1, Duration::from_secs(120)).await;
    assert_eq!(numbers(&written), vec![article_number(1, 3)]);
    assert_eq!(written[0]["isActive"], json!(false));
    let article = wms_article(&sims, &article_number(1, 3)).await;
    assert_eq!(article["isActive"], json!(false));

    // Once: neither the polls nor a full reconcile write it again.
    let reconciled = running
        .admin()
        .reconcile(ReconcileCatalogRequest { dry_run: false })
        .await
        .expect("reconcile")
        .into_inner();
    assert_eq!(reconciled.queued, 0);
    wait_for_product_polls(&sims, 2).await;
    let (late, _) = sims.article_puts(cursor).await;
    assert!(
        late.is_empty(),
        "the inactive article was written again: {late:?}"
    );

    running.stop().await;
}
