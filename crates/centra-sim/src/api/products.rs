//! `GET /products` (REF/301): one row per size item, filtered and paged with hidden `page`.

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use super::envelope::{No, ok};
use super::params::{Params, linked_page};
use crate::app::SharedSim;
use crate::clock::StoreClock;
use crate::state::catalog::SizeItem;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiProduct {
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
    weight: f64,
    weight_unit: String,
    country_of_origin: String,
    harm_code: String,
    harm_description: String,
    active: u8,
    folder: String,
    name: String,
    description: String,
    short_description: String,
    comment: String,
    store: String,
    categories: Vec<String>,
    images: Vec<String>,
    prices: Vec<ApiPrice>,
}

/// `{"id": "36", "price": "329.00", "pricelist", "currency", "campaigns": []}`: id and price
/// are strings here, campaign prices numbers (REF/301).
#[derive(Debug, Serialize)]
pub struct ApiPrice {
    id: String,
    price: String,
    pricelist: String,
    currency: String,
    campaigns: Vec<Value>,
}

impl ApiProduct {
    fn new(item: &SizeItem) -> Self {
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
            weight: item.weight,
            weight_unit: item.weight_unit.clone(),
            country_of_origin: item.country_of_origin.clone(),
            harm_code: item.harm_code.clone(),
            harm_description: item.harm_description.clone(),
            active: u8::from(item.active),
            folder: item.folder.clone(),
            name: item.name.clone(),
            description: item.description.clone(),
            short_description: item.short_description.clone(),
            comment: item.comment.clone(),
            store: item.store.clone(),
            categories: item.categories.clone(),
            images: item.images.clone(),
            prices: item
                .prices
                .iter()
                .map(|p| ApiPrice {
                    id: p.id.to_string(),
                    price: format!("{:.2}", p.price),
                    pricelist: p.pricelist.clone(),
                    currency: p.currency.clone(),
                    campaigns: Vec::new(),
                })
                .collect(),
        }
    }
}

/// The catalogue filters `GET /products` and `GET /stock` share (REF/301-302).
/// `modified`, `created` and `stock_modified` mean "at or after" ([I] "after" on the page; the
/// boundary is included so a client polling with its last cursor never misses a row).
#[derive(Debug, Default)]
pub struct CatalogFilter {
    sku: Option<String>,
    ean: Option<String>,
    upc: Option<String>,
    product_id: Option<u64>,
    variant_id: Option<u64>,
    stock_item_id: Option<u64>,
    modified: Option<DateTime<Utc>>,
    created: Option<DateTime<Utc>>,
    stock_modified: Option<DateTime<Utc>>,
}

impl CatalogFilter {
    pub fn from(params: &Params, clock: &StoreClock) -> Result<Self, No> {
        Ok(Self {
            sku: params.get("sku").map(str::to_owned),
            ean: params.get("ean").map(str::to_owned),
            upc: params.get("upc").map(str::to_owned),
            product_id: params.number("productId")?,
            variant_id: params.number("variantId")?,
            stock_item_id: params
                .number("stockItemId")?
                .or(params.number("stockItemID")?),
            modified: params.date("modified", clock)?,
            created: params.date("created", clock)?,
            stock_modified: params.date("stock_modified", clock)?,
        })
    }

    pub fn matches(&self, item: &SizeItem) -> bool {
        self.sku.as_ref().is_none_or(|s| item.sku == *s)
            && self.ean.as_ref().is_none_or(|e| item.ean == *e)
            && self.upc.as_ref().is_none_or(|u| item.upc == *u)
            && self.product_id.is_none_or(|id| item.product_id == id)
            && self.variant_id.is_none_or(|id| item.variant_id == id)
            && self.stock_item_id.is_none_or(|id| item.stock_item_id == id)
            && self.modified.is_none_or(|t| item.modified >= t)
            && self.created.is_none_or(|t| item.created >= t)
            && self.stock_modified.is_none_or(|t| item.stock_modified >= t)
    }
}

/// `GET /products?sku&ean&productId&variantId&stockItemId&modified&created&limit[&page]`.
pub async fn list(State(sim): State<SharedSim>, RawQuery(query): RawQuery) -> Response {
    let params = Params::parse(query.as_deref());
    let filter = match CatalogFilter::from(&params, &sim.clock) {
        Ok(f) => f,
        Err(refusal) => return refusal.into_response(),
    };
    let rows: Vec<ApiProduct> = sim.read(|store| {
        store
            .items
            .values()
            .filter(|i| filter.matches(i))
            .map(ApiProduct::new)
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
