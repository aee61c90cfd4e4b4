//! The catalogue the products poll and ListProducts read, through either API, as the Order
//! API's product rows (one per size item, with its product's fields).
//!
//! - Order API: `GET /products` (filters `modified`, `sku`, `productId`), paged by the relative
//!   `next` query string Centra returns.
//! - GraphQL: `products(where, limit, page)` read downwards (product → variant with its prices →
//!   size); a page token is the next page number. Section 10 documents no modified filter and
//!   no product events, so a modified-since listing leaves out the products whose `updatedAt`
//!   is older (a page may then hold fewer products than asked; its token still leads on).
//!
//! Field by field, a GraphQL size row is the Order API's: `productNumber` → `sku`,
//! `variantNumber` → `variantSku`, `sizeNumber` → `sizeSku`, `EAN`, `UPC`, `size { name }` →
//! `size`, `isActive` → `active` (the product's `status` when the size has no flag; neither:
//! inactive), `weight { value unit }`, the product's `brand`, `collection`, `description`,
//! `countryOfOrigin`, `harmonizedCommodityCode(Description)`, and the variant's prices
//! (`pricelist { name }`, `price { value currency { code } }`; the amount as decimal text).
//!
//! A product that cannot be read comes back as one [`BadRecord`] naming the product and the
//! field; the others are read on.

use chrono::{DateTime, Utc};
use proto::events::v1 as pb;

use super::{CentraConnection, ConnectionError};
use crate::client::record::{BadRecord, Parsed};
use crate::client::{CentraProductRow, ProductQuery};
use crate::client_graphql::{
    CatalogFilter, CatalogProduct, GraphqlError, GraphqlErrorKind, UnreadEntry,
};

/// Size rows of the Order API's largest page (as `ListProducts` allows).
const ORDER_API_PAGE: u32 = 500;

/// One page of product rows and the token of the next one.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogPage {
    pub rows: Vec<Parsed<CentraProductRow>>,
    /// `None` on the last page.
    pub next: Option<String>,
}

/// A GraphQL product as the Order API's rows, one per size.
fn product_rows(product: &CatalogProduct) -> Vec<CentraProductRow> {
    let product_id = product.id.to_string();
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let mut rows = Vec::new();
    for variant in &product.variants {
        let prices: Vec<pb::Price> = variant
            .prices
            .iter()
            .map(|price| pb::Price {
                pricelist: price.pricelist.clone(),
                currency: price.currency.clone(),
                amount: price.amount.to_string(),
            })
            .collect();
        for size in &variant.sizes {
            rows.push(CentraProductRow {
                product_id: product_id.clone(),
                name: product.name.clone(),
                brand: text(&product.brand),
                collection: text(&product.collection),
                description: text(&product.description),
                size: pb::ProductSize {
                    stock_item_id: size.id.to_string(),
                    variant_id: variant.id.to_string(),
                    variant_name: text(&variant.name),
                    sku: text(&product.product_number),
                    variant_sku: text(&variant.variant_number),
                    size_sku: text(&size.size_number),
                    ean: text(&size.ean),
                    upc: text(&size.upc),
                    size_name: text(&size.size_name),
                    active: size.active.or(product.active).unwrap_or(false),
                    weight: size
                        .weight
                        .as_ref()
                        .map(|w| w.value.to_string())
                        .unwrap_or_default(),
                    weight_unit: size
                        .weight
                        .as_ref()
                        .map(|w| w.unit.clone())
                        .unwrap_or_default(),
                    country_of_origin: text(&product.country_of_origin),
                    harm_code: text(&product.harm_code),
                    harm_description: text(&product.harm_description),
                    prices: prices.clone(),
                },
            });
        }
    }
    rows
}

/// Read products as rows, unread ones as one bad record each; products not updated since
/// `since` left out.
fn graphql_rows(
    products: Vec<Result<CatalogProduct, Box<UnreadEntry>>>,
    since: Option<DateTime<Utc>>,
) -> Vec<Parsed<CentraProductRow>> {
    let mut rows = Vec::new();
    for product in products {
        match product {
            Ok(product) => {
                let changed = match (since, product.updated_at) {
                    (Some(since), Some(updated)) => updated >= since,
                    _ => true,
                };
                if changed {
                    rows.extend(product_rows(&product).into_iter().map(Ok));
                }
            }
            Err(unread) => {
                let unread = *unread;
                rows.push(Err(Box::new(BadRecord {
                    key: unread.key,
                    error: unread.error,
                    raw: unread.raw,
                })));
            }
        }
    }
    rows
}

impl CentraConnection {
    /// Every size row of the whole catalogue, each read or kept aside as bad, handed to `each`
    /// a page at a time: a page is dropped before the next is asked for, so a catalogue of
    /// 100,000 sizes is never held here as rows.
    ///
    /// # Errors
    /// A failed page (after the client's retries): [`super::ConnectionErrorKind::Unavailable`]
    /// when Centra is unreachable, [`super::ConnectionErrorKind::Refused`] for a refused
    /// credential, [`super::ConnectionErrorKind::BadAnswer`] for an unreadable page. The pages
    /// before it were handed over.
    pub async fn whole_catalog(
        &self,
        mut each: impl FnMut(Parsed<CentraProductRow>),
    ) -> Result<(), ConnectionError> {
        match self {
            Self::OrderApi(client) => {
                let query = ProductQuery {
                    limit: ORDER_API_PAGE,
                    ..ProductQuery::default()
                };
                Ok(client.each_product_row(&query, each).await?)
            }
            Self::Graphql(client) => {
                for page in 1.. {
                    let listing = client
                        .catalog_page(&CatalogFilter::default(), 0, page)
                        .await?;
                    graphql_rows(listing.products, None)
                        .into_iter()
                        .for_each(&mut each);
                    if !listing.full {
                        break;
                    }
                }
                Ok(())
            }
        }
    }

    /// One page of size rows matching `query`; `page_token` is the previous page's `next`.
    ///
    /// # Errors
    /// As [`Self::whole_catalog`]; a page token this API did not hand out is
    /// [`super::ConnectionErrorKind::InvalidRequest`].
    pub async fn catalog_page(
        &self,
        query: &ProductQuery,
        page_token: Option<&str>,
    ) -> Result<CatalogPage, ConnectionError> {
        match self {
            Self::OrderApi(client) => {
                let page = client.products_page(query, page_token).await?;
                Ok(CatalogPage {
                    rows: page.rows,
                    next: page.next,
                })
            }
            Self::Graphql(client) => {
                let page = match page_token {
                    None => 1,
                    Some(token) => {
                        token
                            .parse::<u32>()
                            .ok()
                            .filter(|p| *p >= 1)
                            .ok_or_else(|| {
                                GraphqlError::new(
                                    client.endpoint(),
                                    "products",
                                    GraphqlErrorKind::InvalidRequest(format!(
                                        "page token {token:?} is not a page number"
                                    )),
                                )
                            })?
                    }
                };
                let mut filter = CatalogFilter {
                    product_number: query.sku.clone(),
                    ..CatalogFilter::default()
                };
                if let Some(id) = &query.product_id {
                    filter.ids.push(id.parse::<i64>().map_err(|_| {
                        GraphqlError::new(
                            client.endpoint(),
                            "products",
                            GraphqlErrorKind::InvalidRequest(format!(
                                "product id {id:?} is not a number"
                            )),
                        )
                    })?);
                }
                let listing = client.catalog_page(&filter, query.limit, page).await?;
                Ok(CatalogPage {
                    rows: graphql_rows(listing.products, query.modified_since),
                    next: listing.full.then(|| (page + 1).to_string()),
                })
            }
        }
    }
}
