//! The ports over the gateways' generated gRPC clients: the only place that knows the gateway
//! messages. Every failed call becomes a [`PortError`] through [`port_error`], so the kind comes
//! from the status code and its typed reasons, and the status stays as the error's source.

use std::collections::BTreeMap;

use async_trait::async_trait;
use domain::{CentraStock, PortError, WmsStock};
use platform_runtime::{GrpcChannel, port_error};
use proto::centra::v1 as centra;
use proto::centra::v1::centra_gateway_client::CentraGatewayClient;
use proto::wms::v1 as wms;
use proto::wms::v1::wms_gateway_client::WmsGatewayClient;

use super::{
    CentraStockRow, CentraStockTarget, StockWriteOutcome, WmsStockPage, WmsStockRead,
    WmsStockSource,
};

/// The service named in a failure of a Centra call.
const CENTRA: &str = "centra-gateway";
/// The service named in a failure of a WMS call (the contract is WMS-neutral).
const WMS: &str = "wms-gateway";

fn wms_levels(articles: Vec<wms::ArticleStock>) -> BTreeMap<String, WmsStock> {
    articles
        .into_iter()
        .map(|a| {
            (
                a.article_number,
                WmsStock {
                    physical: a.number_of_items,
                    sellable: a.sellable_number_of_items,
                },
            )
        })
        .collect()
}

/// [`WmsStockSource`] through ongoing-gateway.
#[derive(Clone)]
pub struct GrpcWms {
    client: WmsGatewayClient<GrpcChannel>,
}

impl std::fmt::Debug for GrpcWms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GrpcWms")
    }
}

impl GrpcWms {
    pub fn new(channel: GrpcChannel) -> Self {
        Self {
            client: WmsGatewayClient::new(channel),
        }
    }
}

#[async_trait]
impl WmsStockSource for GrpcWms {
    async fn read(&self, warehouse: &str, articles: &[String]) -> Result<WmsStockRead, PortError> {
        let answer = self
            .client
            .clone()
            .read_stock(wms::ReadStockRequest {
                warehouse: warehouse.to_owned(),
                article_numbers: articles.to_vec(),
                ..Default::default()
            })
            .await
            .map_err(|s| port_error(WMS, s))?
            .into_inner();
        Ok(WmsStockRead {
            levels: wms_levels(answer.articles),
            not_found: answer.not_found,
        })
    }

    async fn page(&self, warehouse: &str, from: i64) -> Result<WmsStockPage, PortError> {
        let answer = self
            .client
            .clone()
            .read_stock(wms::ReadStockRequest {
                warehouse: warehouse.to_owned(),
                article_system_id_from: from,
                ..Default::default()
            })
            .await
            .map_err(|s| port_error(WMS, s))?
            .into_inner();
        Ok(WmsStockPage {
            levels: wms_levels(answer.articles),
            next: (answer.next_article_system_id_from > 0)
                .then_some(answer.next_article_system_id_from),
        })
    }
}

/// [`CentraStockTarget`] through centra-gateway.
#[derive(Clone)]
pub struct GrpcCentra {
    client: CentraGatewayClient<GrpcChannel>,
}

impl std::fmt::Debug for GrpcCentra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GrpcCentra")
    }
}

impl GrpcCentra {
    pub fn new(channel: GrpcChannel) -> Self {
        Self {
            client: CentraGatewayClient::new(channel),
        }
    }
}

fn centra_rows(rows: Vec<centra::StockRow>) -> Vec<CentraStockRow> {
    rows.into_iter()
        .map(|r| CentraStockRow {
            joined_sku: format!("{}{}{}", r.sku, r.variant_sku, r.size_sku),
            product_id: r.product_id,
            ean: r.ean,
            stock: CentraStock {
                physical: r.physical,
                allocated: r.allocated,
            },
        })
        .collect()
}

#[async_trait]
impl CentraStockTarget for GrpcCentra {
    async fn read(
        &self,
        endpoint: &str,
        product_ids: &[String],
    ) -> Result<Vec<CentraStockRow>, PortError> {
        let answer = self
            .client
            .clone()
            .read_stock(centra::ReadStockRequest {
                endpoint: endpoint.to_owned(),
                product_ids: product_ids.to_vec(),
                ..Default::default()
            })
            .await
            .map_err(|s| port_error(CENTRA, s))?
            .into_inner();
        Ok(centra_rows(answer.rows))
    }

    async fn page(
        &self,
        endpoint: &str,
        token: Option<String>,
    ) -> Result<(Vec<CentraStockRow>, Option<String>), PortError> {
        let answer = self
            .client
            .clone()
            .read_stock(centra::ReadStockRequest {
                endpoint: endpoint.to_owned(),
                page_token: token.unwrap_or_default(),
                ..Default::default()
            })
            .await
            .map_err(|s| port_error(CENTRA, s))?
            .into_inner();
        let next = (!answer.next_page_token.is_empty()).then_some(answer.next_page_token);
        Ok((centra_rows(answer.rows), next))
    }

    async fn write(
        &self,
        endpoint: &str,
        levels: &BTreeMap<String, i64>,
    ) -> Result<StockWriteOutcome, PortError> {
        // Absolute values: the same write twice changes nothing, so the key only names it in
        // the gateway's logs.
        let key = format!(
            "stock:{endpoint}:{}",
            levels.keys().next().map_or("", String::as_str)
        );
        let answer = self
            .client
            .clone()
            .set_stock(centra::SetStockRequest {
                idempotency_key: key,
                endpoint: endpoint.to_owned(),
                levels: levels
                    .iter()
                    .map(|(product, quantity)| centra::StockLevel {
                        product: product.clone(),
                        quantity: *quantity,
                    })
                    .collect(),
            })
            .await
            .map_err(|s| port_error(CENTRA, s))?
            .into_inner();
        Ok(StockWriteOutcome {
            not_found: answer.products_not_found,
            bundles: answer.products_are_bundles,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;
    use std::future::{Ready, ready};
    use std::task::{Context, Poll};

    use domain::PortErrorKind;
    use platform_runtime::ChannelError;
    use tonic::body::Body;
    use tonic::codegen::{Service, http};
    use tonic::{Code, Status};

    use super::*;

    /// A gateway answering every call with `code`: the adapters see the status exactly as the
    /// generated client decodes it off the wire.
    #[derive(Clone)]
    struct Answers(Code);

    impl Service<http::Request<Body>> for Answers {
        type Response = http::Response<Body>;
        type Error = ChannelError;
        type Future = Ready<Result<Self::Response, Self::Error>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _: http::Request<Body>) -> Self::Future {
            ready(Ok(Status::new(self.0, "said the gateway").into_http()))
        }
    }

    fn answering(code: Code) -> GrpcChannel {
        GrpcChannel::new(Answers(code))
    }

    fn status_of(error: &PortError) -> Code {
        error
            .source()
            .and_then(|source| source.downcast_ref::<Status>())
            .expect("the status is kept as the source")
            .code()
    }

    #[tokio::test]
    async fn an_unavailable_gateway_is_retryable_with_the_status_as_source() {
        let wms = GrpcWms::new(answering(Code::Unavailable));
        let error = wms
            .read("main", &["A1".to_owned()])
            .await
            .expect_err("down");
        assert_eq!(error.kind(), PortErrorKind::Unavailable);
        assert!(error.is_retryable());
        assert_eq!(error.service(), WMS);
        assert_eq!(status_of(&error), Code::Unavailable);

        let centra = GrpcCentra::new(answering(Code::Unavailable));
        let levels = BTreeMap::from([("A1".to_owned(), 3)]);
        let error = centra.write("shop1", &levels).await.expect_err("down");
        assert!(error.is_retryable());
        assert_eq!(error.service(), CENTRA);
        assert_eq!(status_of(&error), Code::Unavailable);
    }

    #[tokio::test]
    async fn a_failed_precondition_is_terminal() {
        let centra = GrpcCentra::new(answering(Code::FailedPrecondition));
        let error = centra
            .read("shop1", &["7".to_owned()])
            .await
            .expect_err("refused");
        assert_eq!(error.kind(), PortErrorKind::Refused);
        assert!(!error.is_retryable());
        assert_eq!(error.reason(), "said the gateway");
        assert_eq!(status_of(&error), Code::FailedPrecondition);

        let wms = GrpcWms::new(answering(Code::FailedPrecondition));
        let error = wms.page("main", 0).await.expect_err("refused");
        assert_eq!(error.kind(), PortErrorKind::Refused);
        assert_eq!(error.service(), WMS);
    }
}
