//! Contract tests of platform-store, one suite run against every database it supports.
//!
//! Layout:
//! - `suite`: the test bodies, written once;
//! - `harness`: where each test's databases live (temp SQLite files, a fresh PostgreSQL
//!   database dropped at the end) and the fake services' migrations;
//! - `parcels`: a repository written the way services write theirs;
//! - `recording_bus`: a `Bus` that records publishes and fails on request;
//! - `sqlite_only`: what only SQLite has (in-memory stores) and open errors.

mod harness;
mod parcels;
mod recording_bus;
mod sqlite_only;
mod suite;

/// Runs every contract test against one backend: `store_contract_tests!(sqlite)` uses
/// `TestDb::sqlite`, `store_contract_tests!(postgres)` uses `TestDb::postgres`.
macro_rules! store_contract_tests {
    ($backend:ident) => {
        store_contract_tests!(@each $backend, [
            migrations_are_idempotent_on_reopen,
            services_are_isolated,
            any_driver_round_trips_portable_types,
            inbox_detects_redelivery,
            outbox_publishes_committed_messages_only,
            relay_publishes_in_order_exactly_once_across_restart,
            relay_retries_after_bus_failure,
            relay_publishes_a_round_as_one_batch,
            relay_keeps_what_a_batch_published_before_and_after_a_failure,
            relay_dead_letters_a_rejected_message_and_goes_on,
            dead_letters_lifecycle,
            dead_letters_prune_resolved_only,
            concurrent_relays_publish_each_message_once_in_order,
            relay_lease_passes_on_release_and_after_expiry,
            relay_wakes_on_commit,
            concurrent_transactions_wait_for_each_other,
            connections_are_configured,
            outbox_prunes_published_messages_only,
            record_locks_exclude_every_store_of_the_service,
            a_lock_handed_over_within_a_process_never_polls,
            a_lock_held_too_long_is_a_timeout,
            locked_read_modify_write_loses_no_update,
        ]);
    };
    (@each $backend:ident, [$($test:ident),* $(,)?]) => {
        mod $backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let name = concat!(stringify!($backend), "::", stringify!($test));
                    let Some(db) = crate::harness::TestDb::$backend(name).await else {
                        return;
                    };
                    // Run the body as a task so the database is dropped even when it fails.
                    let outcome = tokio::spawn(crate::suite::$test(db.clone())).await;
                    db.finish().await;
                    if let Err(error) = outcome {
                        match error.try_into_panic() {
                            Ok(panic) => std::panic::resume_unwind(panic),
                            Err(error) => panic!("{name}: test task failed: {error}"),
                        }
                    }
                }
            )*
        }
    };
}

store_contract_tests!(sqlite);
store_contract_tests!(postgres);
