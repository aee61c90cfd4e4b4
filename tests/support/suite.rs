//! What the end-to-end suites generate their tests from: one test per runtime shape, WMS and
//! Centra API for each scenario, so every suite runs unchanged against every combination.
//!
//! ```ignore
//! centra_wms_tests::in_every_setup!(
//!     setup = crate::harness::setup;
//!     import::only_paid_shipments_are_imported,
//!     // OGOship API v1 reports no picked quantity per line.
//!     completion::partial_picks [only ongoing],
//!     // Purchase orders are not served through GraphQL yet.
//!     inbound::deliveries order_api_only,
//! );
//! ```
//!
//! gives `only_paid_shipments_are_imported::{embedded, distributed}::{ongoing, ogoship}` with
//! `shop1` on the Order API, the same again under `::graphql::` with `shop1` on the GraphQL
//! Integration API, `partial_picks::{embedded, distributed}::ongoing` (and under `::graphql::`)
//! and `deliveries` on the Order API only. Each test asks the suite's `setup` function (`async
//! fn(SetupShape, WmsKind, CentraAdapter, &str) -> Option<Setup>`) for its setup and hands it
//! to the scenario; `None` (the distributed shape's NATS or PostgreSQL not configured outside
//! CI, see `test_support`) ends the test there. An `[only ...]` entry names the WMS it runs
//! on, an `order_api_only` one stays off the GraphQL axis, and its comment says which API
//! limit keeps it from the others.
//!
//! The GraphQL axis runs the full cross (both shapes, every WMS the entry names): measured on
//! order_e2e its 20 tests take about 17 s of wall time on 2 cores, well under CI's 2-minute
//! allowance, so no shape is left out to save time.

use platform_config::WmsKind;

/// The runtime shape a generated test runs in, before the suite has made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupShape {
    /// SQLite bus and stores, gRPC in process.
    Embedded,
    /// NATS JetStream, PostgreSQL, gRPC over TCP.
    Distributed,
}

/// The WMS a generated test is named after (`ongoing`, `ogoship`).
///
/// # Panics
/// On any other name: a typo in an `[only ...]` list.
pub fn wms_kind(name: &str) -> WmsKind {
    match name {
        "ongoing" => WmsKind::Ongoing,
        "ogoship" => WmsKind::Ogoship,
        other => panic!("no WMS named {other}"),
    }
}

/// See the module docs.
// `crate::` in the expansion is the suite's own crate on purpose: the scenarios live there.
#[allow(clippy::crate_in_macro_def)]
#[macro_export]
macro_rules! in_every_setup {
    (setup = $setup:path; $($entries:tt)*) => {
        $crate::in_every_setup!(@apis $setup; $($entries)*);
    };
    (@apis $setup:path;) => {};
    (@apis $setup:path; $module:ident :: $name:ident [only $($wms:ident),+] order_api_only $(, $($rest:tt)*)?) => {
        $crate::in_every_setup!(@emit $setup; $module::$name [$($wms),+] []);
        $($crate::in_every_setup!(@apis $setup; $($rest)*);)?
    };
    (@apis $setup:path; $module:ident :: $name:ident [only $($wms:ident),+] $(, $($rest:tt)*)?) => {
        $crate::in_every_setup!(@emit $setup; $module::$name [$($wms),+] [$($wms),+]);
        $($crate::in_every_setup!(@apis $setup; $($rest)*);)?
    };
    (@apis $setup:path; $module:ident :: $name:ident order_api_only $(, $($rest:tt)*)?) => {
        $crate::in_every_setup!(@emit $setup; $module::$name [ongoing, ogoship] []);
        $($crate::in_every_setup!(@apis $setup; $($rest)*);)?
    };
    (@apis $setup:path; $module:ident :: $name:ident $(, $($rest:tt)*)?) => {
        $crate::in_every_setup!(@emit $setup; $module::$name [ongoing, ogoship] [ongoing, ogoship]);
        $($crate::in_every_setup!(@apis $setup; $($rest)*);)?
    };
    (@emit $setup:path; $module:ident :: $name:ident [$($wms:ident),+] [$($gwms:ident),*]) => {
        mod $name {
            mod embedded {
                $($crate::in_every_setup!(@test $setup; $module::$name, Embedded, $wms, OrderApi);)+
            }
            mod distributed {
                $($crate::in_every_setup!(@test $setup; $module::$name, Distributed, $wms, OrderApi);)+
            }
            mod graphql {
                mod embedded {
                    $($crate::in_every_setup!(@test $setup; $module::$name, Embedded, $gwms, Graphql);)*
                }
                mod distributed {
                    $($crate::in_every_setup!(@test $setup; $module::$name, Distributed, $gwms, Graphql);)*
                }
            }
        }
    };
    (@test $setup:path; $module:ident :: $name:ident, $shape:ident, $wms:ident, $api:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $wms() {
            let test = concat!(module_path!(), "::", stringify!($wms));
            let Some(setup) = $setup(
                $crate::suite::SetupShape::$shape,
                $crate::suite::wms_kind(stringify!($wms)),
                $crate::e2e::CentraAdapter::$api,
                test,
            )
            .await
            else {
                return;
            };
            crate::$module::$name(setup).await;
        }
    };
}
