//! Returns (ogoship-api.md §8). S3 lists "Search returns", "Create return", "Update return"
//! but the model and paths are undocumented ([?], §12 q1).
//!
//! **Assumption, not documentation:** the simulator serves
//! `GET /api/v1/returns?orderReference=&modifiedAfter=&limit=&page=` as a bare array of
//! `{id, orderReference, status, created, modified, products: [{code, quantity,
//! returnReason: {code, description}}]}`. Returns are registered by the warehouse through
//! `POST /_sim/returns`, which puts the returned items back on the shelf. The status is
//! `received` (also an assumption). The order's status is left alone: what `returned` means
//! is undocumented (§12 q8). Merchant-created returns are not modelled.
//!
//! Layout: this file the model, the list call and registering (`handlers.rs` would hold less
//! than a screen, so it is here).

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::clock;
use crate::error::ApiError;
use crate::paging::{Params, after};
use crate::state::{Sim, Store};

/// Why an item came back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ReturnReason {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// One returned product.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReturnedItem {
    pub code: String,
    pub quantity: i64,
    pub reason: ReturnReason,
}

/// A return registered by the warehouse.
#[derive(Debug, Clone)]
pub(crate) struct ReturnRecord {
    pub id: Uuid,
    pub order_reference: String,
    pub status: String,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub products: Vec<ReturnedItem>,
}

/// The (assumed) wire shape of a return.
pub(crate) fn response(record: &ReturnRecord) -> Value {
    let products: Vec<Value> = record
        .products
        .iter()
        .map(|item| {
            json!({
                "code": item.code,
                "quantity": item.quantity,
                "returnReason": item.reason,
            })
        })
        .collect();
    json!({
        "id": record.id.to_string(),
        "orderReference": record.order_reference,
        "status": record.status,
        "created": clock::format(record.created),
        "modified": clock::format(record.modified),
        "products": products,
    })
}

/// `GET /api/v1/returns`: a bare array.
pub(crate) async fn list(
    State(sim): State<Arc<Sim>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(query.as_deref())?;
    let paging = params.paging()?;
    let cursor = params.modified_after()?;
    let reference = params.get("orderReference");
    let store = sim.store();
    let matching = store
        .returns
        .iter()
        .filter(|r| reference.is_none_or(|o| r.order_reference == o) && after(r.modified, cursor));
    Ok(Json(Value::Array(
        paging.apply(matching).into_iter().map(response).collect(),
    )))
}

/// `POST /_sim/returns`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReturnRequest {
    pub order_reference: String,
    pub products: Vec<ReturnRequestItem>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ReturnRequestItem {
    pub code: String,
    pub quantity: i64,
    #[serde(default)]
    pub reason: ReturnReason,
}

/// Registers a return of a shipped order: the items go back on the shelf. Refused for an
/// unknown order, an order that was not shipped, a product not on the order, or more items
/// than were picked. Returns the record's position.
pub(crate) fn register(
    store: &mut Store,
    request: ReturnRequest,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let reference = request.order_reference.as_str();
    let index = store
        .order_index(reference)
        .ok_or_else(|| ApiError::not_found(format!("Order '{reference}' was not found.")))?;
    let order = &store.orders[index];
    if !order.status.deducts() {
        return Err(ApiError::bad_request(format!(
            "Order '{reference}' is {} and has nothing to return.",
            order.status
        )));
    }
    if request.products.is_empty() {
        return Err(ApiError::bad_request(
            "A return needs at least one product.",
        ));
    }
    for item in &request.products {
        let sent: i64 = order
            .lines
            .iter()
            .filter(|l| l.body.code == item.code)
            .map(|l| l.deducted)
            .sum();
        let returned: i64 = store
            .returns
            .iter()
            .filter(|r| r.order_reference == reference)
            .flat_map(|r| &r.products)
            .filter(|i| i.code == item.code)
            .map(|i| i.quantity)
            .sum();
        let asked: i64 = request
            .products
            .iter()
            .filter(|i| i.code == item.code)
            .map(|i| i.quantity)
            .sum();
        if item.quantity <= 0 || returned + asked > sent {
            return Err(ApiError::bad_request(format!(
                "Cannot return {asked} of '{}': {sent} sent, {returned} already returned.",
                item.code
            )));
        }
    }
    for item in &request.products {
        if let Some(p) = store.product_index(&item.code) {
            store.products[p].stock += item.quantity;
        }
    }
    store.returns.push(ReturnRecord {
        id: Uuid::new_v4(),
        order_reference: reference.to_owned(),
        status: "received".into(),
        created: now,
        modified: now,
        products: request
            .products
            .into_iter()
            .map(|i| ReturnedItem {
                code: i.code,
                quantity: i.quantity,
                reason: i.reason,
            })
            .collect(),
    });
    Ok(store.returns.len() - 1)
}
