//! The stock ledger of each article and the `inventoryInfo` derived from it.
//!
//! Movements (DEV /inventory, ongoing-rest-api.md §3):
//! - order created or grown: `booked += n` (sellable drops at once);
//! - order cancelled or shrunk: `booked -= n`;
//! - pick: `booked -= n`, `physical -= n` (the items leave the shelf; they show as
//!   `pickedToBeCollectedNumberOfItems` until the order reaches Collected);
//! - purchase-order receipt and customer return: `physical += n`;
//! - `/_sim/stock`: any adjustment outside an order (an inventory transaction).
//!
//! `sellableNumberOfItems = physical − booked − lockedForSale` ([I] no published formula) and may
//! go negative; `numberOfItems` never does (a movement that would take it below 0 is refused by
//! the control API, and a pick takes only what the shelf has in the real system: the simulator
//! lets the tester pick, so it clamps physical at 0 and says so in a comment where it happens).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::SimConfig;
use crate::error::ControlError;
use crate::events::DomainEvent;
use crate::state::{Store, next};
use crate::time::UtcTime;

/// Per-article quantities the warehouse keeps.
#[derive(Debug, Clone)]
pub(crate) struct StockLedger {
    pub physical: f64,
    pub booked: f64,
    pub locked_for_sale: f64,
    pub last_in: Option<DateTime<Utc>>,
    /// Bumped on every stock movement; `stockInfoChangedFrom` filters on it.
    pub changed: DateTime<Utc>,
}

impl StockLedger {
    pub(crate) fn new(now: DateTime<Utc>) -> Self {
        Self {
            physical: 0.0,
            booked: 0.0,
            locked_for_sale: 0.0,
            last_in: None,
            changed: now,
        }
    }

    pub(crate) fn sellable(&self) -> f64 {
        self.physical - self.booked - self.locked_for_sale
    }

    pub(crate) fn book(&mut self, quantity: f64, now: DateTime<Utc>) {
        self.booked += quantity;
        self.changed = now;
    }

    /// Items leave the shelf for an order.
    pub(crate) fn pick(&mut self, quantity: f64, now: DateTime<Utc>) {
        self.booked -= quantity;
        // Doubt: a tester may pick more than the shelf holds; physical stock is never negative
        // in Ongoing (DEV /inventory), so it stops at 0.
        self.physical = (self.physical - quantity).max(0.0);
        self.changed = now;
    }

    /// Items come in (receipt, return, positive adjustment).
    pub(crate) fn put_in(&mut self, quantity: f64, now: DateTime<Utc>) {
        self.physical += quantity;
        self.last_in = Some(now);
        self.changed = now;
    }
}

/// `inventoryInfo.reported` (newer spec): what is still to be reported back.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InventoryReportedModel {
    pub picked_to_be_reported_number_of_items: f64,
    pub returned_to_be_reported_number_of_items: f64,
    pub received_to_be_reported_number_of_items: f64,
}

/// `inventoryInfo` of `GetArticleModel`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InventoryInfoModel {
    pub number_of_items: f64,
    pub number_of_booked_items: f64,
    pub number_of_locked_items: f64,
    pub to_receive_number_of_items: f64,
    pub allocated_number_of_items: f64,
    pub locked_for_sale_number_of_items: f64,
    pub picked_to_be_collected_number_of_items: f64,
    pub received_to_be_finished_number_of_items: f64,
    pub last_in_date: Option<UtcTime>,
    pub sellable_number_of_items: f64,
    pub reported: InventoryReportedModel,
}

/// Quantities that live on orders and purchase orders rather than on the ledger.
#[derive(Debug, Clone, Default)]
pub(crate) struct OpenQuantities {
    pub to_receive: f64,
    pub picked_to_be_collected: f64,
    pub reported: InventoryReportedModel,
}

/// Sums the open quantities of every article in one pass over orders and purchase orders.
pub(crate) fn open_quantities(store: &Store, config: &SimConfig) -> HashMap<i64, OpenQuantities> {
    let mut sums: HashMap<i64, OpenQuantities> = HashMap::new();
    for order in store.orders.values() {
        for line in &order.lines {
            let entry = sums.entry(line.article_system_id).or_default();
            if order.status < config.order_collected_status {
                entry.picked_to_be_collected += line.picked;
            }
            entry.reported.picked_to_be_reported_number_of_items +=
                (line.picked - line.reported.unwrap_or(0.0)).max(0.0);
            entry.reported.returned_to_be_reported_number_of_items +=
                (line.returned - line.reported_returned.unwrap_or(0.0)).max(0.0);
        }
    }
    for po in store.purchase_orders.values() {
        let open = po.status < config.purchase_order_received_status
            && po.status != config.purchase_order_cancelled_status;
        for line in &po.lines {
            let entry = sums.entry(line.article_system_id).or_default();
            if open {
                entry.to_receive += (line.advised - line.received).max(0.0);
            }
            entry.reported.received_to_be_reported_number_of_items +=
                (line.received - line.reported.unwrap_or(0.0)).max(0.0);
        }
    }
    sums
}

pub(crate) fn inventory_info(
    ledger: &StockLedger,
    open: Option<&OpenQuantities>,
) -> InventoryInfoModel {
    let open = open.cloned().unwrap_or_default();
    InventoryInfoModel {
        number_of_items: ledger.physical,
        number_of_booked_items: ledger.booked,
        number_of_locked_items: ledger.locked_for_sale,
        to_receive_number_of_items: open.to_receive,
        // One-step picking: nothing sits allocated-but-unpicked (DEV /inventory).
        allocated_number_of_items: 0.0,
        locked_for_sale_number_of_items: ledger.locked_for_sale,
        picked_to_be_collected_number_of_items: open.picked_to_be_collected,
        received_to_be_finished_number_of_items: 0.0,
        last_in_date: ledger.last_in.map(UtcTime),
        sellable_number_of_items: ledger.sellable(),
        reported: open.reported,
    }
}

/// `POST /_sim/stock`: `{"articleNumber", "delta"}` or `{"articleNumber", "physical"}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StockMovementRequest {
    pub article_number: String,
    #[serde(default)]
    pub delta: Option<f64>,
    #[serde(default)]
    pub physical: Option<f64>,
}

/// Applies a stock movement outside any order; returns the article's new inventory row.
pub(crate) fn adjust(
    store: &mut Store,
    request: &StockMovementRequest,
    now: DateTime<Utc>,
) -> Result<(i64, Vec<DomainEvent>), ControlError> {
    let article_id = store
        .article_id_by_number(&request.article_number)
        .ok_or_else(|| {
            ControlError::not_found(format!("article {} does not exist", request.article_number))
        })?;
    let transaction_id = next(&mut store.ids.transaction);
    let article = store
        .articles
        .get_mut(&article_id)
        .ok_or_else(|| ControlError::not_found("article vanished"))?;
    let current = article.stock.physical;
    let delta = match (request.delta, request.physical) {
        (Some(delta), None) => delta,
        (None, Some(physical)) => physical - current,
        _ => {
            return Err(ControlError::bad_request(format!(
                "stock movement for article {}: give exactly one of delta and physical",
                request.article_number
            )));
        }
    };
    if current + delta < 0.0 {
        return Err(ControlError::bad_request(format!(
            "stock movement for article {}: physical stock {current} cannot drop by {}",
            request.article_number, -delta
        )));
    }
    if delta > 0.0 {
        article.stock.put_in(delta, now);
    } else {
        article.stock.physical += delta;
        article.stock.changed = now;
    }
    Ok((
        article_id,
        vec![DomainEvent::InventoryAdjusted {
            article_system_id: article_id,
            delta,
            transaction_id,
        }],
    ))
}
