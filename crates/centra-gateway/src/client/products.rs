//! Products: `GET /products`, one row per size item, paged with the relative `next` query
//! string Centra returns (`"next": "?limit=10&page=3"`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use proto::events::v1 as pb;
use serde_json::Value;

use super::paging::{each_page, every_page, next_page};
use super::record::{Parsed, Record};
use super::shipments::parse_list;
use super::{CentraClient, CentraError, PayloadError};

/// Filters of a product listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductQuery {
    /// Only rows changed at or after this instant (`modified`, sent in Centra's zone).
    pub modified_since: Option<DateTime<Utc>>,
    /// Only this product sku.
    pub sku: Option<String>,
    /// Only this product (`productId`).
    pub product_id: Option<String>,
    /// Page size; 0 uses the client's.
    pub limit: u32,
}

/// One row of `GET /products`: a size item with its product's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct CentraProductRow {
    pub product_id: String,
    pub name: String,
    pub brand: String,
    pub collection: String,
    pub description: String,
    pub size: pb::ProductSize,
}

/// One page of products and the token of the next one.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductPage {
    pub rows: Vec<Parsed<CentraProductRow>>,
    /// Centra's `next` query string; `None` on the last page.
    pub next: Option<String>,
}

impl CentraProductRow {
    /// Reads one row.
    pub fn parse(value: &Value, position: &str) -> Result<Self, PayloadError> {
        let first = Record::new(position, value)?;
        let product_id = first.text("productId")?;
        let object = match first.opt_text("stockItemId")? {
            Some(item) => format!("product {product_id} size item {item}"),
            None => format!("product {product_id}"),
        };
        let row = Record::new(&object, value)?;
        let mut prices = Vec::new();
        for (i, raw) in row.array("prices")?.iter().enumerate() {
            // Errors name the price's field within the row (`prices[0].price`).
            let in_price = |e: PayloadError| {
                let field = match e.field.as_str() {
                    "" => format!("prices[{i}]"),
                    field => format!("prices[{i}].{field}"),
                };
                PayloadError::new(&object, field, e.reason)
            };
            let price = Record::new(&object, raw).map_err(in_price)?;
            prices.push(pb::Price {
                pricelist: price.text_or_empty("pricelist").map_err(in_price)?,
                currency: price.text_or_empty("currency").map_err(in_price)?,
                amount: price.decimal_text("price").map_err(in_price)?,
            });
        }
        let weight_unit = row.text_or_empty("weightUnit")?;
        if !matches!(weight_unit.as_str(), "" | "kg" | "lb") {
            return Err(PayloadError::new(
                &object,
                "weightUnit",
                format!("expected kg or lb, found {weight_unit:?}"),
            ));
        }
        Ok(Self {
            name: row.text_or_empty("name")?,
            brand: row.text_or_empty("brand")?,
            collection: row.text_or_empty("collection")?,
            description: row.text_or_empty("description")?,
            size: pb::ProductSize {
                stock_item_id: row.text_or_empty("stockItemId")?,
                variant_id: row.text_or_empty("variantId")?,
                variant_name: row.text_or_empty("variant")?,
                sku: row.text_or_empty("sku")?,
                variant_sku: row.text_or_empty("variantSku")?,
                size_sku: row.text_or_empty("sizeSku")?,
                ean: row.text_or_empty("ean")?,
                upc: row.text_or_empty("upc")?,
                size_name: row.text_or_empty("size")?,
                active: row.flag("active")?,
                weight: row.decimal_text("weight")?,
                weight_unit,
                country_of_origin: row.text_or_empty("countryOfOrigin")?,
                harm_code: row.text_or_empty("harmCode")?,
                harm_description: row.text_or_empty("harmDescription")?,
                prices,
            },
            product_id,
        })
    }
}

impl CentraProductRow {
    /// The row's product (its own fields, no sizes) and its size: every row of a product
    /// repeats the product's fields, so whoever groups rows keeps the first row's.
    pub fn into_parts(self) -> (pb::Product, pb::ProductSize) {
        let Self {
            product_id,
            name,
            brand,
            collection,
            description,
            size,
        } = self;
        let product = pb::Product {
            product_id,
            name,
            brand,
            collection,
            description,
            sizes: Vec::new(),
        };
        (product, size)
    }
}

/// Groups size rows into products (in first-seen order of product ids).
pub fn group_products(rows: Vec<CentraProductRow>) -> Vec<pb::Product> {
    let mut order: Vec<String> = Vec::new();
    let mut products: BTreeMap<String, pb::Product> = BTreeMap::new();
    for row in rows {
        let (product, size) = row.into_parts();
        products
            .entry(product.product_id.clone())
            .or_insert_with(|| {
                order.push(product.product_id.clone());
                product
            })
            .sizes
            .push(size);
    }
    order
        .into_iter()
        .filter_map(|id| products.remove(&id))
        .collect()
}

impl CentraClient {
    /// One page of `GET /products`. `page_token` is the previous page's `next`.
    pub async fn products_page(
        &self,
        query: &ProductQuery,
        page_token: Option<&str>,
    ) -> Result<ProductPage, CentraError> {
        const OP: &str = "GET /products";
        let mut extra: Vec<(&str, String)> = Vec::new();
        if let Some(since) = query.modified_since {
            extra.push(("modified", self.filter_time(since)));
        }
        if let Some(sku) = &query.sku {
            extra.push(("sku", sku.clone()));
        }
        if let Some(product_id) = &query.product_id {
            extra.push(("productId", product_id.clone()));
        }
        let params = self.page_query(OP, page_token, query.limit, &extra)?;
        let envelope = self
            .with_retry(|| self.get_once(OP, "products", &params))
            .await?;
        let rows = parse_list(&envelope, "products", "productId", CentraProductRow::parse)
            .map_err(|e| self.bad_payload(OP, e))?;
        let next = next_page(&envelope, page_token);
        Ok(ProductPage { rows, next })
    }

    /// Every row matching `query`, following `next` until it is absent.
    pub async fn products(
        &self,
        query: &ProductQuery,
    ) -> Result<Vec<Parsed<CentraProductRow>>, CentraError> {
        every_page(|token| async move {
            let page = self.products_page(query, token.as_deref()).await?;
            Ok((page.rows, page.next))
        })
        .await
    }

    /// Every row of `GET /products` matching `query`, handed to `each` a page at a time (a
    /// page is dropped before the next is asked for), for a caller that keeps less than the
    /// rows.
    ///
    /// # Errors
    /// As [`Self::products_page`], for any page; the pages before it were handed over.
    pub async fn each_product_row(
        &self,
        query: &ProductQuery,
        each: impl FnMut(Parsed<CentraProductRow>),
    ) -> Result<(), CentraError> {
        each_page(
            |token| async move {
                let page = self.products_page(query, token.as_deref()).await?;
                Ok((page.rows, page.next))
            },
            each,
        )
        .await
    }
}
