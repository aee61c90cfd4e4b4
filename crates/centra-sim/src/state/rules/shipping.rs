//! Shipment rules: update (REF/108), capture (REF/110), complete (REF/109).

use chrono::{DateTime, Utc};

use super::Refusal;
use crate::state::shipments::ShipmentLine;
use crate::state::{Change, Ids, Store};

// [I] The messages for an unknown shipment are not documented; these read like the documented
// ones ("order does not exist", REF/106).
pub const NO_SHIPMENT: &str = "shipment does not exist";
pub const CAPTURE_FAILED: &str = "capture failed";
pub const CAPTURE_PENDING: &str = "shipment has a pending capture request";

/// One entry of `products` in `PUT /shipments/{id}`.
#[derive(Debug, Clone)]
pub struct QuantityChange {
    /// The key as sent: an order line id per REF/108 ("lineID from the Get orders response").
    pub order_line_key: String,
    pub qty: i64,
    pub serial_number: Option<String>,
}

/// The body of `PUT /shipment`, read.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    pub order: String,
    pub shipment: String,
    pub capture: bool,
    pub gtg: Option<bool>,
    pub shipped: Option<bool>,
    pub carrier: Option<String>,
    pub service: Option<String>,
    pub packages: Option<i64>,
    pub tracking: Option<String>,
    pub return_slip_tracking: Option<String>,
    pub internal_comment: Option<String>,
    /// When it was shipped; `None` means now. (The Order API has no such field; the Integration
    /// API's `completeShipment` takes `shippedAt`.)
    pub shipped_at: Option<DateTime<Utc>>,
}

/// Which ids a refusal names (`order` and `shipment` travel with `msg`).
#[derive(Debug, Clone)]
pub struct ShipmentRefusal {
    pub refusal: Refusal,
    pub order_id: Option<u64>,
}

fn refuse(msg: &str, order_id: Option<u64>) -> ShipmentRefusal {
    ShipmentRefusal {
        refusal: Refusal::new(msg),
        order_id,
    }
}

impl Store {
    /// `PUT /shipments/{id}`: sets good to go and/or quantities. Quantities change only while the
    /// shipment is not shipped, captured, paid or returned; serial numbers and GTG always.
    pub fn update_shipment(
        &mut self,
        number: &str,
        gtg: Option<bool>,
        changes: &[QuantityChange],
    ) -> Result<u64, Refusal> {
        let shipment = self
            .shipment_by_number(number)
            .ok_or_else(|| Refusal::new(NO_SHIPMENT))?;
        let order = self
            .orders
            .get(&shipment.order_id)
            .ok_or_else(|| Refusal::new(NO_SHIPMENT))?;
        let shipment_id = shipment.id;

        let mut planned = Vec::with_capacity(changes.len());
        let mut quantity_changes = false;
        for change in changes {
            // [I] Messages for a bad line or quantity are not documented.
            let line_id: u64 = change.order_line_key.trim().parse().map_err(|_| {
                Refusal::new(format!(
                    "order line {} does not exist",
                    change.order_line_key
                ))
            })?;
            let order_line = order
                .line(line_id)
                .ok_or_else(|| Refusal::new(format!("order line {line_id} does not exist")))?;
            if change.qty < 0 {
                return Err(Refusal::new(format!(
                    "quantity for order line {line_id} can not be negative"
                )));
            }
            let on_other_shipments: i64 = self
                .shipments_of(order.order_id)
                .filter(|s| s.id != shipment_id)
                .flat_map(|s| &s.lines)
                .filter(|l| l.order_line_id == line_id)
                .map(|l| l.qty)
                .sum();
            if change.qty + on_other_shipments > order_line.qty {
                return Err(Refusal::new(format!(
                    "quantity for order line {line_id} exceeds the ordered quantity"
                )));
            }
            let current = shipment
                .lines
                .iter()
                .find(|l| l.order_line_id == line_id)
                .map_or(0, |l| l.qty);
            quantity_changes |= current != change.qty;
            planned.push((line_id, change));
        }
        if quantity_changes {
            let refusal = if shipment.is_completed() {
                Some("shipment is sent and can not be updated")
            } else if shipment.captured {
                Some("shipment is captured and can not be updated")
            } else if shipment.paid {
                Some("shipment is paid and can not be updated")
            } else if self.shipment_has_returns(shipment_id) {
                Some("shipment has refunds and can not be updated")
            } else {
                None
            };
            if let Some(msg) = refusal {
                return Err(Refusal::new(msg));
            }
        }

        let needs_new_line = planned
            .iter()
            .filter(|(id, _)| !shipment.lines.iter().any(|l| l.order_line_id == *id))
            .count();
        let new_line_ids: Vec<u64> = (0..needs_new_line)
            .map(|_| Ids::take(&mut self.ids.line))
            .collect();
        let mut new_line_ids = new_line_ids.into_iter();
        let Some(shipment) = self.shipments.get_mut(&shipment_id) else {
            return Err(Refusal::new(NO_SHIPMENT));
        };
        let mut changed = false;
        for (line_id, change) in planned {
            match shipment
                .lines
                .iter_mut()
                .find(|l| l.order_line_id == line_id)
            {
                Some(line) => {
                    changed |= line.qty != change.qty;
                    line.qty = change.qty;
                    if change.serial_number.is_some() {
                        line.serial_number.clone_from(&change.serial_number);
                        changed = true;
                    }
                }
                None => {
                    shipment.lines.push(ShipmentLine {
                        line_id: new_line_ids.next().unwrap_or_default(),
                        order_line_id: line_id,
                        qty: change.qty,
                        serial_number: change.serial_number.clone(),
                    });
                    changed = true;
                }
            }
        }
        shipment.lines.retain(|l| l.qty > 0);
        let mut became_gtg = false;
        if let Some(gtg) = gtg
            && gtg != shipment.good_to_go
        {
            shipment.good_to_go = gtg;
            became_gtg = gtg;
            changed = true;
        }
        if changed {
            self.record(Change::ShipmentUpdated { shipment_id });
        }
        if became_gtg {
            self.record(Change::ShipmentGoodToGo { shipment_id });
        }
        Ok(shipment_id)
    }

    /// `PUT /capture`: takes the authorised money. A second capture is refused and changes
    /// nothing (simulators.md), a seeded `captureFails` order refuses with `capture failed`.
    pub fn capture(&mut self, number: &str) -> Result<(u64, String), ShipmentRefusal> {
        let shipment = self
            .shipment_by_number(number)
            .ok_or_else(|| refuse(NO_SHIPMENT, None))?;
        let order_id = shipment.order_id;
        let shipment_id = shipment.id;
        if shipment.captured {
            // [I] The real wording for a repeated capture is not documented.
            return Err(refuse("shipment is already captured", Some(order_id)));
        }
        if shipment.paid {
            // [I] Nothing to capture on a prepaid shipment; wording not documented.
            return Err(refuse("shipment is already paid", Some(order_id)));
        }
        self.try_capture(shipment_id).map_err(|r| ShipmentRefusal {
            refusal: r,
            order_id: Some(order_id),
        })?;
        Ok((order_id, number.to_owned()))
    }

    /// Captures an unpaid shipment, or refuses with `capture failed` (no authorisation, or the
    /// order was seeded with `captureFails`).
    pub(crate) fn try_capture(&mut self, shipment_id: u64) -> Result<(), Refusal> {
        let Some(shipment) = self.shipments.get(&shipment_id) else {
            return Err(Refusal::new(NO_SHIPMENT));
        };
        if shipment.capture_pending {
            // [I] Not documented: a second capture while the provider still decides.
            return Err(Refusal::new(CAPTURE_PENDING));
        }
        let fails = self
            .orders
            .get(&shipment.order_id)
            .is_none_or(|o| o.capture_fails);
        if !shipment.should_capture || fails {
            return Err(Refusal::new(CAPTURE_FAILED));
        }
        if let Some(shipment) = self.shipments.get_mut(&shipment_id) {
            shipment.captured = true;
            shipment.paid = true;
            shipment.should_capture = false;
            shipment.capture_count += 1;
        }
        self.record(Change::ShipmentUpdated { shipment_id });
        Ok(())
    }

    /// `PUT /shipment`: completes (ships) a shipment. It must end up good to go, paid and
    /// shipped; `capture` (default true) captures first unless already paid. Completing releases
    /// the allocation and takes the units out of physical stock.
    pub fn complete(
        &mut self,
        request: &Completion,
        now: DateTime<Utc>,
    ) -> Result<(u64, String), ShipmentRefusal> {
        let shipment = self
            .shipment_by_number(&request.shipment)
            .ok_or_else(|| refuse(NO_SHIPMENT, None))?;
        let order_id = shipment.order_id;
        let shipment_id = shipment.id;
        if request.order.trim() != order_id.to_string() {
            // [I] Not documented; Centra needs both ids and they must agree.
            return Err(refuse("shipment does not belong to order", Some(order_id)));
        }
        if shipment.is_completed() {
            // [I] A second completion is refused, not repeated; wording not documented.
            return Err(refuse("shipment is already completed", Some(order_id)));
        }
        if !request.gtg.unwrap_or(shipment.good_to_go) {
            // [I] REF/109: "gtg ... Required for shipment to complete"; wording not documented.
            return Err(refuse("shipment is not good to go", Some(order_id)));
        }
        // [I] The published example completes without `shipped`; absent means this call ships.
        if !request.shipped.unwrap_or(true) {
            return Err(refuse("shipment is not shipped", Some(order_id)));
        }
        if !shipment.paid {
            if !request.capture {
                // [I] REF/109: "it has to be paid"; wording not documented.
                return Err(refuse("shipment is not paid", Some(order_id)));
            }
            self.try_capture(shipment_id).map_err(|r| ShipmentRefusal {
                refusal: r,
                order_id: Some(order_id),
            })?;
        }

        let Some(shipment) = self.shipments.get_mut(&shipment_id) else {
            return Err(refuse(NO_SHIPMENT, None));
        };
        shipment.good_to_go = true;
        shipment.shipped_at = Some(request.shipped_at.unwrap_or(now));
        shipment.complete_count += 1;
        let set = |field: &mut String, value: &Option<String>| {
            if let Some(v) = value {
                field.clone_from(v);
            }
        };
        set(&mut shipment.carrier, &request.carrier);
        set(&mut shipment.service, &request.service);
        set(&mut shipment.tracking, &request.tracking);
        set(
            &mut shipment.return_slip_tracking,
            &request.return_slip_tracking,
        );
        if request.packages.is_some() {
            shipment.packages = request.packages;
        }
        if let Some(comment) = &request.internal_comment {
            if !shipment.internal_comment.is_empty() {
                shipment.internal_comment.push('\n');
            }
            shipment.internal_comment.push_str(comment);
        }
        let lines = shipment.lines.clone();
        let number = shipment.number.clone();
        self.take_out_of_stock(order_id, &lines, now);
        self.record(Change::ShipmentUpdated { shipment_id });
        self.record(Change::ShipmentCompleted { shipment_id });
        self.record(Change::OrderUpdated { order_id });
        if self.order_is_shipped(order_id) {
            self.record(Change::OrderCompleted { order_id });
        }
        Ok((order_id, number))
    }
}
