//! Orders (ogoship-api.md §5, G1 `Order`/`OrderResponse`, G2 `OrdersApi`, statuses P2).
//!
//! An order is keyed by the merchant's `reference`. The record keeps the `Order` fields as
//! sent, the lines with what the warehouse picked, the status and what OGOship adds (`id`,
//! tracking, `warehouseComments`, `editTime`).
//!
//! Layout: this file the model, the status enum and the response; `handlers.rs` the API
//! calls; `lifecycle.rs` status changes with their stock effects, validation, shipping.

pub(crate) mod handlers;
pub(crate) mod lifecycle;

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::clock;

/// OGOship's order statuses; lower case on the wire, read case-insensitively (§5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrderStatus {
    Draft,
    New,
    Pending,
    Reserved,
    Locked,
    Collecting,
    Shipped,
    Cancelled,
    /// Doc gap: in the enum but its meaning is undocumented (§12 q8). The simulator never
    /// sets it by itself; the control API can, and it is treated like `shipped` for stock.
    Returned,
}

impl OrderStatus {
    pub(crate) const ALL: [Self; 9] = [
        Self::Draft,
        Self::New,
        Self::Pending,
        Self::Reserved,
        Self::Locked,
        Self::Collecting,
        Self::Shipped,
        Self::Cancelled,
        Self::Returned,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::New => "new",
            Self::Pending => "pending",
            Self::Reserved => "reserved",
            Self::Locked => "locked",
            Self::Collecting => "collecting",
            Self::Shipped => "shipped",
            Self::Cancelled => "cancelled",
            Self::Returned => "returned",
        }
    }

    /// Reads a status case-insensitively; `canceled` is accepted too.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("canceled") {
            return Some(Self::Cancelled);
        }
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text))
    }

    /// Stock is held for the order (§5 table).
    pub(crate) fn reserves(self) -> bool {
        matches!(
            self,
            Self::New | Self::Pending | Self::Reserved | Self::Locked
        )
    }

    /// Stock has left the shelf for the order.
    pub(crate) fn deducts(self) -> bool {
        matches!(self, Self::Collecting | Self::Shipped | Self::Returned)
    }

    /// The merchant can still change the order through the API. Doc gap: §5 says `new` is
    /// "not editable (move to draft first)" in myOGO's UI; over the API the simulator lets any
    /// status before `collecting` be updated, which is what G1's update call implies.
    pub(crate) fn editable(self) -> bool {
        !matches!(self, Self::Collecting | Self::Shipped | Self::Returned)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `customer` of an order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Customer {
    pub name: Option<String>,
    pub company: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub zip: Option<String>,
    pub city: Option<String>,
    pub country_code: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// One of `orderLines`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct OrderLineBody {
    pub code: String,
    pub quantity: i64,
    pub unit_price: Option<f64>,
    pub vat_percentage: Option<f64>,
    pub product_info_url: Option<String>,
    pub product_picture_url: Option<String>,
}

/// The `Order` body of create and update; every field optional here, checked per call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OrderBody {
    pub reference: Option<String>,
    pub shipping_code: Option<String>,
    pub pick_up_point_code: Option<String>,
    pub status: Option<String>,
    pub order_lines: Option<Vec<OrderLineBody>>,
    pub customer: Option<Customer>,
    pub comments: Option<String>,
    pub price_total: Option<f64>,
    pub price_currency: Option<String>,
    pub cash_on_delivery: Option<Value>,
    pub test: Option<bool>,
    pub documents: Option<Vec<Value>>,
}

impl OrderBody {
    /// Takes the fields `update` sends; `documents` (like `orderLines`, handled by the caller)
    /// replaces all existing ones (§5).
    pub(crate) fn merge(&mut self, update: OrderBody) {
        macro_rules! take {
            ($($field:ident),*) => {
                $(if update.$field.is_some() { self.$field = update.$field; })*
            };
        }
        take!(
            shipping_code,
            pick_up_point_code,
            customer,
            comments,
            price_total,
            price_currency,
            cash_on_delivery,
            test,
            documents
        );
    }
}

/// An order line at OGOship.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub body: OrderLineBody,
    /// Set when the warehouse packed the order.
    pub picked: Option<i64>,
    /// Taken off the physical stock (at `collecting`/`shipped`).
    pub deducted: i64,
}

impl Line {
    pub(crate) fn new(body: OrderLineBody) -> Self {
        Self {
            body,
            picked: None,
            deducted: 0,
        }
    }
}

/// An order at OGOship.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub id: Uuid,
    pub reference: String,
    /// The `Order` fields except `reference`, `status`, `orderLines` (kept apart).
    pub fields: OrderBody,
    pub lines: Vec<Line>,
    pub status: OrderStatus,
    /// The order is `reserved` because it failed validation (not because it was asked to be).
    pub held_invalid: bool,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    pub warehouse_comments: Option<String>,
    pub edit_time: DateTime<Utc>,
    pub update_count: u64,
}

/// `OrderResponse`: the `Order` fields plus OGOship's.
pub(crate) fn response(order: &Order) -> Value {
    let mut body = match serde_json::to_value(&order.fields) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let lines: Vec<Value> = order
        .lines
        .iter()
        .filter_map(|l| serde_json::to_value(&l.body).ok())
        .collect();
    body.insert("reference".into(), order.reference.clone().into());
    body.insert("status".into(), order.status.as_str().into());
    body.insert("orderLines".into(), lines.into());
    body.insert("id".into(), order.id.to_string().into());
    body.insert(
        "trackingNumber".into(),
        order.tracking_number.clone().into(),
    );
    body.insert("trackingUrl".into(), order.tracking_url.clone().into());
    body.insert(
        "warehouseComments".into(),
        order.warehouse_comments.clone().into(),
    );
    body.insert("editTime".into(), clock::format(order.edit_time).into());
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_case_insensitively_and_print_lower_case() {
        assert_eq!(OrderStatus::parse("Shipped"), Some(OrderStatus::Shipped));
        assert_eq!(OrderStatus::parse("CANCELED"), Some(OrderStatus::Cancelled));
        assert_eq!(OrderStatus::parse("lost"), None);
        assert_eq!(OrderStatus::Collecting.to_string(), "collecting");
    }
}
