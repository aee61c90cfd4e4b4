//! Stock: absolute physical quantities of products named by EAN or joined SKU (`sku +
//! variantSku + sizeSku`), as the stock flow knows them, and the stock of a product's sizes.
//!
//! Reading a product's stock: the Order API's `GET /stock?productId=`; GraphQL's `products`
//! with each size's `stockTotals` (the keys from `productNumber`, `variantNumber`,
//! `sizeNumber` and `EAN`).
//!
//! - Order API: `POST /stock` with the names as they are; Centra reports the products it does
//!   not know and the bundles.
//! - GraphQL: `setStock` addresses a size by its variant's id and the size's name, in one
//!   warehouse. The names are looked up in the product list (`products`, every page: one read
//!   per batch, not cached, so a product created since is found); a name no size has is
//!   reported as not found, as the Order API does. The warehouse is the one the token sees.
//!   Doc gap: GraphQL says nothing about bundles; a bundle's size is set like any other.

use std::collections::HashMap;

use super::{CentraConnection, ConnectionError};
use crate::client::record::Parsed;
use crate::client::{CentraStockRow, StockOutcome};
use crate::client_graphql::{
    GraphqlClient, GraphqlError, GraphqlErrorKind, Refusal, SizeStock, StockLevel, UserProblem,
};

/// Written into `setStock`'s `description` (Centra shows it in the stock change log).
const DESCRIPTION: &str = "centra-wms: stock from the warehouse";

impl CentraConnection {
    /// Every size of the product with id `product_id` with its physical and allocated stock
    /// (an unknown product has none). With the client's retries.
    ///
    /// # Errors
    /// [`super::ConnectionErrorKind::InvalidRequest`] for an id that is not a number (GraphQL);
    /// [`super::ConnectionErrorKind::Unavailable`] when Centra stays unreachable, 5xx or 429;
    /// [`super::ConnectionErrorKind::BadAnswer`] for an unreadable answer (GraphQL; the Order
    /// API's unreadable rows come back one by one).
    pub async fn product_stock(
        &self,
        product_id: &str,
    ) -> Result<Vec<Parsed<CentraStockRow>>, ConnectionError> {
        match self {
            Self::OrderApi(client) => Ok(client.product_stock(product_id).await?),
            Self::Graphql(client) => {
                let id = product_id.parse::<i64>().map_err(|_| {
                    GraphqlError::new(
                        client.endpoint(),
                        "products",
                        GraphqlErrorKind::InvalidRequest(format!(
                            "{product_id:?} is not a Centra product id"
                        )),
                    )
                })?;
                let sizes = client.product_stock(&[id]).await?;
                Ok(sizes.into_iter().map(size_row).collect())
            }
        }
    }

    /// One page of every size item's stock and the token of the next page (`None` on the
    /// last). With the client's retries.
    ///
    /// The page's unit and token follow the API: the Order API pages `GET /stock` by size item
    /// (`page_size` rows, the token is Centra's `next`); GraphQL pages `products` by product
    /// (the sizes of `page_size` products, the token is the next page's number). A caller only
    /// passes back the token it was given.
    ///
    /// # Errors
    /// [`super::ConnectionErrorKind::InvalidRequest`] for a GraphQL token that is not a page
    /// number (naming `page_token`); [`super::ConnectionErrorKind::Unavailable`] when Centra
    /// stays unreachable, 5xx or 429; [`super::ConnectionErrorKind::BadAnswer`] for an
    /// unreadable answer (GraphQL).
    pub async fn stock_page(
        &self,
        page_size: u32,
        page_token: Option<&str>,
    ) -> Result<(Vec<Parsed<CentraStockRow>>, Option<String>), ConnectionError> {
        match self {
            Self::OrderApi(client) => {
                let page = client.stock_page(None, page_size, page_token).await?;
                Ok((page.rows, page.next))
            }
            Self::Graphql(client) => {
                let page = match page_token {
                    None => 1,
                    Some(token) => {
                        token
                            .parse::<i64>()
                            .ok()
                            .filter(|p| *p >= 1)
                            .ok_or_else(|| {
                                GraphqlError::new(
                                    client.endpoint(),
                                    "products",
                                    GraphqlErrorKind::InvalidRequest(format!(
                                        "page_token {token:?} is not a page number"
                                    )),
                                )
                            })?
                    }
                };
                let limit = if page_size == 0 {
                    client.options().page_size
                } else {
                    page_size
                };
                let (sizes, more) = client.every_stock_page(limit, page).await?;
                let next = more.then(|| (page + 1).to_string());
                Ok((sizes.into_iter().map(size_row).collect(), next))
            }
        }
    }

    /// Sets the physical stock of `levels` (`(EAN or joined SKU, quantity)`, at most
    /// [`crate::client::STOCK_BATCH`]); absolute values, so sending them again changes nothing.
    /// With the client's retries.
    ///
    /// # Errors
    /// [`super::ConnectionErrorKind::Unavailable`] when Centra stays unreachable, 5xx or 429;
    /// [`super::ConnectionErrorKind::Refused`] when Centra refuses the call (for GraphQL also
    /// when the token sees no warehouse or several); unknown products are not an error but
    /// listed in the outcome.
    pub async fn set_stock(
        &self,
        levels: &[(String, i64)],
    ) -> Result<StockOutcome, ConnectionError> {
        match self {
            Self::OrderApi(client) => {
                Ok(client.with_retry(|| client.set_stock_once(levels)).await?)
            }
            Self::Graphql(client) => {
                self.with_retry(|| async {
                    set_stock_graphql(client, levels)
                        .await
                        .map_err(ConnectionError::from)
                })
                .await
            }
        }
    }
}

/// A GraphQL size as the Order API's stock row (absent keys empty, as `GET /stock` leaves them).
fn size_row(size: SizeStock) -> Parsed<CentraStockRow> {
    Ok(CentraStockRow {
        product_id: size.product_id.to_string(),
        sku: size.product_number.unwrap_or_default(),
        variant_sku: size.variant_number.unwrap_or_default(),
        size_sku: size.size_number.unwrap_or_default(),
        ean: size.ean.unwrap_or_default(),
        physical: size.physical,
        allocated: size.allocated,
    })
}

async fn set_stock_graphql(
    client: &GraphqlClient,
    levels: &[(String, i64)],
) -> Result<StockOutcome, GraphqlError> {
    let mut sizes: HashMap<String, (i64, String)> = HashMap::new();
    for product in client.products(&[]).await? {
        let product = match product {
            Ok(product) => product,
            Err(bad) => {
                tracing::warn!(endpoint = %client.endpoint(), error = %bad, "skipped unreadable product");
                continue;
            }
        };
        for variant in product.variants {
            for size in variant.sizes {
                let Some(name) = size.size_name.clone() else {
                    continue;
                };
                for key in [size.ean, size.sku].into_iter().flatten() {
                    sizes.insert(key, (variant.id, name.clone()));
                }
            }
        }
    }
    let mut outcome = StockOutcome::default();
    let mut known = Vec::with_capacity(levels.len());
    for (product, quantity) in levels {
        match sizes.get(product) {
            Some((variant_id, size_name)) => known.push(StockLevel {
                variant_id: *variant_id,
                size_name: size_name.clone(),
                quantity: *quantity,
            }),
            None => outcome.products_not_found.push(product.clone()),
        }
    }
    if known.is_empty() {
        return Ok(outcome);
    }
    let warehouse = the_warehouse(client, "setStock", "writes stock to").await?;
    client.set_stock(warehouse, DESCRIPTION, &known).await?;
    Ok(outcome)
}

/// The id of the one warehouse the token sees: the WMS's (a token that sees several is refused
/// naming the count, for `operation`, which `uses` that warehouse).
///
/// # Errors
/// [`GraphqlErrorKind::Refused`] when the token sees no warehouse or several; the read's own
/// failure otherwise.
pub(super) async fn the_warehouse(
    client: &GraphqlClient,
    operation: &str,
    uses: &str,
) -> Result<i64, GraphqlError> {
    let warehouses = client.warehouses().await?;
    let [warehouse] = warehouses.as_slice() else {
        return Err(GraphqlError::new(
            client.endpoint(),
            operation,
            GraphqlErrorKind::Refused(Refusal {
                record: "warehouses".to_owned(),
                problems: vec![UserProblem {
                    message: format!(
                        "the token sees {} warehouses; centra-wms {uses} exactly one \
                         (restrict the token to the WMS's warehouse)",
                        warehouses.len()
                    ),
                    path: Vec::new(),
                }],
            }),
        ));
    };
    Ok(warehouse.id)
}
