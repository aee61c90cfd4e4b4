//! The ports over the generated gRPC clients (in-process or over TCP: the directory decides),
//! and the only place catalog-sync's articles and products meet the contract's messages.

use std::collections::BTreeMap;

use async_trait::async_trait;
use platform_runtime::GrpcChannel;
use proto::centra::v1::centra_gateway_client::CentraGatewayClient;
use proto::centra::v1::{ListProductsRequest, ListProductsResponse};
use proto::events::v1 as pb;
use proto::wms::v1::wms_gateway_client::WmsGatewayClient;
use proto::wms::v1::{
    self as wms, ListArticlesRequest, ListArticlesResponse, UpsertArticlesRequest,
    UpsertArticlesResponse,
};

use platform_runtime::port_error;

use super::{ArticleRefused, ArticleSink, ArticleWrite, CatalogSource, HeldArticle, PortError};
use crate::convert::CentraProduct;
use crate::rules::WmsArticle;

/// Size items per `ListProducts` page.
const PAGE_SIZE: u32 = 500;

/// [`CatalogSource`] over `CentraGateway.ListProducts`.
#[derive(Debug, Clone)]
pub struct GrpcCatalogSource {
    client: CentraGatewayClient<GrpcChannel>,
}

impl GrpcCatalogSource {
    /// A source over `channel` (from `ctx.directory.channel("centra-gateway")`).
    pub fn new(channel: GrpcChannel) -> Self {
        Self {
            client: CentraGatewayClient::new(channel),
        }
    }
}

#[async_trait]
impl CatalogSource for GrpcCatalogSource {
    async fn all_products(&self, endpoint: &str) -> Result<Vec<CentraProduct>, PortError> {
        let client = self.client.clone();
        let mut products: Vec<pb::Product> = Vec::new();
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        let mut token = String::new();
        loop {
            let request = ListProductsRequest {
                endpoint: endpoint.to_owned(),
                page_size: PAGE_SIZE,
                page_token: token.clone(),
                modified_since: None,
                sku: String::new(),
            };
            let page = list_page(client.clone(), request)
                .await
                .map_err(|s| port_error("centra-gateway", s))?;
            for product in page.products {
                match index.get(&product.product_id) {
                    Some(&i) => products[i].sizes.extend(product.sizes),
                    None => {
                        index.insert(product.product_id.clone(), products.len());
                        products.push(product);
                    }
                }
            }
            if page.next_page_token.is_empty() || page.next_page_token == token {
                return Ok(products.into_iter().map(CentraProduct::from).collect());
            }
            token = page.next_page_token;
        }
    }
}

// The calls are built from owned values in plain functions: inside `async_trait` methods the
// compiler cannot prove the generated client's future `Send` for every lifetime.
async fn list_page(
    mut client: CentraGatewayClient<GrpcChannel>,
    request: ListProductsRequest,
) -> Result<ListProductsResponse, tonic::Status> {
    client
        .list_products(request)
        .await
        .map(tonic::Response::into_inner)
}

async fn upsert_call(
    mut client: WmsGatewayClient<GrpcChannel>,
    request: UpsertArticlesRequest,
) -> Result<UpsertArticlesResponse, tonic::Status> {
    client
        .upsert_articles(request)
        .await
        .map(tonic::Response::into_inner)
}

async fn list_articles_call(
    mut client: WmsGatewayClient<GrpcChannel>,
    request: ListArticlesRequest,
) -> Result<ListArticlesResponse, tonic::Status> {
    client
        .list_articles(request)
        .await
        .map(tonic::Response::into_inner)
}

/// WMS articles per `ListArticles` page.
const ARTICLE_PAGE: u32 = 500;

/// The article as the `WmsGateway.UpsertArticles` contract carries it.
///
/// The configured price is the customer price. The contract's article has no currency for it
/// (`purchase_currency` belongs to the purchase price, which Centra does not know), so the
/// currency only decides which Centra price is picked.
fn article_message(article: &WmsArticle) -> wms::Article {
    wms::Article {
        article_number: article.article_number.clone(),
        article_name: article.name.clone(),
        product_code: article.product_code.clone(),
        bar_code: article.bar_code.clone().unwrap_or_default(),
        is_active: article.active,
        description: String::new(),
        color: article.color.clone(),
        size: article.size.clone(),
        weight_kg: article.weight_kg.clone().unwrap_or_default(),
        country_of_origin: article.country_of_origin.clone().unwrap_or_default(),
        statistics_number: article.customs_number.clone().unwrap_or_default(),
        customs_description: String::new(),
        purchase_price: String::new(),
        purchase_currency: String::new(),
        link_to_picture: String::new(),
        customer_price: article.price.clone().unwrap_or_default(),
    }
}

/// The contract's article in catalog-sync's terms: empty texts are none.
fn held_article(listed: wms::ListedArticle) -> Option<HeldArticle> {
    let article = listed.article?;
    let some = |text: String| Some(text).filter(|t| !t.trim().is_empty());
    Some(HeldArticle {
        article_system_id: listed.article_system_id,
        article: WmsArticle {
            article_number: article.article_number,
            name: article.article_name,
            product_code: article.product_code,
            bar_code: some(article.bar_code),
            active: article.is_active,
            color: article.color,
            size: article.size,
            weight_kg: some(article.weight_kg),
            country_of_origin: some(article.country_of_origin),
            customs_number: some(article.statistics_number),
            price: some(article.customer_price),
            currency: None,
        },
    })
}

/// [`ArticleSink`] over `WmsGateway.UpsertArticles` and `ListArticles`.
#[derive(Debug, Clone)]
pub struct GrpcArticleSink {
    client: WmsGatewayClient<GrpcChannel>,
    warehouse: String,
}

impl GrpcArticleSink {
    /// A sink over `channel` (from `ctx.directory.channel(platform_runtime::WMS_GATEWAY)`) writing to
    /// `warehouse` (empty: the one the gateway serves).
    pub fn new(channel: GrpcChannel, warehouse: impl Into<String>) -> Self {
        Self {
            client: WmsGatewayClient::new(channel),
            warehouse: warehouse.into(),
        }
    }
}

#[async_trait]
impl ArticleSink for GrpcArticleSink {
    async fn upsert(
        &self,
        idempotency_key: &str,
        articles: &[WmsArticle],
    ) -> Result<Vec<ArticleWrite>, PortError> {
        let request = UpsertArticlesRequest {
            idempotency_key: idempotency_key.to_owned(),
            warehouse: self.warehouse.clone(),
            articles: articles.iter().map(article_message).collect(),
        };
        let response = upsert_call(self.client.clone(), request)
            .await
            .map_err(|s| port_error("wms-gateway", s))?;
        if response.results.len() != articles.len() {
            return Err(PortError::broken_answer(
                "wms-gateway",
                format!(
                    "answered {} results for {} articles",
                    response.results.len(),
                    articles.len()
                ),
            ));
        }
        Ok(response
            .results
            .into_iter()
            .map(|r| ArticleWrite {
                article_number: r.article_number,
                result: if r.error.is_empty() {
                    Ok(r.article_system_id)
                } else {
                    Err(ArticleRefused::new(r.error))
                },
            })
            .collect())
    }

    async fn held(&self) -> Result<Vec<HeldArticle>, PortError> {
        let mut held = Vec::new();
        let mut from = 0;
        loop {
            let request = ListArticlesRequest {
                warehouse: self.warehouse.clone(),
                article_system_id_from: from,
                max_articles: ARTICLE_PAGE,
            };
            let page = list_articles_call(self.client.clone(), request)
                .await
                .map_err(|s| port_error("wms-gateway", s))?;
            held.extend(page.articles.into_iter().filter_map(held_article));
            if page.next_article_system_id_from <= from {
                return Ok(held);
            }
            from = page.next_article_system_id_from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article() -> WmsArticle {
        WmsArticle {
            article_number: "M411-740XL".into(),
            name: "Shirt Blue XL".into(),
            product_code: "M411".into(),
            bar_code: Some("4006381333931".into()),
            active: true,
            color: "Blue".into(),
            size: "XL".into(),
            weight_kg: Some("0.25".into()),
            country_of_origin: Some("SE".into()),
            customs_number: Some("61091000".into()),
            price: Some("450.50".into()),
            currency: Some("EUR".into()),
        }
    }

    #[test]
    fn the_message_carries_every_field() {
        let p = article_message(&article());
        assert_eq!(p.article_number, "M411-740XL");
        assert_eq!(p.bar_code, "4006381333931");
        assert_eq!(p.statistics_number, "61091000");
        assert_eq!(p.weight_kg, "0.25");
        assert_eq!(p.customer_price, "450.50");
        assert_eq!(p.purchase_price, "");
        assert_eq!(p.purchase_currency, "");
        assert!(p.is_active);
    }

    /// What the WMS lists back is the article written, less the currency it keeps none of.
    #[test]
    fn a_listed_article_reads_back_as_written() {
        let written = article();
        let held = held_article(wms::ListedArticle {
            article_system_id: 7,
            article: Some(article_message(&written)),
        })
        .expect("held");
        assert_eq!(held.article_system_id, 7);
        assert_eq!(
            held.article,
            WmsArticle {
                currency: None,
                ..written
            }
        );
    }
}
