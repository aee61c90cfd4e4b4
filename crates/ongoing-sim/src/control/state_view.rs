//! `GET /_sim/state`: the whole state in the simulator's own words (simulators.md), for tests
//! to check effects that really happened.
//!
//! ```json
//! {"articles": [{"articleSystemId", "articleNumber", "articleName", "barCode",
//!                "articleDataLastUpdated", "stockInfoChanged"}],
//!  "orders": [{"orderNumber", "orderId", "status", "createdCount", "updateCount", "waybill",
//!              "returnWaybill", "createdDate", "updatedTime", "statusChangedTime", "shippedTime",
//!              "lastReturnedTime", "goodsOwnerOrderId", "referenceNumber",
//!              "lines": [{"id", "rowNumber", "articleNumber", "ordered", "allocated", "picked",
//!                         "packed", "reported", "returned", "reportedReturned",
//!                         "items": [{"articleItemId", "numberOfItems", "isReturned",
//!                                    "returnCause", "parcelNumber"}]}],
//!              "tracking": [{"waybill", "trackingUrl", "isReturn"}],
//!              "parcels": [{"id", "parcelNumber", "trackingUrl", "isReturnParcel"}]}],
//!  "purchaseOrders": [{"purchaseOrderNumber", "purchaseOrderId", "status", "createdCount",
//!                      "updateCount", "lines": [{"id", "rowNumber", "articleNumber", "advised",
//!                      "received", "reported"}]}],
//!  "returns": [{"orderNumber", "orderId", "orderLineId", "articleNumber", "returned", "cause",
//!               "returnedAt", "articleItemId"}],
//!  "returnOrders": [{"returnOrderNumber", "returnOrderId", "orderId", "status", "createdCount",
//!                    "lines": [{"id", "rowNumber", "orderLineId", "toBeReturned", "returned",
//!                    "returnCause"}]}],
//!  "returnCauses": [{"id", "code", "name", ...}],
//!  "inventory": [{"articleNumber", "articleSystemId", "numberOfItems", "sellableNumberOfItems",
//!                 "numberOfBookedItems", "toReceiveNumberOfItems",
//!                 "pickedToBeCollectedNumberOfItems"}]}
//! ```

use serde_json::{Value, json};

use crate::articles::Article;
use crate::orders::Order;
use crate::purchase_orders::PurchaseOrder;
use crate::state::{Sim, Store};
use crate::stock::{OpenQuantities, open_quantities};
use crate::time::format_utc;

pub(crate) fn inventory_row(article: &Article, open: Option<&OpenQuantities>) -> Value {
    json!({
        "articleNumber": article.number(),
        "articleSystemId": article.article_system_id,
        "numberOfItems": article.stock.physical,
        "sellableNumberOfItems": article.stock.sellable(),
        "numberOfBookedItems": article.stock.booked,
        "toReceiveNumberOfItems": open.map_or(0.0, |o| o.to_receive),
        "pickedToBeCollectedNumberOfItems": open.map_or(0.0, |o| o.picked_to_be_collected),
    })
}

pub(crate) fn order_row(order: &Order, store: &Store) -> Value {
    let lines: Vec<Value> = order
        .lines
        .iter()
        .map(|line| {
            let items: Vec<Value> = line
                .items
                .iter()
                .map(|item| {
                    json!({
                        "articleItemId": item.id,
                        "numberOfItems": item.number_of_items,
                        "isReturned": item.is_returned,
                        "returnCause": item.return_cause,
                        "parcelNumber": item
                            .parcel_id
                            .and_then(|id| order.parcels.iter().find(|p| p.id == id))
                            .map(|p| p.parcel_number.clone()),
                    })
                })
                .collect();
            json!({
                "id": line.id,
                "rowNumber": line.row_number,
                "articleNumber": store.articles.get(&line.article_system_id).map(Article::number),
                "ordered": line.ordered,
                "allocated": line.allocated,
                "picked": line.picked,
                "packed": line.packed,
                "reported": line.reported,
                "returned": line.returned,
                "reportedReturned": line.reported_returned,
                "items": items,
            })
        })
        .collect();
    json!({
        "orderNumber": order.order_number,
        "orderId": order.order_id,
        "status": order.status,
        "createdCount": order.created_count,
        "updateCount": order.update_count,
        "waybill": order.way_bill,
        "returnWaybill": order.return_way_bill,
        "createdDate": format_utc(order.created),
        "updatedTime": format_utc(order.updated),
        "statusChangedTime": format_utc(order.status_changed),
        "shippedTime": order.shipped.map(format_utc),
        "lastReturnedTime": order.last_returned.map(format_utc),
        "goodsOwnerOrderId": order.header.goods_owner_order_id,
        "referenceNumber": order.header.reference_number,
        "lines": lines,
        "tracking": order.tracking.iter().map(|t| json!({
            "waybill": t.waybill, "trackingUrl": t.tracking_url, "isReturn": t.is_return,
        })).collect::<Vec<_>>(),
        "parcels": order.parcels.iter().map(|p| json!({
            "id": p.id, "parcelNumber": p.parcel_number, "trackingUrl": p.tracking_url, "isReturnParcel": p.is_return,
        })).collect::<Vec<_>>(),
    })
}

pub(crate) fn purchase_order_row(po: &PurchaseOrder, store: &Store) -> Value {
    json!({
        "purchaseOrderNumber": po.purchase_order_number,
        "purchaseOrderId": po.purchase_order_id,
        "status": po.status,
        "createdCount": po.created_count,
        "updateCount": po.update_count,
        "lines": po.lines.iter().map(|line| json!({
            "id": line.id,
            "rowNumber": line.row_number,
            "articleNumber": store.articles.get(&line.article_system_id).map(Article::number),
            "advised": line.advised,
            "received": line.received,
            "reported": line.reported,
        })).collect::<Vec<_>>(),
    })
}

pub(crate) fn state(sim: &Sim, store: &Store) -> Value {
    let open = open_quantities(store, &sim.config);
    json!({
        "articles": store.articles.values().map(|a| json!({
            "articleSystemId": a.article_system_id,
            "articleNumber": a.number(),
            "articleName": a.data.article_name,
            "barCode": a.data.bar_code_info.as_ref().and_then(|b| b.bar_code.clone()),
            "articleDataLastUpdated": format_utc(a.data_updated),
            "stockInfoChanged": format_utc(a.stock.changed),
        })).collect::<Vec<_>>(),
        "orders": store.orders.values().map(|o| order_row(o, store)).collect::<Vec<_>>(),
        "purchaseOrders": store.purchase_orders.values().map(|p| purchase_order_row(p, store)).collect::<Vec<_>>(),
        "returns": store.returns.iter().map(|r| json!({
            "orderNumber": r.order_number,
            "orderId": r.order_id,
            "orderLineId": r.order_line_id,
            "articleNumber": r.article_number,
            "returned": r.returned,
            "cause": r.cause,
            "returnedAt": format_utc(r.returned_at),
            "articleItemId": r.article_item_id,
        })).collect::<Vec<_>>(),
        "returnOrders": store.return_orders.values().map(|r| json!({
            "returnOrderNumber": r.return_order_number,
            "returnOrderId": r.return_order_id,
            "orderId": r.order_id,
            "status": r.status,
            "createdCount": r.created_count,
            "lines": r.lines.iter().map(|l| json!({
                "id": l.id,
                "rowNumber": l.row_number,
                "orderLineId": l.order_line_id,
                "toBeReturned": l.to_be_returned,
                "returned": l.returned,
                "returnCause": l.return_cause,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "returnCauses": store.return_causes,
        "inventory": store.articles.values().map(|a| inventory_row(a, open.get(&a.article_system_id))).collect::<Vec<_>>(),
    })
}
