//! Stock and returns end to end: a seeded randomized scenario of orders, full and partial
//! picks, completions, supplier deliveries and receipts, manual stock moves, stock-takes and
//! returns with mixed causes, against both simulators, with every service of the product in one
//! runtime of either shape. After **every** step Centra must not sell more of any article than
//! the WMS can (`centra available <= max(0, wms sellable)`); at rest (every 500 steps and at
//! the end) both sides must agree, every WMS return must exist once in Centra with its combined
//! causes, and nothing may be left parked or done twice.
//!
//! ```text
//! world.rs      the simulators' state as the scenario reads it, and the checks
//! scenario.rs   the steps, the invariant after each, the rest checkpoints, the table
//! ```
//!
//! `STOCK_RETURNS_E2E_STEPS` (default 400, what CI runs for each shape and fault setting) and
//! `STOCK_RETURNS_E2E_SEED` (default 7) choose the size and the sequence; `make e2e-large`
//! runs 2,000 steps of each. A step takes about 0.4 s: a WMS decrease waits for the sync to
//! catch up, which is bounded below by the WMS stock poll (`sync_interval`, at least 1 s).

mod scenario;
mod world;

use centra_wms_tests::runtime::Shape;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_never_oversells_and_settles_equal() {
    scenario::run(Shape::Embedded, false, "stock_returns_e2e embedded").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_never_oversells_and_settles_equal() {
    scenario::run(Shape::Distributed, false, "stock_returns_e2e distributed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_with_faults_never_oversells_and_settles_equal() {
    scenario::run(Shape::Embedded, true, "stock_returns_e2e embedded faults").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_with_faults_never_oversells_and_settles_equal() {
    scenario::run(
        Shape::Distributed,
        true,
        "stock_returns_e2e distributed faults",
    )
    .await;
}
