//! One contract per port, run against every adapter: the in-memory fakes the flow tests use
//! and the gRPC adapters (over in-process gateway servers that behave like the real ones:
//! pages that split a product, per-article refusals).

use catalog_sync::convert::CentraProduct;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use catalog_sync::ports::{
    ArticleSink, CatalogSource, GrpcArticleSink, GrpcCatalogSource, PortError, PortErrorKind,
};
use catalog_sync::rules::WmsArticle;
use platform_runtime::{CancellationToken, ServiceDirectory};
use proto::centra::v1 as centra;
use proto::centra::v1::centra_gateway_server::{CentraGateway, CentraGatewayServer};
use proto::events::v1 as pb;
use proto::wms::v1 as wms;
use proto::wms::v1::wms_gateway_server::{WmsGateway, WmsGatewayServer};
use tonic::{Request, Response, Status};

use crate::harness::{FakeCatalog, FakeWms, product, size};

/// Three products; the second has more sizes than a gRPC page holds.
fn catalogue() -> Vec<pb::Product> {
    vec![
        product("1", vec![size("10", "S")]),
        product("2", vec![size("20", "S"), size("21", "M"), size("22", "L")]),
        product("3", vec![size("30", "S")]),
    ]
}

fn article(number: &str) -> WmsArticle {
    WmsArticle {
        article_number: number.into(),
        name: "Shirt Blue S".into(),
        product_code: "M411".into(),
        bar_code: None,
        active: true,
        color: "Blue".into(),
        size: "S".into(),
        weight_kg: Some("0.3".into()),
        country_of_origin: None,
        customs_number: None,
        price: None,
        currency: None,
    }
}

macro_rules! catalog_source_contract {
    ($name:ident, $make:path) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn lists_every_product_once_with_all_its_sizes() {
                let source = $make(catalogue()).await;
                let mut products = source.all_products("shop1").await.expect("listed");
                products.sort_by(|a, b| a.product_id.cmp(&b.product_id));
                let shape: Vec<(String, usize)> = products
                    .iter()
                    .map(|p| (p.product_id.clone(), p.sizes.len()))
                    .collect();
                assert_eq!(
                    shape,
                    [
                        ("1".to_owned(), 1),
                        ("2".to_owned(), 3),
                        ("3".to_owned(), 1)
                    ]
                );
            }
        }
    };
}

macro_rules! article_sink_contract {
    ($name:ident, $make:path) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn answers_one_result_per_article_in_order() {
                let sink = $make(["BAD".to_owned()].into()).await;
                let results = sink
                    .upsert("key-1", &[article("A"), article("BAD"), article("B")])
                    .await
                    .expect("answered");
                let numbers: Vec<&str> =
                    results.iter().map(|r| r.article_number.as_str()).collect();
                assert_eq!(numbers, ["A", "BAD", "B"]);
                assert!(matches!(results[0].result, Ok(id) if id > 0));
                assert!(results[1].result.is_err());
                assert!(matches!(results[2].result, Ok(id) if id > 0));
            }

            #[tokio::test]
            async fn holds_what_was_written_read_over_several_pages() {
                let sink = $make(["BAD".to_owned()].into()).await;
                let mut c = article("C");
                c.bar_code = Some("4006381333931".into());
                c.price = Some("45".into());
                c.currency = Some("EUR".into());
                let written = [article("A"), article("BAD"), article("B"), c.clone()];
                sink.upsert("key-1", &written).await.expect("answered");
                let mut held = sink.held().await.expect("read");
                held.sort_by(|x, y| x.article.article_number.cmp(&y.article.article_number));
                let numbers: Vec<&str> = held
                    .iter()
                    .map(|h| h.article.article_number.as_str())
                    .collect();
                assert_eq!(numbers, ["A", "B", "C"], "the refused one is not held");
                // The WMS keeps no currency for the customer price.
                c.currency = None;
                assert_eq!(held[2].article, c);
                assert!(held.iter().all(|h| h.article_system_id > 0));
            }
        }
    };
}

async fn fake_source(products: Vec<pb::Product>) -> Arc<dyn CatalogSource> {
    let fake = FakeCatalog::default();
    for p in products {
        fake.products
            .lock()
            .expect("lock")
            .insert(p.product_id.clone(), p);
    }
    Arc::new(fake)
}

async fn fake_sink(refuse: BTreeSet<String>) -> Arc<dyn ArticleSink> {
    let fake = FakeWms::default();
    *fake.refuse.lock().expect("lock") = refuse;
    Arc::new(fake)
}

/// Pages of two size items, as `GET /products` pages rows: a product may span two pages.
#[derive(Debug)]
struct PagedCentra {
    products: Vec<pb::Product>,
}

#[tonic::async_trait]
impl CentraGateway for PagedCentra {
    async fn complete_shipment(
        &self,
        _: Request<centra::CompleteShipmentRequest>,
    ) -> Result<Response<centra::CompleteShipmentResponse>, Status> {
        Err(Status::unimplemented("not in this fake"))
    }
    async fn capture_shipment(
        &self,
        _: Request<centra::CaptureShipmentRequest>,
    ) -> Result<Response<centra::CaptureShipmentResponse>, Status> {
        Err(Status::unimplemented("not in this fake"))
    }
    async fn update_shipment_quantities(
        &self,
        _: Request<centra::UpdateShipmentQuantitiesRequest>,
    ) -> Result<Response<centra::UpdateShipmentQuantitiesResponse>, Status> {
        Err(Status::unimplemented("not in this fake"))
    }
    async fn set_stock(
        &self,
        _: Request<centra::SetStockRequest>,
    ) -> Result<Response<centra::SetStockResponse>, Status> {
        Err(Status::unimplemented("not in this fake"))
    }
    async fn read_stock(
        &self,
        _: Request<centra::ReadStockRequest>,
    ) -> Result<Response<centra::ReadStockResponse>, Status> {
        Err(Status::unimplemented("not in this fake"))
    }
    async fn accept_supplier_delivery(
        &self,
        _: Request<centra::AcceptSupplierDeliveryRequest>,
    ) -> Result<Response<centra::AcceptSupplierDeliveryResponse>, Status> {
        Err(Status::unimplemented("not in this fake"))
    }
    async fn create_return(
        &self,
        _: Request<centra::CreateReturnRequest>,
    ) -> Result<Response<centra::CreateReturnResponse>, Status> {
        Err(Status::unimplemented("not in this fake"))
    }
    async fn get_shipment(
        &self,
        _: Request<centra::GetShipmentRequest>,
    ) -> Result<Response<centra::GetShipmentResponse>, Status> {
        Err(Status::unimplemented("not in this fake"))
    }
    async fn list_products(
        &self,
        request: Request<centra::ListProductsRequest>,
    ) -> Result<Response<centra::ListProductsResponse>, Status> {
        let start: usize = request.get_ref().page_token.parse().unwrap_or(0);
        let rows: Vec<(&pb::Product, &pb::ProductSize)> = self
            .products
            .iter()
            .flat_map(|p| p.sizes.iter().map(move |s| (p, s)))
            .collect();
        let mut page: Vec<pb::Product> = Vec::new();
        for (p, s) in rows.iter().skip(start).take(2) {
            match page.last_mut() {
                Some(last) if last.product_id == p.product_id => last.sizes.push((*s).clone()),
                _ => page.push(pb::Product {
                    sizes: vec![(*s).clone()],
                    ..(*p).clone()
                }),
            }
        }
        let next = start + 2;
        Ok(Response::new(centra::ListProductsResponse {
            products: page,
            next_page_token: if next < rows.len() {
                next.to_string()
            } else {
                String::new()
            },
        }))
    }
    async fn test_connection(
        &self,
        _: Request<centra::TestConnectionRequest>,
    ) -> Result<Response<centra::TestConnectionResponse>, Status> {
        Ok(Response::new(centra::TestConnectionResponse {
            ok: true,
            ..Default::default()
        }))
    }
}

/// Upserts articles, refusing the configured numbers with a reason; lists what it holds two
/// per page, whatever the page size asked (as a WMS with a lower cap would).
#[derive(Debug)]
struct RefusingWms {
    refuse: BTreeSet<String>,
    held: std::sync::Mutex<Vec<wms::Article>>,
}

#[tonic::async_trait]
impl WmsGateway for RefusingWms {
    async fn read_stock(
        &self,
        _: Request<wms::ReadStockRequest>,
    ) -> Result<Response<wms::ReadStockResponse>, Status> {
        Err(Status::unimplemented("not in this fake"))
    }
    async fn list_articles(
        &self,
        request: Request<wms::ListArticlesRequest>,
    ) -> Result<Response<wms::ListArticlesResponse>, Status> {
        let from = usize::try_from(request.get_ref().article_system_id_from.max(1)).unwrap_or(1);
        let held = self.held.lock().expect("lock");
        let articles: Vec<wms::ListedArticle> = held
            .iter()
            .enumerate()
            .skip(from - 1)
            .take(2)
            .map(|(i, a)| wms::ListedArticle {
                article_system_id: i64::try_from(i).unwrap_or(0) + 1,
                article: Some(a.clone()),
            })
            .collect();
        let next = from + 2;
        Ok(Response::new(wms::ListArticlesResponse {
            articles,
            next_article_system_id_from: if next <= held.len() {
                i64::try_from(next).unwrap_or(0)
            } else {
                0
            },
        }))
    }
    async fn upsert_articles(
        &self,
        request: Request<wms::UpsertArticlesRequest>,
    ) -> Result<Response<wms::UpsertArticlesResponse>, Status> {
        let request_articles = request.into_inner().articles;
        let results = request_articles
            .iter()
            .enumerate()
            .map(|(i, a)| wms::ArticleResult {
                article_number: a.article_number.clone(),
                article_system_id: if self.refuse.contains(&a.article_number) {
                    0
                } else {
                    i64::try_from(i).unwrap_or(0) + 100
                },
                error: if self.refuse.contains(&a.article_number) {
                    format!("articles[{i}].article_number: refused")
                } else {
                    String::new()
                },
            })
            .collect();
        let mut held = self.held.lock().expect("lock");
        for article in &request_articles {
            if !self.refuse.contains(&article.article_number) {
                held.retain(|h| h.article_number != article.article_number);
                held.push(article.clone());
            }
        }
        Ok(Response::new(wms::UpsertArticlesResponse { results }))
    }
    async fn upsert_order(
        &self,
        _: Request<wms::UpsertOrderRequest>,
    ) -> Result<Response<wms::UpsertOrderResponse>, Status> {
        Err(Status::unimplemented("not in this fake"))
    }
    async fn cancel_order(
        &self,
        _: Request<wms::CancelOrderRequest>,
    ) -> Result<Response<wms::CancelOrderResponse>, Status> {
        Err(Status::unimplemented("not in this fake"))
    }
    async fn upsert_purchase_order(
        &self,
        _: Request<wms::UpsertPurchaseOrderRequest>,
    ) -> Result<Response<wms::UpsertPurchaseOrderResponse>, Status> {
        Err(Status::unimplemented("not in this fake"))
    }
    async fn acknowledge_reported(
        &self,
        _: Request<wms::AcknowledgeReportedRequest>,
    ) -> Result<Response<wms::AcknowledgeReportedResponse>, Status> {
        Err(Status::unimplemented("not in this fake"))
    }
    async fn list_transporter_contracts(
        &self,
        _: Request<wms::ListTransporterContractsRequest>,
    ) -> Result<Response<wms::ListTransporterContractsResponse>, Status> {
        Err(Status::unimplemented("not in this fake"))
    }
    async fn test_connection(
        &self,
        _: Request<wms::TestConnectionRequest>,
    ) -> Result<Response<wms::TestConnectionResponse>, Status> {
        Err(Status::unimplemented("not in this fake"))
    }
}

/// The name the scripted WMS gateway serves under; the adapter asks for
/// `platform_runtime::WMS_GATEWAY`, which the directory points at it, as the runtime points it
/// at the configured WMS's gateway.
const SCRIPTED_WMS: &str = "scripted-wms-gateway";

/// Serves `routes` as `name` in-process and returns the directory once they answer.
async fn serve(name: &'static str, routes: tonic::service::Routes) -> ServiceDirectory {
    let directory = ServiceDirectory::in_process().with_wms_gateway(SCRIPTED_WMS);
    let serving = directory.clone();
    // Never cancelled: the server lives as long as the test's runtime.
    tokio::spawn(async move { serving.serve(name, routes, CancellationToken::new()).await });
    directory
}

/// Retries `call` while the in-process routes are not registered yet (`UNAVAILABLE`).
async fn when_registered<T, F, Fut>(mut call: F) -> Result<T, PortError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, PortError>>,
{
    for _ in 0..500 {
        match call().await {
            Err(error) if error.kind() == PortErrorKind::Unavailable => {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            other => return other,
        }
    }
    call().await
}

#[derive(Debug)]
struct Registered<P: ?Sized>(Arc<P>);

#[async_trait::async_trait]
impl CatalogSource for Registered<GrpcCatalogSource> {
    async fn all_products(&self, endpoint: &str) -> Result<Vec<CentraProduct>, PortError> {
        when_registered(|| self.0.all_products(endpoint)).await
    }
}

#[async_trait::async_trait]
impl ArticleSink for Registered<GrpcArticleSink> {
    async fn upsert(
        &self,
        key: &str,
        articles: &[WmsArticle],
    ) -> Result<Vec<catalog_sync::ports::ArticleWrite>, PortError> {
        when_registered(|| self.0.upsert(key, articles)).await
    }

    async fn held(&self) -> Result<Vec<catalog_sync::ports::HeldArticle>, PortError> {
        when_registered(|| self.0.held()).await
    }
}

async fn grpc_source(products: Vec<pb::Product>) -> Arc<dyn CatalogSource> {
    let routes = tonic::service::Routes::new(CentraGatewayServer::new(PagedCentra { products }));
    let directory = serve("centra-gateway", routes).await;
    let channel = directory.channel("centra-gateway").expect("channel");
    Arc::new(Registered(Arc::new(GrpcCatalogSource::new(channel))))
}

async fn grpc_sink(refuse: BTreeSet<String>) -> Arc<dyn ArticleSink> {
    let routes = tonic::service::Routes::new(WmsGatewayServer::new(RefusingWms {
        refuse,
        held: std::sync::Mutex::default(),
    }));
    let directory = serve(SCRIPTED_WMS, routes).await;
    let channel = directory
        .channel(platform_runtime::WMS_GATEWAY)
        .expect("channel");
    Arc::new(Registered(Arc::new(GrpcArticleSink::new(
        channel, "sandbox",
    ))))
}

catalog_source_contract!(fake_catalog, fake_source);
catalog_source_contract!(grpc_catalog, grpc_source);
article_sink_contract!(fake_wms, fake_sink);
article_sink_contract!(grpc_wms, grpc_sink);

/// A WMS that cannot be reached is `Unavailable` from the fake and from the gRPC adapter alike
/// (made at the adapter boundary from the status code, never read from the text).
#[tokio::test]
async fn an_unreachable_gateway_is_an_unavailable_port_error() {
    let directory = ServiceDirectory::in_process();
    let grpc = GrpcArticleSink::new(
        directory
            .channel(platform_runtime::WMS_GATEWAY)
            .expect("channel"),
        "",
    );
    let fake = FakeWms::default();
    *fake.down.lock().expect("lock") = true;
    for sink in [&grpc as &dyn ArticleSink, &fake] {
        let error = sink
            .upsert("key", &[article("A")])
            .await
            .expect_err("nobody serves it");
        assert_eq!(error.service(), "wms-gateway");
        assert_eq!(
            error.kind(),
            PortErrorKind::Unavailable,
            "{sink:?}: {error}"
        );
        let error = sink.held().await.expect_err("nobody serves it");
        assert_eq!(
            error.kind(),
            PortErrorKind::Unavailable,
            "{sink:?}: {error}"
        );
    }
}
