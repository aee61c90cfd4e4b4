//! Webhook bodies with the documented members (developer.ongoingwarehouse.com `/webhook-order`,
//! `/webhook-purchase-order`, `/webhook-picking-packing-and-returns`, `/webhook-inventory`).
//! `timestamp` has seven fraction digits and no zone, as Ongoing sends it.

use chrono::Utc;
use serde_json::{Value, json};

use super::WebhookPayload;
use crate::events::DomainEvent;
use crate::orders::Order;
use crate::state::{Sim, Store};
use crate::time::format_webhook;

/// Fixed ids of the four configured webhooks (one per area, as one would set them up in the UI).
const ORDERS_WEBHOOK_ID: i64 = 1;
const PURCHASE_ORDERS_WEBHOOK_ID: i64 = 2;
const PICKING_WEBHOOK_ID: i64 = 3;
const INVENTORY_WEBHOOK_ID: i64 = 4;

fn by_user() -> Value {
    json!({ "userId": 1 })
}

fn by_computer() -> Value {
    json!({ "computerId": 1, "computerName": "ongoing-sim" })
}

/// The payload for `event`, or `None` when its record no longer exists.
pub(crate) fn build(sim: &Sim, store: &Store, event: &DomainEvent) -> Option<WebhookPayload> {
    let timestamp = format_webhook(Utc::now());
    match event {
        DomainEvent::OrderCreated { order_id } => {
            order(sim, store, *order_id, "OrderCreated", &timestamp)
        }
        DomainEvent::OrderStatusChanged { order_id } => {
            order(sim, store, *order_id, "OrderStatusChanged", &timestamp)
        }
        DomainEvent::OrderPicked { order_id } => {
            order(sim, store, *order_id, "OrderPicked", &timestamp)
        }
        DomainEvent::ArticlePicked {
            order_id,
            line_id,
            item_id,
        } => picking(
            sim,
            store,
            (*order_id, *line_id, *item_id),
            "ArticlePicked",
            &timestamp,
        ),
        DomainEvent::ArticleReturned {
            order_id,
            line_id,
            item_id,
        } => picking(
            sim,
            store,
            (*order_id, *line_id, *item_id),
            "ArticleReturned",
            &timestamp,
        ),
        DomainEvent::PurchaseOrderCreated { purchase_order_id } => purchase_order(
            sim,
            store,
            *purchase_order_id,
            "PurchaseOrderCreated",
            &timestamp,
        ),
        DomainEvent::PurchaseOrderStatusChanged { purchase_order_id } => purchase_order(
            sim,
            store,
            *purchase_order_id,
            "PurchaseOrderStatusChanged",
            &timestamp,
        ),
        DomainEvent::PurchaseOrderReceived { purchase_order_id } => purchase_order(
            sim,
            store,
            *purchase_order_id,
            "PurchaseOrderReceived",
            &timestamp,
        ),
        DomainEvent::InventoryAdjusted {
            article_system_id,
            delta,
            transaction_id,
        } => inventory(
            sim,
            store,
            *article_system_id,
            *delta,
            *transaction_id,
            &timestamp,
        ),
    }
}

fn order(
    sim: &Sim,
    store: &Store,
    order_id: i64,
    template: &'static str,
    timestamp: &str,
) -> Option<WebhookPayload> {
    let order: &Order = store.orders.get(&order_id)?;
    let tracking: Vec<Value> = order
        .tracking
        .iter()
        .map(|t| json!({ "trackingUrl": t.tracking_url, "waybill": t.waybill, "isReturn": t.is_return }))
        .collect();
    let parcels: Vec<Value> = order
        .parcels
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "parcelNumber": p.parcel_number,
                "isReturnParcel": p.is_return,
                "tracking": { "trackingUrl": p.tracking_url },
            })
        })
        .collect();
    Some(WebhookPayload {
        template,
        body: json!({
            "webhookOrdersId": ORDERS_WEBHOOK_ID,
            "system": sim.config.warehouse,
            "timestamp": timestamp,
            "orderId": order.order_id,
            "orderNumber": order.order_number,
            "goodsOwnerId": sim.config.goods_owner_id,
            "goodsOwnerOrderId": order.header.goods_owner_order_id,
            "consigneeOrderNumber": order.header.consignee_order_number,
            "path": sim.api_path(&format!("orders/{}", order.order_id)),
            "byUser": by_user(),
            "byComputer": by_computer(),
            "orderStatus": { "number": order.status },
            "currentShipmentId": null,
            "webhookTemplate": template,
            "goodsOwnerName": sim.config.goods_owner_name,
            "goodsOwnerClasses": [],
            "tracking": tracking,
            "parcels": parcels,
        }),
    })
}

fn picking(
    sim: &Sim,
    store: &Store,
    (order_id, line_id, item_id): (i64, i64, i64),
    template: &'static str,
    timestamp: &str,
) -> Option<WebhookPayload> {
    let order = store.orders.get(&order_id)?;
    let line = order.lines.iter().find(|l| l.id == line_id)?;
    let item = line.items.iter().find(|i| i.id == item_id)?;
    let article = store.articles.get(&line.article_system_id)?;
    let returned = template == "ArticleReturned";
    let return_cause = item.return_cause.as_ref().filter(|_| returned).map(|cause| {
        let code = cause.code.clone().unwrap_or_default();
        let id = store.return_causes.iter().find(|c| c.code == code).map(|c| c.id);
        json!({ "returnCauseId": id, "returnCauseCode": cause.code, "returnCauseName": cause.name })
    });
    Some(WebhookPayload {
        template,
        body: json!({
            "webhookPickingId": PICKING_WEBHOOK_ID,
            "system": sim.config.warehouse,
            "timestamp": timestamp,
            "goodsOwnerId": sim.config.goods_owner_id,
            "goodsOwnerName": sim.config.goods_owner_name,
            "isAllocated": false,
            "isPicked": !returned,
            "isPacked": !returned && item.packed_time.is_some(),
            "isReturned": returned,
            "isDeleted": false,
            "article": {
                "articleSystemId": article.article_system_id,
                "articleNumber": article.number(),
                "barCode": article.data.bar_code_info.as_ref().and_then(|b| b.bar_code.clone()),
            },
            "articleItem": {
                "articleItemId": item.id,
                "originalArticleItemId": item.id,
                "serial": line.post.serial_number.clone().unwrap_or_default(),
                "batch": line.post.batch_number.clone().unwrap_or_default(),
                "expiryDate": null,
                "numberOfItems": item.number_of_items,
                "location": { "location": "A1", "locationId": 1 },
                "returnCause": return_cause,
                "orderPalletItem": null,
            },
            "byComputer": by_computer(),
            "byUser": by_user(),
            "order": {
                "orderId": order.order_id,
                "orderNumber": order.order_number,
                "orderLine": { "orderLineId": line.id, "rowNumber": line.row_number, "parentOrderLine": null },
            },
            "webhookTemplate": template,
        }),
    })
}

fn purchase_order(
    sim: &Sim,
    store: &Store,
    id: i64,
    template: &'static str,
    timestamp: &str,
) -> Option<WebhookPayload> {
    let po = store.purchase_orders.get(&id)?;
    Some(WebhookPayload {
        template,
        body: json!({
            "webhookPurchaseOrdersId": PURCHASE_ORDERS_WEBHOOK_ID,
            "system": sim.config.warehouse,
            "timestamp": timestamp,
            "purchaseOrderId": po.purchase_order_id,
            "purchaseOrderNumber": po.purchase_order_number,
            "goodsOwnerId": sim.config.goods_owner_id,
            "path": sim.api_path(&format!("purchaseOrders/{}", po.purchase_order_id)),
            "webhookTemplate": template,
            "purchaseOrderStatus": { "number": po.status },
            "goodsOwnerName": sim.config.goods_owner_name,
            "purchaseOrderType": null,
            "goodsOwnerPurchaseOrderId": po.header.goods_owner_reference,
        }),
    })
}

fn inventory(
    sim: &Sim,
    store: &Store,
    article_system_id: i64,
    delta: f64,
    transaction_id: i64,
    timestamp: &str,
) -> Option<WebhookPayload> {
    let article = store.articles.get(&article_system_id)?;
    Some(WebhookPayload {
        template: "InventoryTransaction",
        body: json!({
            "webhookInventoryId": INVENTORY_WEBHOOK_ID,
            "system": sim.config.warehouse,
            "timestamp": timestamp,
            "goodsOwnerId": sim.config.goods_owner_id,
            "goodsOwnerName": sim.config.goods_owner_name,
            "transaction": {
                "transactionNumberOfItems": delta,
                "inventoryAdjustmentCause": null,
                "returnRemovedByOrder": null,
            },
            "inventory": { "inventoryId": transaction_id, "isCountInventory": false, "inventoryComment": "" },
            "article": {
                "articleSystemId": article.article_system_id,
                "articleNumber": article.number(),
                "barCode": article.data.bar_code_info.as_ref().and_then(|b| b.bar_code.clone()),
            },
            "articleItem": null,
            "byComputer": by_computer(),
            "byUser": by_user(),
            "purchaseOrder": null,
            "location": {
                "location": "A1",
                "locationId": 1,
                "isLocked": false,
                "isLockedForSale": false,
                "warehouse": { "warehouseId": 1, "warehouseCode": sim.config.warehouse, "warehouseName": sim.config.warehouse },
            },
            "webhookTemplate": "InventoryTransaction",
        }),
    })
}
