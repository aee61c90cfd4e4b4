//! The catalogue with every field the catalog flow publishes: `products(where, limit, page)`
//! read downwards (product → variants with their prices → sizes), one page per call.
//!
//! Section 10 of the docs lists no product events and no modified filter for `products`, so the
//! catalogue is listed whole (the products poll) or page by page (ListProducts); `updatedAt` is
//! read so a listing can leave out products not changed since an instant.
//!
//! Each product is read on its own: one that cannot be read comes back as an [`UnreadEntry`]
//! naming the product and the field, the others are read on.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::governor::Call;
use super::operations::{CatalogPage, catalog_page};
use super::transport::decode;
use super::{GraphqlClient, GraphqlError, GraphqlErrorKind, PayloadError, UnreadEntry};

/// Which products a page lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogFilter {
    /// Only these product ids (none: every product).
    pub ids: Vec<i64>,
    /// Only the product with this product number (the Order API's product `sku`).
    pub product_number: Option<String>,
}

/// A price of a variant in one pricelist.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogPrice {
    pub pricelist: String,
    pub currency: String,
    pub amount: f64,
}

/// A size's weight, in `unit` (`kg` or `lb`; empty is kilograms, as the Order API's rows).
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogWeight {
    pub value: f64,
    pub unit: String,
}

/// A size of a variant: what becomes a WMS article.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogSize {
    pub id: i64,
    pub ean: Option<String>,
    pub upc: Option<String>,
    /// The Order API's `sizeSku`.
    pub size_number: Option<String>,
    pub size_name: Option<String>,
    /// The size's own flag; `None` when Centra leaves it out (the product's status then).
    pub active: Option<bool>,
    pub weight: Option<CatalogWeight>,
}

/// A variant with its prices and sizes.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogVariant {
    pub id: i64,
    pub name: Option<String>,
    /// The Order API's `variantSku`.
    pub variant_number: Option<String>,
    pub prices: Vec<CatalogPrice>,
    pub sizes: Vec<CatalogSize>,
}

/// A product with every field the catalog flow publishes.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogProduct {
    pub id: i64,
    pub name: String,
    /// The Order API's product `sku`.
    pub product_number: Option<String>,
    /// `status: ACTIVE`; `None` when Centra leaves it out.
    pub active: Option<bool>,
    pub brand: Option<String>,
    pub collection: Option<String>,
    pub description: Option<String>,
    pub country_of_origin: Option<String>,
    pub harm_code: Option<String>,
    pub harm_description: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    pub variants: Vec<CatalogVariant>,
}

/// One page of the catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogListing {
    pub products: Vec<Result<CatalogProduct, Box<UnreadEntry>>>,
    /// True when the page was full: the next page may hold more.
    pub full: bool,
}

const PRODUCTS: Call = Call {
    operation: "products",
    mutation: false,
};

/// The typed product in the gateway's terms; a field the flow cannot use is an error naming it.
fn catalog_product(
    object: &str,
    product: catalog_page::CatalogPageProducts,
) -> Result<CatalogProduct, PayloadError> {
    let updated_at = match product.updated_at {
        None => None,
        Some(text) => Some(
            DateTime::parse_from_rfc3339(&text)
                .map_err(|e| PayloadError::new(object, "updatedAt", e.to_string()))?
                .with_timezone(&Utc),
        ),
    };
    let mut variants = Vec::with_capacity(product.variants.len());
    for (v, variant) in product.variants.into_iter().enumerate() {
        let mut sizes = Vec::with_capacity(variant.product_sizes.len());
        for (s, size) in variant.product_sizes.into_iter().enumerate() {
            let weight = match size.weight {
                None => None,
                Some(weight) => {
                    let unit = weight.unit.unwrap_or_default();
                    if !matches!(unit.as_str(), "" | "kg" | "lb") {
                        return Err(PayloadError::new(
                            object,
                            format!("variants[{v}].productSizes[{s}].weight.unit"),
                            format!("expected kg or lb, found {unit:?}"),
                        ));
                    }
                    Some(CatalogWeight {
                        value: weight.value,
                        unit,
                    })
                }
            };
            sizes.push(CatalogSize {
                id: size.id,
                ean: size.ean,
                upc: size.upc,
                size_number: size.size_number,
                size_name: size.size.name,
                active: size.is_active,
                weight,
            });
        }
        variants.push(CatalogVariant {
            id: variant.id,
            name: variant.name,
            variant_number: variant.variant_number,
            prices: variant
                .prices
                .into_iter()
                .map(|price| CatalogPrice {
                    pricelist: price.pricelist.name,
                    currency: price.price.currency.map(|c| c.code).unwrap_or_default(),
                    amount: price.price.value,
                })
                .collect(),
            sizes,
        });
    }
    Ok(CatalogProduct {
        id: product.id,
        name: product.name,
        product_number: product.product_number,
        active: match product.status {
            None => None,
            Some(catalog_page::ProductStatus::ACTIVE) => Some(true),
            Some(catalog_page::ProductStatus::INACTIVE) => Some(false),
            Some(catalog_page::ProductStatus::Other(status)) => {
                return Err(PayloadError::new(
                    object,
                    "status",
                    format!("expected ACTIVE or INACTIVE, found {status:?}"),
                ));
            }
        },
        brand: product.brand.map(|b| b.name),
        collection: product.collection.map(|c| c.name),
        description: product.description,
        country_of_origin: product.country_of_origin.map(|c| c.code),
        harm_code: product.harmonized_commodity_code,
        harm_description: product.harmonized_commodity_code_description,
        updated_at,
        variants,
    })
}

impl GraphqlClient {
    /// One page (from 1) of `limit` products matching `filter` (`limit` 0 or above the client's
    /// page size: the client's page size).
    ///
    /// # Errors
    /// A [`GraphqlError`] for the page as a whole, after the retries.
    pub async fn catalog_page(
        &self,
        filter: &CatalogFilter,
        limit: u32,
        page: u32,
    ) -> Result<CatalogListing, GraphqlError> {
        // A page's query complexity grows with its products: never more than the client's page.
        let limit = match limit {
            0 => self.inner.options.page_size,
            asked => asked.min(self.inner.options.page_size),
        };
        let where_ = (!filter.ids.is_empty() || filter.product_number.is_some()).then(|| {
            catalog_page::ProductFilter {
                id: (!filter.ids.is_empty()).then(|| filter.ids.clone()),
                product_number: filter.product_number.clone(),
            }
        });
        let variables = catalog_page::Variables {
            where_,
            limit: i64::from(limit),
            page: i64::from(page),
        };
        let data = self
            .read(|| self.send_once::<CatalogPage>(PRODUCTS, variables.clone()))
            .await?;
        let Some(Value::Array(list)) = data.get("products").cloned() else {
            return Err(self.error(
                PRODUCTS.operation,
                GraphqlErrorKind::BadPayload(PayloadError::new(
                    "response",
                    "data.products",
                    "expected a list",
                )),
            ));
        };
        let full = list.len() >= limit as usize;
        let first = (page.max(1) as usize - 1) * limit as usize;
        let products = list
            .into_iter()
            .enumerate()
            .map(|(position, raw)| {
                let key = raw.get("id").and_then(Value::as_i64).map_or_else(
                    || format!("products[{}]", first + position),
                    |id| format!("product {id}"),
                );
                decode::<catalog_page::CatalogPageProducts>(&key, raw.clone())
                    .and_then(|product| catalog_product(&key, product))
                    .map_err(|error| Box::new(UnreadEntry { key, raw, error }))
            })
            .collect();
        Ok(CatalogListing { products, full })
    }
}
