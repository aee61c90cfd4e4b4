//! Orders as the Order API shows them: customer, addresses, payment and order lines.
//!
//! Payment is reduced to the three facts a warehouse integration can observe: the order is
//! `paid` up front, or it holds an authorisation that `shouldCapture`, and (simulator only)
//! whether a capture attempt will fail (`captureFails`).

use chrono::{DateTime, Utc};

use super::catalog::ItemSnapshot;

/// A delivery or billing address, named like the `delivery*`/`billing*` fields.
#[derive(Debug, Clone, Default)]
pub struct Address {
    pub name: String,
    pub company: String,
    pub address: String,
    pub coaddress: String,
    pub zipcode: String,
    pub city: String,
    pub state: String,
    pub country: String,
    pub email: String,
    pub cell: String,
    pub tele: String,
}

/// One line of an order (`lineId` in `GET /orders`).
#[derive(Debug, Clone)]
pub struct OrderLine {
    pub line_id: u64,
    pub item: ItemSnapshot,
    pub qty: i64,
    /// Unit price including tax, as charged.
    pub price: f64,
    /// Unit price before discounts.
    pub original_price: f64,
    pub tax_percent: f64,
    pub comment: String,
    /// Whether the line is a bundle, a part of one, or neither.
    pub bundle: BundleRole,
}

/// A line's place in a bundle, as the published `GET /orders` and `GET /shipments` examples
/// show it (REF/104, REF/107): the bundle itself is a line with `isBundle: true` and its parts
/// repeated under `bundle[]`; each part is also a line of its own whose `isPartOfBundle` names
/// the bundle (`"217"` in the examples).
///
/// [I] What the number in `isPartOfBundle` counts is not documented: in the examples it
/// matches no `lineId`, so the simulator gives every bundle its own id from a separate counter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BundleRole {
    /// An ordinary line.
    #[default]
    None,
    /// The bundle (the product sold); its stock is its parts'.
    Bundle(u64),
    /// A part of the bundle with this id.
    Part(u64),
}

impl BundleRole {
    /// The `isPartOfBundle` value: the bundle's id for a part, absent otherwise.
    pub fn part_of(self) -> Option<String> {
        match self {
            Self::Part(id) => Some(id.to_string()),
            Self::None | Self::Bundle(_) => None,
        }
    }

    pub fn is_bundle(self) -> bool {
        matches!(self, Self::Bundle(_))
    }
}

impl OrderLine {
    /// Unit price without tax, rounded to cents.
    pub fn price_without_tax(&self) -> f64 {
        cents(self.price / (1.0 + self.tax_percent / 100.0))
    }

    /// Tax included in one unit.
    pub fn unit_tax(&self) -> f64 {
        cents(self.price - self.price_without_tax())
    }
}

/// A customer order.
#[derive(Debug, Clone)]
pub struct Order {
    pub order_id: u64,
    pub selection_id: String,
    pub created: DateTime<Utc>,
    pub customer_id: u64,
    pub currency: String,
    pub delivery: Address,
    pub billing: Address,
    pub billing_vat: String,
    pub shipping_list: String,
    pub carrier: String,
    pub service: String,
    pub shipping_value: f64,
    pub paid: bool,
    pub should_capture: bool,
    pub capture_fails: bool,
    pub payment_method: String,
    pub internal_comment: String,
    pub lines: Vec<OrderLine>,
    /// Shipments ever created, so a deleted shipment's number is never reused.
    pub shipments_made: u32,
}

impl Order {
    pub fn line(&self, line_id: u64) -> Option<&OrderLine> {
        self.lines.iter().find(|l| l.line_id == line_id)
    }

    /// The parts of the bundle with this id, in line order.
    pub fn parts_of(&self, bundle_id: u64) -> impl Iterator<Item = &OrderLine> {
        self.lines
            .iter()
            .filter(move |l| l.bundle == BundleRole::Part(bundle_id))
    }

    /// Sum of line totals including tax.
    pub fn items_total(&self) -> f64 {
        cents(self.lines.iter().map(|l| l.price * l.qty as f64).sum())
    }

    /// Tax included in the line totals.
    pub fn items_tax(&self) -> f64 {
        cents(self.lines.iter().map(|l| l.unit_tax() * l.qty as f64).sum())
    }

    /// The tax rate shown in `taxBreakdown` (the first line's; the simulator uses one rate).
    pub fn tax_percent(&self) -> f64 {
        self.lines.first().map_or(25.0, |l| l.tax_percent)
    }
}

/// Rounds money to cents, as Centra prints it.
pub fn cents(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}
