//! Returns: create for shipped lines (REF/201), complete or refund (REF/203).

use chrono::{DateTime, Utc};

use super::Refusal;
use crate::state::returns::{Return, ReturnLine};
use crate::state::{Change, Ids, Store};

/// The message of every refused `POST /return` (REF/201 error example).
pub const RETURN_NOT_CREATED: &str = "return could not be created.";

/// The body of `POST /return`, read.
#[derive(Debug, Clone, Default)]
pub struct ReturnRequest {
    pub shipment: String,
    /// `(shipment line id as sent, quantity)`; `None` returns everything still returnable.
    pub products: Option<Vec<(String, i64)>>,
    pub return_stock: bool,
    pub comment: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub refund_payment: bool,
    pub return_cost: f64,
    pub shipping_cost: f64,
    pub handling_cost: f64,
    pub voucher_value: f64,
}

/// What `POST /return` created.
#[derive(Debug, Clone)]
pub struct CreatedReturn {
    pub return_id: u64,
    pub completed: bool,
    pub returned_line_ids: Vec<u64>,
}

impl Store {
    /// Creates a return of shipped units. Lines that cannot be returned (unknown, or already
    /// returned) are skipped: "Return will be created even if some of the provided items cannot
    /// be returned"; with none left the return is refused.
    pub fn create_return(
        &mut self,
        request: &ReturnRequest,
        now: DateTime<Utc>,
    ) -> Result<CreatedReturn, Refusal> {
        let refused = || Refusal::new(RETURN_NOT_CREATED);
        let shipment = self
            .shipment_by_number(&request.shipment)
            .ok_or_else(refused)?;
        if !shipment.is_completed() {
            return Err(refused());
        }
        let wanted: Vec<(u64, i64)> = match &request.products {
            Some(products) => products
                .iter()
                .filter_map(|(key, qty)| key.trim().parse().ok().map(|id| (id, *qty)))
                .collect(),
            None => shipment.lines.iter().map(|l| (l.line_id, l.qty)).collect(),
        };
        let mut lines = Vec::new();
        for (line_id, qty) in wanted {
            let Some(line) = shipment.line(line_id) else {
                continue;
            };
            let already: i64 = lines
                .iter()
                .filter(|(id, _)| *id == line_id)
                .map(|(_, q)| q)
                .sum();
            let returnable = line.qty - self.returned_qty(line_id) - already;
            let qty = qty.min(returnable);
            if qty > 0 {
                lines.push((line_id, qty));
            }
        }
        if lines.is_empty() {
            return Err(refused());
        }
        let shipment_id = shipment.id;
        let order_id = shipment.order_id;
        let restock: Vec<(u64, i64)> = if request.return_stock {
            let order = self.orders.get(&order_id);
            lines
                .iter()
                .filter_map(|(line_id, qty)| {
                    let order_line_id = shipment.line(*line_id)?.order_line_id;
                    let item = &order?.line(order_line_id)?.item;
                    Some((item.stock_item_id, *qty))
                })
                .collect()
        } else {
            Vec::new()
        };
        let return_id = Ids::take(&mut self.ids.return_id);
        let return_lines: Vec<ReturnLine> = lines
            .iter()
            .map(|(line_id, qty)| ReturnLine {
                return_line_id: Ids::take(&mut self.ids.line),
                shipment_line_id: *line_id,
                qty: *qty,
            })
            .collect();
        let created = CreatedReturn {
            return_id,
            completed: request.refund_payment,
            returned_line_ids: lines.iter().map(|(id, _)| *id).collect(),
        };
        self.returns.insert(
            return_id,
            Return {
                return_id,
                shipment_id,
                created: request.created_at.unwrap_or(now),
                completed: request.refund_payment,
                refunded: request.refund_payment,
                return_to_stock: request.return_stock,
                comment: request.comment.clone(),
                return_cost: request.return_cost,
                shipping_cost: request.shipping_cost,
                handling_cost: request.handling_cost,
                voucher_value: request.voucher_value,
                lines: return_lines,
            },
        );
        for (stock_item_id, qty) in restock {
            if let Some(item) = self.items.get_mut(&stock_item_id) {
                item.physical += qty;
                item.stock_modified = now;
                let product_id = item.product_id;
                self.record(Change::StockChanged { product_id });
            }
        }
        self.record(Change::ReturnCreated { return_id });
        Ok(created)
    }

    /// `PUT /returns/{id}`: completes and/or refunds a return.
    pub fn update_return(
        &mut self,
        return_id: &str,
        completed: Option<bool>,
        refund_payment: bool,
    ) -> Result<u64, Refusal> {
        let missing = || Refusal::new(format!("Return with id={return_id} does not exist"));
        let id: u64 = return_id.trim().parse().map_err(|_| missing())?;
        let ret = self.returns.get_mut(&id).ok_or_else(missing)?;
        let before = (ret.completed, ret.refunded);
        if let Some(completed) = completed {
            ret.completed = completed;
        }
        if refund_payment {
            ret.refunded = true;
            ret.completed = true;
        }
        let completed_now = !before.0 && ret.completed;
        if before != (ret.completed, ret.refunded) {
            self.record(Change::ReturnUpdated { return_id: id });
        }
        if completed_now {
            self.record(Change::ReturnCompleted { return_id: id });
        }
        Ok(id)
    }
}
