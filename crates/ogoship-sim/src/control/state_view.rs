//! `GET /_sim/state`: the whole state as JSON, in the shape the brief fixes:
//! `{"products", "orders": [{"reference", "id", "status", "lines": [{"code", "quantity",
//! "picked"}], "trackingNumber", "trackingUrl", "createdCount", "updateCount", ...}],
//! "stock": [{"productCode", "stock", "stockAvailable", "reserved"}], "stockUpdates":
//! [{"reference", "status", "products": [{"code", "expectedQuantity", "receivedQuantity"}]}],
//! "returns", "webhooks", "controlWebhook"}`.
//!
//! Counters count real effects only: `createdCount` is 1 for every order (a duplicate create
//! is refused and creates nothing), `updateCount` counts updates that changed something,
//! `receiveCount` counts receipts.

use serde_json::{Value, json};

use crate::orders::Order;
use crate::state::Store;
use crate::stock_updates::StockUpdate;
use crate::{clock, products, returns};

/// One order row.
pub(crate) fn order_row(order: &Order) -> Value {
    let lines: Vec<Value> = order
        .lines
        .iter()
        .map(|l| json!({ "code": l.body.code, "quantity": l.body.quantity, "picked": l.picked }))
        .collect();
    json!({
        "reference": order.reference,
        "id": order.id.to_string(),
        "status": order.status.as_str(),
        "lines": lines,
        "trackingNumber": order.tracking_number,
        "trackingUrl": order.tracking_url,
        "warehouseComments": order.warehouse_comments,
        "editTime": clock::format(order.edit_time),
        "createdCount": 1,
        "updateCount": order.update_count,
    })
}

/// One stock update row.
pub(crate) fn stock_update_row(update: &StockUpdate) -> Value {
    let lines: Vec<Value> = update
        .lines
        .iter()
        .map(|l| {
            json!({
                "code": l.code,
                "expectedQuantity": l.expected_quantity,
                "receivedQuantity": l.received_quantity,
            })
        })
        .collect();
    json!({
        "reference": update.reference,
        "autoReference": update.auto_reference,
        "status": update.status,
        "products": lines,
        "receiveCount": update.receive_count,
    })
}

/// One stock row (the `StockResponse` numbers without `modified`).
pub(crate) fn stock_row(store: &Store, code: &str) -> Value {
    let level = store.level(code);
    json!({
        "productCode": code,
        "stock": level.stock,
        "stockAvailable": level.available(),
        "reserved": level.reserved,
    })
}

pub(crate) fn state(store: &Store) -> Value {
    let levels = store.levels();
    let products: Vec<Value> = store
        .products
        .iter()
        .zip(&levels)
        .map(|(p, level)| {
            let mut row = products::response(store, p, *level);
            row["updateCount"] = p.update_count.into();
            row
        })
        .collect();
    let stock: Vec<Value> = store
        .products
        .iter()
        .zip(&levels)
        .map(|(p, level)| {
            json!({
                "productCode": p.code,
                "stock": level.stock,
                "stockAvailable": level.available(),
                "reserved": level.reserved,
            })
        })
        .collect();
    let hooks: Vec<Value> = store
        .webhooks
        .iter()
        .map(|h| {
            json!({
                "id": h.id.to_string(),
                "url": h.url,
                "type": h.hook_type.as_str(),
                "customHeaders": h.custom_headers,
            })
        })
        .collect();
    json!({
        "products": products,
        "orders": store.orders.iter().map(order_row).collect::<Vec<_>>(),
        "stock": stock,
        "stockUpdates": store.stock_updates.iter().map(stock_update_row).collect::<Vec<_>>(),
        "returns": store.returns.iter().map(returns::response).collect::<Vec<_>>(),
        "webhooks": hooks,
        "controlWebhook": store.control_hook.as_ref().map(|h| json!({ "url": h.url })),
    })
}
