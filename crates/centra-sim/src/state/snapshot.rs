//! The `/_sim/state` view: the whole store in the simulator's own terms, for tests to assert
//! on effects (counters count effects that really happened, never refused attempts).

use serde_json::{Value, json};

use super::Store;
use crate::clock::StoreClock;

impl Store {
    pub fn snapshot(&self, clock: &StoreClock) -> Value {
        let allocations = self.allocations();
        let orders: Vec<Value> = self
            .orders
            .values()
            .map(|o| {
                json!({
                    "orderId": o.order_id.to_string(),
                    "orderDate": clock.format(o.created),
                    "paid": o.paid,
                    "shouldCapture": o.should_capture,
                    "captureFails": o.capture_fails,
                    "shipments": self.shipments_of(o.order_id).map(|s| s.number.clone()).collect::<Vec<_>>(),
                    "lines": o.lines.iter().map(|l| json!({
                        "lineId": l.line_id.to_string(),
                        "ean": l.item.ean,
                        "sku": l.item.joined_sku(),
                        "qty": l.qty,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let shipments: Vec<Value> = self
            .shipments
            .values()
            .map(|s| {
                let order = self.orders.get(&s.order_id);
                json!({
                    "shipmentId": s.number,
                    "id": s.id,
                    "orderId": s.order_id.to_string(),
                    "goodToGo": s.good_to_go,
                    "paid": s.paid,
                    "shouldCapture": s.should_capture,
                    "captured": s.captured,
                    "captureCount": s.capture_count,
                    "capturePending": s.capture_pending,
                    "shipped": s.is_completed(),
                    "completed": s.is_completed(),
                    "completeCount": s.complete_count,
                    "shippedAt": s.shipped_at.map(|t| clock.format(t)),
                    "carrier": s.carrier,
                    "service": s.service,
                    "tracking": s.tracking,
                    "returnSlipTracking": s.return_slip_tracking,
                    "packages": s.packages,
                    "internalComment": s.internal_comment,
                    "lines": s.lines.iter().map(|l| {
                        let item = order.and_then(|o| o.line(l.order_line_id)).map(|ol| &ol.item);
                        json!({
                            "lineId": l.line_id.to_string(),
                            "orderLineId": l.order_line_id.to_string(),
                            "ean": item.map(|i| i.ean.clone()),
                            "sku": item.map(|i| i.joined_sku()),
                            "qty": l.qty,
                            "serialNumber": l.serial_number,
                        })
                    }).collect::<Vec<_>>(),
                })
            })
            .collect();
        let stock: Vec<Value> = self
            .items
            .values()
            .map(|i| {
                let allocated = allocations.get(&i.stock_item_id).copied().unwrap_or(0);
                json!({
                    "key": i.joined_sku(),
                    "stockItemId": i.stock_item_id,
                    "ean": i.ean,
                    "physical": i.physical,
                    "allocated": allocated,
                    "available": i.physical - allocated,
                    "costPrice": i.cost_price.as_ref().map(|(p, _)| p),
                    "costPriceCurrency": i.cost_price.as_ref().map(|(_, c)| c),
                })
            })
            .collect();
        let returns: Vec<Value> = self
            .returns
            .values()
            .map(|r| {
                json!({
                    "returnId": r.return_id,
                    "shipmentId": self.shipments.get(&r.shipment_id).map(|s| s.number.clone()),
                    "completed": r.completed,
                    "refunded": r.refunded,
                    "returnToStock": r.return_to_stock,
                    "comment": r.comment,
                    "date": clock.format(r.created),
                    "lines": r.lines.iter().map(|l| json!({
                        "returnLineId": l.return_line_id,
                        "shipmentLineId": l.shipment_line_id.to_string(),
                        "qty": l.qty,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let deliveries: Vec<Value> = self
            .deliveries
            .values()
            .map(|d| {
                let acceptance = d.acceptance.as_ref();
                json!({
                    "id": d.id.to_string(),
                    "deliveryId": d.number,
                    "orderId": d.supplier_order_id.to_string(),
                    "accepted": acceptance.is_some(),
                    "acceptCount": d.accept_count,
                    "acceptedAt": acceptance.map(|a| clock.format(a.at)),
                    "insertStock": acceptance.map(|a| a.insert_stock),
                    "received": acceptance.map(|a| a.received.clone()).unwrap_or_default(),
                    "additionalDelivery": acceptance
                        .and_then(|a| a.additional_delivery)
                        .and_then(|id| self.deliveries.get(&id))
                        .map(|n| n.number.clone()),
                    "lines": d.lines.iter().map(|l| json!({
                        "ean": l.item.ean,
                        "sku": l.item.joined_sku(),
                        "quantity": l.quantity,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "orders": orders,
            "shipments": shipments,
            "stock": stock,
            "returns": returns,
            "supplierDeliveries": deliveries,
        })
    }
}
