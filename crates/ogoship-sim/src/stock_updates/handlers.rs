//! `GET /api/v1/StockUpdate?reference=&autoreference=&modifiedAfter=&limit=&page=`,
//! `POST /api/v1/StockUpdate` (ogoship-api.md §7) and receiving goods through the control API.
//!
//! Create checks what §7 marks required: `reference`, `supplier`, `receiveDate`, and per line
//! `code`, `expectedQuantity` (0–1,000,000) and `countryOfOrigin`; `customsDescription` at
//! most 50 characters, `hsCode` 8 digits. A duplicate `reference` is 409 (as for orders).
//! Doc gap: whether a line may name a product OGOship does not know is undocumented (P5 books
//! unidentified goods under `XX` codes on arrival); the simulator refuses unknown codes with a
//! 400 naming them, like order lines. Update and cancel are [?] in §7 and not modelled.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::{StockUpdate, StockUpdateBody, StockUpdateLine, StockUpdateLineBody, response};
use crate::error::ApiError;
use crate::paging::{Params, after};
use crate::routes::json_body;
use crate::state::{Sim, Store};

/// `GET /api/v1/StockUpdate`: a bare array.
pub(crate) async fn list(
    State(sim): State<Arc<Sim>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(query.as_deref())?;
    let paging = params.paging()?;
    let cursor = params.modified_after()?;
    let reference = params.get("reference");
    let auto = params.get("autoReference");
    let store = sim.store();
    let matching = store.stock_updates.iter().filter(|u| {
        reference.is_none_or(|r| u.reference == r)
            && auto.is_none_or(|a| u.auto_reference == a)
            && after(u.modified, cursor)
    });
    Ok(Json(Value::Array(
        paging.apply(matching).into_iter().map(response).collect(),
    )))
}

fn required<'a>(value: Option<&'a str>, name: &str) -> Result<&'a str, ApiError> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::bad_request(format!("The {name} field is required.")))
}

fn check_line(store: &Store, line: StockUpdateLineBody) -> Result<StockUpdateLine, ApiError> {
    let code = required(line.code.as_deref(), "products.code")?.to_owned();
    let expected = line
        .expected_quantity
        .ok_or_else(|| ApiError::bad_request("The products.expectedQuantity field is required."))?;
    if !(0..=1_000_000).contains(&expected) {
        return Err(ApiError::bad_request(format!(
            "expectedQuantity must be between 0 and 1000000, got {expected} for '{code}'."
        )));
    }
    required(
        line.country_of_origin.as_deref(),
        "products.countryOfOrigin",
    )?;
    if line
        .customs_description
        .as_deref()
        .is_some_and(|d| d.chars().count() > 50)
    {
        return Err(ApiError::bad_request(format!(
            "customsDescription of '{code}' is longer than 50 characters."
        )));
    }
    if let Some(hs) = line.hs_code.as_deref().filter(|h| !h.is_empty())
        && !(hs.len() == 8 && hs.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(ApiError::bad_request(format!(
            "hsCode of '{code}' must be 8 digits, got '{hs}'."
        )));
    }
    if store.product(&code).is_none() {
        return Err(ApiError::bad_request(format!(
            "Products not found: {code}."
        )));
    }
    let mut body = line;
    body.code = None;
    body.expected_quantity = None;
    Ok(StockUpdateLine {
        code,
        body,
        expected_quantity: expected,
        received_quantity: 0,
        warehouse_comments: None,
    })
}

/// `POST /api/v1/StockUpdate`: the server sets `status` `NEW`, `autoReference`, `created`,
/// `modified`. Doc gap: the `autoReference` format is undocumented; `SU-000001` and up.
pub(crate) async fn create(
    State(sim): State<Arc<Sim>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let mut fields: StockUpdateBody = json_body(&body)?;
    let reference = required(fields.reference.as_deref(), "reference")?.to_owned();
    required(fields.supplier.as_deref(), "supplier")?;
    let date = required(fields.receive_date.as_deref(), "receiveDate")?;
    if crate::clock::parse(date).is_none() {
        return Err(ApiError::bad_request(format!(
            "The value '{date}' is not valid for receiveDate."
        )));
    }
    let products = fields.products.take().unwrap_or_default();
    if products.is_empty() {
        return Err(ApiError::bad_request(
            "The products field needs at least one line.",
        ));
    }
    fields.reference = None;
    fields.status = None;
    sim.mutate(|store, now, _| {
        if store.stock_updates.iter().any(|u| u.reference == reference) {
            return Err(ApiError::conflict(format!(
                "A stock update with reference '{reference}' already exists."
            )));
        }
        let lines = products
            .into_iter()
            .map(|line| check_line(store, line))
            .collect::<Result<Vec<_>, _>>()?;
        let update = StockUpdate {
            auto_reference: format!("SU-{:06}", store.stock_updates.len() + 1),
            reference,
            fields,
            lines,
            status: "NEW".into(),
            arrival_date: None,
            warehouse_comments: None,
            created: now,
            modified: now,
            receive_count: 0,
        };
        let answer = response(&update);
        store.stock_updates.push(update);
        Ok(Json(answer))
    })
}

/// `POST /_sim/stock-updates/{reference}/receive`.
#[derive(Debug, Deserialize)]
pub(crate) struct ReceiveRequest {
    #[serde(default)]
    pub products: Vec<Received>,
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Received {
    pub code: String,
    pub received: i64,
}

/// Goods of stock update `reference` arrive: each `received` is added to the line and to the
/// product's physical stock. The status becomes the one given, else `RECEIVED` when every line
/// has its expected quantity, else `PARTIALLY_RECEIVED`. Returns the update's position.
pub(crate) fn receive(
    store: &mut Store,
    reference: &str,
    request: ReceiveRequest,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let index = store
        .stock_updates
        .iter()
        .position(|u| u.reference == reference)
        .ok_or_else(|| ApiError::not_found(format!("Stock update '{reference}' was not found.")))?;
    let update = &store.stock_updates[index];
    if update.status.eq_ignore_ascii_case("CANCELLED") {
        return Err(ApiError::bad_request(format!(
            "Stock update '{reference}' is cancelled."
        )));
    }
    let mut positions = Vec::new();
    for received in &request.products {
        if received.received < 0 {
            return Err(ApiError::bad_request(format!(
                "received of '{}' must not be negative.",
                received.code
            )));
        }
        let position = update
            .lines
            .iter()
            .position(|l| l.code == received.code)
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "Stock update '{reference}' has no line for '{}'.",
                    received.code
                ))
            })?;
        positions.push(position);
    }
    for (received, position) in request.products.iter().zip(positions) {
        store.stock_updates[index].lines[position].received_quantity += received.received;
        if let Some(p) = store.product_index(&received.code) {
            store.products[p].stock += received.received;
        }
    }
    let update = &mut store.stock_updates[index];
    update.status = request.status.unwrap_or_else(|| {
        if update
            .lines
            .iter()
            .all(|l| l.received_quantity >= l.expected_quantity)
        {
            "RECEIVED".into()
        } else {
            "PARTIALLY_RECEIVED".into()
        }
    });
    update.arrival_date.get_or_insert(now);
    update.modified = now;
    update.receive_count += 1;
    Ok(index)
}
