//! `GET /api/v1/products`, `POST /api/v1/products`, `PUT /api/v1/products/{productCode}`
//! (ogoship-api.md §4).
//!
//! Doc gap: §4 notes that OGOship can hold several products with one code (a documented bug).
//! The simulator keeps codes unique and answers a duplicate create with **409** `ApiError`, so
//! a client that creates blindly instead of searching first is caught.
//! Doc gap: create answers **200** with the `ProductResponse` (G1 reads the body either way).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use base64::Engine;
use serde_json::Value;

use super::{Product, ProductBody, response};
use crate::error::ApiError;
use crate::paging::{Params, after};
use crate::routes::json_body;
use crate::state::Sim;

/// `GET /api/v1/products?code=&eanCode=&modifiedAfter=&limit=&page=`: a bare array.
pub(crate) async fn list(
    State(sim): State<Arc<Sim>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(query.as_deref())?;
    let paging = params.paging()?;
    let cursor = params.modified_after()?;
    let code = params.get("code");
    let ean = params.get("eanCode");
    let store = sim.store();
    let levels = store.levels();
    let matching = store.products.iter().enumerate().filter(|(_, p)| {
        code.is_none_or(|c| p.code == c)
            && ean.is_none_or(|e| p.fields.ean_code.as_deref() == Some(e))
            && after(p.edit_time, cursor)
    });
    let page = paging
        .apply(matching)
        .into_iter()
        .map(|(i, p)| response(&store, p, levels[i]))
        .collect();
    Ok(Json(Value::Array(page)))
}

fn required(value: Option<&str>, name: &str) -> Result<String, ApiError> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| ApiError::bad_request(format!("The {name} field is required.")))
}

/// `POST /api/v1/products`: `code` and `languageCode` required, `code` unique.
pub(crate) async fn create(
    State(sim): State<Arc<Sim>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let mut fields: ProductBody = json_body(&body)?;
    let code = required(fields.code.as_deref(), "code")?;
    required(fields.language_code.as_deref(), "languageCode")?;
    fields.code = None;
    sim.mutate(|store, now, _| {
        if store.product(&code).is_some() {
            return Err(ApiError::conflict(format!(
                "A product with code '{code}' already exists."
            )));
        }
        let index = store.add_product(Product::new(code.clone(), fields, now));
        tracing::debug!(%code, "product created");
        let level = store.level(&code);
        Ok(Json(response(store, &store.products[index], level)))
    })
}

/// The product code of the path: as is, or base64url-decoded with `?base64url=true` (for
/// codes with `/` or other characters that do not survive a path).
fn path_code(raw: &str, params: &Params) -> Result<String, ApiError> {
    if !params.flag("base64url") {
        return Ok(raw.to_owned());
    }
    let trimmed = raw.trim_end_matches('=');
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(trimmed)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| {
            ApiError::bad_request(format!("The product code '{raw}' is not valid base64url."))
        })
}

/// `PUT /api/v1/products/{productCode}`: updates the product with the path (old) code; a
/// different `code` in the body renames it; an existing EAN is kept.
/// Doc gap: a PUT to an unknown code is a 404 (no upsert documented).
pub(crate) async fn update(
    State(sim): State<Arc<Sim>>,
    Path(raw_code): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(query.as_deref())?;
    let code = path_code(&raw_code, &params)?;
    let mut update: ProductBody = json_body(&body)?;
    let new_code = update
        .code
        .take()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    sim.mutate(|store, now, _| {
        let index = store
            .product_index(&code)
            .ok_or_else(|| ApiError::not_found(format!("Product '{code}' was not found.")))?;
        let rename = new_code.filter(|c| *c != code);
        if let Some(target) = &rename
            && store.product(target).is_some()
        {
            return Err(ApiError::conflict(format!(
                "A product with code '{target}' already exists."
            )));
        }
        let product = &mut store.products[index];
        let before = product.fields.clone();
        product.fields.merge(update);
        let changed = product.fields != before || rename.is_some();
        if changed {
            product.edit_time = now;
            product.update_count += 1;
        }
        if let Some(target) = &rename {
            store.rename_product(index, target);
            tracing::debug!(from = %code, to = %target, "product renamed");
        }
        let product = &store.products[index];
        let level = store.level(&product.code);
        Ok(Json(response(store, product, level)))
    })
}
