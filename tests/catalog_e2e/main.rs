//! The article flow end to end: centra-sim and ongoing-sim, with CentraGateway, the WMS gateway (ongoing-gateway)
//! and CatalogSync in one runtime. Effects are checked through the simulators' control API
//! (`/_sim/state`, `/_sim/requests`) and Ongoing's own `GET /articles`, never through the
//! services' own tables.
//!
//! Each scenario runs in both shapes: embedded (SQLite bus and stores, in-process gRPC) and
//! distributed (NATS JetStream, PostgreSQL, gRPC over TCP; `NATS_URL` and `DATABASE_URL`):
//! - `catalogue`: the import runs once (20,000 sizes embedded, 1,000 distributed), an unchanged
//!   catalogue writes nothing, and 10 changed sizes write exactly those 10 articles;
//! - `lifecycle`: the customer price reaches the WMS, and a size made inactive in Centra is
//!   written once as an inactive article;
//! - `bad_data`: every bad-data case and a collision rejected with its reason, the good size
//!   written, a fixed size written once fixed;
//! - `options`: EAN article numbers, inactive products as inactive articles, and manual
//!   selection (nothing written until a person selects);
//! - `catalog_endpoint_and_price`: with two end-points only the catalog end-point's products
//!   become articles, priced in the configured currency.
//!
//! Speed is measured by the `catalog_import` benchmark (`tests/benches/`), not here: the
//! phases are printed for a person, never asserted.

mod catalogue;
mod harness;
mod rules;

use harness::Shape;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_imports_20000_sizes_once_and_writes_only_changes() {
    catalogue::catalogue(Shape::Embedded, 2_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_imports_once_and_writes_only_changes() {
    catalogue::catalogue(Shape::Distributed, 100).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_prices_and_deactivates_articles() {
    catalogue::lifecycle(Shape::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_prices_and_deactivates_articles() {
    catalogue::lifecycle(Shape::Distributed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_rejects_bad_data_with_reasons() {
    rules::bad_data(Shape::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_rejects_bad_data_with_reasons() {
    rules::bad_data(Shape::Distributed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_options_ean_inactive_and_manual_selection() {
    rules::options(Shape::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_options_ean_inactive_and_manual_selection() {
    rules::options(Shape::Distributed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_articles_come_from_the_catalog_endpoint_at_its_price() {
    rules::catalog_endpoint_and_price(Shape::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_articles_come_from_the_catalog_endpoint_at_its_price() {
    rules::catalog_endpoint_and_price(Shape::Distributed).await;
}
