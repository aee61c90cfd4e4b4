//! One contract for order-sync's ports, run against every implementation (in the manner of
//! quickwit's metastore test suite): the in-memory fakes the flow tests use
//! (`order_sync::fakes`, feature `fakes`) and the gRPC adapters (`GrpcCentra`, `GrpcWms`) over
//! the real gateways and simulators. The flow tests trust the fakes to behave like the
//! gateways; these cases are what backs that trust. When they disagree, the fake is fixed.
//!
//! ```text
//! cases.rs   the cases, one plain async fn each, generic over the world
//! world.rs   CentraWorld / WmsWorld: a port plus its controls; the fakes' worlds
//! grpc.rs    the gateways' world: both simulators, CentraGateway and OngoingGateway embedded
//! ```

mod cases;
mod grpc;
mod world;

/// One test per implementation for each case `side::name` (`name::fakes`, `name::grpc`), each
/// on a fresh world of its side (`centra` or `wms`).
macro_rules! contract {
    ($($side:ident :: $name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn fakes() {
                    let world = contract!(@fake $side);
                    crate::cases::$name(&world).await;
                    crate::world::$side::stop(world).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn grpc() {
                    let world = crate::grpc::GrpcWorld::start().await;
                    crate::cases::$name(&world).await;
                    <crate::grpc::GrpcWorld as crate::world::$side>::stop(world).await;
                }
            }
        )*
    };
    (@fake CentraWorld) => { crate::world::FakeCentraWorld::default() };
    (@fake WmsWorld) => { crate::world::FakeWmsWorld::default() };
}

contract!(
    WmsWorld::missing_articles_are_all_named_once,
    WmsWorld::purchase_order_missing_articles_are_all_named_once,
    WmsWorld::the_same_upsert_twice_is_one_order,
    WmsWorld::cancel_is_done_once,
    WmsWorld::cancel_after_work_started_is_refused,
    WmsWorld::update_after_work_started_is_refused_and_changes_nothing,
    WmsWorld::wms_down_is_unavailable,
    WmsWorld::acknowledging_picks_of_an_unknown_order_is_refused,
    CentraWorld::complete_twice_is_one_completion,
    CentraWorld::unpaid_without_capture_is_refused,
    CentraWorld::capture_twice_charges_once,
    CentraWorld::declined_capture_is_refused,
    CentraWorld::centra_down_is_unavailable,
    CentraWorld::an_unknown_shipment_is_refused,
);
