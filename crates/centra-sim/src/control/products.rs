//! `POST /_sim/products`: upserts size rows (one per size, like `GET /products`) and bumps
//! their `modified`. Field names are the Order API's own.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::json;

use super::{read, refuse};
use crate::api::lenient::{Count, Decimal, Flag, Text};
use crate::app::SharedSim;
use crate::state::catalog::{Price, SizeItem};
use crate::state::rules::seeding::ItemDraft;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    products: Vec<SimProduct>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
struct SimProduct {
    product_id: Option<Count>,
    variant_id: Option<Count>,
    stock_item_id: Option<Count>,
    sku: Option<Text>,
    variant_sku: Option<Text>,
    size_sku: Option<Text>,
    product: Option<String>,
    name: Option<String>,
    variant: Option<String>,
    size: Option<Text>,
    ean: Option<Text>,
    upc: Option<Text>,
    brand: Option<String>,
    collection: Option<String>,
    folder: Option<String>,
    store: Option<String>,
    description: Option<String>,
    short_description: Option<String>,
    comment: Option<String>,
    active: Option<Flag>,
    weight: Option<Decimal>,
    weight_unit: Option<String>,
    country_of_origin: Option<String>,
    harm_code: Option<Text>,
    harm_description: Option<String>,
    categories: Option<Vec<String>>,
    images: Option<Vec<String>>,
    prices: Option<Vec<SimPrice>>,
    physical_stock: Option<Count>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SimPrice {
    pricelist: String,
    currency: String,
    price: Decimal,
}

fn id(value: Option<Count>, field: &str, index: usize) -> Result<u64, String> {
    match value {
        None => Ok(0),
        Some(Count(n)) => u64::try_from(n)
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("products[{index}].{field}: must be a positive id, got {n}")),
    }
}

impl SimProduct {
    fn into_draft(self, index: usize) -> Result<ItemDraft, String> {
        let text = |t: Option<Text>| t.map(|t| t.0).unwrap_or_default();
        let sku = text(self.sku);
        let ean = text(self.ean);
        if sku.is_empty() && ean.is_empty() {
            return Err(format!("products[{index}]: needs a sku or an ean"));
        }
        let product = self
            .product
            .or(self.name.clone())
            .unwrap_or_else(|| sku.clone());
        let now = chrono::Utc::now();
        let physical = match self.physical_stock {
            Some(Count(n)) if n < 0 => {
                return Err(format!(
                    "products[{index}].physicalStock: can not be negative, got {n}"
                ));
            }
            other => other.map(|c| c.0),
        };
        Ok(ItemDraft {
            item: SizeItem {
                stock_item_id: id(self.stock_item_id, "stockItemId", index)?,
                product_id: id(self.product_id, "productId", index)?,
                variant_id: id(self.variant_id, "variantId", index)?,
                name: self.name.unwrap_or_else(|| product.clone()),
                product,
                sku,
                variant_sku: text(self.variant_sku),
                size_sku: text(self.size_sku),
                variant: self.variant.unwrap_or_default(),
                size: text(self.size),
                ean,
                upc: text(self.upc),
                brand: self.brand.unwrap_or_default(),
                collection: self.collection.unwrap_or_default(),
                folder: self.folder.unwrap_or_default(),
                store: self.store.unwrap_or_else(|| "Retail".into()),
                description: self.description.unwrap_or_default(),
                short_description: self.short_description.unwrap_or_default(),
                comment: self.comment.unwrap_or_default(),
                harm_code: text(self.harm_code),
                harm_description: self.harm_description.unwrap_or_default(),
                country_of_origin: self.country_of_origin.unwrap_or_default(),
                weight: self.weight.map_or(0.0, |w| w.0),
                weight_unit: self.weight_unit.unwrap_or_else(|| "kg".into()),
                active: self.active.is_none_or(|f| f.0),
                categories: self.categories.unwrap_or_default(),
                images: self.images.unwrap_or_default(),
                prices: self
                    .prices
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| Price {
                        id: 0,
                        pricelist: p.pricelist,
                        currency: p.currency,
                        price: p.price.0,
                    })
                    .collect(),
                physical: 0,
                cost_price: None,
                created: now,
                modified: now,
                stock_modified: now,
            },
            physical,
        })
    }
}

pub async fn upsert(State(sim): State<SharedSim>, body: Bytes) -> Response {
    let body: Body = match read(&body) {
        Ok(b) => b,
        Err(refusal) => return refusal.into_response(),
    };
    let mut drafts = Vec::with_capacity(body.products.len());
    for (index, product) in body.products.into_iter().enumerate() {
        match product.into_draft(index) {
            Ok(draft) => drafts.push(draft),
            Err(message) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, message),
        }
    }
    let ids: Vec<u64> = sim.mutate(|store, now| {
        drafts
            .into_iter()
            .map(|draft| store.upsert_item(draft, now))
            .collect()
    });
    Json(json!({ "ok": true, "stockItemIds": ids })).into_response()
}
