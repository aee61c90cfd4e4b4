//! Creating shipments from order lines (REF/106) and deleting them (REF/111): the partial
//! shipment flow of the WMS guide (shrink a shipment with `PUT /shipments/{id}`, ship the rest
//! in a new one).

use chrono::{DateTime, Utc};

use super::Refusal;
use crate::state::shipments::{Shipment, ShipmentLine};
use crate::state::{Change, Ids, Store};

/// REF/106 error examples.
pub const NO_ORDER: &str = "order does not exist";
pub const CAN_NOT_CAPTURE: &str = "can not capture order";
/// REF/111 error example.
pub const HAS_INVOICES: &str = "shipment has invoices or creditnotes and could not be deleted.";

/// The body of `POST /shipments`, read.
#[derive(Debug, Clone, Default)]
pub struct NewShipment {
    pub order_id: u64,
    /// `(order line id as sent, quantity)`.
    pub products: Vec<(String, i64)>,
    pub gtg: bool,
    pub capture: bool,
    pub shipped: bool,
    pub carrier: Option<String>,
    pub service: Option<String>,
    pub tracking: Option<String>,
    pub packages: Option<i64>,
}

impl Store {
    /// Creates shipment `<order>-<n>` from order lines not yet on other shipments. With
    /// `capture` (default) the money is taken first; if that fails no shipment is created.
    pub fn create_shipment(
        &mut self,
        request: &NewShipment,
        now: DateTime<Utc>,
    ) -> Result<String, Refusal> {
        let order = self
            .orders
            .get(&request.order_id)
            .ok_or_else(|| Refusal::new(NO_ORDER))?;
        if request.products.is_empty() {
            // [I] `products` is required (REF/106); wording not documented.
            return Err(Refusal::new("products is required"));
        }
        let mut lines = Vec::with_capacity(request.products.len());
        for (key, qty) in &request.products {
            // [I] Wording for bad lines is not documented.
            let line_id: u64 = key
                .trim()
                .parse()
                .map_err(|_| Refusal::new(format!("order line {key} does not exist")))?;
            let line = order
                .line(line_id)
                .ok_or_else(|| Refusal::new(format!("order line {line_id} does not exist")))?;
            let shipped: i64 = self
                .shipments_of(order.order_id)
                .flat_map(|s| &s.lines)
                .filter(|l| l.order_line_id == line_id)
                .map(|l| l.qty)
                .sum();
            if *qty <= 0 || shipped + qty > line.qty {
                return Err(Refusal::new(format!(
                    "quantity for order line {line_id} exceeds the quantity left to ship"
                )));
            }
            lines.push((line_id, *qty));
        }
        let paid = order.paid;
        let capturable = order.should_capture && !order.capture_fails;
        if request.capture && !paid && !capturable {
            return Err(Refusal::new(CAN_NOT_CAPTURE));
        }
        let captured = request.capture && !paid;
        let is_paid = paid || captured;
        if request.shipped && !is_paid {
            // [I] REF/109: only a paid shipment ships; wording not documented.
            return Err(Refusal::new("shipment is not paid"));
        }
        let order_id = order.order_id;
        let (carrier, service) = (order.carrier.clone(), order.service.clone());
        let n = match self.orders.get_mut(&order_id) {
            Some(order) => {
                order.shipments_made += 1;
                order.shipments_made
            }
            None => return Err(Refusal::new(NO_ORDER)),
        };
        let shipment = Shipment {
            id: Ids::take(&mut self.ids.shipment),
            number: format!("{order_id}-{n}"),
            order_id,
            created: now,
            good_to_go: request.gtg || request.shipped,
            paid: is_paid,
            should_capture: !is_paid
                && self.orders.get(&order_id).is_some_and(|o| o.should_capture),
            captured,
            capture_count: u32::from(captured),
            capture_pending: false,
            shipped_at: request.shipped.then_some(now),
            complete_count: u32::from(request.shipped),
            carrier: request.carrier.clone().unwrap_or(carrier),
            service: request.service.clone().unwrap_or(service),
            tracking: request.tracking.clone().unwrap_or_default(),
            return_slip_tracking: String::new(),
            packages: request.packages,
            internal_comment: String::new(),
            lines: lines
                .iter()
                .map(|(order_line_id, qty)| ShipmentLine {
                    line_id: Ids::take(&mut self.ids.line),
                    order_line_id: *order_line_id,
                    qty: *qty,
                    serial_number: None,
                })
                .collect(),
        };
        let (id, number) = (shipment.id, shipment.number.clone());
        if request.shipped {
            self.take_out_of_stock(order_id, &shipment.lines, now);
        }
        self.shipments.insert(id, shipment);
        self.record(Change::ShipmentCreated { shipment_id: id });
        if request.gtg || request.shipped {
            self.record(Change::ShipmentGoodToGo { shipment_id: id });
        }
        if request.shipped {
            self.record(Change::ShipmentCompleted { shipment_id: id });
            if self.order_is_shipped(order_id) {
                self.record(Change::OrderCompleted { order_id });
            }
        }
        Ok(number)
    }

    /// Deletes a shipment without invoices (in the simulator: one that is not paid); its units
    /// stop being allocated.
    pub fn delete_shipment(&mut self, number: &str) -> Result<u64, Refusal> {
        let shipment = self
            .shipment_by_number(number)
            .ok_or_else(|| Refusal::new(super::shipping::NO_SHIPMENT))?;
        if shipment.paid || shipment.is_completed() || self.shipment_has_returns(shipment.id) {
            return Err(Refusal::new(HAS_INVOICES));
        }
        let (id, order_id) = (shipment.id, shipment.order_id);
        self.shipments.remove(&id);
        self.record(Change::ShipmentUpdated { shipment_id: id });
        self.record(Change::ShipmentDeleted { shipment_id: id });
        self.record(Change::OrderUpdated { order_id });
        Ok(order_id)
    }

    /// Shipping takes the units out of physical stock (and, being completed, out of allocation).
    pub(crate) fn take_out_of_stock(
        &mut self,
        order_id: u64,
        lines: &[ShipmentLine],
        now: DateTime<Utc>,
    ) {
        let items: Vec<(u64, i64)> = self
            .orders
            .get(&order_id)
            .map(|order| {
                lines
                    .iter()
                    .filter_map(|l| {
                        order
                            .line(l.order_line_id)
                            .map(|ol| (ol.item.stock_item_id, l.qty))
                    })
                    .collect()
            })
            .unwrap_or_default();
        for (stock_item_id, qty) in items {
            if let Some(item) = self.items.get_mut(&stock_item_id) {
                item.physical -= qty;
                item.stock_modified = now;
                let product_id = item.product_id;
                self.record(Change::StockChanged { product_id });
            }
        }
    }
}
