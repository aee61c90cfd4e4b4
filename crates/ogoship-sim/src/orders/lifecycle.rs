//! What happens to an order over its life (ogoship-api.md §5, P2, P6):
//!
//! - **validation**: an order missing the customer's phone, or with a shipping method the
//!   merchant has not enabled (or none while several are), is stored as `reserved` with the
//!   reason in `warehouseComments`. Doc gap: P6 also names "missing customs data"; which
//!   fields that means is undocumented, so it is not checked;
//! - **stock**: a valid order whose lines the shelf cannot cover is `pending`, else `new`.
//!   Stock is promised in creation order: an order is covered when the physical stock of each
//!   of its products reaches its own quantity plus what every earlier reserving order holds.
//!   Pending orders turn `new` by themselves once covered (checked after every change);
//! - **status changes** move stock: held in `new`/`pending`/`reserved`/`locked`, taken off the
//!   shelf at `collecting`/`shipped` (the picked quantity once known), given back if an order
//!   leaves those statuses (only the control API can do that);
//! - **shipping** (control API): picks, deducts, sets tracking and `shipped`, and reports it
//!   to `OrderShipped` webhooks.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Order, OrderStatus};
use crate::config::SimConfig;
use crate::error::ApiError;
use crate::state::{Event, Store};

/// Why an order fails OGOship's validation; empty when it passes.
pub(crate) fn validation_problems(config: &SimConfig, order: &Order) -> Vec<String> {
    let mut problems = Vec::new();
    let phone = order
        .fields
        .customer
        .as_ref()
        .and_then(|c| c.phone.as_deref())
        .map(str::trim)
        .unwrap_or_default();
    if phone.is_empty() {
        problems.push("Customer phone number is missing.".to_owned());
    }
    let enabled = &config.shipping_codes;
    match order
        .fields
        .shipping_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code)
            if !enabled.is_empty() && !enabled.iter().any(|e| e.eq_ignore_ascii_case(code)) =>
        {
            problems.push(format!("Shipping method '{code}' is not enabled."));
        }
        None if enabled.len() > 1 => {
            problems.push("Shipping method is missing.".to_owned());
        }
        _ => {}
    }
    problems
}

/// Whether the shelf covers order `index` after every earlier reserving order.
pub(crate) fn covered(store: &Store, index: usize) -> bool {
    let mut needed: HashMap<&str, i64> = HashMap::new();
    for line in &store.orders[index].lines {
        *needed.entry(line.body.code.as_str()).or_default() += line.body.quantity;
    }
    let mut claimed: HashMap<&str, i64> = HashMap::new();
    for order in store.orders[..index].iter().filter(|o| o.status.reserves()) {
        for line in &order.lines {
            let code = line.body.code.as_str();
            if needed.contains_key(code) {
                *claimed.entry(code).or_default() += line.body.quantity;
            }
        }
    }
    needed.iter().all(|(code, quantity)| {
        let stock = store.product(code).map(|p| p.stock).unwrap_or_default();
        stock >= claimed.get(code).copied().unwrap_or_default() + quantity
    })
}

/// The status a merchant's "save as new" gives order `index`: `reserved` when it fails
/// validation, `pending` when stock is short, else `new`.
pub(crate) fn evaluate(store: &mut Store, config: &SimConfig, index: usize) -> OrderStatus {
    let problems = validation_problems(config, &store.orders[index]);
    let status = if !problems.is_empty() {
        OrderStatus::Reserved
    } else if covered(store, index) {
        OrderStatus::New
    } else {
        OrderStatus::Pending
    };
    let order = &mut store.orders[index];
    order.held_invalid = !problems.is_empty();
    order.warehouse_comments = (!problems.is_empty()).then(|| problems.join(" "));
    status
}

/// Moves order `index` to `status` and settles its stock: each line's deduction becomes
/// what the status calls for, the difference goes on or off the shelf. Returns whether the
/// status changed.
pub(crate) fn apply_status(
    store: &mut Store,
    index: usize,
    status: OrderStatus,
    now: DateTime<Utc>,
    events: &mut Vec<Event>,
) -> bool {
    let mut movements: Vec<(String, i64)> = Vec::new();
    let order = &mut store.orders[index];
    for line in &mut order.lines {
        let target = if status.deducts() {
            line.picked.unwrap_or(line.body.quantity)
        } else {
            0
        };
        if target != line.deducted {
            movements.push((line.body.code.clone(), line.deducted - target));
            line.deducted = target;
        }
    }
    let previous = std::mem::replace(&mut order.status, status);
    let changed = previous != status;
    if changed || !movements.is_empty() {
        order.edit_time = now;
    }
    if status != OrderStatus::Reserved {
        order.held_invalid = false;
    }
    if changed && status == OrderStatus::Shipped {
        events.push(Event::OrderShipped {
            reference: order.reference.clone(),
            tracking_number: order.tracking_number.clone(),
        });
    }
    for (code, delta) in movements {
        if let Some(i) = store.product_index(&code) {
            store.products[i].stock += delta;
        }
    }
    changed
}

/// Turns every `pending` order the shelf now covers into `new` (§5: "becomes `new`
/// automatically").
pub(crate) fn promote_pending(store: &mut Store, now: DateTime<Utc>) {
    for index in 0..store.orders.len() {
        if store.orders[index].status == OrderStatus::Pending && covered(store, index) {
            store.orders[index].status = OrderStatus::New;
            store.orders[index].edit_time = now;
        }
    }
}

/// `POST /_sim/orders/{reference}/ship`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ShipRequest {
    /// Picked quantity per product code; absent: every line picked in full. A line not named
    /// is picked 0.
    #[serde(default)]
    pub lines: Option<Vec<PickedLine>>,
    #[serde(default)]
    pub tracking_number: Option<String>,
    #[serde(default)]
    pub tracking_url: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PickedLine {
    pub code: String,
    pub picked: i64,
}

/// Packs and ships order `reference`: picks, deducts the picked quantities, writes the
/// tracking and sets `shipped`. A shipped, cancelled or draft order cannot be shipped.
/// Doc gap: the warehouse never ships more than it has in reality; the simulator does not
/// check the shelf here (stock may go negative) so tests can ship whatever they set up.
pub(crate) fn ship(
    store: &mut Store,
    reference: &str,
    request: ShipRequest,
    now: DateTime<Utc>,
    events: &mut Vec<Event>,
) -> Result<usize, ApiError> {
    let index = store
        .order_index(reference)
        .ok_or_else(|| ApiError::not_found(format!("Order '{reference}' was not found.")))?;
    let order = &store.orders[index];
    if matches!(
        order.status,
        OrderStatus::Shipped | OrderStatus::Cancelled | OrderStatus::Draft | OrderStatus::Returned
    ) {
        return Err(ApiError::bad_request(format!(
            "Order '{reference}' is {} and cannot be shipped.",
            order.status
        )));
    }
    let mut picks: Vec<Option<i64>> = order.lines.iter().map(|l| Some(l.body.quantity)).collect();
    if let Some(lines) = &request.lines {
        picks = vec![Some(0); order.lines.len()];
        for picked in lines {
            let position = order
                .lines
                .iter()
                .enumerate()
                .position(|(i, l)| l.body.code == picked.code && picks[i] == Some(0))
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "Order '{reference}' has no line for product '{}'.",
                        picked.code
                    ))
                })?;
            let quantity = order.lines[position].body.quantity;
            if !(0..=quantity).contains(&picked.picked) {
                return Err(ApiError::bad_request(format!(
                    "Picked {} of '{}' but the line has {quantity}.",
                    picked.picked, picked.code
                )));
            }
            picks[position] = Some(picked.picked);
        }
    }
    let order = &mut store.orders[index];
    for (line, picked) in order.lines.iter_mut().zip(picks) {
        line.picked = picked;
    }
    if let Some(number) = request.tracking_number {
        order.tracking_number = Some(number);
    }
    if let Some(url) = request.tracking_url {
        order.tracking_url = Some(url);
    }
    apply_status(store, index, OrderStatus::Shipped, now, events);
    Ok(index)
}
