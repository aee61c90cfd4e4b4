//! Supplier deliveries: inbound goods on a supplier order, accepted once (REF/503-506).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::catalog::ItemSnapshot;

/// One expected product of a delivery.
#[derive(Debug, Clone)]
pub struct DeliveryLine {
    pub item: ItemSnapshot,
    pub quantity: i64,
    pub cost: f64,
    pub cost_currency: String,
}

/// What the warehouse reported when the delivery was accepted.
#[derive(Debug, Clone)]
pub struct Acceptance {
    pub at: DateTime<Utc>,
    pub insert_stock: bool,
    /// Quantities as keyed in the request (EAN, or joined SKU on `/sku`).
    pub received: BTreeMap<String, i64>,
    /// The follow-up delivery created for under-delivered units, if any.
    pub additional_delivery: Option<u64>,
}

/// A delivery on a supplier order.
#[derive(Debug, Clone)]
pub struct SupplierDelivery {
    /// Internal id (`id`).
    pub id: u64,
    /// External id `"<supplier order>-<n>"` (`deliveryId`).
    pub number: String,
    pub supplier_order_id: u64,
    pub supplier_name: String,
    pub supplier_country: String,
    pub message: String,
    pub created: DateTime<Utc>,
    pub etd: DateTime<Utc>,
    pub eta: DateTime<Utc>,
    pub lines: Vec<DeliveryLine>,
    pub acceptance: Option<Acceptance>,
    /// Acceptances that really happened (0 or 1).
    pub accept_count: u32,
}

impl SupplierDelivery {
    pub fn products_qty(&self) -> i64 {
        self.lines.iter().map(|l| l.quantity).sum()
    }
}
