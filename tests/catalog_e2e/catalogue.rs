//! The catalogue at size: imported once, an unchanged catalogue writes nothing, 10 changes
//! write exactly 10 articles; the customer price, a size made inactive, and articles a person
//! edited by hand in the WMS written back by a resync.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use centra_wms_tests::e2e::{CentraAdapter, SIZES_PER_PRODUCT, article_number, ean, size_row};
use centra_wms_tests::wms::HandEdit;
use proto::admin::v1::ReconcileCatalogRequest;
use serde_json::{Value, json};

use crate::harness::{CatalogSims, Running, Setup, numbers, priced_row};

/// The sizes of the catalogue scenario: `CATALOG_E2E_SIZES` (default 3,000) in the embedded
/// shape, a tenth of it in the distributed one (each write there also crosses NATS and
/// PostgreSQL); whole products of [`SIZES_PER_PRODUCT`] sizes, at least one.
fn catalogue_products(distributed: bool) -> usize {
    let sizes: usize = std::env::var("CATALOG_E2E_SIZES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000);
    let sizes = if distributed { sizes / 10 } else { sizes };
    sizes.div_ceil(SIZES_PER_PRODUCT).max(1)
}

pub async fn imports_once_and_writes_only_changes(setup: Setup) {
    let label = setup.label();
    let products = catalogue_products(setup.shape.is_distributed());
    let sizes = products * SIZES_PER_PRODUCT;
    let sims = CatalogSims::start(&setup).await;
    let started = Instant::now();
    let rows: Vec<Value> = (0..products)
        .flat_map(|p| (0..SIZES_PER_PRODUCT).map(move |s| size_row(p, s)))
        .collect();
    sims.seed_products(rows).await;
    println!("{label}: seeded {sizes} sizes in {:?}", started.elapsed());
    // Polls every 5 s: each one lists the whole catalogue while it is within the gateway's
    // cursor overlap, so a shorter interval would keep the simulator busy for nothing.
    let running = Running::start(setup.shape, sims.config("5s", "")).await;

    // The first import: every size becomes an article, each written once.
    let started = Instant::now();
    let (writes, seq) = sims
        .collect_writes(0, sizes, Duration::from_secs(600))
        .await;
    println!(
        "{label}: imported {sizes} articles in {:?}",
        started.elapsed()
    );
    let distinct: BTreeSet<String> = numbers(&writes).into_iter().collect();
    assert_eq!(distinct.len(), sizes, "every size written once");
    let articles = sims.wms_articles().await;
    assert_eq!(articles.len(), sizes);
    let one = articles
        .iter()
        .find(|a| a.number == article_number(0, 4))
        .expect("article P0-BL-4");
    assert_eq!(one.name, "Shirt 0 Blue S4", "{one}");
    assert_eq!(one.ean, Some(ean(4)), "{one}");

    // Nothing changed: a full reconcile and two gateway polls write nothing.
    let started = Instant::now();
    let mut admin = running.admin();
    let reconciled = admin
        .reconcile(ReconcileCatalogRequest { dry_run: false })
        .await
        .expect("reconcile")
        .into_inner();
    assert_eq!(reconciled.checked, sizes as u64);
    assert_eq!(reconciled.queued, 0, "{reconciled:?}");
    println!(
        "{label}: reconciled {sizes} unchanged sizes in {:?}",
        started.elapsed()
    );
    sims.wait_for_product_polls(2).await;
    let (writes, seq) = sims.article_writes(seq).await;
    assert!(writes.is_empty(), "unchanged catalogue wrote {writes:?}");

    // Ten sizes change in Centra: exactly those ten are written, once. Through the Order API
    // each one's price changes; the Integration API prices a variant, not a size (a
    // `ProductVariant`'s `prices`; docs section 10 shows no price per size), so there each
    // one's size name changes, which a size has of its own and every WMS keeps in the article
    // name (an EAN would do on Ongoing, but OGOship never overwrites one it has).
    let started = Instant::now();
    let changed: Vec<(usize, usize)> = (0..10)
        .map(|i| (i * 17 % products, i % SIZES_PER_PRODUCT))
        .collect();
    let new_size_name = |s: usize| format!("S{s} Long");
    sims.seed_products(
        changed
            .iter()
            .map(|&(p, s)| match setup.centra {
                CentraAdapter::OrderApi => priced_row(p, s, "49.00"),
                CentraAdapter::Graphql => {
                    let mut row = size_row(p, s);
                    row["size"] = json!(new_size_name(s));
                    row
                }
            })
            .collect(),
    )
    .await;
    let (mut written, cursor) = sims.collect_writes(seq, 10, Duration::from_secs(120)).await;
    println!(
        "{label}: wrote 10 changed articles in {:?}",
        started.elapsed()
    );
    let reconciled = admin
        .reconcile(ReconcileCatalogRequest { dry_run: false })
        .await
        .expect("reconcile")
        .into_inner();
    assert_eq!(
        reconciled.queued, 0,
        "events already wrote every change: {reconciled:?}"
    );
    sims.wait_for_product_polls(2).await;
    let (late, _) = sims.article_writes(cursor).await;
    written.extend(late);
    match setup.centra {
        CentraAdapter::OrderApi => assert!(
            written.iter().all(|w| w.price == Some(49.0)),
            "at the new price: {written:?}"
        ),
        CentraAdapter::Graphql => assert!(
            written.iter().all(|w| changed
                .iter()
                .any(|&(p, s)| w.number == article_number(p, s)
                    && w.name.ends_with(&new_size_name(s)))),
            "with the new size name: {written:?}"
        ),
    }
    let mut written = numbers(&written);
    written.sort();
    let mut expected: Vec<String> = changed.iter().map(|&(p, s)| article_number(p, s)).collect();
    expected.sort();
    assert_eq!(written, expected);

    running.stop().await;
}

pub async fn prices_deactivates_and_resyncs_articles(setup: Setup) {
    let products = 3;
    let sims = CatalogSims::start(&setup).await;
    sims.seed_products(
        (0..products)
            .flat_map(|p| (0..SIZES_PER_PRODUCT).map(move |s| size_row(p, s)))
            .collect(),
    )
    .await;
    let running = Running::start(setup.shape, sims.config("1s", "")).await;
    let (_, seq) = sims
        .collect_writes(0, products * SIZES_PER_PRODUCT, Duration::from_secs(120))
        .await;

    // The configured price (EUR by default) is the customer price, weight in kilograms where
    // the WMS keeps one.
    let article = sims.wms_article(&article_number(1, 3)).await;
    assert_eq!(article.price, Some(45.0), "{article}");
    assert_eq!(article.currency, sims.currency("EUR"), "{article}");
    assert_eq!(article.active, sims.active(true), "{article}");
    assert_eq!(
        article.weight_kg,
        sims.wms.keeps_weight().then_some(0.25),
        "{article}"
    );
    assert_eq!(article.customs_number.as_deref(), Some("6109100010"));
    assert_eq!(article.country_of_origin.as_deref(), Some("PT"));

    // A size made inactive in Centra is written once as an inactive article (as the same
    // product where the WMS has no active flag: the write still happens, once).
    let mut inactive = size_row(1, 3);
    inactive["active"] = json!(false);
    sims.seed_products(vec![inactive]).await;
    let (written, cursor) = sims.collect_writes(seq, 1, Duration::from_secs(120)).await;
    assert_eq!(numbers(&written), vec![article_number(1, 3)]);
    assert_eq!(written[0].active, sims.active(false), "{}", written[0]);
    let article = sims.wms_article(&article_number(1, 3)).await;
    assert_eq!(article.active, sims.active(false), "{article}");

    // Once: neither the polls nor a full reconcile write it again.
    let reconciled = running
        .admin()
        .reconcile(ReconcileCatalogRequest { dry_run: false })
        .await
        .expect("reconcile")
        .into_inner();
    assert_eq!(reconciled.queued, 0, "{reconciled:?}");
    sims.wait_for_product_polls(2).await;
    let (late, _) = sims.article_writes(cursor).await;
    assert!(
        late.is_empty(),
        "the inactive article was written again: {late:?}"
    );

    // Issue #11 point 3: a person edits two articles by hand in the WMS (neither API has an
    // article deletion; a deleted one is covered by the catalog-sync flow tests). The stored
    // hashes did not change, yet the resync reads the WMS and writes back exactly those two.
    let (_, before_edit) = sims.article_writes(0).await;
    sims.wms
        .edit_article_by_hand(
            &sims.http,
            &article_number(0, 0),
            HandEdit::Name("renamed by hand".into()),
        )
        .await;
    sims.wms
        .edit_article_by_hand(&sims.http, &article_number(2, 1), HandEdit::Price(9.5))
        .await;
    let (_, after_edit) = sims.article_writes(before_edit).await;
    let resynced = running
        .admin()
        .reconcile(ReconcileCatalogRequest { dry_run: false })
        .await
        .expect("resync")
        .into_inner();
    assert_eq!(
        (
            resynced.differing_in_wms,
            resynced.missing_in_wms,
            resynced.queued
        ),
        (2, 0, 2),
        "{resynced:?}"
    );
    let (rewritten, _) = sims.article_writes(after_edit).await;
    let mut rewritten = numbers(&rewritten);
    rewritten.sort();
    assert_eq!(rewritten, vec![article_number(0, 0), article_number(2, 1)]);
    assert_ne!(
        sims.wms_article(&article_number(0, 0)).await.name,
        "renamed by hand"
    );
    assert_eq!(
        sims.wms_article(&article_number(2, 1)).await.price,
        Some(45.0)
    );
    let again = running
        .admin()
        .reconcile(ReconcileCatalogRequest { dry_run: false })
        .await
        .expect("resync again")
        .into_inner();
    assert_eq!(again.queued, 0, "safe to run twice: {again:?}");

    running.stop().await;
}
