//! The contract every bus adapter passes (quickwit's `metastore_test_suite!` pattern).
//!
//! `bus_contract_tests!(factory)` expands a `bus_contract` module with one `#[tokio::test]` per
//! case; `factory` is an expression evaluated afresh in every test that yields
//! `Option<BusUnderTest>` (`None`: the adapter's server is not configured outside CI, and the
//! test has already said on stderr that it is skipped).
//!
//! Layout:
//! - this file: `BusUnderTest` and the macro;
//! - `cases`: the test bodies, one public async function per case, written against the port
//!   only (so they compile once, in the library, and cannot drift between adapters).
//!
//! Adapter-specific behaviour (surviving a restart) is tested next to the invocation.

pub mod cases;

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::port::Bus;

type Cleanup = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A bus built for one contract test, with what must live as long as it (a temporary folder)
/// and what to do afterwards (delete a stream).
pub struct BusUnderTest {
    pub bus: Arc<dyn Bus>,
    guard: Option<Box<dyn Any + Send + Sync>>,
    cleanup: Option<Cleanup>,
}

impl std::fmt::Debug for BusUnderTest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BusUnderTest")
            .field("bus", &self.bus)
            .field("has_guard", &self.guard.is_some())
            .field("has_cleanup", &self.cleanup.is_some())
            .finish()
    }
}

impl BusUnderTest {
    pub fn new(bus: impl Bus) -> Self {
        Self {
            bus: Arc::new(bus),
            guard: None,
            cleanup: None,
        }
    }

    /// Keeps `guard` alive until the test ends (e.g. the `TempDir` holding a SQLite file).
    pub fn keeping(mut self, guard: impl Any + Send + Sync) -> Self {
        self.guard = Some(Box::new(guard));
        self
    }

    /// Runs `cleanup` after a case that passed (a failed case leaves its data to look at).
    pub fn with_cleanup(mut self, cleanup: impl Future<Output = ()> + Send + 'static) -> Self {
        self.cleanup = Some(Box::pin(cleanup));
        self
    }

    pub async fn finish(mut self) {
        if let Some(cleanup) = self.cleanup.take() {
            cleanup.await;
        }
    }
}

/// Expands the bus contract suite for one adapter. See the module docs.
///
/// ```text
/// async fn embedded_bus() -> Option<BusUnderTest> { /* open a bus in a temp dir */ }
/// platform_bus::bus_contract_tests!(embedded_bus());
/// ```
#[macro_export]
macro_rules! bus_contract_tests {
    ($factory:expr) => {
        $crate::bus_contract_tests!(@module $factory;
            round_trip_keeps_headers_and_payload,
            keeps_order_per_subject,
            nak_redelivers_after_the_delay,
            crash_redelivers_after_ack_wait,
            every_delivery_is_counted,
            in_progress_keeps_the_lease,
            duplicate_publish_is_dropped,
            publish_batch_keeps_order_and_checks_each,
            consumer_group_shares_work,
            concurrent_handles_split_the_work,
            next_batch_leases_up_to_max_each_once,
            term_is_never_redelivered,
            a_new_consumer_starts_at_the_oldest_message_kept,
            max_deliver_is_honoured,
            filters_select_subjects,
            consumer_call_is_idempotent,
            rejects_invalid_input,
        );
    };
    (@module $factory:expr; $($case:ident),+ $(,)?) => {
        mod bus_contract {
            #[allow(unused_imports)]
            use super::*;

            $(
                #[tokio::test]
                async fn $case() {
                    let Some(under_test) = $factory.await else {
                        return;
                    };
                    $crate::contract::cases::$case(&*under_test.bus).await;
                    under_test.finish().await;
                }
            )+
        }
    };
}
