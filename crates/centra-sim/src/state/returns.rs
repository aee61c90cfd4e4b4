//! Returns of shipped items, keyed by shipment line ids (REF/201).

use chrono::{DateTime, Utc};

/// One returned line.
#[derive(Debug, Clone)]
pub struct ReturnLine {
    pub return_line_id: u64,
    pub shipment_line_id: u64,
    pub qty: i64,
}

/// A return of (part of) one shipment.
#[derive(Debug, Clone)]
pub struct Return {
    pub return_id: u64,
    /// Internal id of the shipment.
    pub shipment_id: u64,
    pub created: DateTime<Utc>,
    pub completed: bool,
    pub refunded: bool,
    pub return_to_stock: bool,
    pub comment: Option<String>,
    pub return_cost: f64,
    pub shipping_cost: f64,
    pub handling_cost: f64,
    pub voucher_value: f64,
    pub lines: Vec<ReturnLine>,
}
