//! One contract for stock-sync's ports, run against every implementation (as
//! `order_ports_contract` does for order-sync's): the in-memory fakes the flow tests use
//! (`stock_sync::fakes`, feature `fakes`) and the gRPC adapters (`GrpcWms`, `GrpcCentra`) over
//! the real gateways and simulators. The flow tests trust the fakes to behave like the
//! gateways; these cases are what backs that trust. When they disagree, the fake is fixed.
//!
//! ```text
//! cases.rs   the cases, one plain async fn each, generic over the world
//! world.rs   WmsWorld / CentraWorld: a port plus its controls; the fakes' worlds
//! grpc.rs    the gateways' world: both simulators, CentraGateway and OngoingGateway embedded
//! ```

mod cases;
mod grpc;
mod world;

/// One test per implementation for each case `side::name` (`name::fakes`, `name::grpc`), each
/// on a fresh world of its side (`wms` or `centra`).
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
    WmsWorld::wms_read_names_levels_and_the_unknown,
    WmsWorld::wms_reads_are_fresh,
    WmsWorld::wms_read_of_more_than_100_is_refused,
    WmsWorld::wms_paging_reaches_every_article_once,
    WmsWorld::wms_down_is_unavailable,
    CentraWorld::centra_read_returns_every_size_of_named_products,
    CentraWorld::centra_read_of_a_bad_id_is_refused,
    CentraWorld::centra_paging_reaches_every_item_once,
    CentraWorld::centra_write_is_absolute,
    CentraWorld::centra_write_names_unknown_products,
    CentraWorld::centra_negative_write_is_refused,
    CentraWorld::centra_down_is_unavailable,
);
