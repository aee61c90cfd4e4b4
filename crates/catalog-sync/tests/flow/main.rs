//! The article flow against in-memory fakes of its ports and a real store.
//!
//! Layout: `harness.rs` (the `spawn_flow` harness over `catalog_sync::fakes`), `events.rs`
//! (`ProductChanged` handling, incremental writes, inbox), `bad_data.rs` (every rejection, its
//! listing and its retry), `selection.rs` (manual mode, refresh, reconcile), `dead_letters.rs`
//! (the `DeadLetters` service), `retired.rs` (inactive and removed sizes, event batches, the
//! list of one product), `intake.rs` (the batched intake on the embedded bus and NATS:
//! bounded redelivery into replayable dead letters, progress acks), `ports_contract.rs` (one contract per port, run against the
//! fakes and the gRPC adapters). The scenarios that exercise the repository's SQL run on
//! SQLite and on PostgreSQL (`DATABASE_URL`).

/// Runs a scenario `async fn(Backend)` as two tests: SQLite and PostgreSQL.
macro_rules! on_both_stores {
    ($name:ident, $scenario:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$scenario(crate::harness::Backend::Sqlite).await;
            }

            #[tokio::test]
            async fn postgres() {
                super::$scenario(crate::harness::Backend::Postgres).await;
            }
        }
    };
}

mod bad_data;
mod dead_letters;
mod events;
mod flow_status;
mod harness;
mod intake;
mod ports_contract;
mod retired;
mod selection;
