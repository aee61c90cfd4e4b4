//! `GET /api/v1/orders`, `POST /api/v1/orders`, `PUT /api/v1/orders/{reference}`
//! (ogoship-api.md §5).
//!
//! - create: `reference` required and unique (a duplicate is **409**, as for products; doc
//!   gap: the real answer is undocumented, §5 only says to search before posting); `customer`
//!   with `name`, `address1`, `city`, `countryCode` required; every line must name an existing
//!   product code, else 400 naming the missing codes; the status comes from validation and
//!   stock (`lifecycle.rs`) unless the body asks for `draft`, `reserved` or `locked`;
//! - update: `orderLines` and `documents` replace all existing ones; `status: cancelled` is
//!   allowed before `collecting`; once `collecting`/`shipped` the order is not editable (400);
//!   `collecting`/`shipped`/`returned` are set by the warehouse only (400 over the API).
//!   Doc gap: §12 q4 mentions a second update operation; only this one is modelled.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde_json::Value;
use uuid::Uuid;

use super::lifecycle::{apply_status, evaluate};
use super::{Line, Order, OrderBody, OrderLineBody, OrderStatus, response};
use crate::config::SimConfig;
use crate::error::ApiError;
use crate::paging::{Params, after};
use crate::routes::json_body;
use crate::state::{Event, Sim, Store};

/// `GET /api/v1/orders?reference=&modifiedAfter=&limit=&page=`: a bare array.
pub(crate) async fn list(
    State(sim): State<Arc<Sim>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(query.as_deref())?;
    let paging = params.paging()?;
    let cursor = params.modified_after()?;
    let reference = params.get("reference");
    let store = sim.store();
    let matching = store
        .orders
        .iter()
        .filter(|o| reference.is_none_or(|r| o.reference == r) && after(o.edit_time, cursor));
    Ok(Json(Value::Array(
        paging.apply(matching).into_iter().map(response).collect(),
    )))
}

/// Checks lines: positive quantities, codes that exist (all missing codes named at once).
fn check_lines(store: &Store, lines: &[OrderLineBody]) -> Result<(), ApiError> {
    if let Some(line) = lines
        .iter()
        .find(|l| l.code.trim().is_empty() || l.quantity <= 0)
    {
        return Err(ApiError::bad_request(format!(
            "Every order line needs a code and a quantity above 0 (got code '{}', quantity {}).",
            line.code, line.quantity
        )));
    }
    let mut missing: Vec<&str> = lines
        .iter()
        .map(|l| l.code.as_str())
        .filter(|code| store.product(code).is_none())
        .collect();
    missing.dedup();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Products not found: {}.",
            missing.join(", ")
        )))
    }
}

fn check_customer(body: &OrderBody) -> Result<(), ApiError> {
    let customer = body
        .customer
        .as_ref()
        .ok_or_else(|| ApiError::bad_request("The customer field is required."))?;
    for (name, value) in [
        ("customer.name", &customer.name),
        ("customer.address1", &customer.address1),
        ("customer.city", &customer.city),
        ("customer.countryCode", &customer.country_code),
    ] {
        if value.as_deref().map(str::trim).is_none_or(str::is_empty) {
            return Err(ApiError::bad_request(format!(
                "The {name} field is required."
            )));
        }
    }
    Ok(())
}

fn requested_status(body: &OrderBody) -> Result<Option<OrderStatus>, ApiError> {
    let Some(text) = body.status.as_deref().filter(|s| !s.trim().is_empty()) else {
        return Ok(None);
    };
    let status = OrderStatus::parse(text)
        .ok_or_else(|| ApiError::bad_request(format!("'{text}' is not an order status.")))?;
    if matches!(
        status,
        OrderStatus::Collecting | OrderStatus::Shipped | OrderStatus::Returned
    ) {
        return Err(ApiError::bad_request(format!(
            "Status '{status}' is set by the warehouse."
        )));
    }
    Ok(Some(status))
}

/// Settles the status of order `index` after a create or update: the requested one, or
/// what validation and stock give.
fn settle(
    store: &mut Store,
    config: &SimConfig,
    index: usize,
    requested: Option<OrderStatus>,
    now: chrono::DateTime<chrono::Utc>,
    events: &mut Vec<Event>,
) {
    let current = store.orders[index].status;
    let target = match requested {
        Some(OrderStatus::New | OrderStatus::Pending) => evaluate(store, config, index),
        Some(status) => status,
        // Unchanged status: an order waiting for stock or held for validation is checked
        // again, since the update may have fixed it.
        None if current == OrderStatus::New || current == OrderStatus::Pending => {
            evaluate(store, config, index)
        }
        None if current == OrderStatus::Reserved && store.orders[index].held_invalid => {
            evaluate(store, config, index)
        }
        None => current,
    };
    if target == OrderStatus::Pending && current == OrderStatus::New {
        // A new order does not fall back to pending; OGOship only promotes.
        return;
    }
    apply_status(store, index, target, now, events);
}

/// `POST /api/v1/orders`.
pub(crate) async fn create(
    State(sim): State<Arc<Sim>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let mut fields: OrderBody = json_body(&body)?;
    let reference = fields
        .reference
        .take()
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
        .ok_or_else(|| ApiError::bad_request("The reference field is required."))?;
    check_customer(&fields)?;
    let requested = requested_status(&fields)?;
    if requested == Some(OrderStatus::Cancelled) {
        return Err(ApiError::bad_request("A new order cannot be cancelled."));
    }
    fields.status = None;
    let lines = fields.order_lines.take().unwrap_or_default();
    if lines.is_empty() {
        return Err(ApiError::bad_request(
            "The orderLines field needs at least one line.",
        ));
    }
    sim.mutate(|store, now, events| {
        if store.order_index(&reference).is_some() {
            return Err(ApiError::conflict(format!(
                "An order with reference '{reference}' already exists."
            )));
        }
        check_lines(store, &lines)?;
        let index = store.add_order(Order {
            id: Uuid::new_v4(),
            reference: reference.clone(),
            fields,
            lines: lines.into_iter().map(Line::new).collect(),
            status: OrderStatus::Draft,
            held_invalid: false,
            tracking_number: None,
            tracking_url: None,
            warehouse_comments: None,
            edit_time: now,
            update_count: 0,
        });
        settle(
            store,
            &sim.config,
            index,
            Some(requested.unwrap_or(OrderStatus::New)),
            now,
            events,
        );
        tracing::debug!(%reference, status = %store.orders[index].status, "order created");
        Ok(Json(response(&store.orders[index])))
    })
}

/// `PUT /api/v1/orders/{reference}`.
pub(crate) async fn update(
    State(sim): State<Arc<Sim>>,
    Path(reference): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let mut update: OrderBody = json_body(&body)?;
    if update
        .reference
        .take()
        .is_some_and(|r| !r.trim().is_empty() && r.trim() != reference)
    {
        return Err(ApiError::bad_request(
            "The reference of an order cannot be changed.",
        ));
    }
    let requested = requested_status(&update)?;
    update.status = None;
    let lines = update.order_lines.take();
    sim.mutate(|store, now, events| {
        let index = store
            .order_index(&reference)
            .ok_or_else(|| ApiError::not_found(format!("Order '{reference}' was not found.")))?;
        let current = store.orders[index].status;
        if !current.editable() {
            return Err(ApiError::bad_request(format!(
                "Order '{reference}' is {current} and can no longer be changed."
            )));
        }
        if let Some(lines) = &lines {
            if lines.is_empty() {
                return Err(ApiError::bad_request(
                    "The orderLines field needs at least one line.",
                ));
            }
            check_lines(store, lines)?;
        }
        let order = &mut store.orders[index];
        let before = (order.fields.clone(), order.lines.clone(), order.status);
        order.fields.merge(update);
        if let Some(lines) = lines {
            // §5: orderLines replace all existing ones.
            order.lines = lines.into_iter().map(Line::new).collect();
        }
        if order.fields.customer != before.0.customer {
            check_customer(&order.fields).inspect_err(|_| {
                store.orders[index].fields = before.0.clone();
                store.orders[index].lines = before.1.clone();
            })?;
        }
        settle(store, &sim.config, index, requested, now, events);
        let order = &mut store.orders[index];
        if (order.fields.clone(), order.lines.clone(), order.status) != before {
            order.edit_time = now;
            order.update_count += 1;
        }
        Ok(Json(response(order)))
    })
}
