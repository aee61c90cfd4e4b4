//! What the end-to-end suites generate their tests from: one test per runtime shape and WMS for
//! each scenario, so every suite runs unchanged against every combination.
//!
//! ```ignore
//! centra_wms_tests::in_every_setup!(
//!     setup = crate::harness::setup;
//!     import::only_paid_shipments_are_imported,
//!     // OGOship API v1 reports no picked quantity per line.
//!     completion::partial_picks [only ongoing],
//! );
//! ```
//!
//! gives `only_paid_shipments_are_imported::{embedded, distributed}::{ongoing, ogoship}` and
//! `partial_picks::{embedded, distributed}::ongoing`. Each test asks the suite's `setup`
//! function (`async fn(SetupShape, WmsKind, &str) -> Option<Setup>`) for its setup and hands it
//! to the scenario; `None` (the distributed shape's NATS or PostgreSQL not configured outside
//! CI, see `test_support`) ends the test there. An `[only ...]` entry names the WMS it runs on,
//! and its comment says which API limit keeps it from the others.
//!
//! The Centra-API axis: with `graphql_setup = path;` after `setup`, every entry also runs with
//! the end-point set to `api = "graphql"` (`<name>::graphql::{embedded, distributed}::<wms>`),
//! unless it is marked `order_api_only` (its comment says which GraphQL limit keeps it off):
//!
//! ```ignore
//! centra_wms_tests::in_every_setup!(
//!     setup = crate::harness::setup;
//!     graphql_setup = crate::harness::setup_graphql;
//!     completion::partial_picks [only ongoing],
//!     // The catalog is not served through GraphQL yet.
//!     inbound::deliveries order_api_only,
//! );
//! ```
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
    (setup = $setup:path; graphql_setup = $graphql:path; $($entries:tt)*) => {
        $crate::in_every_setup!(@apis $setup, $graphql; $($entries)*);
    };
    (setup = $setup:path; $($entries:tt)*) => {
        $crate::in_every_setup!(@entries $setup; $($entries)*);
    };
    (@apis $setup:path, $graphql:path;) => {};
    (@apis $setup:path, $graphql:path; $module:ident :: $name:ident [only $($wms:ident),+] order_api_only $(, $($rest:tt)*)?) => {
        $crate::in_every_setup!(@emit_apis $setup, $graphql; $module::$name [$($wms),+] []);
        $($crate::in_every_setup!(@apis $setup, $graphql; $($rest)*);)?
    };
    (@apis $setup:path, $graphql:path; $module:ident :: $name:ident [only $($wms:ident),+] $(, $($rest:tt)*)?) => {
        $crate::in_every_setup!(@emit_apis $setup, $graphql; $module::$name [$($wms),+] [$($wms),+]);
        $($crate::in_every_setup!(@apis $setup, $graphql; $($rest)*);)?
    };
    (@apis $setup:path, $graphql:path; $module:ident :: $name:ident order_api_only $(, $($rest:tt)*)?) => {
        $crate::in_every_setup!(@emit_apis $setup, $graphql; $module::$name [ongoing, ogoship] []);
        $($crate::in_every_setup!(@apis $setup, $graphql; $($rest)*);)?
    };
    (@apis $setup:path, $graphql:path; $module:ident :: $name:ident $(, $($rest:tt)*)?) => {
        $crate::in_every_setup!(@emit_apis $setup, $graphql; $module::$name [ongoing, ogoship] [ongoing, ogoship]);
        $($crate::in_every_setup!(@apis $setup, $graphql; $($rest)*);)?
    };
    (@emit_apis $setup:path, $graphql:path; $module:ident :: $name:ident [$($wms:ident),+] [$($gwms:ident),*]) => {
        mod $name {
            mod embedded {
                $($crate::in_every_setup!(@test $setup; $module::$name, Embedded, $wms);)+
            }
            mod distributed {
                $($crate::in_every_setup!(@test $setup; $module::$name, Distributed, $wms);)+
            }
            mod graphql {
                mod embedded {
                    $($crate::in_every_setup!(@test $graphql; $module::$name, Embedded, $gwms);)*
                }
                mod distributed {
                    $($crate::in_every_setup!(@test $graphql; $module::$name, Distributed, $gwms);)*
                }
            }
        }
    };
    (@entries $setup:path;) => {};
    (@entries $setup:path; $module:ident :: $name:ident [only $($wms:ident),+] $(, $($rest:tt)*)?) => {
        $crate::in_every_setup!(@emit $setup; $module::$name [$($wms),+]);
        $($crate::in_every_setup!(@entries $setup; $($rest)*);)?
    };
    (@entries $setup:path; $module:ident :: $name:ident $(, $($rest:tt)*)?) => {
        $crate::in_every_setup!(@emit $setup; $module::$name [ongoing, ogoship]);
        $($crate::in_every_setup!(@entries $setup; $($rest)*);)?
    };
    (@emit $setup:path; $module:ident :: $name:ident [$($wms:ident),+]) => {
        mod $name {
            mod embedded {
                $($crate::in_every_setup!(@test $setup; $module::$name, Embedded, $wms);)+
            }
            mod distributed {
                $($crate::in_every_setup!(@test $setup; $module::$name, Distributed, $wms);)+
            }
        }
    };
    (@test $setup:path; $module:ident :: $name:ident, $shape:ident, $wms:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $wms() {
            let test = concat!(module_path!(), "::", stringify!($wms));
            let Some(setup) = $setup(
                $crate::suite::SetupShape::$shape,
                $crate::suite::wms_kind(stringify!($wms)),
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
