//! Purchase-order state changes: upsert by `purchaseOrderNumber`, cancel, receipts and the
//! reported-number-of-items bookkeeping. Validate first, then apply.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::{
    PostPurchaseOrderLineModel, PostPurchaseOrderModel, PurchaseOrder, PurchaseOrderLine,
    ReceivedItem,
};
use crate::config::SimConfig;
use crate::error::{ApiError, ControlError};
use crate::events::DomainEvent;
use crate::json::merge_model;
use crate::state::{Store, next};
use crate::time::OngoingDate;

struct LinePlan {
    post: PostPurchaseOrderLineModel,
    row_number: String,
    article_system_id: i64,
    quantity: f64,
}

fn plan_lines(
    store: &Store,
    number: &str,
    lines: &[PostPurchaseOrderLineModel],
) -> Result<Vec<LinePlan>, ApiError> {
    let mut seen = HashSet::new();
    lines
        .iter()
        .enumerate()
        .map(|(index, post)| {
            let row_number = post
                .row_number
                .as_deref()
                .map(str::trim)
                .filter(|row| !row.is_empty())
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "Purchase order {number}, line {}: rowNumber is required.",
                        index + 1
                    ))
                })?
                .to_owned();
            if !seen.insert(row_number.clone()) {
                return Err(ApiError::bad_request(format!(
                    "Purchase order {number}: rowNumber {row_number} is used by more than one line."
                )));
            }
            let article_number = post.article_number.as_deref().map(str::trim).unwrap_or_default();
            // Doubt: whether Ongoing creates unknown articles from a purchase order is not
            // documented; refusing matches the order behaviour.
            let article_system_id = store.article_id_by_number(article_number).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "Purchase order {number}, row {row_number}: article {article_number} does not exist."
                ))
            })?;
            let quantity = post.number_of_items.unwrap_or(0.0);
            if quantity < 0.0 || !quantity.is_finite() {
                return Err(ApiError::bad_request(format!(
                    "Purchase order {number}, row {row_number}: numberOfItems {quantity} is not valid."
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

/// `toReceiveNumberOfItems` changed for these articles: bump their stock-changed time.
fn touch_stock(store: &mut Store, articles: impl IntoIterator<Item = i64>, now: DateTime<Utc>) {
    for id in articles {
        if let Some(article) = store.articles.get_mut(&id) {
            article.stock.changed = now;
        }
    }
}

/// `PUT /purchaseOrders`; returns the id and whether it was created.
pub(crate) fn upsert(
    store: &mut Store,
    config: &SimConfig,
    raw: &Value,
    now: DateTime<Utc>,
) -> Result<(i64, bool, Vec<DomainEvent>), ApiError> {
    let mut body: PostPurchaseOrderModel = serde_json::from_value(raw.clone()).map_err(|err| {
        ApiError::bad_request(format!(
            "the PostPurchaseOrderModel in the request body is invalid: {err}"
        ))
    })?;
    let number = body
        .purchase_order_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::bad_request("The purchaseOrderNumber field is required."))?
        .to_owned();
    if let Some(date) = body.in_date.as_deref()
        && OngoingDate::parse(date).is_none()
    {
        return Err(ApiError::bad_request(format!(
            "Purchase order {number}: inDate '{date}' is not a valid date."
        )));
    }
    let plans = plan_lines(
        store,
        &number,
        body.purchase_order_lines.as_deref().unwrap_or_default(),
    )?;
    let touched: Vec<i64> = plans.iter().map(|p| p.article_system_id).collect();

    if let Some(id) = store.purchase_order_id_by_number(&number) {
        let po = store
            .purchase_orders
            .get(&id)
            .ok_or_else(ApiError::internal)?;
        if po.status >= config.purchase_order_editable_below {
            return Err(ApiError::bad_request(format!(
                "Purchase order {number} cannot be updated: the warehouse has started working on it (status {}).",
                po.status
            )));
        }
        let mut header_raw = raw.clone();
        if let Some(object) = header_raw.as_object_mut() {
            object.remove("purchaseOrderLines");
        }
        let header = merge_model(&po.header, &header_raw, "PostPurchaseOrderModel")?;
        let po = store
            .purchase_orders
            .get_mut(&id)
            .ok_or_else(ApiError::internal)?;
        for plan in plans {
            match po
                .lines
                .iter_mut()
                .find(|l| l.row_number == plan.row_number)
            {
                Some(line) => {
                    line.article_system_id = plan.article_system_id;
                    line.advised = plan.quantity;
                    line.post = plan.post;
                }
                None => po
                    .lines
                    .push(new_line(&mut store.ids.purchase_order_line, plan)),
            }
        }
        po.header = header;
        po.updated = now;
        po.update_count += 1;
        touch_stock(store, touched, now);
        return Ok((id, false, Vec::new()));
    }
    body.purchase_order_lines = None;
    let id = next(&mut store.ids.purchase_order);
    let lines = plans
        .into_iter()
        .map(|plan| new_line(&mut store.ids.purchase_order_line, plan))
        .collect();
    store.purchase_orders.insert(
        id,
        PurchaseOrder {
            purchase_order_id: id,
            purchase_order_number: number,
            header: body,
            status: config.purchase_order_initial_status,
            created: now,
            updated: now,
            status_changed: now,
            last_received: None,
            lines,
            created_count: 1,
            update_count: 0,
        },
    );
    touch_stock(store, touched, now);
    Ok((
        id,
        true,
        vec![DomainEvent::PurchaseOrderCreated {
            purchase_order_id: id,
        }],
    ))
}

fn new_line(sequence: &mut i64, plan: LinePlan) -> PurchaseOrderLine {
    PurchaseOrderLine {
        id: next(sequence),
        row_number: plan.row_number,
        article_system_id: plan.article_system_id,
        advised: plan.quantity,
        received: 0.0,
        reported: None,
        post: plan.post,
        items: Vec::new(),
    }
}

/// Moves a purchase order to `status`.
pub(crate) fn set_status(
    store: &mut Store,
    config: &SimConfig,
    id: i64,
    status: i32,
    now: DateTime<Utc>,
) -> Vec<DomainEvent> {
    let Some(po) = store.purchase_orders.get_mut(&id) else {
        return Vec::new();
    };
    let old = po.status;
    if old == status {
        return Vec::new();
    }
    po.status = status;
    po.status_changed = now;
    po.updated = now;
    let received_any = po.lines.iter().any(|l| l.received > 0.0);
    let touched: Vec<i64> = po.lines.iter().map(|l| l.article_system_id).collect();
    touch_stock(store, touched, now);
    let threshold = config.purchase_order_deviation_status;
    let mut events = vec![DomainEvent::PurchaseOrderStatusChanged {
        purchase_order_id: id,
    }];
    if old < threshold
        && status >= threshold
        && status != config.purchase_order_cancelled_status
        && received_any
    {
        events.push(DomainEvent::PurchaseOrderReceived {
            purchase_order_id: id,
        });
    }
    events
}

/// `DELETE /purchaseOrders/{id}`.
pub(crate) fn cancel(
    store: &mut Store,
    config: &SimConfig,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<DomainEvent>, ApiError> {
    let po = store
        .purchase_orders
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("Purchase order {id} was not found.")))?;
    if po.status >= config.purchase_order_editable_below {
        return Err(ApiError::bad_request(format!(
            "Purchase order {} cannot be cancelled: the warehouse has started working on it (status {}).",
            po.purchase_order_number, po.status
        )));
    }
    Ok(set_status(
        store,
        config,
        id,
        config.purchase_order_cancelled_status,
        now,
    ))
}

/// `POST /_sim/purchase-orders/{n}/receive` body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReceiveRequest {
    /// Absent: everything still advised arrives.
    #[serde(default)]
    pub lines: Option<Vec<ReceiveLine>>,
    /// Default: received status when every line got what was advised, else deviation.
    #[serde(default)]
    pub status: Option<i32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReceiveLine {
    #[serde(default)]
    pub article_number: Option<String>,
    #[serde(default)]
    pub row_number: Option<String>,
    pub received: f64,
}

/// Goods arrive on a purchase order: lines count up, stock goes in, the status moves.
pub(crate) fn receive(
    store: &mut Store,
    config: &SimConfig,
    number: &str,
    request: &ReceiveRequest,
    now: DateTime<Utc>,
) -> Result<(i64, Vec<DomainEvent>), ControlError> {
    let id = store.purchase_order_id_by_number(number).ok_or_else(|| {
        ControlError::not_found(format!("purchase order {number} does not exist"))
    })?;
    let po = &store.purchase_orders[&id];
    if po.status == config.purchase_order_cancelled_status {
        return Err(ControlError::bad_request(format!(
            "purchase order {number} is cancelled"
        )));
    }
    let plan: Vec<(usize, f64)> = match &request.lines {
        None => po
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.advised > l.received)
            .map(|(i, l)| (i, l.advised - l.received))
            .collect(),
        Some(lines) => lines
            .iter()
            .map(|wanted| {
                let index = po
                    .lines
                    .iter()
                    .position(|l| match (&wanted.row_number, &wanted.article_number) {
                        (Some(row), _) => &l.row_number == row,
                        (None, Some(article)) => {
                            l.post.article_number.as_deref() == Some(article.as_str())
                        }
                        (None, None) => false,
                    })
                    .ok_or_else(|| {
                        ControlError::bad_request(format!(
                            "purchase order {number} has no line for article {} / row {}",
                            wanted.article_number.as_deref().unwrap_or("-"),
                            wanted.row_number.as_deref().unwrap_or("-")
                        ))
                    })?;
                if !(wanted.received > 0.0 && wanted.received.is_finite()) {
                    return Err(ControlError::bad_request(format!(
                        "purchase order {number}, row {}: received must be a positive number",
                        po.lines[index].row_number
                    )));
                }
                Ok((index, wanted.received))
            })
            .collect::<Result<_, _>>()?,
    };
    let mut movements = Vec::new();
    let po = store
        .purchase_orders
        .get_mut(&id)
        .ok_or_else(|| ControlError::not_found("vanished"))?;
    for (index, quantity) in plan {
        let item_id = next(&mut store.ids.article_item);
        let line = &mut po.lines[index];
        line.received += quantity;
        line.items.push(ReceivedItem {
            id: item_id,
            number_of_items: quantity,
            in_date: now,
        });
        movements.push((line.article_system_id, quantity));
    }
    po.last_received = Some(now);
    po.updated = now;
    let complete = po.lines.iter().all(|l| l.received >= l.advised);
    for (article, quantity) in movements {
        if let Some(article) = store.articles.get_mut(&article) {
            article.stock.put_in(quantity, now);
        }
    }
    let status = request.status.unwrap_or(if complete {
        config.purchase_order_received_status
    } else {
        config.purchase_order_deviation_status
    });
    Ok((id, set_status(store, config, id, status, now)))
}

/// `PATCH .../lines/{lineId}/reportedNumberOfItems` (`Some(line)`) or
/// `setReportedNumberOfItemsToReceivedNumberOfItems` (`None`).
pub(crate) fn report(store: &mut Store, id: i64, line: Option<(i64, f64)>) -> Result<(), ApiError> {
    let po = store
        .purchase_orders
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found(format!("Purchase order {id} was not found.")))?;
    match line {
        Some((line_id, value)) => {
            if !(value.is_finite() && value >= 0.0) {
                return Err(ApiError::bad_request(format!(
                    "reportedNumberOfItems {value} is not valid."
                )));
            }
            let line = po
                .lines
                .iter_mut()
                .find(|l| l.id == line_id)
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "Purchase order line {line_id} was not found on purchase order {id}."
                    ))
                })?;
            line.reported = Some(value);
        }
        None => po
            .lines
            .iter_mut()
            .for_each(|l| l.reported = Some(l.received)),
    }
    Ok(())
}
