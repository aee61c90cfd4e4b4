//! The warehouse registers a customer return on the original order lines
//! (`POST /_sim/returns`): each returned item gets `isReturned`, `returnDate` and its own
//! `returnCause`; the line's `returnedNumberOfItems` grows; the goods go back into stock; a
//! matching return order (if any) is filled in.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{ReturnRecord, ReturnedItem, ensure_cause};
use crate::config::SimConfig;
use crate::error::ControlError;
use crate::events::DomainEvent;
use crate::models::CodeNamePair;
use crate::orders::PickedItem;
use crate::state::{Store, next};

/// `{"orderNumber", "lines": [{"articleNumber", "returned", "cause": {"code", "name"}}]}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReturnRequest {
    pub order_number: String,
    pub lines: Vec<ReturnLine>,
    /// Optional new order status (e.g. 800 Returned); by default the status stays.
    #[serde(default)]
    pub status: Option<i32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReturnLine {
    #[serde(default)]
    pub article_number: Option<String>,
    #[serde(default)]
    pub row_number: Option<String>,
    pub returned: f64,
    #[serde(default)]
    pub cause: Option<CodeNamePair>,
    #[serde(default)]
    pub comment: Option<String>,
}

fn returnable(items: &[PickedItem]) -> f64 {
    items
        .iter()
        .filter(|i| !i.is_returned)
        .map(|i| i.number_of_items)
        .sum()
}

/// Marks `quantity` picked items of `items` returned, splitting an item when only part of it
/// comes back; returns the ids of the returned items.
fn mark_returned(
    items: &mut Vec<PickedItem>,
    quantity: f64,
    cause: Option<&CodeNamePair>,
    ids: &mut i64,
    now: DateTime<Utc>,
) -> Vec<i64> {
    let mut left = quantity;
    let mut returned = Vec::new();
    let mut split_off = Vec::new();
    for item in items.iter_mut().filter(|i| !i.is_returned) {
        if left <= 0.0 {
            break;
        }
        if item.number_of_items <= left {
            left -= item.number_of_items;
            item.is_returned = true;
            item.return_date = Some(now);
            item.return_cause = cause.cloned();
            returned.push(item.id);
        } else {
            item.number_of_items -= left;
            let mut part = item.clone();
            part.id = next(ids);
            part.number_of_items = left;
            part.is_returned = true;
            part.return_date = Some(now);
            part.return_cause = cause.cloned();
            returned.push(part.id);
            split_off.push(part);
            left = 0.0;
        }
    }
    items.extend(split_off);
    returned
}

/// Registers the return; returns the order id and the events.
pub(crate) fn register(
    store: &mut Store,
    config: &SimConfig,
    request: &ReturnRequest,
    now: DateTime<Utc>,
) -> Result<(i64, Vec<DomainEvent>), ControlError> {
    let number = &request.order_number;
    let order_id = store
        .order_id_by_number(number)
        .ok_or_else(|| ControlError::not_found(format!("order {number} does not exist")))?;
    let order = &store.orders[&order_id];
    let mut planned = vec![0.0; order.lines.len()];
    let mut plan = Vec::new();
    for wanted in &request.lines {
        let what = match (&wanted.row_number, &wanted.article_number) {
            (Some(row), _) => format!("row {row}"),
            (None, Some(article)) => format!("article {article}"),
            (None, None) => {
                return Err(ControlError::bad_request(
                    "each return line needs articleNumber or rowNumber",
                ));
            }
        };
        if !(wanted.returned > 0.0 && wanted.returned.is_finite()) {
            return Err(ControlError::bad_request(format!(
                "order {number}, {what}: returned must be a positive number"
            )));
        }
        let index = order
            .lines
            .iter()
            .enumerate()
            .filter(
                |(_, l)| match (&wanted.row_number, &wanted.article_number) {
                    (Some(row), _) => &l.row_number == row,
                    (None, Some(article)) => {
                        l.post.article_number.as_deref() == Some(article.as_str())
                    }
                    (None, None) => false,
                },
            )
            .map(|(i, _)| i)
            .find(|&i| returnable(&order.lines[i].items) - planned[i] >= wanted.returned)
            .ok_or_else(|| {
                ControlError::bad_request(format!(
                    "order {number}, {what}: fewer than {} picked items are left to return",
                    wanted.returned
                ))
            })?;
        planned[index] += wanted.returned;
        plan.push((index, wanted));
    }

    let mut events = Vec::new();
    let mut records = Vec::new();
    let mut movements = Vec::new();
    for (index, wanted) in plan {
        if let Some(cause) = &wanted.cause {
            let code = cause.code.clone().unwrap_or_default();
            ensure_cause(store, &code, cause.name.as_deref().unwrap_or(&code));
        }
        let order = store
            .orders
            .get_mut(&order_id)
            .ok_or_else(|| ControlError::not_found("order vanished"))?;
        let line = &mut order.lines[index];
        let item_ids = mark_returned(
            &mut line.items,
            wanted.returned,
            wanted.cause.as_ref(),
            &mut store.ids.article_item,
            now,
        );
        line.returned += wanted.returned;
        movements.push((line.id, line.article_system_id, wanted));
        for item_id in &item_ids {
            events.push(DomainEvent::ArticleReturned {
                order_id,
                line_id: line.id,
                item_id: *item_id,
            });
        }
        records.push(ReturnRecord {
            order_id,
            order_number: number.clone(),
            order_line_id: line.id,
            article_number: line.post.article_number.clone().unwrap_or_default(),
            returned: wanted.returned,
            cause: wanted.cause.clone(),
            returned_at: now,
            article_item_id: item_ids.first().copied().unwrap_or_default(),
        });
        order.last_returned = Some(now);
        order.updated = now;
    }
    for (line_id, article_id, wanted) in movements {
        if let Some(article) = store.articles.get_mut(&article_id) {
            article.stock.put_in(wanted.returned, now);
        }
        fill_return_orders(store, config, order_id, line_id, wanted, now);
    }
    store.returns.extend(records);
    if let Some(status) = request.status {
        events.extend(crate::orders::store::set_status(
            store, config, order_id, status, now,
        ));
    }
    Ok((order_id, events))
}

/// Books a registered return onto the return order lines advised for the same order line.
fn fill_return_orders(
    store: &mut Store,
    config: &SimConfig,
    order_id: i64,
    line_id: i64,
    wanted: &ReturnLine,
    now: DateTime<Utc>,
) {
    let Some(return_order) = store.return_orders.values_mut().find(|r| {
        r.order_id == order_id
            && r.status != config.return_order_received_status
            && r.lines
                .iter()
                .any(|l| l.order_line_id == line_id && l.returned < l.to_be_returned)
    }) else {
        return;
    };
    if let Some(line) = return_order
        .lines
        .iter_mut()
        .find(|l| l.order_line_id == line_id && l.returned < l.to_be_returned)
    {
        line.returned += wanted.returned;
        line.items.push(ReturnedItem {
            number_of_items: wanted.returned,
            return_time: now,
            return_cause: wanted.cause.clone(),
            comment: wanted.comment.clone(),
        });
    }
    return_order.goods_returned = Some(now);
    if return_order
        .lines
        .iter()
        .all(|l| l.returned >= l.to_be_returned)
    {
        return_order.status = config.return_order_received_status;
    }
}
