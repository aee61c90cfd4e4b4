//! HTTP handlers of `/purchaseOrders`. Writes answer `{"purchaseOrderId", "message"}`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use super::GetPurchaseOrderModel;
use super::store;
use crate::error::ApiError;
use crate::json::{flex_int, flex_number, parse_body};
use crate::query::{Cursor, QueryParams};
use crate::routes::id_param;
use crate::state::Sim;

fn answer(id: i64, message: &str) -> Json<Value> {
    Json(json!({ "purchaseOrderId": id, "message": message }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GoodsOwnerOnly {
    #[serde(default, deserialize_with = "flex_int::deserialize")]
    goods_owner_id: Option<i64>,
}

/// `PUT /purchaseOrders`.
pub(crate) async fn put(
    State(sim): State<Arc<Sim>>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let raw: Value = parse_body(&bytes, "PostPurchaseOrderModel")?;
    let owner: GoodsOwnerOnly = serde_json::from_value(raw.clone()).map_err(|err| {
        ApiError::bad_request(format!(
            "the PostPurchaseOrderModel in the request body is invalid: {err}"
        ))
    })?;
    sim.check_goods_owner(
        owner
            .goods_owner_id
            .ok_or_else(|| ApiError::bad_request("The goodsOwnerId field is required."))?,
    )?;
    let mut store = sim.store();
    let (id, created, events) = store::upsert(&mut store, &sim.config, &raw, Utc::now())?;
    sim.publish(&store, &events);
    let number = store
        .purchase_orders
        .get(&id)
        .map(|po| po.purchase_order_number.clone())
        .unwrap_or_default();
    let verb = if created { "created" } else { "updated" };
    Ok(answer(
        id,
        &format!("Inorder with order number {number} {verb}. <br/>"),
    ))
}

/// `GET /purchaseOrders`.
pub(crate) async fn list(
    State(sim): State<Arc<Sim>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<GetPurchaseOrderModel>>, ApiError> {
    let query = QueryParams::parse(raw.as_deref());
    sim.check_goods_owner(query.goods_owner_id()?)?;
    let cursor = Cursor::read(&query, "purchaseOrderIdFrom", "maxPurchaseOrdersToGet")?;
    let mut numbers = query.all("purchaseOrderNumbers");
    numbers.extend(query.first("purchaseOrderNumber"));
    let article_numbers = query.all("articleNumbers");
    let status_from = query.int("purchaseOrderStatusFrom")?;
    let status_to = query.int("purchaseOrderStatusTo")?;
    let changed_from = query.time("purchaseOrderStatusChangedTimeFrom")?;
    let received_from = query.time("lastReceiveTimeFrom")?;
    let received_to = query.time("lastReceiveTimeTo")?;
    let only_to_report = query.flag("onlyPurchaseOrdersWithOrderLinesToReport")?;

    let store = sim.store();
    let matching = store.purchase_orders.values().filter(|po| {
        let status = i64::from(po.status);
        (numbers.is_empty() || numbers.contains(&po.purchase_order_number.as_str()))
            && (article_numbers.is_empty()
                || po.lines.iter().any(|l| {
                    store
                        .articles
                        .get(&l.article_system_id)
                        .is_some_and(|a| article_numbers.contains(&a.number()))
                }))
            && status_from.is_none_or(|from| status >= from)
            && status_to.is_none_or(|to| status <= to)
            && changed_from.is_none_or(|from| po.status_changed >= from)
            && (received_from.is_none() && received_to.is_none()
                || po.last_received.is_some_and(|t| {
                    received_from.is_none_or(|from| t >= from)
                        && received_to.is_none_or(|to| t <= to)
                }))
            && (!only_to_report || po.has_lines_to_report())
    });
    let page = cursor.page(matching.map(|po| (po.purchase_order_id, po)));
    Ok(Json(
        page.into_iter()
            .map(|po| po.to_model(&sim, &store))
            .collect(),
    ))
}

/// `GET /purchaseOrders/{purchaseOrderId}`.
pub(crate) async fn get_one(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
) -> Result<Json<GetPurchaseOrderModel>, ApiError> {
    let id = id_param(&params, "purchaseOrderId")?;
    let store = sim.store();
    let po = store
        .purchase_orders
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("Purchase order {id} was not found.")))?;
    Ok(Json(po.to_model(&sim, &store)))
}

/// `DELETE /purchaseOrders/{purchaseOrderId}`.
pub(crate) async fn delete_by_id(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let id = id_param(&params, "purchaseOrderId")?;
    let mut store = sim.store();
    let events = store::cancel(&mut store, &sim.config, id, Utc::now())?;
    sim.publish(&store, &events);
    Ok(answer(id, "Purchase order cancelled"))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReportedBody {
    #[serde(default, deserialize_with = "flex_number::deserialize")]
    reported_number_of_items: Option<f64>,
}

/// `PATCH /purchaseOrders/{purchaseOrderId}/lines/{purchaseOrderLineId}/reportedNumberOfItems`.
pub(crate) async fn report_line(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let id = id_param(&params, "purchaseOrderId")?;
    let line_id = id_param(&params, "purchaseOrderLineId")?;
    let body: ReportedBody =
        parse_body(&bytes, "PatchPurchaseOrderLineReportedNumberOfItemsModel")?;
    let value = body
        .reported_number_of_items
        .ok_or_else(|| ApiError::bad_request("The reportedNumberOfItems field is required."))?;
    store::report(&mut sim.store(), id, Some((line_id, value)))?;
    Ok(answer(
        id,
        &format!("Purchase order line {line_id}: reportedNumberOfItems set to {value}"),
    ))
}

/// `PATCH /purchaseOrders/{purchaseOrderId}/setReportedNumberOfItemsToReceivedNumberOfItems`.
pub(crate) async fn report_all(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let id = id_param(&params, "purchaseOrderId")?;
    store::report(&mut sim.store(), id, None)?;
    Ok(answer(
        id,
        "Reported number of items set to received number of items",
    ))
}
