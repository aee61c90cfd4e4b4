//! Stock in: absolute stock updates (REF/303) and supplier delivery acceptance (REF/506).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::Refusal;
use crate::state::deliveries::{Acceptance, DeliveryLine, SupplierDelivery};
use crate::state::{Change, Ids, Store};

/// The outcome of one `POST /stock` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockUpdate {
    /// Physical stock is now this value (possibly clamped up to the allocated units).
    Set { physical: i64, clamped: bool },
    /// No size item has this EAN, UPC or joined SKU.
    NotFound,
    /// The key names a bundle: Centra keeps no stock of its own for one (its parts hold it),
    /// so REF/303 refuses it under `productsAreBundles` and changes nothing.
    Bundle,
}

/// How `POST /supplier-deliveries/{id}` keys its products.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryKey {
    /// `/supplier-deliveries/{id}`: by EAN.
    Ean,
    /// `/supplier-deliveries/{id}/sku`: by `sku + variantSku + sizeSku`.
    JoinedSku,
}

impl Store {
    /// Whether `key` (EAN, UPC or joined SKU) names a bundle. The catalogue holds stocked size
    /// items only, so the simulator knows a bundle from the order lines that sold one (a
    /// catalogue item sold as a bundle counts too: Centra would not stock it either).
    pub fn is_bundle_key(&self, key: &str) -> bool {
        let key = key.trim();
        !key.is_empty()
            && self
                .orders
                .values()
                .flat_map(|order| &order.lines)
                .filter(|line| line.bundle.is_bundle())
                .any(|line| {
                    let item = &line.item;
                    item.ean == key
                        || item.upc == key
                        || format!("{}{}{}", item.sku, item.variant_sku, item.size_sku) == key
                })
    }

    /// Sets absolute physical stock. A value below the allocated units is silently raised to
    /// them (REF/303: "quantity ... will be set to allocated"). A bundle is refused untouched.
    pub fn set_physical_stock(
        &mut self,
        key: &str,
        quantity: i64,
        cost_price: Option<(f64, String)>,
        now: DateTime<Utc>,
    ) -> StockUpdate {
        if self.is_bundle_key(key) {
            return StockUpdate::Bundle;
        }
        let Some(stock_item_id) = self.item_by_stock_key(key).map(|i| i.stock_item_id) else {
            return StockUpdate::NotFound;
        };
        self.set_physical_stock_of(stock_item_id, quantity, cost_price, now)
    }

    /// [`Self::set_physical_stock`] for a size item named by its id (the Integration API names
    /// sizes by variant and size, not by a key).
    pub fn set_physical_stock_of(
        &mut self,
        stock_item_id: u64,
        quantity: i64,
        cost_price: Option<(f64, String)>,
        now: DateTime<Utc>,
    ) -> StockUpdate {
        let allocated = self.allocations().get(&stock_item_id).copied().unwrap_or(0);
        let physical = quantity.max(allocated);
        let Some(item) = self.items.get_mut(&stock_item_id) else {
            return StockUpdate::NotFound;
        };
        if cost_price.is_some() {
            item.cost_price = cost_price;
        }
        if item.physical != physical {
            item.physical = physical;
            item.stock_modified = now;
            let product_id = item.product_id;
            self.record(Change::StockChanged { product_id });
        }
        StockUpdate::Set {
            physical,
            clamped: physical != quantity,
        }
    }

    /// Moves `delta` units into (positive) or out of (negative) physical stock, as a stock
    /// change does. Refused, changing nothing, when fewer units than allocated would remain.
    pub fn change_physical_stock(
        &mut self,
        stock_item_id: u64,
        delta: i64,
        now: DateTime<Utc>,
    ) -> Result<i64, Refusal> {
        let allocated = self.allocations().get(&stock_item_id).copied().unwrap_or(0);
        let item = self
            .items
            .get_mut(&stock_item_id)
            .ok_or_else(|| Refusal::new(format!("size item {stock_item_id} does not exist")))?;
        let physical = item.physical + delta;
        if physical < allocated {
            // [I] Not documented: the simulator keeps allocated units as REF/303 does.
            return Err(Refusal::new(format!(
                "only {} units can be removed: {} of {} are allocated",
                (item.physical - allocated).max(0),
                allocated,
                item.physical
            )));
        }
        if delta != 0 {
            item.physical = physical;
            item.stock_modified = now;
            let product_id = item.product_id;
            self.record(Change::StockChanged { product_id });
        }
        Ok(physical)
    }

    /// Finds a delivery by internal `id` or external `deliveryId` (REF/506: both work).
    pub fn delivery_by_ref(&self, reference: &str) -> Option<&SupplierDelivery> {
        let reference = reference.trim();
        reference
            .parse::<u64>()
            .ok()
            .and_then(|id| self.deliveries.get(&id))
            .or_else(|| self.deliveries.values().find(|d| d.number == reference))
    }

    /// Accepts a delivery once. Units missing against the delivery become a new delivery for
    /// the remainder, returned as the id of `additionalDelivery`. With `insert_stock` (default)
    /// the received units are added to physical stock.
    pub fn accept_delivery(
        &mut self,
        reference: &str,
        key: DeliveryKey,
        received: &[(String, i64)],
        insert_stock: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<u64>, Refusal> {
        // [I] None of these messages is documented.
        let delivery = self
            .delivery_by_ref(reference)
            .ok_or_else(|| Refusal::new("supplier delivery does not exist"))?;
        if delivery.acceptance.is_some() {
            return Err(Refusal::new("supplier delivery is already accepted"));
        }
        let mut per_line: Vec<i64> = vec![0; delivery.lines.len()];
        let mut by_key = BTreeMap::new();
        for (product, qty) in received {
            let index = delivery
                .lines
                .iter()
                .position(|l| match key {
                    DeliveryKey::Ean => !l.item.ean.is_empty() && l.item.ean == *product,
                    DeliveryKey::JoinedSku => l.item.joined_sku() == *product,
                })
                .ok_or_else(|| {
                    Refusal::new(format!("product {product} is not in the supplier delivery"))
                })?;
            if *qty < 0 {
                return Err(Refusal::new(format!(
                    "quantity for product {product} can not be negative"
                )));
            }
            per_line[index] += qty;
            *by_key.entry(product.clone()).or_insert(0) += qty;
        }
        let delivery_id = delivery.id;
        let remainder: Vec<DeliveryLine> = delivery
            .lines
            .iter()
            .zip(&per_line)
            .filter(|(line, got)| line.quantity > **got)
            .map(|(line, got)| DeliveryLine {
                quantity: line.quantity - got,
                ..line.clone()
            })
            .collect();
        let arrived: Vec<(u64, i64)> = delivery
            .lines
            .iter()
            .zip(&per_line)
            .map(|(line, got)| (line.item.stock_item_id, *got))
            .collect();

        let original = delivery.clone();
        let additional = if remainder.is_empty() {
            None
        } else {
            let follow_up = SupplierDelivery {
                number: self.next_delivery_number(original.supplier_order_id),
                id: Ids::take(&mut self.ids.delivery),
                created: now,
                lines: remainder,
                acceptance: None,
                accept_count: 0,
                ..original
            };
            let id = follow_up.id;
            self.deliveries.insert(id, follow_up);
            self.record(Change::DeliveryCreated { delivery_id: id });
            Some(id)
        };
        if insert_stock {
            for (stock_item_id, qty) in arrived.into_iter().filter(|(_, q)| *q > 0) {
                if let Some(item) = self.items.get_mut(&stock_item_id) {
                    item.physical += qty;
                    item.stock_modified = now;
                    let product_id = item.product_id;
                    self.record(Change::StockChanged { product_id });
                }
            }
        }
        if let Some(delivery) = self.deliveries.get_mut(&delivery_id) {
            delivery.acceptance = Some(Acceptance {
                at: now,
                insert_stock,
                received: by_key,
                additional_delivery: additional,
            });
            delivery.accept_count += 1;
        }
        self.record(Change::DeliveryAccepted { delivery_id });
        Ok(additional)
    }
}
