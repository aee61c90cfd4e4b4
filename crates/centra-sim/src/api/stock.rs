//! `GET /stock` (REF/302) and `POST /stock` (REF/303).
//!
//! Reads show `physicalStock = allocatedStock + availableStock`. Writes set absolute physical
//! stock, silently raised to the allocated units; unknown products and bundles are reported but
//! do not stop the others (partial success answers `status: no`).

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::envelope::{no, ok, parse_body};
use super::lenient::{Decimal, Text};
use super::params::{Params, linked_page};
use super::products::CatalogFilter;
use crate::app::SharedSim;
use crate::state::catalog::SizeItem;
use crate::state::rules::receiving::StockUpdate;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiStockRow {
    sku: String,
    product_id: u64,
    variant_sku: String,
    variant_id: u64,
    size_sku: String,
    brand: String,
    collection: String,
    product: String,
    variant: String,
    size: String,
    stock_item_id: u64,
    ean: String,
    upc: String,
    weight: f64,
    weight_unit: String,
    country_of_origin: String,
    harm_code: String,
    harm_description: String,
    active: u8,
    /// Left out with `exclude=physicalStock` (REF/302).
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_stock: Option<i64>,
    allocated_stock: i64,
    available_stock: i64,
}

impl ApiStockRow {
    fn new(item: &SizeItem, allocated: i64, with_physical: bool) -> Self {
        Self {
            sku: item.sku.clone(),
            product_id: item.product_id,
            variant_sku: item.variant_sku.clone(),
            variant_id: item.variant_id,
            size_sku: item.size_sku.clone(),
            brand: item.brand.clone(),
            collection: item.collection.clone(),
            product: item.product.clone(),
            variant: item.variant.clone(),
            size: item.size.clone(),
            stock_item_id: item.stock_item_id,
            ean: item.ean.clone(),
            upc: item.upc.clone(),
            weight: item.weight,
            weight_unit: item.weight_unit.clone(),
            country_of_origin: item.country_of_origin.clone(),
            harm_code: item.harm_code.clone(),
            harm_description: item.harm_description.clone(),
            active: u8::from(item.active),
            physical_stock: with_physical.then_some(item.physical),
            allocated_stock: allocated,
            available_stock: item.physical - allocated,
        }
    }
}

/// `GET /stock?…&stock_modified&upc&exclude=physicalStock&limit[&page]`.
pub async fn list(State(sim): State<SharedSim>, RawQuery(query): RawQuery) -> Response {
    let params = Params::parse(query.as_deref());
    let filter = match CatalogFilter::from(&params, &sim.clock) {
        Ok(f) => f,
        Err(refusal) => return refusal.into_response(),
    };
    let with_physical = params.get("exclude") != Some("physicalStock");
    let rows: Vec<ApiStockRow> = sim.read(|store| {
        let allocations = store.allocations();
        store
            .items
            .values()
            .filter(|i| filter.matches(i))
            .map(|i| {
                let allocated = allocations.get(&i.stock_item_id).copied().unwrap_or(0);
                ApiStockRow::new(i, allocated, with_physical)
            })
            .collect()
    });
    let page = match linked_page(rows, &params) {
        Ok(p) => p,
        Err(refusal) => return refusal.into_response(),
    };
    let mut body = json!({ "products": page.rows });
    if let Some(previous) = page.previous {
        body["previous"] = json!(previous);
    }
    if let Some(next) = page.next {
        body["next"] = json!(next);
    }
    ok(body)
}

#[derive(Debug, Deserialize)]
struct UpdateBody {
    products: Option<Vec<Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StockEntry {
    product: Text,
    quantity: Decimal,
    cost_price: Option<Decimal>,
    cost_price_currency: Option<String>,
}

/// `POST /stock {"products": [{"product": "<ean|upc|sku+variantSku+sizeSku>", "quantity": n,
/// "costPrice"?, "costPriceCurrency"?}]}`.
pub async fn update(State(sim): State<SharedSim>, body: Bytes) -> Response {
    let body: UpdateBody = match parse_body(&body) {
        Ok(b) => b,
        Err(refusal) => return refusal.into_response(),
    };
    let Some(entries) = body.products.filter(|p| !p.is_empty()) else {
        // [I] wording not documented.
        return no("products is required", Value::Null);
    };
    let mut not_found = Vec::new();
    let mut bundles = Vec::new();
    let mut invalid = Vec::new();
    let mut valid = Vec::new();
    for (index, raw) in entries.into_iter().enumerate() {
        match serde_json::from_value::<StockEntry>(raw) {
            Ok(entry) if entry.quantity.0.fract() == 0.0 => valid.push(entry),
            Ok(entry) => invalid.push(format!(
                "products[{index}] ({}): quantity must be a whole number",
                entry.product.0
            )),
            Err(err) => invalid.push(format!("products[{index}]: {err}")),
        }
    }
    sim.mutate(|store, now| {
        for entry in &valid {
            let cost = entry.cost_price.map(|c| {
                (
                    c.0,
                    entry
                        .cost_price_currency
                        .clone()
                        .unwrap_or_else(|| "EUR".into()),
                )
            });
            let update =
                store.set_physical_stock(&entry.product.0, entry.quantity.0 as i64, cost, now);
            match update {
                StockUpdate::NotFound => not_found.push(entry.product.0.clone()),
                StockUpdate::Bundle => bundles.push(entry.product.0.clone()),
                StockUpdate::Set { .. } => {}
            }
        }
    });
    if not_found.is_empty() && bundles.is_empty() && invalid.is_empty() {
        return ok(Value::Null);
    }
    let mut errors = serde_json::Map::new();
    if !not_found.is_empty() {
        errors.insert("productsNotFound".into(), json!(not_found));
    }
    if !bundles.is_empty() {
        errors.insert("productsAreBundles".into(), json!(bundles));
    }
    if !invalid.is_empty() {
        // [I] Not a Centra key: the simulator names entries it could not read at all.
        errors.insert("invalidProducts".into(), json!(invalid));
    }
    no(
        "Some of the products were not updated",
        json!({ "errors": errors }),
    )
}
