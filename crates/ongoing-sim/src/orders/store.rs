//! Order state changes: upsert by `orderNumber`, cancel, status changes and the
//! reported-number-of-items bookkeeping. Every change validates first and then applies, so a
//! refused request leaves no half-written order.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Order, OrderLine, PostOrderLineModel, PostOrderModel};
use crate::config::SimConfig;
use crate::error::ApiError;
use crate::events::DomainEvent;
use crate::json::merge_model;
use crate::state::{Store, next};
use crate::time::OngoingDate;

/// Whether a PUT created the order (201) or updated it (200).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Upserted {
    Created(i64),
    Updated(i64),
}

/// A line of the request, checked and resolved to its article.
struct LinePlan {
    post: PostOrderLineModel,
    row_number: String,
    article_system_id: i64,
    quantity: f64,
}

fn plan_lines(
    store: &Store,
    order_number: &str,
    lines: &[PostOrderLineModel],
) -> Result<Vec<LinePlan>, ApiError> {
    let mut seen = HashSet::new();
    lines
        .iter()
        .enumerate()
        .map(|(index, post)| {
            let position = index + 1;
            let row_number = post
                .row_number
                .as_deref()
                .map(str::trim)
                .filter(|row| !row.is_empty())
                .ok_or_else(|| {
                    ApiError::bad_request(format!("Order {order_number}, order line {position}: rowNumber is required."))
                })?
                .to_owned();
            if !seen.insert(row_number.clone()) {
                return Err(ApiError::bad_request(format!(
                    "Order {order_number}: rowNumber {row_number} is used by more than one order line."
                )));
            }
            let article_number = post.article_number.as_deref().map(str::trim).unwrap_or_default();
            if article_number.is_empty() {
                return Err(ApiError::bad_request(format!(
                    "Order {order_number}, row {row_number}: articleNumber is required."
                )));
            }
            let article_system_id = store.article_id_by_number(article_number).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "Order {order_number}, row {row_number}: article {article_number} does not exist."
                ))
            })?;
            let quantity = post.number_of_items.unwrap_or(0.0);
            if quantity < 0.0 || !quantity.is_finite() {
                return Err(ApiError::bad_request(format!(
                    "Order {order_number}, row {row_number}: numberOfItems {quantity} is not valid."
                )));
            }
            Ok(LinePlan {
                post: post.clone(),
                row_number,
                article_system_id,
                quantity,
            })
        })
        .collect()
}

fn book(store: &mut Store, article_system_id: i64, quantity: f64, now: DateTime<Utc>) {
    if quantity != 0.0
        && let Some(article) = store.articles.get_mut(&article_system_id)
    {
        article.stock.book(quantity, now);
    }
}

/// `PUT /orders`: creates the order `orderNumber` or updates it while the warehouse has not
/// started (status below `order_editable_below`).
pub(crate) fn upsert(
    store: &mut Store,
    config: &SimConfig,
    raw: &Value,
    now: DateTime<Utc>,
) -> Result<(Upserted, Vec<DomainEvent>), ApiError> {
    let body: PostOrderModel = serde_json::from_value(raw.clone()).map_err(|err| {
        ApiError::bad_request(format!(
            "the PostOrderModel in the request body is invalid: {err}"
        ))
    })?;
    let order_number = body
        .order_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::bad_request("The orderNumber field is required."))?
        .to_owned();
    if let Some(date) = body.delivery_date.as_deref()
        && OngoingDate::parse(date).is_none()
    {
        return Err(ApiError::bad_request(format!(
            "Order {order_number}: deliveryDate '{date}' is not a valid date."
        )));
    }
    let plans = plan_lines(
        store,
        &order_number,
        body.order_lines.as_deref().unwrap_or_default(),
    )?;

    let Some(order_id) = store.order_id_by_number(&order_number) else {
        return create(store, config, body, order_number, plans, now);
    };
    let status = store
        .orders
        .get(&order_id)
        .map(|o| o.status)
        .unwrap_or_default();
    if status >= config.order_editable_below {
        return Err(ApiError::bad_request(format!(
            "Order {order_number} cannot be updated: the warehouse has started working on it (status {status})."
        )));
    }
    let mut header_raw = raw.clone();
    if let Some(object) = header_raw.as_object_mut() {
        object.remove("orderLines");
    }
    let header = {
        let order = store.orders.get(&order_id).ok_or_else(ApiError::internal)?;
        merge_model(&order.header, &header_raw, "PostOrderModel")?
    };
    for plan in plans {
        let order = store
            .orders
            .get_mut(&order_id)
            .ok_or_else(ApiError::internal)?;
        let (unbook, rebook) = match order
            .lines
            .iter_mut()
            .find(|l| l.row_number == plan.row_number)
        {
            Some(line) => {
                let before = (line.article_system_id, line.open());
                line.article_system_id = plan.article_system_id;
                line.ordered = plan.quantity;
                line.post = plan.post;
                (Some(before), (line.article_system_id, line.open()))
            }
            None => {
                let line = new_line(&mut store.ids.order_line, plan);
                let booked = (line.article_system_id, line.open());
                order.lines.push(line);
                (None, booked)
            }
        };
        if let Some((article, quantity)) = unbook {
            book(store, article, -quantity, now);
        }
        book(store, rebook.0, rebook.1, now);
    }
    let order = store
        .orders
        .get_mut(&order_id)
        .ok_or_else(ApiError::internal)?;
    order.header = header;
    order.updated = now;
    order.update_count += 1;
    Ok((Upserted::Updated(order_id), Vec::new()))
}

fn new_line(sequence: &mut i64, plan: LinePlan) -> OrderLine {
    OrderLine {
        id: next(sequence),
        row_number: plan.row_number,
        article_system_id: plan.article_system_id,
        ordered: plan.quantity,
        allocated: 0.0,
        picked: 0.0,
        packed: 0.0,
        reported: None,
        returned: 0.0,
        reported_returned: None,
        post: plan.post,
        items: Vec::new(),
    }
}

fn create(
    store: &mut Store,
    config: &SimConfig,
    mut body: PostOrderModel,
    order_number: String,
    plans: Vec<LinePlan>,
    now: DateTime<Utc>,
) -> Result<(Upserted, Vec<DomainEvent>), ApiError> {
    if body.delivery_date.is_none() {
        return Err(ApiError::bad_request(format!(
            "Order {order_number}: the deliveryDate field is required."
        )));
    }
    if body.consignee.is_none() {
        return Err(ApiError::bad_request(format!(
            "Order {order_number}: the consignee field is required."
        )));
    }
    body.order_lines = None;
    let order_id = next(&mut store.ids.order);
    let lines: Vec<OrderLine> = plans
        .into_iter()
        .map(|plan| new_line(&mut store.ids.order_line, plan))
        .collect();
    for line in &lines {
        book(store, line.article_system_id, line.open(), now);
    }
    store.orders.insert(
        order_id,
        Order {
            order_id,
            order_number,
            header: body,
            status: config.initial_order_status,
            created: now,
            updated: now,
            status_changed: now,
            shipped: None,
            last_picked: None,
            last_returned: None,
            way_bill: None,
            return_way_bill: None,
            lines,
            parcels: Vec::new(),
            tracking: Vec::new(),
            created_count: 1,
            update_count: 0,
        },
    );
    Ok((
        Upserted::Created(order_id),
        vec![DomainEvent::OrderCreated { order_id }],
    ))
}

/// Moves the order to `status`, keeping the stock ledger and the time stamps right.
pub(crate) fn set_status(
    store: &mut Store,
    config: &SimConfig,
    order_id: i64,
    status: i32,
    now: DateTime<Utc>,
) -> Vec<DomainEvent> {
    let Some(order) = store.orders.get_mut(&order_id) else {
        return Vec::new();
    };
    let old = order.status;
    if old == status {
        return Vec::new();
    }
    let cancelled = config.order_cancelled_status;
    let release = if status == cancelled {
        -1.0
    } else if old == cancelled {
        1.0
    } else {
        0.0
    };
    let movements: Vec<(i64, f64)> = order
        .lines
        .iter()
        .map(|l| (l.article_system_id, release * l.open()))
        .collect();
    order.status = status;
    order.status_changed = now;
    order.updated = now;
    if order.shipped.is_none() && status >= config.order_sent_status && status != cancelled {
        order.shipped = Some(now);
    }
    let picked = order.picked_total() > 0.0;
    for (article, quantity) in movements {
        book(store, article, quantity, now);
    }
    let mut events = vec![DomainEvent::OrderStatusChanged { order_id }];
    if old < config.order_picked_status
        && status >= config.order_picked_status
        && status != cancelled
        && picked
    {
        events.push(DomainEvent::OrderPicked { order_id });
    }
    events
}

/// `DELETE /orders/{orderId}`: cancels an order the warehouse has not started on.
pub(crate) fn cancel(
    store: &mut Store,
    config: &SimConfig,
    order_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<DomainEvent>, ApiError> {
    let order = store
        .orders
        .get(&order_id)
        .ok_or_else(|| ApiError::not_found(format!("Order {order_id} was not found.")))?;
    if order.status >= config.order_editable_below {
        // Doubt: the HTTP status for "too late to cancel" is undocumented (§10 q8); 400 it is.
        return Err(ApiError::bad_request(format!(
            "Order {} cannot be cancelled: the warehouse has started working on it (status {}).",
            order.order_number, order.status
        )));
    }
    Ok(set_status(
        store,
        config,
        order_id,
        config.order_cancelled_status,
        now,
    ))
}

fn order_mut(store: &mut Store, order_id: i64) -> Result<&mut Order, ApiError> {
    store
        .orders
        .get_mut(&order_id)
        .ok_or_else(|| ApiError::not_found(format!("Order {order_id} was not found.")))
}

fn valid_quantity(value: f64, field: &str) -> Result<f64, ApiError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(ApiError::bad_request(format!(
            "{field} {value} is not valid."
        )))
    }
}

/// Which reported counter a PATCH writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reported {
    Picked,
    Returned,
}

/// `PATCH /orders/{id}/lines/{lineId}/reported[Returned]NumberOfItems`.
pub(crate) fn report_line(
    store: &mut Store,
    order_id: i64,
    line_id: i64,
    which: Reported,
    value: f64,
) -> Result<(), ApiError> {
    let field = match which {
        Reported::Picked => "reportedNumberOfItems",
        Reported::Returned => "reportedReturnedNumberOfItems",
    };
    let value = valid_quantity(value, field)?;
    let order = order_mut(store, order_id)?;
    let line = order.line_mut(line_id).ok_or_else(|| {
        ApiError::not_found(format!(
            "Order line {line_id} was not found on order {order_id}."
        ))
    })?;
    match which {
        Reported::Picked => line.reported = Some(value),
        Reported::Returned => line.reported_returned = Some(value),
    }
    Ok(())
}

/// `PATCH /orders/{id}/setReportedNumberOfItemsToPickedNumberOfItems` and its returned twin.
pub(crate) fn report_all(
    store: &mut Store,
    order_id: i64,
    which: Reported,
) -> Result<(), ApiError> {
    let order = order_mut(store, order_id)?;
    for line in &mut order.lines {
        match which {
            Reported::Picked => line.reported = Some(line.picked),
            Reported::Returned => line.reported_returned = Some(line.returned),
        }
    }
    Ok(())
}

/// `PATCH /orders/{id}/waybill` and `/returnWaybill`.
pub(crate) fn set_waybill(
    store: &mut Store,
    order_id: i64,
    waybill: String,
    is_return: bool,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let order = order_mut(store, order_id)?;
    if is_return {
        order.return_way_bill = Some(waybill);
    } else {
        order.way_bill = Some(waybill);
    }
    order.updated = now;
    Ok(())
}
