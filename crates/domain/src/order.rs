//! Centra orders (imported when `settings.import` is `orders` or `both`) and their lines.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::address::Address;
use crate::article_number::IdentifiesArticle;
use crate::endpoint::EndpointName;
use crate::ids::{IdError, parse_single, text_id_serde};
use crate::shipping::ShippingMethod;

/// A Centra order id (`orderId`, a positive number, sent as text or number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CentraOrderId(u64);

impl CentraOrderId {
    /// Parses `"83651"`.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        parse_single("order id", text).map(Self)
    }

    /// Wraps a number; `None` for 0, which Centra never assigns.
    pub fn new(value: u64) -> Option<Self> {
        (value > 0).then_some(Self(value))
    }

    /// The number.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for CentraOrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

text_id_serde!(CentraOrderId, "a centra order id");

/// A Centra line id (`lineId`): the key Centra wants back in shipment updates and returns.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LineId(String);

impl LineId {
    /// Wraps Centra's text.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Centra's order status. The REST casing is undocumented, so parsing ignores case and keeps
/// anything unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CentraOrderStatus {
    /// Not yet confirmed.
    Pending,
    /// Confirmed, no shipments yet.
    Confirmed,
    /// Has shipments.
    Processing,
    /// All shipped and paid.
    Completed,
    /// Archived.
    Archived,
    /// Cancelled: must not be (or stay) in the warehouse.
    Cancelled,
    /// A status this version does not know.
    Other(String),
}

impl CentraOrderStatus {
    /// Parses Centra's text, case-insensitively.
    pub fn parse(text: &str) -> Self {
        match text.trim().to_ascii_lowercase().as_str() {
            "pending" => Self::Pending,
            "confirmed" => Self::Confirmed,
            "processing" => Self::Processing,
            "completed" => Self::Completed,
            "archived" => Self::Archived,
            "cancelled" | "canceled" => Self::Cancelled,
            _ => Self::Other(text.trim().to_owned()),
        }
    }
}

/// A Centra order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Centra order id.
    pub id: CentraOrderId,
    /// The end-point it came from.
    pub endpoint: EndpointName,
    /// Centra status.
    pub status: CentraOrderStatus,
    /// Centra `hold` flag.
    pub hold: bool,
    /// Centra `waitingForPayment` flag.
    pub waiting_for_payment: bool,
    /// Order currency (ISO 4217).
    pub currency: Option<String>,
    /// Delivery address.
    pub delivery: Address,
    /// Delivery option.
    pub shipping_method: ShippingMethod,
    /// Lines.
    pub lines: Vec<OrderLine>,
}

/// One order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// Centra line id.
    pub line_id: LineId,
    /// Product SKU.
    pub sku: String,
    /// Variant SKU.
    pub variant_sku: String,
    /// Size SKU.
    pub size_sku: String,
    /// EAN as given.
    pub ean: Option<String>,
    /// Ordered quantity.
    pub quantity: u32,
}

impl IdentifiesArticle for OrderLine {
    fn sku(&self) -> &str {
        &self.sku
    }
    fn variant_sku(&self) -> &str {
        &self.variant_sku
    }
    fn size_sku(&self) -> &str {
        &self.size_sku
    }
    fn ean(&self) -> Option<&str> {
        self.ean.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_id_parses_text_and_numbers() {
        assert_eq!(CentraOrderId::parse("83651").expect("ok").get(), 83651);
        let from_number: CentraOrderId = serde_json::from_str("83651").expect("number");
        let from_text: CentraOrderId = serde_json::from_str("\"83651\"").expect("text");
        assert_eq!(from_number, from_text);
        assert_eq!(
            serde_json::to_string(&from_text).expect("json"),
            "\"83651\""
        );
        assert!(serde_json::from_str::<CentraOrderId>("\"x1\"").is_err());
        assert_eq!(CentraOrderId::new(0), None);
    }

    #[test]
    fn status_parses_case_insensitively_and_keeps_unknown() {
        assert_eq!(
            CentraOrderStatus::parse("CANCELLED"),
            CentraOrderStatus::Cancelled
        );
        assert_eq!(
            CentraOrderStatus::parse(" Processing"),
            CentraOrderStatus::Processing
        );
        assert_eq!(
            CentraOrderStatus::parse("Held"),
            CentraOrderStatus::Other("Held".into())
        );
    }
}
