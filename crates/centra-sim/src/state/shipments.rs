//! Shipments: the part of an order a warehouse picks, packs and ships.
//!
//! Flags follow Centra: a shipment is `goodToGo` when the shop releases it, `paid` when the money
//! is taken (prepaid order or a successful capture), and completed once shipped. Completion needs
//! all three (REF/109). Shipment lines have their own ids, distinct from order line ids (returns
//! show both `shipmentLineId` and `orderLineId`, REF/202).

use chrono::{DateTime, Utc};

/// One line of a shipment.
#[derive(Debug, Clone)]
pub struct ShipmentLine {
    /// Shipment line id (`lineId` in `GET /shipments`, key of `POST /return`).
    pub line_id: u64,
    /// The order line this line ships (key of `PUT /shipments/{id}`, REF/108).
    pub order_line_id: u64,
    pub qty: i64,
    pub serial_number: Option<String>,
}

/// A shipment of an order.
#[derive(Debug, Clone)]
pub struct Shipment {
    /// Internal numeric id (`shipmentId` in returns, `id` in webhook events).
    pub id: u64,
    /// Public id `"<order>-<n>"` (`shipmentId` in shipments, `shipment` everywhere else).
    pub number: String,
    pub order_id: u64,
    pub created: DateTime<Utc>,
    pub good_to_go: bool,
    pub paid: bool,
    pub should_capture: bool,
    pub captured: bool,
    /// Captures that really happened (0 or 1; refused attempts are not effects).
    pub capture_count: u32,
    /// A capture request is with the payment provider (Adyen, Klarna: the Integration API
    /// answers `PENDING`); the shipment is neither captured nor paid until it settles.
    pub capture_pending: bool,
    pub shipped_at: Option<DateTime<Utc>>,
    /// Completions that really happened (0 or 1).
    pub complete_count: u32,
    pub carrier: String,
    pub service: String,
    pub tracking: String,
    pub return_slip_tracking: String,
    pub packages: Option<i64>,
    pub internal_comment: String,
    pub lines: Vec<ShipmentLine>,
}

impl Shipment {
    pub fn is_completed(&self) -> bool {
        self.shipped_at.is_some()
    }

    pub fn line(&self, line_id: u64) -> Option<&ShipmentLine> {
        self.lines.iter().find(|l| l.line_id == line_id)
    }
}

/// Which shipments `GET /shipments?status=` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShipmentStatus {
    /// Not yet good to go, not shipped.
    InProgress,
    /// Good to go and not shipped: the warehouse's work list (default).
    GoodToGo,
    /// Shipped.
    Completed,
}

impl ShipmentStatus {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "inprogress" => Some(Self::InProgress),
            "goodtogo" => Some(Self::GoodToGo),
            "completed" => Some(Self::Completed),
            _ => None,
        }
    }

    pub fn matches(self, shipment: &Shipment) -> bool {
        match self {
            Self::InProgress => !shipment.good_to_go && !shipment.is_completed(),
            Self::GoodToGo => shipment.good_to_go && !shipment.is_completed(),
            Self::Completed => shipment.is_completed(),
        }
    }
}
