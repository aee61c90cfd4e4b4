//! The article flow end to end: centra-sim and a WMS simulator (ongoing-sim or ogoship-sim),
//! with CentraGateway, that WMS's gateway (ongoing-gateway or ogoship-gateway) and CatalogSync
//! in one runtime, against both WMS and in both shapes: embedded (SQLite bus and stores,
//! in-process gRPC) and distributed (NATS JetStream, PostgreSQL, gRPC over TCP; `NATS_URL` and
//! `DATABASE_URL`). Effects are checked through the simulators' control API (`/_sim/state`,
//! `/_sim/requests`) and the WMS's own article API, in WMS-neutral terms
//! (`centra_wms_tests::wms::WmsArticle`), never through the services' own tables.
//!
//! ```text
//! harness.rs    simulators, runtime of either shape, article reads and writes, waits
//! catalogue.rs  the catalogue imported once, unchanged writes nothing, 10 changes write 10;
//!               the customer price, a size made inactive, hand edits written back by a resync
//! rules.rs      bad data rejected with reasons and written once fixed; EAN article numbers,
//!               inactive products and manual selection; only the catalog end-point's
//!               products, at its configured price
//! ```
//!
//! `CATALOG_E2E_SIZES` sets the catalogue scenario's size in the embedded shape, the
//! distributed one runs a tenth of it. CI runs the default, 3,000 (300 distributed), which
//! keeps each combination near a minute on a loaded 2-core machine (OGOship is the slow one:
//! its gateway looks every product up before writing it, and each look-up scans the
//! simulator's whole catalogue); `make e2e-large` runs 20,000 (2,000 distributed; about 4
//! minutes embedded on Ongoing, 7 on OGOship). Speed is measured by the `catalog_import`
//! benchmark (`tests/benches/`), not here: the phases are printed for a person, never
//! asserted.

mod catalogue;
mod harness;
mod rules;

// One test per shape and WMS for each scenario (`centra_wms_tests::suite`), and again per shape
// and WMS with `shop1` on the GraphQL Integration API (`::graphql::`); the distributed ones
// need NATS and PostgreSQL, and under CI their absence fails.
centra_wms_tests::in_every_setup!(
    setup = crate::harness::setup;
    catalogue::imports_once_and_writes_only_changes,
    catalogue::prices_deactivates_and_resyncs_articles,
    rules::rejects_bad_data_with_reasons,
    rules::options_ean_inactive_and_manual_selection,
    rules::articles_come_from_the_catalog_endpoint_at_its_price,
);
