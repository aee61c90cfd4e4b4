//! What the scenario knows and reads: the articles, the orders it placed, the deliveries it
//! announced, the returns it registered, and both simulators' state (`/_sim/state`, the WMS's
//! through the WMS-neutral `centra_wms_tests::wms`), never the services' own tables.

use std::collections::BTreeMap;

use centra_wms_tests::e2e::{WmsSims, article_number};
use centra_wms_tests::wms::{WmsReturnCause, WmsStockLevel};
use serde_json::Value;

/// Products and sizes of the scenario's catalogue.
pub const PRODUCTS: usize = 8;
pub const SIZES: usize = 4;

/// One article's stock on both sides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Both {
    pub wms_physical: i64,
    pub wms_sellable: i64,
    pub wms_booked: i64,
    pub centra_physical: i64,
    pub centra_allocated: i64,
    pub centra_available: i64,
}

impl Both {
    /// Centra sells more than the WMS can deliver.
    pub fn oversold(&self) -> bool {
        self.centra_available > self.wms_sellable.max(0)
    }

    /// Centra sells exactly what the WMS can.
    pub fn equal(&self) -> bool {
        self.centra_available == self.wms_sellable.max(0)
    }
}

/// An order the scenario placed in Centra.
#[derive(Debug, Clone)]
pub struct PlacedOrder {
    pub shipment_id: String,
    /// (product, size, units).
    pub lines: Vec<(usize, usize, u32)>,
    pub shipped: bool,
    /// Article -> units picked (after the ship step).
    pub picked: BTreeMap<String, i64>,
    /// Article -> units returned so far.
    pub returned: BTreeMap<String, i64>,
    /// WMS return registrations on this order.
    pub returns: usize,
    /// Units returned per cause over all registrations.
    pub causes: BTreeMap<WmsReturnCause, i64>,
}

/// A supplier delivery the scenario announced in Centra.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub number: String,
    /// Article -> units ordered.
    pub lines: BTreeMap<String, i64>,
    pub received: bool,
}

/// Every article of the catalogue.
pub fn articles() -> Vec<(usize, usize, String)> {
    (0..PRODUCTS)
        .flat_map(|p| (0..SIZES).map(move |s| (p, s, article_number(p, s))))
        .collect()
}

/// Both sides' stock of every article, read from the simulators (Centra first, as stock-sync
/// reads them).
pub async fn stock(sims: &WmsSims) -> BTreeMap<String, Both> {
    let centra = sims.get(format!("{}/_sim/state", sims.centra.url())).await;
    let wms = sims.wms.stock_levels(&sims.http).await;
    read_stock(&centra, &wms)
}

/// Both sides' stock from Centra's state answer and the WMS's stock levels.
pub fn read_stock(centra: &Value, wms: &BTreeMap<String, WmsStockLevel>) -> BTreeMap<String, Both> {
    let mut out: BTreeMap<String, Both> = wms
        .iter()
        .map(|(key, level)| {
            let both = Both {
                wms_physical: level.physical,
                wms_sellable: level.sellable,
                wms_booked: level.booked,
                ..Both::default()
            };
            (key.clone(), both)
        })
        .collect();
    let number = |v: &Value| {
        v.as_i64()
            .or_else(|| v.as_f64().map(|f| f as i64))
            .unwrap_or(0)
    };
    for row in centra["stock"].as_array().into_iter().flatten() {
        let Some(key) = row["key"].as_str() else {
            continue;
        };
        if let Some(both) = out.get_mut(key) {
            both.centra_physical = number(&row["physical"]);
            both.centra_allocated = number(&row["allocated"]);
            both.centra_available = number(&row["available"]);
        }
    }
    out
}

/// The articles Centra oversells now, with both sides' numbers.
pub fn oversold(stock: &BTreeMap<String, Both>) -> Vec<(String, Both)> {
    stock
        .iter()
        .filter(|(_, b)| b.oversold())
        .map(|(k, b)| (k.clone(), *b))
        .collect()
}
