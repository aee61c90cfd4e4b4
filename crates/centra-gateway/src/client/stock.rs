//! Stock: `GET /stock` (physical and allocated per size item, paged like products) and
//! `POST /stock` with absolute physical quantities, in batches.

use reqwest::Method;
use serde_json::{Value, json};

use super::paging::{every_page, next_page};
use super::record::{Parsed, Record};
use super::shipments::parse_list;
use super::{CentraClient, CentraError, PayloadError};

/// One row of `GET /stock`: a size item's keys and stock (`physicalStock = allocatedStock +
/// availableStock`, summed over the plugin's warehouses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentraStockRow {
    pub product_id: String,
    pub sku: String,
    pub variant_sku: String,
    pub size_sku: String,
    pub ean: String,
    pub physical: i64,
    pub allocated: i64,
}

impl CentraStockRow {
    /// Reads one row; a missing stock number is an error naming the row and the field.
    pub fn parse(value: &Value, position: &str) -> Result<Self, PayloadError> {
        let first = Record::new(position, value)?;
        let product_id = first.text("productId")?;
        let object = match first.opt_text("stockItemId")? {
            Some(item) => format!("product {product_id} size item {item}"),
            None => format!("product {product_id}"),
        };
        let row = Record::new(&object, value)?;
        let allocated = row.int("allocatedStock")?;
        // `exclude=physicalStock` leaves it out; then it is allocated + available.
        let physical = match row.opt_int("physicalStock")? {
            Some(physical) => physical,
            None => allocated + row.int("availableStock")?,
        };
        Ok(Self {
            sku: row.text_or_empty("sku")?,
            variant_sku: row.text_or_empty("variantSku")?,
            size_sku: row.text_or_empty("sizeSku")?,
            ean: row.text_or_empty("ean")?,
            physical,
            allocated,
            product_id,
        })
    }
}

/// One page of stock rows and the token of the next one.
#[derive(Debug, Clone, PartialEq)]
pub struct StockPage {
    pub rows: Vec<Parsed<CentraStockRow>>,
    /// Centra's `next` query string; `None` on the last page.
    pub next: Option<String>,
}

/// Products per `POST /stock` call.
pub const STOCK_BATCH: usize = 100;

/// What Centra did not update (the rest was updated).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StockOutcome {
    pub products_not_found: Vec<String>,
    pub products_are_bundles: Vec<String>,
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

impl CentraClient {
    /// Sets one batch (at most [`STOCK_BATCH`]) of absolute physical stock. One attempt; the
    /// call is idempotent (absolute values), so callers may simply retry it.
    pub async fn set_stock_once(
        &self,
        levels: &[(String, i64)],
    ) -> Result<StockOutcome, CentraError> {
        const OP: &str = "POST /stock";
        let products: Vec<Value> = levels
            .iter()
            .map(|(product, quantity)| json!({ "product": product, "quantity": quantity }))
            .collect();
        let envelope = self
            .send_raw(
                Method::POST,
                OP,
                "stock",
                &[],
                Some(&json!({ "products": products })),
            )
            .await?;
        let errors = envelope.get("errors");
        let outcome = StockOutcome {
            products_not_found: strings(errors.and_then(|e| e.get("productsNotFound"))),
            products_are_bundles: strings(errors.and_then(|e| e.get("productsAreBundles"))),
        };
        let partial =
            !outcome.products_not_found.is_empty() || !outcome.products_are_bundles.is_empty();
        if partial {
            return Ok(outcome);
        }
        self.ensure_ok(OP, envelope).map(|_| outcome)
    }
}

impl CentraClient {
    /// One page of `GET /stock`, of one product or of every size item. `page_token` is the
    /// previous page's `next`.
    pub async fn stock_page(
        &self,
        product_id: Option<&str>,
        limit: u32,
        page_token: Option<&str>,
    ) -> Result<StockPage, CentraError> {
        const OP: &str = "GET /stock";
        let extra: Vec<(&str, String)> = product_id
            .map(|id| vec![("productId", id.to_owned())])
            .unwrap_or_default();
        let params = self.page_query(OP, page_token, limit, &extra)?;
        let envelope = self
            .with_retry(|| self.get_once(OP, "stock", &params))
            .await?;
        let rows = parse_list(&envelope, "products", "productId", CentraStockRow::parse)
            .map_err(|e| self.bad_payload(OP, e))?;
        let next = next_page(&envelope, page_token);
        Ok(StockPage { rows, next })
    }

    /// Every size item of one product, following `next` until it is absent.
    pub async fn product_stock(
        &self,
        product_id: &str,
    ) -> Result<Vec<Parsed<CentraStockRow>>, CentraError> {
        every_page(|token| async move {
            let page = self
                .stock_page(Some(product_id), 0, token.as_deref())
                .await?;
            Ok((page.rows, page.next))
        })
        .await
    }
}
