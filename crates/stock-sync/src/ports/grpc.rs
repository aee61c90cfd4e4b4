//! The ports over the gateways' generated gRPC clients: the only place that knows the gateway
//! messages.

use std::collections::BTreeMap;

use async_trait::async_trait;
use domain::{CentraStock, WmsStock};
use platform_runtime::GrpcChannel;
use proto::centra::v1 as centra;
use proto::centra::v1::centra_gateway_client::CentraGatewayClient;
use proto::wms::v1 as wms;
use proto::wms::v1::wms_gateway_client::WmsGatewayClient;
use tonic::Code;

use crate::ports::{
    CentraStockRow, CentraStockTarget, PortError, StockWriteOutcome, WmsStockPage, WmsStockRead,
    WmsStockSource,
};

/// Refusals are about the request; everything else may pass on a later try.
pub fn port_error(status: &tonic::Status) -> PortError {
    match status.code() {
        Code::InvalidArgument | Code::FailedPrecondition | Code::NotFound | Code::OutOfRange => {
            PortError::Refused(status.message().to_owned())
        }
        code => PortError::Unavailable(format!("{code:?}: {}", status.message())),
    }
}

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
            .map_err(|s| port_error(&s))?
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
            .map_err(|s| port_error(&s))?
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
            .map_err(|s| port_error(&s))?
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
            .map_err(|s| port_error(&s))?
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
            .map_err(|s| port_error(&s))?
            .into_inner();
        Ok(StockWriteOutcome {
            not_found: answer.products_not_found,
            bundles: answer.products_are_bundles,
        })
    }
}
