//! The simulated Centra store: catalogue, orders, shipments, returns, supplier deliveries.
//!
//! Layout:
//! - `catalog`: size items and their physical stock;
//! - `orders`, `shipments`, `returns`, `deliveries`: the documents, named after Centra's JSON;
//! - `rules`: the business rules that change them (capture, complete, receive, return);
//! - `snapshot`: the `/_sim/state` view.
//!
//! Every mutation records a [`Change`]; the caller drains them after the lock is released and
//! turns them into webhooks, so a webhook never fires for an effect that did not happen.

pub mod catalog;
pub mod deliveries;
pub mod orders;
pub mod returns;
pub mod rules;
pub mod shipments;
pub mod snapshot;

use std::collections::{BTreeMap, HashMap};

use catalog::SizeItem;
use deliveries::SupplierDelivery;
use orders::Order;
use returns::Return;
use shipments::Shipment;

/// Something that happened, worth a webhook or an Integration API event.
///
/// The webhook plugin knows fewer kinds than the events queue: `*Completed`, `ShipmentDeleted`,
/// `StockChanged` and the delivery changes travel with (or instead of) a webhook kind, see
/// `webhooks::event` and `graphql::events`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    OrderCreated {
        order_id: u64,
    },
    OrderUpdated {
        order_id: u64,
    },
    /// Every line shipped (recorded next to `OrderUpdated`).
    OrderCompleted {
        order_id: u64,
    },
    ShipmentCreated {
        shipment_id: u64,
    },
    ShipmentGoodToGo {
        shipment_id: u64,
    },
    ShipmentUpdated {
        shipment_id: u64,
    },
    /// Shipped (recorded next to `ShipmentUpdated`).
    ShipmentCompleted {
        shipment_id: u64,
    },
    /// Removed (recorded next to `ShipmentUpdated`, which is what the webhook plugin sends).
    ShipmentDeleted {
        shipment_id: u64,
    },
    ReturnCreated {
        return_id: u64,
    },
    ReturnUpdated {
        return_id: u64,
    },
    /// Completed (recorded next to `ReturnUpdated`).
    ReturnCompleted {
        return_id: u64,
    },
    /// Catalogue data of a product changed.
    ProductChanged {
        product_id: u64,
    },
    /// Stock of one of the product's sizes changed.
    StockChanged {
        product_id: u64,
    },
    /// A supplier delivery was announced.
    DeliveryCreated {
        delivery_id: u64,
    },
    /// A supplier delivery was accepted (received).
    DeliveryAccepted {
        delivery_id: u64,
    },
}

/// Counters for every kind of id, so ids look like Centra's and never repeat after a delete.
/// All line ids (order, shipment, return lines) share one counter: a client that sends an order
/// line id where a shipment line id belongs gets "not found", never a wrong line.
#[derive(Debug, Clone)]
pub struct Ids {
    pub order: u64,
    pub shipment: u64,
    pub line: u64,
    pub return_id: u64,
    pub product: u64,
    pub variant: u64,
    pub stock_item: u64,
    pub price: u64,
    pub supplier_order: u64,
    pub delivery: u64,
    /// Bundle ids (`isPartOfBundle`).
    pub bundle: u64,
}

impl Default for Ids {
    fn default() -> Self {
        Self {
            order: 1001,
            shipment: 501,
            line: 70001,
            return_id: 301,
            product: 101,
            variant: 1101,
            stock_item: 3001,
            price: 31,
            supplier_order: 901,
            delivery: 361,
            bundle: 211,
        }
    }
}

impl Ids {
    /// Takes the next value of `counter`.
    pub fn take(counter: &mut u64) -> u64 {
        let id = *counter;
        *counter += 1;
        id
    }
}

/// The whole simulated store.
#[derive(Debug, Default)]
pub struct Store {
    pub items: BTreeMap<u64, SizeItem>,
    pub orders: BTreeMap<u64, Order>,
    /// By internal shipment id, which grows with creation time.
    pub shipments: BTreeMap<u64, Shipment>,
    pub returns: BTreeMap<u64, Return>,
    pub deliveries: BTreeMap<u64, SupplierDelivery>,
    pub ids: Ids,
    changes: Vec<Change>,
}

impl Store {
    pub fn record(&mut self, change: Change) {
        if !self.changes.contains(&change) {
            self.changes.push(change);
        }
    }

    /// The changes since the last call, oldest first.
    pub fn take_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes)
    }

    pub fn item_by_ean(&self, ean: &str) -> Option<&SizeItem> {
        (!ean.is_empty())
            .then(|| self.items.values().find(|i| i.ean == ean))
            .flatten()
    }

    pub fn item_by_joined_sku(&self, joined: &str) -> Option<&SizeItem> {
        (!joined.is_empty())
            .then(|| self.items.values().find(|i| i.joined_sku() == joined))
            .flatten()
    }

    /// The item `POST /stock` means by `product`: an EAN, else a joined SKU, else a UPC (REF/303).
    pub fn item_by_stock_key(&self, key: &str) -> Option<&SizeItem> {
        self.item_by_ean(key)
            .or_else(|| self.item_by_joined_sku(key))
            .or_else(|| {
                (!key.is_empty())
                    .then(|| self.items.values().find(|i| i.upc == key))
                    .flatten()
            })
    }

    pub fn shipment_by_number(&self, number: &str) -> Option<&Shipment> {
        self.shipments.values().find(|s| s.number == number)
    }

    pub fn shipments_of(&self, order_id: u64) -> impl Iterator<Item = &Shipment> {
        self.shipments
            .values()
            .filter(move |s| s.order_id == order_id)
    }

    /// Allocated units per stock item: everything on shipments not yet completed.
    /// `physicalStock = allocatedStock + availableStock` then holds by construction.
    pub fn allocations(&self) -> HashMap<u64, i64> {
        let mut allocated = HashMap::new();
        for shipment in self.shipments.values().filter(|s| !s.is_completed()) {
            let Some(order) = self.orders.get(&shipment.order_id) else {
                continue;
            };
            for line in &shipment.lines {
                // A bundle holds no stock of its own: its parts are allocated.
                if let Some(order_line) = order
                    .line(line.order_line_id)
                    .filter(|l| !l.bundle.is_bundle())
                {
                    *allocated.entry(order_line.item.stock_item_id).or_insert(0) += line.qty;
                }
            }
        }
        allocated
    }

    /// Units of `shipment_line_id` already on returns.
    pub fn returned_qty(&self, shipment_line_id: u64) -> i64 {
        self.returns
            .values()
            .flat_map(|r| &r.lines)
            .filter(|l| l.shipment_line_id == shipment_line_id)
            .map(|l| l.qty)
            .sum()
    }

    /// Every unit of every line of the order is on a completed shipment (the order is
    /// "Completed", which the Integration API calls `SHIPPED`).
    pub fn order_is_shipped(&self, order_id: u64) -> bool {
        let Some(order) = self.orders.get(&order_id) else {
            return false;
        };
        order.lines.iter().all(|line| {
            let shipped: i64 = self
                .shipments_of(order_id)
                .filter(|s| s.is_completed())
                .flat_map(|s| &s.lines)
                .filter(|l| l.order_line_id == line.line_id)
                .map(|l| l.qty)
                .sum();
            shipped >= line.qty
        })
    }

    pub fn shipment_has_returns(&self, shipment_id: u64) -> bool {
        self.returns.values().any(|r| r.shipment_id == shipment_id)
    }
}
