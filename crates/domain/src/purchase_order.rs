//! Inbound goods: Centra supplier deliveries become WMS purchase orders, and what the warehouse
//! received is accepted back in Centra.
//!
//! Centra accepts a delivery **once** (`POST /supplier-deliveries/{id}`), keyed by EAN or by the
//! joined SKU. Over-delivery is accepted as received; under-delivery makes Centra create a
//! follow-up delivery for the remainder. [`plan_acceptance`] computes that one-shot acceptance
//! from the delivery and the WMS receipt.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::article_number::{
    ArticleNumber, ArticleNumberError, ArticleNumberRule, CentraProductKey, IdentifiesArticle,
};
use crate::ids::{IdError, parse_dashed, text_id_serde};

/// A Centra delivery id, `<supplier order>-<n>` (`957-1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeliveryId {
    supplier_order: u64,
    number: u32,
}

impl DeliveryId {
    /// Parses `"957-1"`.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let (supplier_order, number) =
            parse_dashed("delivery id", text, "supplier order id", "delivery number")?;
        Ok(Self {
            supplier_order,
            number,
        })
    }

    /// The supplier order the delivery belongs to.
    pub fn supplier_order_id(&self) -> u64 {
        self.supplier_order
    }

    /// The delivery's number within its supplier order.
    pub fn number(&self) -> u32 {
        self.number
    }
}

impl fmt::Display for DeliveryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.supplier_order, self.number)
    }
}

text_id_serde!(DeliveryId, "a centra delivery id like \"957-1\"");

/// A Centra supplier delivery that is not yet accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierDelivery {
    /// Centra's internal id (`id`).
    pub id: u64,
    /// `deliveryId`, e.g. `957-1`; also the WMS purchase order number.
    pub delivery_id: DeliveryId,
    /// Supplier name, for the WMS.
    pub supplier_name: String,
    /// Lines attached to this delivery.
    pub lines: Vec<DeliveryLine>,
}

/// One delivery line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLine {
    /// Product SKU.
    pub sku: String,
    /// Variant SKU.
    pub variant_sku: String,
    /// Size SKU.
    pub size_sku: String,
    /// EAN as given.
    pub ean: Option<String>,
    /// Quantity announced on the delivery.
    pub quantity: u32,
}

impl IdentifiesArticle for DeliveryLine {
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

/// What the WMS received on the purchase order, per article.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Received quantities; an article may appear on several lines.
    pub lines: Vec<ReceivedLine>,
}

/// One received line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedLine {
    /// WMS article number.
    pub article_number: ArticleNumber,
    /// Received quantity.
    pub received: u32,
}

/// How one article of the delivery compares with what arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DeliveryOutcome {
    /// Exactly as announced.
    AsExpected,
    /// More arrived; accepted as received.
    Over {
        /// Units beyond the announced quantity.
        extra: u32,
    },
    /// Less arrived; Centra will create a follow-up delivery for the rest.
    Under {
        /// Units still missing.
        missing: u32,
    },
}

/// Expected versus received for one article of the delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineAcceptance {
    /// The article.
    pub article_number: ArticleNumber,
    /// Announced quantity (summed over delivery lines of the same article).
    pub expected: u32,
    /// Received quantity (summed over receipt lines).
    pub received: u32,
    /// The comparison.
    pub outcome: DeliveryOutcome,
}

/// A delivery line that has no article number (it could not be on the purchase order either).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmappedDeliveryLine {
    /// 0-based position in the delivery.
    pub index: usize,
    /// Why.
    pub error: ArticleNumberError,
}

/// The one-shot acceptance to send to Centra, plus what a person should know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptancePlan {
    /// Which Centra endpoint the keys are for (EAN or joined SKU).
    pub key: CentraProductKey,
    /// Centra product key to received quantity. Articles with nothing received are left out:
    /// Centra counts an absent product as not received, and a zero may be refused.
    pub quantities: BTreeMap<String, u32>,
    /// Per article of the delivery, in first-seen order.
    pub lines: Vec<LineAcceptance>,
    /// Received articles that are not on the delivery; not accepted (Centra has no line for
    /// them), reported for a person.
    pub unexpected: Vec<ReceivedLine>,
    /// Delivery lines without an article number.
    pub unmapped: Vec<UnmappedDeliveryLine>,
}

impl AcceptancePlan {
    /// True when something arrived short, so Centra will create a follow-up delivery.
    pub fn leads_to_follow_up_delivery(&self) -> bool {
        self.lines
            .iter()
            .any(|l| matches!(l.outcome, DeliveryOutcome::Under { .. }))
    }

    /// True when more of something arrived than was announced.
    pub fn has_over_delivery(&self) -> bool {
        self.lines
            .iter()
            .any(|l| matches!(l.outcome, DeliveryOutcome::Over { .. }))
    }
}

/// Computes the acceptance of `delivery` given the WMS `receipt`.
///
/// Keys are article numbers, which under either rule *are* Centra's product key (joined SKU or
/// EAN), so `key` tells the gateway which accept endpoint to call.
pub fn plan_acceptance(
    delivery: &SupplierDelivery,
    receipt: &Receipt,
    rule: ArticleNumberRule,
    max_len: usize,
) -> AcceptancePlan {
    let mut expected: Vec<(ArticleNumber, u32)> = Vec::new();
    let mut unmapped = Vec::new();
    for (index, line) in delivery.lines.iter().enumerate() {
        match rule.article_number_within(line, max_len) {
            Ok(number) => match expected.iter_mut().find(|(n, _)| *n == number) {
                Some((_, qty)) => *qty = qty.saturating_add(line.quantity),
                None => expected.push((number, line.quantity)),
            },
            Err(error) => unmapped.push(UnmappedDeliveryLine { index, error }),
        }
    }

    let mut received: BTreeMap<&ArticleNumber, u32> = BTreeMap::new();
    for line in &receipt.lines {
        let total = received.entry(&line.article_number).or_default();
        *total = total.saturating_add(line.received);
    }

    let lines: Vec<LineAcceptance> = expected
        .into_iter()
        .map(|(article_number, expected)| {
            let got = received.get(&article_number).copied().unwrap_or(0);
            let outcome = match got.cmp(&expected) {
                std::cmp::Ordering::Equal => DeliveryOutcome::AsExpected,
                std::cmp::Ordering::Greater => DeliveryOutcome::Over {
                    extra: got - expected,
                },
                std::cmp::Ordering::Less => DeliveryOutcome::Under {
                    missing: expected - got,
                },
            };
            LineAcceptance {
                article_number,
                expected,
                received: got,
                outcome,
            }
        })
        .collect();

    let quantities = lines
        .iter()
        .filter(|l| l.received > 0)
        .map(|l| (l.article_number.as_str().to_owned(), l.received))
        .collect();
    let unexpected = received
        .iter()
        .filter(|(number, qty)| **qty > 0 && !lines.iter().any(|l| l.article_number == ***number))
        .map(|(number, qty)| ReceivedLine {
            article_number: (*number).clone(),
            received: *qty,
        })
        .collect();

    AcceptancePlan {
        key: rule.centra_key(),
        quantities,
        lines,
        unexpected,
        unmapped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article_number::DEFAULT_MAX_ARTICLE_NUMBER_LEN as MAX;

    fn dline(size: &str, ean: Option<&str>, qty: u32) -> DeliveryLine {
        DeliveryLine {
            sku: "P".into(),
            variant_sku: "V".into(),
            size_sku: size.into(),
            ean: ean.map(Into::into),
            quantity: qty,
        }
    }

    fn delivery(lines: Vec<DeliveryLine>) -> SupplierDelivery {
        SupplierDelivery {
            id: 12,
            delivery_id: DeliveryId::parse("957-1").expect("id"),
            supplier_name: "Acme".into(),
            lines,
        }
    }

    fn got(number: &str, qty: u32) -> ReceivedLine {
        ReceivedLine {
            article_number: ArticleNumber::from_wms(number).expect("number"),
            received: qty,
        }
    }

    #[test]
    fn delivery_id_parses_and_round_trips() {
        let id = DeliveryId::parse("957-1").expect("ok");
        assert_eq!((id.supplier_order_id(), id.number()), (957, 1));
        assert_eq!(id.to_string(), "957-1");
        assert_eq!(
            DeliveryId::parse("957").expect_err("bad").to_string(),
            "delivery id \"957\" is not <supplier order id>-<delivery number> (no \"-\")"
        );
    }

    #[test]
    fn exact_over_and_under_delivery() {
        let d = delivery(vec![
            dline("S", None, 5),
            dline("M", None, 5),
            dline("L", None, 5),
        ]);
        let receipt = Receipt {
            lines: vec![got("PVS", 5), got("PVM", 7), got("PVL", 2), got("PVM", 1)],
        };
        let plan = plan_acceptance(&d, &receipt, ArticleNumberRule::SkuVariantSize, MAX);
        assert_eq!(plan.key, CentraProductKey::JoinedSku);
        assert_eq!(
            plan.quantities,
            BTreeMap::from([("PVS".into(), 5), ("PVM".into(), 8), ("PVL".into(), 2)])
        );
        let outcomes: Vec<_> = plan.lines.iter().map(|l| l.outcome).collect();
        assert_eq!(
            outcomes,
            [
                DeliveryOutcome::AsExpected,
                DeliveryOutcome::Over { extra: 3 },
                DeliveryOutcome::Under { missing: 3 }
            ]
        );
        assert!(plan.leads_to_follow_up_delivery());
        assert!(plan.has_over_delivery());
        assert!(plan.unexpected.is_empty());
    }

    #[test]
    fn nothing_received_is_left_out_and_flagged_short() {
        let d = delivery(vec![dline("S", None, 5), dline("M", None, 2)]);
        let plan = plan_acceptance(
            &d,
            &Receipt {
                lines: vec![got("PVS", 5)],
            },
            ArticleNumberRule::SkuVariantSize,
            MAX,
        );
        assert_eq!(plan.quantities, BTreeMap::from([("PVS".into(), 5)]));
        assert_eq!(plan.lines[1].outcome, DeliveryOutcome::Under { missing: 2 });
        assert!(plan.leads_to_follow_up_delivery());
    }

    #[test]
    fn ean_keys_unexpected_articles_and_unmapped_lines() {
        let d = delivery(vec![
            dline("S", Some("4006381333931"), 3),
            dline("M", Some("123"), 3),
            dline("L", Some("4006381333931"), 1),
        ]);
        let receipt = Receipt {
            lines: vec![got("4006381333931", 4), got("96385074", 2)],
        };
        let plan = plan_acceptance(&d, &receipt, ArticleNumberRule::Ean, MAX);
        assert_eq!(plan.key, CentraProductKey::Ean);
        assert_eq!(
            plan.quantities,
            BTreeMap::from([("4006381333931".into(), 4)])
        );
        assert_eq!(plan.lines.len(), 1, "same ean twice is one article");
        assert_eq!(plan.lines[0].expected, 4);
        assert_eq!(plan.lines[0].outcome, DeliveryOutcome::AsExpected);
        assert_eq!(plan.unexpected, vec![got("96385074", 2)]);
        assert_eq!(plan.unmapped.len(), 1);
        assert_eq!(plan.unmapped[0].index, 1);
        assert!(!plan.leads_to_follow_up_delivery());
    }
}
