//! One contract for returns-sync's ports, run against every implementation (as
//! `order_ports_contract` does for order-sync's): the in-memory fakes the flow tests use
//! (`returns_sync::fakes`, feature `fakes`) and the gRPC adapters (`GrpcCentra`, `GrpcWms`)
//! over the real gateways and simulators. The flow tests trust the fakes to behave like the
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
    CentraWorld::shipment_lines_are_centras,
    CentraWorld::an_unknown_shipment_is_refused,
    CentraWorld::the_same_return_twice_is_one_return,
    CentraWorld::another_key_is_another_return,
    CentraWorld::a_return_of_no_units_is_refused,
    CentraWorld::centra_down_is_unavailable,
    WmsWorld::wms_reported_returned_never_lowers,
    WmsWorld::wms_unknown_order_or_line_is_refused,
    WmsWorld::wms_down_is_unavailable,
);
