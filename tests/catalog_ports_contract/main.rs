//! One contract for catalog-sync's ports, run against every implementation (as
//! `stock_ports_contract` does for stock-sync's): the in-memory fakes the flow tests use
//! (`catalog_sync::fakes`, feature `fakes`) and the gRPC adapters (`GrpcCatalogSource`,
//! `GrpcArticleSink`) over the real gateways and simulators. The flow tests trust the fakes to
//! behave like the gateways; these cases, including the error kinds each port method documents
//! in its `# Errors` section, are what backs that trust. When they disagree, the fake is fixed.
//!
//! ```text
//! cases.rs   the cases, one plain async fn each, generic over the world
//! world.rs   CatalogWorld / ArticleWorld: a port plus its controls; the fakes' worlds
//! grpc.rs    the gateways' world: both simulators, both gateways embedded
//! ```

mod cases;
mod grpc;
mod world;

/// One test per implementation for each case `side::name` (`name::fakes`, `name::grpc`), each
/// on a fresh world of its side (`CatalogWorld` or `ArticleWorld`).
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
    (@fake CatalogWorld) => { crate::world::FakeCatalogWorld::default() };
    (@fake ArticleWorld) => { crate::world::FakeArticleWorld::default() };
}

contract!(
    CatalogWorld::catalog_lists_every_product_once_with_all_its_sizes,
    CatalogWorld::catalog_sizes_read_as_centra_sells_them,
    CatalogWorld::catalog_of_an_unknown_endpoint_is_refused,
    CatalogWorld::catalog_down_is_unavailable,
    ArticleWorld::articles_answer_one_result_per_article_in_order,
    ArticleWorld::articles_are_held_as_written,
    ArticleWorld::an_article_written_again_keeps_its_id,
    ArticleWorld::articles_unreadable_while_the_wms_is_down,
);
