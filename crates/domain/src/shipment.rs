//! Centra shipments: the default unit of import (`settings.import = "shipments"`).
//!
//! A shipment id is `<order id>-<n>` (`83651-1`); it becomes the WMS order number (plus the
//! end-point prefix), which makes the Ongoing `PUT /orders` upsert idempotent.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::address::Address;
use crate::article_number::{ArticleNumber, ArticleNumberRule, IdentifiesArticle};
use crate::endpoint::EndpointName;
use crate::ids::{IdError, parse_dashed, text_id_serde};
use crate::order::{CentraOrderId, LineId};
use crate::park::{LineProblem, ParkReason};
use crate::shipping::ShippingMethod;

/// A Centra shipment id, `<order id>-<shipment number>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShipmentId {
    order: CentraOrderId,
    number: u32,
}

impl ShipmentId {
    /// Parses `"83651-1"`; the error quotes the input and names the bad part.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let (order, number) = parse_dashed("shipment id", text, "order id", "shipment number")?;
        let order = CentraOrderId::new(order).ok_or_else(|| IdError::NotANumber {
            kind: "shipment id",
            input: text.to_owned(),
            part: "order id",
            value: order.to_string(),
        })?;
        Ok(Self { order, number })
    }

    /// Builds an id from its parts; `None` when `number` is 0.
    pub fn new(order: CentraOrderId, number: u32) -> Option<Self> {
        (number > 0).then_some(Self { order, number })
    }

    /// The order this shipment belongs to.
    pub fn order_id(&self) -> CentraOrderId {
        self.order
    }

    /// The shipment's number within its order (1, 2, ...).
    pub fn number(&self) -> u32 {
        self.number
    }
}

impl fmt::Display for ShipmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.order, self.number)
    }
}

text_id_serde!(ShipmentId, "a centra shipment id like \"83651-1\"");

/// A Centra shipment, as far as the warehouse flows need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    /// `83651-1`.
    pub id: ShipmentId,
    /// The end-point it came from.
    pub endpoint: EndpointName,
    /// Centra `paid`.
    pub paid: bool,
    /// Centra `shouldCapture`: payment is authorised and must be captured before shipping.
    pub should_capture: bool,
    /// Good to go (Centra only lists good-to-go shipments, but webhook hints can be earlier).
    pub good_to_go: bool,
    /// Delivery address.
    pub delivery: Address,
    /// Delivery option.
    pub shipping_method: ShippingMethod,
    /// Lines.
    pub lines: Vec<ShipmentLine>,
}

/// One shipment line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentLine {
    /// Centra line id (the key for shipment updates and returns).
    pub line_id: LineId,
    /// Product SKU.
    pub sku: String,
    /// Variant SKU.
    pub variant_sku: String,
    /// Size SKU.
    pub size_sku: String,
    /// EAN as given.
    pub ean: Option<String>,
    /// Quantity to ship.
    pub quantity: u32,
}

impl IdentifiesArticle for ShipmentLine {
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

/// A shipment line resolved to a WMS article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleLine {
    /// WMS `rowNumber`: the 1-based position in the shipment (unique per order, as Ongoing needs).
    pub row_number: u32,
    /// Centra line id, kept to map picks and returns back.
    pub line_id: LineId,
    /// WMS article number.
    pub article_number: ArticleNumber,
    /// Quantity.
    pub quantity: u32,
}

impl Shipment {
    /// The order this shipment belongs to.
    pub fn order_id(&self) -> CentraOrderId {
        self.id.order_id()
    }

    /// Resolves every line to a WMS article, or parks the shipment naming *every* bad line: a
    /// shipment is never half-imported.
    pub fn article_lines(
        &self,
        rule: ArticleNumberRule,
        max_len: usize,
    ) -> Result<Vec<ArticleLine>, ParkReason> {
        if self.lines.is_empty() {
            return Err(ParkReason::NoLines);
        }
        let mut lines = Vec::with_capacity(self.lines.len());
        let mut problems = Vec::new();
        for (row, line) in (1u32..).zip(&self.lines) {
            match rule.article_number_within(line, max_len) {
                Ok(article_number) => lines.push(ArticleLine {
                    row_number: row,
                    line_id: line.line_id.clone(),
                    article_number,
                    quantity: line.quantity,
                }),
                Err(err) => problems.push(LineProblem {
                    line_id: line.line_id.clone(),
                    problem: err.to_string(),
                }),
            }
        }
        if problems.is_empty() {
            Ok(lines)
        } else {
            Err(ParkReason::UnresolvedArticles { lines: problems })
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::article_number::DEFAULT_MAX_ARTICLE_NUMBER_LEN as MAX;
    use proptest::prelude::*;

    pub(crate) fn line(id: &str, sku: &str, variant: &str, size: &str, qty: u32) -> ShipmentLine {
        ShipmentLine {
            line_id: LineId::new(id),
            sku: sku.into(),
            variant_sku: variant.into(),
            size_sku: size.into(),
            ean: None,
            quantity: qty,
        }
    }

    pub(crate) fn shipment(lines: Vec<ShipmentLine>) -> Shipment {
        Shipment {
            id: ShipmentId::parse("83651-1").expect("id"),
            endpoint: EndpointName::parse("shop1").expect("name"),
            paid: true,
            should_capture: false,
            good_to_go: true,
            delivery: Address::default(),
            shipping_method: ShippingMethod::default(),
            lines,
        }
    }

    #[test]
    fn parses_order_and_number() {
        let id = ShipmentId::parse("83651-1").expect("ok");
        assert_eq!(id.order_id().get(), 83651);
        assert_eq!(id.number(), 1);
        assert_eq!(id.to_string(), "83651-1");
    }

    #[test]
    fn rejects_garbage_precisely() {
        let cases = [
            ("", "shipment id is empty"),
            (
                "83651",
                "shipment id \"83651\" is not <order id>-<shipment number> (no \"-\")",
            ),
            (
                "abc-1",
                "shipment id \"abc-1\": order id \"abc\" is not a positive number",
            ),
            (
                "83651-",
                "shipment id \"83651-\": shipment number \"\" is not a positive number",
            ),
            (
                "83651-0",
                "shipment id \"83651-0\": shipment number \"0\" is not a positive number",
            ),
            (
                "83651-01",
                "shipment id \"83651-01\": shipment number \"01\" has a leading zero",
            ),
            (
                " 83651-1",
                "shipment id \" 83651-1\": order id \" 83651\" is not a positive number",
            ),
        ];
        for (input, message) in cases {
            assert_eq!(
                ShipmentId::parse(input).expect_err(input).to_string(),
                message
            );
        }
    }

    #[test]
    fn serde_accepts_text_and_writes_text() {
        let id: ShipmentId = serde_json::from_str("\"83651-2\"").expect("json");
        assert_eq!(serde_json::to_string(&id).expect("json"), "\"83651-2\"");
        let err = serde_json::from_str::<ShipmentId>("\"83651\"").expect_err("bad");
        assert!(
            err.to_string().contains("no \\\"-\\\"") || err.to_string().contains("no \"-\""),
            "{err}"
        );
    }

    #[test]
    fn article_lines_resolve_every_line_with_row_numbers() {
        let s = shipment(vec![
            line("11", "A", "B", "C", 2),
            line("12", "A", "B", "D", 1),
        ]);
        let lines = s
            .article_lines(ArticleNumberRule::default(), MAX)
            .expect("ok");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].row_number, 2);
        assert_eq!(lines[1].article_number.as_str(), "ABD");
        assert_eq!(lines[0].quantity, 2);
    }

    #[test]
    fn article_lines_park_naming_every_bad_line() {
        let s = shipment(vec![
            line("11", "A", "", "C", 2),
            line("12", "A", "B", "D", 1),
            line("13", "", "B", "D", 1),
        ]);
        let err = s
            .article_lines(ArticleNumberRule::default(), MAX)
            .expect_err("park");
        assert_eq!(
            err.to_string(),
            "line 11: missing variant sku; line 13: missing sku"
        );
        assert_eq!(
            shipment(vec![]).article_lines(ArticleNumberRule::default(), MAX),
            Err(ParkReason::NoLines)
        );
    }

    proptest! {
        #[test]
        fn display_then_parse_round_trips(order in 1u64.., number in 1u32..) {
            let id = ShipmentId::new(CentraOrderId::new(order).expect("positive"), number).expect("positive");
            let text = id.to_string();
            prop_assert_eq!(ShipmentId::parse(&text).expect("round trip"), id);
        }

        #[test]
        fn parse_then_display_gives_back_the_input(text in "[0-9+ -]{0,14}|\\PC{0,24}") {
            if let Ok(id) = ShipmentId::parse(&text) {
                prop_assert_eq!(id.to_string(), text);
            }
        }

        #[test]
        fn near_misses_never_parse(order in 1u64..1_000_000, junk in "[^0-9]{1,3}") {
            let text = format!("{order}{junk}1");
            prop_assume!(junk != "-");
            prop_assert!(ShipmentId::parse(&text).is_err());
        }
    }
}
