//! HTTP handlers of `/returnOrders` and `/returnOrders/returnCauses`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{
    GetReturnOrderModel, PostReturnOrderModel, ReturnCauseModel, ReturnOrder, ReturnOrderLine,
    ensure_cause,
};
use crate::config::SimConfig;
use crate::error::ApiError;
use crate::json::parse_body;
use crate::query::QueryParams;
use crate::routes::id_param;
use crate::state::{Sim, Store, next};
use crate::time::OngoingDate;

/// Creates or updates the return order `returnOrderNumber` of an existing customer order.
fn upsert(
    store: &mut Store,
    config: &SimConfig,
    body: PostReturnOrderModel,
    now: DateTime<Utc>,
) -> Result<(i64, bool), ApiError> {
    let number = body
        .return_order_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::bad_request("The returnOrderNumber field is required."))?
        .to_owned();
    let order_id = body
        .customer_order
        .as_ref()
        .and_then(|c| c.order_id)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "Return order {number}: customerOrder.orderId is required."
            ))
        })?;
    let order = store.orders.get(&order_id).ok_or_else(|| {
        ApiError::bad_request(format!(
            "Return order {number}: order {order_id} does not exist."
        ))
    })?;
    if let Some(date) = body.in_date.as_deref()
        && OngoingDate::parse(date).is_none()
    {
        return Err(ApiError::bad_request(format!(
            "Return order {number}: inDate '{date}' is not a valid date."
        )));
    }
    let mut seen = HashSet::new();
    let mut planned = Vec::new();
    for (index, line) in body.return_order_lines.iter().flatten().enumerate() {
        let row = line
            .return_order_row_number
            .clone()
            .filter(|r| !r.trim().is_empty())
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "Return order {number}, line {}: returnOrderRowNumber is required.",
                    index + 1
                ))
            })?;
        if !seen.insert(row.clone()) {
            return Err(ApiError::bad_request(format!(
                "Return order {number}: returnOrderRowNumber {row} is used twice."
            )));
        }
        let line_id = line
            .customer_order_line
            .as_ref()
            .and_then(|l| l.order_line_id)
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "Return order {number}, row {row}: customerOrderLine.orderLineId is required."
                ))
            })?;
        let order_line = order.lines.iter().find(|l| l.id == line_id).ok_or_else(|| {
            ApiError::bad_request(format!("Return order {number}, row {row}: order line {line_id} is not on order {order_id}."))
        })?;
        let quantity = line.to_be_returned_number_of_items.unwrap_or(0.0);
        if !(quantity.is_finite() && quantity >= 0.0) {
            return Err(ApiError::bad_request(format!(
                "Return order {number}, row {row}: toBeReturnedNumberOfItems {quantity} is not valid."
            )));
        }
        planned.push((
            row,
            line_id,
            order_line.article_system_id,
            quantity,
            line.return_cause.clone(),
        ));
    }
    for (_, _, _, _, cause) in &planned {
        if let Some(cause) = cause {
            let code = cause.code.clone().unwrap_or_default();
            ensure_cause(store, &code, cause.name.as_deref().unwrap_or(&code));
        }
    }
    let existing = store
        .return_orders
        .values()
        .find(|r| r.return_order_number == number)
        .map(|r| r.return_order_id);
    let id = match existing {
        Some(id) => {
            let return_order = store
                .return_orders
                .get_mut(&id)
                .ok_or_else(ApiError::internal)?;
            if return_order.status != config.return_order_initial_status {
                return Err(ApiError::bad_request(format!(
                    "Return order {number} cannot be updated: the warehouse has started working on it (status {}).",
                    return_order.status
                )));
            }
            if return_order.order_id != order_id {
                return Err(ApiError::bad_request(format!(
                    "Return order {number} belongs to order {}.",
                    return_order.order_id
                )));
            }
            for (row, line_id, article, quantity, cause) in planned {
                match return_order.lines.iter_mut().find(|l| l.row_number == row) {
                    Some(line) => {
                        line.order_line_id = line_id;
                        line.article_system_id = article;
                        line.to_be_returned = quantity;
                        line.return_cause = cause;
                    }
                    None => return_order.lines.push(ReturnOrderLine {
                        id: next(&mut store.ids.return_order_line),
                        row_number: row,
                        order_line_id: line_id,
                        article_system_id: article,
                        to_be_returned: quantity,
                        returned: 0.0,
                        return_cause: cause,
                        items: Vec::new(),
                    }),
                }
            }
            if body.comment.is_some() {
                return_order.header.comment = body.comment;
            }
            if body.in_date.is_some() {
                return_order.header.in_date = body.in_date;
            }
            if body.tracking.is_some() {
                return_order.header.tracking = body.tracking;
            }
            return Ok((id, false));
        }
        None => next(&mut store.ids.return_order),
    };
    let lines = planned
        .into_iter()
        .map(|(row, line_id, article, quantity, cause)| ReturnOrderLine {
            id: next(&mut store.ids.return_order_line),
            row_number: row,
            order_line_id: line_id,
            article_system_id: article,
            to_be_returned: quantity,
            returned: 0.0,
            return_cause: cause,
            items: Vec::new(),
        })
        .collect();
    let mut header = body;
    header.return_order_lines = None;
    store.return_orders.insert(
        id,
        ReturnOrder {
            return_order_id: id,
            return_order_number: number,
            order_id,
            header,
            status: config.return_order_initial_status,
            created: now,
            goods_returned: None,
            lines,
            created_count: 1,
        },
    );
    Ok((id, true))
}

/// `PUT /returnOrders`.
pub(crate) async fn put(
    State(sim): State<Arc<Sim>>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body: PostReturnOrderModel = parse_body(&bytes, "PostReturnOrderModel")?;
    sim.check_goods_owner(
        body.goods_owner_id
            .ok_or_else(|| ApiError::bad_request("The goodsOwnerId field is required."))?,
    )?;
    let mut store = sim.store();
    let (id, created) = upsert(&mut store, &sim.config, body, Utc::now())?;
    let number = store
        .return_orders
        .get(&id)
        .map(|r| r.return_order_number.clone())
        .unwrap_or_default();
    let verb = if created { "created" } else { "updated" };
    Ok(Json(
        json!({ "returnOrderId": id, "message": format!("Return order {number} {verb}.") }),
    ))
}

/// `GET /returnOrders` (no cursor: the real API has none).
pub(crate) async fn list(
    State(sim): State<Arc<Sim>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<GetReturnOrderModel>>, ApiError> {
    let query = QueryParams::parse(raw.as_deref());
    sim.check_goods_owner(query.goods_owner_id()?)?;
    let numbers = query.all("returnOrderNumbers");
    let order_numbers = query.all("customerOrderNumbers");
    let returned_from = query.time("goodsReturnedFromDate")?;
    let status_from = query.int("returnOrderStatusFrom")?;
    let status_to = query.int("returnOrderStatusTo")?;
    let store = sim.store();
    let rows = store
        .return_orders
        .values()
        .filter(|r| {
            let order_number = store
                .orders
                .get(&r.order_id)
                .map(|o| o.order_number.as_str())
                .unwrap_or_default();
            (numbers.is_empty() || numbers.contains(&r.return_order_number.as_str()))
                && (order_numbers.is_empty() || order_numbers.contains(&order_number))
                && returned_from.is_none_or(|from| r.goods_returned.is_some_and(|t| t >= from))
                && status_from.is_none_or(|from| i64::from(r.status) >= from)
                && status_to.is_none_or(|to| i64::from(r.status) <= to)
        })
        .map(|r| r.to_model(&sim, &store))
        .collect();
    Ok(Json(rows))
}

/// `GET /returnOrders/{returnOrderId}`.
pub(crate) async fn get_one(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
) -> Result<Json<GetReturnOrderModel>, ApiError> {
    let id = id_param(&params, "returnOrderId")?;
    let store = sim.store();
    let return_order = store
        .return_orders
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("Return order {id} was not found.")))?;
    Ok(Json(return_order.to_model(&sim, &store)))
}

/// `GET /returnOrders/returnCauses` → `{"returnCauses": [...]}`.
pub(crate) async fn causes(
    State(sim): State<Arc<Sim>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = QueryParams::parse(raw.as_deref());
    sim.check_goods_owner(query.goods_owner_id()?)?;
    let causes = sim.store().return_causes.clone();
    Ok(Json(json!({ "returnCauses": causes })))
}

/// `PUT /returnOrders/returnCauses`: upsert by `code`.
pub(crate) async fn put_cause(
    State(sim): State<Arc<Sim>>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let raw: Value = parse_body(&bytes, "PostReturnCauseModel")?;
    let goods_owner_id = raw
        .get("goodsOwnerId")
        .and_then(Value::as_i64)
        .ok_or_else(|| ApiError::bad_request("The goodsOwnerId field is required."))?;
    sim.check_goods_owner(goods_owner_id)?;
    let cause: ReturnCauseModel = serde_json::from_value(raw).map_err(|err| {
        ApiError::bad_request(format!(
            "the PostReturnCauseModel in the request body is invalid: {err}"
        ))
    })?;
    if cause.code.trim().is_empty() || cause.name.trim().is_empty() {
        return Err(ApiError::bad_request(
            "The code and name fields are required.",
        ));
    }
    let mut store = sim.store();
    let id = ensure_cause(&mut store, &cause.code, &cause.name);
    if let Some(stored) = store.return_causes.iter_mut().find(|c| c.id == id) {
        stored.name = cause.name;
        stored.is_remove_cause = cause.is_remove_cause;
        stored.is_change_cause = cause.is_change_cause;
        stored.is_return_comment_mandatory = cause.is_return_comment_mandatory;
    }
    Ok(Json(
        json!({ "returnCauseId": id, "message": format!("Return cause {} created/updated", cause.code) }),
    ))
}
