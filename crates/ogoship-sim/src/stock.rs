//! Stock (ogoship-api.md §6): `GET /api/v1/stock?productCode=&modifiedAfter=&limit=&page=`
//! answers `StockResponse[] {productCode, stock, stockAvailable, reserved, modified}`, the same
//! numbers as `ProductResponse`; and `POST /_sim/stock`, a stock movement outside any order
//! (a stock count, goods found, damage).
//!
//! `stock` is physical (orders are deducted at `collecting`), `reserved` is held by orders in
//! `new`/`pending`/`reserved`/`locked`, `stockAvailable = stock − reserved`. No
//! per-warehouse breakdown (v1 has none).

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::clock;
use crate::error::ApiError;
use crate::paging::{Params, after};
use crate::products::Product;
use crate::state::{Level, Sim, Store};

/// One `StockResponse`.
pub(crate) fn row(product: &Product, level: Level) -> Value {
    json!({
        "productCode": product.code,
        "stock": level.stock,
        "stockAvailable": level.available(),
        "reserved": level.reserved,
        "modified": clock::format(product.stock_modified),
    })
}

/// `GET /api/v1/stock`: a bare array, one row per product, filtered on `modified`.
pub(crate) async fn list(
    State(sim): State<Arc<Sim>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(query.as_deref())?;
    let paging = params.paging()?;
    let cursor = params.modified_after()?;
    let code = params.get("productCode");
    let store = sim.store();
    let levels = store.levels();
    let matching = store
        .products
        .iter()
        .enumerate()
        .filter(|(_, p)| code.is_none_or(|c| p.code == c) && after(p.stock_modified, cursor));
    Ok(Json(Value::Array(
        paging
            .apply(matching)
            .into_iter()
            .map(|(i, p)| row(p, levels[i]))
            .collect(),
    )))
}

/// `POST /_sim/stock`: `{"productCode", "delta"}` or `{"productCode", "stock"}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StockMovement {
    pub product_code: String,
    #[serde(default)]
    pub delta: Option<i64>,
    #[serde(default)]
    pub stock: Option<i64>,
}

/// Applies a [`StockMovement`]; returns the product's position.
pub(crate) fn adjust(store: &mut Store, movement: &StockMovement) -> Result<usize, ApiError> {
    let index = store.product_index(&movement.product_code).ok_or_else(|| {
        ApiError::not_found(format!(
            "Product '{}' was not found.",
            movement.product_code
        ))
    })?;
    let product = &mut store.products[index];
    match (movement.delta, movement.stock) {
        (Some(delta), None) => product.stock += delta,
        (None, Some(stock)) => product.stock = stock,
        _ => {
            return Err(ApiError::bad_request(
                "Give exactly one of delta and stock.",
            ));
        }
    }
    Ok(index)
}
