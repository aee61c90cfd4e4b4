//! The article flow end to end: centra-sim and ongoing-sim, with CentraGateway, OngoingGateway
//! and CatalogSync in one embedded runtime. Effects are checked through the simulators'
//! control API (`/_sim/state`, `/_sim/requests`), never through the services' own tables.
//!
//! The same scenario runs in both shapes: embedded (SQLite bus and stores, in-process gRPC) with
//! 2,000 size items (not 20,000: the whole CI runs on 2 shared cores; 2,000 import in about
//! 10 s there), and distributed (NATS JetStream, PostgreSQL, gRPC over TCP; `NATS_URL` and
//! `DATABASE_URL`) with 500. The import runs once, an unchanged catalogue writes nothing, and
//! 10 changed sizes write exactly those 10 articles.

use std::sync::Arc;
use std::time::{Duration, Instant};

use catalog_sync::CatalogSync;
use centra_gateway::CentraGateway;
use centra_wms_tests::e2e::{
    SIZES_PER_PRODUCT, Sims, article_number, ean, free_port, size_row, wait_for,
};
use ongoing_gateway::OngoingGateway;
use platform_config::ServiceAddress;
use platform_runtime::{Adapters, CancellationToken, Runtime};
use proto::admin::v1::ReconcileCatalogRequest;
use proto::admin::v1::catalog_admin_client::CatalogAdminClient;
use serde_json::{Value, json};

/// A catalogue row at `price`.
fn priced_row(product: usize, size: usize, price: &str) -> Value {
    let mut row = size_row(product, size);
    row["prices"][0]["price"] = json!(price);
    row
}

async fn wms_articles(sims: &Sims) -> Vec<Value> {
    let state: Value = sims
        .http
        .get(format!("{}/_sim/state", sims.ongoing.base_url()))
        .send()
        .await
        .expect("state")
        .json()
        .await
        .expect("json");
    state["articles"].as_array().cloned().unwrap_or_default()
}

/// Article numbers of every `PUT .../articles` the WMS received after `since`.
async fn article_puts(sims: &Sims, since: u64) -> (Vec<String>, u64) {
    let log: Value = sims
        .http
        .get(format!(
            "{}/_sim/requests?since={since}",
            sims.ongoing.base_url()
        ))
        .send()
        .await
        .expect("requests")
        .json()
        .await
        .expect("json");
    let entries = log.as_array().cloned().unwrap_or_default();
    let last = entries
        .iter()
        .filter_map(|e| e["seq"].as_u64())
        .max()
        .unwrap_or(since);
    let puts = entries
        .iter()
        .filter(|e| {
            e["method"] == "PUT" && e["path"].as_str().is_some_and(|p| p.ends_with("/articles"))
        })
        .map(|e| {
            e["body"]["articleNumber"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    (puts, last)
}

/// Which runtime shape the scenario runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Embedded,
    Distributed,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_imports_once_and_writes_only_changes() {
    scenario(Shape::Embedded, 200).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_imports_once_and_writes_only_changes() {
    scenario(Shape::Distributed, 50).await;
}

fn local_address() -> ServiceAddress {
    let listen = free_port();
    ServiceAddress {
        listen,
        connect: format!("http://{listen}"),
    }
}

async fn scenario(shape: Shape, products: usize) {
    let test = "catalog e2e";
    let servers = match shape {
        Shape::Embedded => None,
        Shape::Distributed => {
            let Some(database) = test_support::postgres_database(test).await else {
                return;
            };
            let Some(nats) = test_support::nats_url(test).await else {
                return;
            };
            Some((database, nats))
        }
    };
    let sizes = products * SIZES_PER_PRODUCT;
    let sims = Sims::start().await;
    let rows: Vec<Value> = (0..products)
        .flat_map(|p| (0..SIZES_PER_PRODUCT).map(move |s| size_row(p, s)))
        .collect();
    sims.seed_products(rows).await;

    let mut config = sims.config("2s", "");
    let dir = tempfile::tempdir().expect("tempdir");
    let adapters = match &servers {
        None => Adapters::embedded(dir.path()).await.expect("adapters"),
        Some((database, nats)) => {
            config.runtime.grpc.centra_gateway = local_address();
            config.runtime.grpc.ongoing_gateway = local_address();
            config.runtime.grpc.catalog_sync = local_address();
            Adapters::distributed(
                nats,
                &database.url,
                &test_support::unique("catalog"),
                &config.runtime.grpc,
            )
            .await
            .expect("adapters")
        }
    };
    let directory = adapters.directory.clone();
    let shutdown = CancellationToken::new();
    let runtime = Runtime::new(Arc::new(config), adapters)
        .with_service(CentraGateway)
        .with_service(OngoingGateway)
        .with_service(CatalogSync);
    let running = tokio::spawn(runtime.run(shutdown.clone()));

    // The first import: every size becomes an article.
    let started = Instant::now();
    wait_for(
        "all articles imported",
        Duration::from_secs(300),
        || async { wms_articles(&sims).await.len() >= sizes },
    )
    .await;
    println!(
        "{shape:?}: imported {sizes} articles in {:?}",
        started.elapsed()
    );
    let articles = wms_articles(&sims).await;
    assert_eq!(articles.len(), sizes);
    let one = articles
        .iter()
        .find(|a| a["articleNumber"] == article_number(2, 4))
        .expect("article P2-BL-4");
    assert_eq!(one["articleName"], "Shirt 2 Blue S4");
    assert_eq!(one["barCode"], ean(2 * SIZES_PER_PRODUCT + 4));

    // Nothing changed: several gateway polls and a full reconcile write nothing.
    let (_, seq) = article_puts(&sims, 0).await;
    let mut admin = CatalogAdminClient::new(directory.channel("catalog-sync").expect("channel"));
    let reconciled = admin
        .reconcile(ReconcileCatalogRequest { dry_run: false })
        .await
        .expect("reconcile")
        .into_inner();
    assert_eq!(reconciled.checked, sizes as u64);
    assert_eq!(reconciled.queued, 0);
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (puts, seq) = article_puts(&sims, seq).await;
    assert!(puts.is_empty(), "unchanged catalogue wrote {puts:?}");

    // Ten sizes change in Centra: exactly those ten are written, once.
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
    let mut written: Vec<String> = Vec::new();
    let mut cursor = seq;
    let limit = Instant::now() + Duration::from_secs(120);
    while written.len() < 10 {
        assert!(
            Instant::now() < limit,
            "ten changed articles written within 120 s: {written:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
        let (puts, last) = article_puts(&sims, cursor).await;
        written.extend(puts);
        cursor = last;
    }
    let reconciled = admin
        .reconcile(ReconcileCatalogRequest { dry_run: false })
        .await
        .expect("reconcile")
        .into_inner();
    assert_eq!(reconciled.queued, 0, "events already wrote every change");
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (late, _) = article_puts(&sims, cursor).await;
    written.extend(late);
    written.sort();
    let mut expected: Vec<String> = changed.iter().map(|&(p, s)| article_number(p, s)).collect();
    expected.sort();
    assert_eq!(written, expected);

    shutdown.cancel();
    running
        .await
        .expect("runtime task")
        .expect("runtime stops cleanly");
    if let Some((database, _)) = servers {
        database.drop_database().await;
    }
}
