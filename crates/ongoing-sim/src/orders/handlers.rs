//! HTTP handlers of `/orders` (ongoing-rest-api.md §4). Writes answer `{"orderId", "message"}`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use super::filters::OrderQuery;
use super::store::{self, Reported, Upserted};
use super::{GetOrderModel, PostOrderModel};
use crate::error::ApiError;
use crate::json::{flex_number, parse_body};
use crate::query::QueryParams;
use crate::routes::id_param;
use crate::state::Sim;

fn answer(order_id: i64, message: &str) -> Json<Value> {
    Json(json!({ "orderId": order_id, "message": message }))
}

fn order_param(params: &HashMap<String, String>) -> Result<i64, ApiError> {
    id_param(params, "orderId")
}

fn checked_body(sim: &Sim, bytes: &[u8]) -> Result<Value, ApiError> {
    let raw: Value = parse_body(bytes, "PostOrderModel")?;
    let body: PostOrderModel = serde_json::from_value(raw.clone()).map_err(|err| {
        ApiError::bad_request(format!(
            "the PostOrderModel in the request body is invalid: {err}"
        ))
    })?;
    let goods_owner_id = body
        .goods_owner_id
        .ok_or_else(|| ApiError::bad_request("The goodsOwnerId field is required."))?;
    sim.check_goods_owner(goods_owner_id)?;
    Ok(raw)
}

fn upsert(sim: &Sim, raw: &Value) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut store = sim.store();
    let (upserted, events) = store::upsert(&mut store, &sim.config, raw, Utc::now())?;
    sim.publish(&store, &events);
    let (status, order_id) = match upserted {
        Upserted::Created(id) => (StatusCode::CREATED, id),
        Upserted::Updated(id) => (StatusCode::OK, id),
    };
    let number = store
        .orders
        .get(&order_id)
        .map(|o| o.order_number.clone())
        .unwrap_or_default();
    tracing::debug!(order_id, order_number = %number, created = status == StatusCode::CREATED, "upserted order");
    Ok((
        status,
        answer(order_id, &format!("Order number {number} created/updated")),
    ))
}

/// `PUT /orders`: 201 when created, 200 when updated, same body (§1 "Status codes", [I]).
pub(crate) async fn put(
    State(sim): State<Arc<Sim>>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let raw = checked_body(&sim, &bytes)?;
    upsert(&sim, &raw)
}

/// `PUT /orders/{orderId}`: the same upsert, addressed by id.
pub(crate) async fn put_by_id(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let order_id = order_param(&params)?;
    let mut raw = checked_body(&sim, &bytes)?;
    let number = sim
        .store()
        .orders
        .get(&order_id)
        .map(|o| o.order_number.clone())
        .ok_or_else(|| ApiError::not_found(format!("Order {order_id} was not found.")))?;
    match raw.get("orderNumber").and_then(Value::as_str) {
        Some(sent) if sent != number => {
            return Err(ApiError::bad_request(format!(
                "Order {order_id} has order number {number}, not {sent}."
            )));
        }
        _ => {
            if let Some(object) = raw.as_object_mut() {
                object.insert("orderNumber".to_owned(), Value::String(number));
            }
        }
    }
    upsert(&sim, &raw)
}

/// `GET /orders`.
pub(crate) async fn list(
    State(sim): State<Arc<Sim>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<GetOrderModel>>, ApiError> {
    let query = QueryParams::parse(raw.as_deref());
    sim.check_goods_owner(query.goods_owner_id()?)?;
    let filter = OrderQuery::read(&query)?;
    let store = sim.store();
    let matching = store
        .orders
        .values()
        .filter(|order| filter.matches(order, &store))
        .map(|order| (order.order_id, order));
    let page = filter.cursor.page(matching);
    Ok(Json(
        page.into_iter()
            .map(|order| order.to_model(&sim, &store))
            .collect(),
    ))
}

/// `GET /orders/{orderId}`.
pub(crate) async fn get_one(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
) -> Result<Json<GetOrderModel>, ApiError> {
    let order_id = order_param(&params)?;
    let store = sim.store();
    let order = store
        .orders
        .get(&order_id)
        .ok_or_else(|| ApiError::not_found(format!("Order {order_id} was not found.")))?;
    Ok(Json(order.to_model(&sim, &store)))
}

fn cancel(sim: &Sim, order_id: i64) -> Result<Json<Value>, ApiError> {
    let mut store = sim.store();
    let events = store::cancel(&mut store, &sim.config, order_id, Utc::now())?;
    sim.publish(&store, &events);
    let number = store
        .orders
        .get(&order_id)
        .map(|o| o.order_number.clone())
        .unwrap_or_default();
    Ok(answer(
        order_id,
        &format!("Order number {number} cancelled"),
    ))
}

/// `DELETE /orders/{orderId}`: only before the warehouse started (status below 300).
pub(crate) async fn delete_by_id(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    cancel(&sim, order_param(&params)?)
}

/// `DELETE /orders?goodsOwnerId=&orderNumber=`.
pub(crate) async fn delete_by_number(
    State(sim): State<Arc<Sim>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = QueryParams::parse(raw.as_deref());
    sim.check_goods_owner(query.goods_owner_id()?)?;
    let number = query
        .first("orderNumber")
        .ok_or_else(|| ApiError::bad_request("The orderNumber field is required."))?;
    let order_id = sim
        .store()
        .order_id_by_number(number)
        .ok_or_else(|| ApiError::not_found(format!("Order number {number} was not found.")))?;
    cancel(&sim, order_id)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReportedBody {
    #[serde(default, deserialize_with = "flex_number::deserialize")]
    reported_number_of_items: Option<f64>,
    #[serde(default, deserialize_with = "flex_number::deserialize")]
    reported_returned_number_of_items: Option<f64>,
}

fn report_line(
    sim: &Sim,
    params: &HashMap<String, String>,
    bytes: &[u8],
    which: Reported,
) -> Result<Json<Value>, ApiError> {
    let order_id = order_param(params)?;
    let line_id = id_param(params, "orderLineId")?;
    let body: ReportedBody = parse_body(bytes, "PatchOrderLineReportedNumberOfItemsModel")?;
    let (value, field) = match which {
        Reported::Picked => (body.reported_number_of_items, "reportedNumberOfItems"),
        Reported::Returned => (
            body.reported_returned_number_of_items,
            "reportedReturnedNumberOfItems",
        ),
    };
    let value =
        value.ok_or_else(|| ApiError::bad_request(format!("The {field} field is required.")))?;
    store::report_line(&mut sim.store(), order_id, line_id, which, value)?;
    Ok(answer(
        order_id,
        &format!("Order line {line_id}: {field} set to {value}"),
    ))
}

/// `PATCH /orders/{orderId}/lines/{orderLineId}/reportedNumberOfItems`.
pub(crate) async fn report_line_picked(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    report_line(&sim, &params, &bytes, Reported::Picked)
}

/// `PATCH /orders/{orderId}/lines/{orderLineId}/reportedReturnedNumberOfItems`.
pub(crate) async fn report_line_returned(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    report_line(&sim, &params, &bytes, Reported::Returned)
}

/// `PATCH /orders/{orderId}/setReportedNumberOfItemsToPickedNumberOfItems`.
pub(crate) async fn report_all_picked(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let order_id = order_param(&params)?;
    store::report_all(&mut sim.store(), order_id, Reported::Picked)?;
    Ok(answer(
        order_id,
        "Reported number of items set to picked number of items",
    ))
}

/// `PATCH /orders/{orderId}/setReportedReturnedNumberOfItemsToReturnedNumberOfItems`.
pub(crate) async fn report_all_returned(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let order_id = order_param(&params)?;
    store::report_all(&mut sim.store(), order_id, Reported::Returned)?;
    Ok(answer(
        order_id,
        "Reported returned number of items set to returned number of items",
    ))
}

fn waybill(
    sim: &Sim,
    params: &HashMap<String, String>,
    bytes: &[u8],
    is_return: bool,
) -> Result<Json<Value>, ApiError> {
    let order_id = order_param(params)?;
    let field = if is_return {
        "returnWaybill"
    } else {
        "waybill"
    };
    let body: Value = parse_body(bytes, "PatchOrderWaybillModel")?;
    let waybill = body
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request(format!("The {field} field is required.")))?;
    store::set_waybill(
        &mut sim.store(),
        order_id,
        waybill.to_owned(),
        is_return,
        Utc::now(),
    )?;
    Ok(answer(order_id, &format!("{field} updated")))
}

/// `PATCH /orders/{orderId}/waybill`.
pub(crate) async fn patch_waybill(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    waybill(&sim, &params, &bytes, false)
}

/// `PATCH /orders/{orderId}/returnWaybill`.
pub(crate) async fn patch_return_waybill(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    waybill(&sim, &params, &bytes, true)
}
