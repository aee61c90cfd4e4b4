//! Customer returns registered in the WMS, reported to Centra as one return per WMS return.
//!
//! The WMS records a cause per returned item; Centra's `POST /return` has no cause field, only a
//! `comment`. [`combine_causes`] turns the per-item causes into one deterministic line such as
//! `2 x Wrong size (WS); 1 x Damaged (DMG)`, which goes into that comment.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::order::LineId;

/// Shown for items returned without a cause.
pub const NO_CAUSE_GIVEN: &str = "no cause given";

/// A WMS return cause (Ongoing `returnCause{code, name}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReturnCause {
    /// Short code, e.g. `WS`.
    pub code: String,
    /// Human name, e.g. `Wrong size`.
    pub name: String,
}

/// Returned units of one Centra shipment line, with the cause the warehouse recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnedItem {
    /// Centra shipment line id (what `POST /return` is keyed by).
    pub line_id: LineId,
    /// Units returned.
    pub quantity: u32,
    /// The cause, when the warehouse gave one.
    pub cause: Option<ReturnCause>,
}

/// How many units were returned for one cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CauseCount {
    /// Units.
    pub count: u64,
    /// `Wrong size (WS)`, `WS`, `Wrong size` or [`NO_CAUSE_GIVEN`].
    pub label: String,
}

/// The causes of one return, most frequent first. Displays as `2 x Wrong size (WS); 1 x ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CombinedCause {
    /// One entry per distinct cause, ordered by count (descending), then code; unknown last
    /// among equal counts.
    pub parts: Vec<CauseCount>,
}

impl CombinedCause {
    /// Total units over all causes.
    pub fn total(&self) -> u64 {
        self.parts.iter().map(|p| p.count).sum()
    }
}

impl fmt::Display for CombinedCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{} x {}", part.count, part.label)?;
        }
        Ok(())
    }
}

/// Grouping key: causes are the same when their codes are; a cause with only a name is keyed by
/// its name; a missing or blank cause is "unknown".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum CauseKey {
    Code(String),
    NameOnly(String),
    Unknown,
}

fn key_of(cause: Option<&ReturnCause>) -> (CauseKey, Option<String>) {
    let Some(cause) = cause else {
        return (CauseKey::Unknown, None);
    };
    let code = cause.code.trim();
    let name = cause.name.trim();
    let name = (!name.is_empty()).then(|| name.to_owned());
    match (code.is_empty(), name) {
        (false, name) => (CauseKey::Code(code.to_owned()), name),
        (true, Some(name)) => (CauseKey::NameOnly(name.clone()), Some(name)),
        (true, None) => (CauseKey::Unknown, None),
    }
}

/// Combines per-item causes into one per return. `None` when no units were returned (every
/// quantity 0 or no items); otherwise the result is never empty and its counts add up to the
/// returned units. The result does not depend on the order of `items`: when one code comes with
/// different names, the alphabetically first name is shown.
pub fn combine_causes(items: &[ReturnedItem]) -> Option<CombinedCause> {
    let mut groups: BTreeMap<CauseKey, (u64, Option<String>)> = BTreeMap::new();
    for item in items.iter().filter(|i| i.quantity > 0) {
        let (key, name) = key_of(item.cause.as_ref());
        let entry = groups.entry(key).or_insert((0, None));
        entry.0 += u64::from(item.quantity);
        if let Some(name) = name
            && entry.1.as_ref().is_none_or(|current| name < *current)
        {
            entry.1 = Some(name);
        }
    }
    if groups.is_empty() {
        return None;
    }
    let mut groups: Vec<(CauseKey, u64, Option<String>)> =
        groups.into_iter().map(|(k, (c, n))| (k, c, n)).collect();
    // BTreeMap order already sorts codes, then name-only causes, then unknown; a stable sort by
    // count keeps that as the tie-break.
    groups.sort_by_key(|(_, count, _)| Reverse(*count));
    let parts = groups
        .into_iter()
        .map(|(key, count, name)| CauseCount {
            count,
            label: match (key, name) {
                (CauseKey::Code(code), Some(name)) => format!("{name} ({code})"),
                (CauseKey::Code(code), None) => code,
                (CauseKey::NameOnly(name), _) => name,
                (CauseKey::Unknown, _) => NO_CAUSE_GIVEN.to_owned(),
            },
        })
        .collect();
    Some(CombinedCause { parts })
}

/// Quantities per Centra shipment line for `POST /return` (`products{lineId: qty}`), summing
/// items of the same line and leaving out zeros.
pub fn return_quantities(items: &[ReturnedItem]) -> BTreeMap<LineId, u64> {
    let mut out: BTreeMap<LineId, u64> = BTreeMap::new();
    for item in items.iter().filter(|i| i.quantity > 0) {
        *out.entry(item.line_id.clone()).or_default() += u64::from(item.quantity);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn item(line: &str, qty: u32, cause: Option<(&str, &str)>) -> ReturnedItem {
        ReturnedItem {
            line_id: LineId::new(line),
            quantity: qty,
            cause: cause.map(|(code, name)| ReturnCause {
                code: code.into(),
                name: name.into(),
            }),
        }
    }

    #[test]
    fn combines_by_count_then_code() {
        let items = [
            item("1", 1, Some(("DMG", "Damaged"))),
            item("2", 1, Some(("WS", "Wrong size"))),
            item("3", 1, Some(("WS", "Wrong size"))),
        ];
        assert_eq!(
            combine_causes(&items).expect("some").to_string(),
            "2 x Wrong size (WS); 1 x Damaged (DMG)"
        );
    }

    #[test]
    fn ties_sort_by_code_and_unknown_comes_last() {
        let items = [
            item("1", 1, None),
            item("2", 1, Some(("WS", "Wrong size"))),
            item("3", 1, Some(("", " "))),
            item("4", 1, Some(("DMG", "Damaged"))),
        ];
        assert_eq!(
            combine_causes(&items).expect("some").to_string(),
            "2 x no cause given; 1 x Damaged (DMG); 1 x Wrong size (WS)"
        );
    }

    #[test]
    fn code_only_and_name_only_causes_show_what_they_have() {
        let items = [
            item("1", 3, Some(("X1", ""))),
            item("2", 1, Some(("", "Too late"))),
        ];
        assert_eq!(
            combine_causes(&items).expect("some").to_string(),
            "3 x X1; 1 x Too late"
        );
    }

    #[test]
    fn quantities_count_not_items_and_zeros_vanish() {
        let items = [
            item("1", 4, Some(("WS", "Wrong size"))),
            item("2", 0, Some(("DMG", "Damaged"))),
        ];
        let combined = combine_causes(&items).expect("some");
        assert_eq!(combined.to_string(), "4 x Wrong size (WS)");
        assert_eq!(combine_causes(&[item("1", 0, None)]), None);
        assert_eq!(combine_causes(&[]), None);
    }

    #[test]
    fn return_quantities_sum_per_line() {
        let items = [
            item("1", 1, None),
            item("1", 2, Some(("WS", "x"))),
            item("2", 0, None),
        ];
        assert_eq!(
            return_quantities(&items),
            BTreeMap::from([(LineId::new("1"), 3)])
        );
    }

    fn arb_item() -> impl Strategy<Value = ReturnedItem> {
        let cause = prop_oneof![
            Just(None),
            (
                prop::sample::select(vec!["WS", "DMG", "X", ""]),
                prop::sample::select(vec!["Wrong size", "Damaged", "Other", ""])
            )
                .prop_map(|(c, n)| Some(ReturnCause {
                    code: c.into(),
                    name: n.into()
                })),
        ];
        ("[1-9]", 0u32..5, cause).prop_map(|(line, quantity, cause)| ReturnedItem {
            line_id: LineId::new(line),
            quantity,
            cause,
        })
    }

    proptest! {
        #[test]
        fn order_does_not_matter((items, shuffled) in prop::collection::vec(arb_item(), 0..12)
            .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))) {
            prop_assert_eq!(combine_causes(&items), combine_causes(&shuffled));
        }

        #[test]
        fn counts_add_up(items in prop::collection::vec(arb_item(), 0..12)) {
            let total: u64 = items.iter().map(|i| u64::from(i.quantity)).sum();
            match combine_causes(&items) {
                Some(combined) => {
                    prop_assert_eq!(combined.total(), total);
                    prop_assert!(combined.parts.iter().all(|p| p.count > 0));
                }
                None => prop_assert_eq!(total, 0),
            }
        }

        #[test]
        fn never_empty_for_returned_units(items in prop::collection::vec(arb_item(), 1..12), extra in 1u32..5) {
            let mut items = items;
            items[0].quantity = extra;
            let combined = combine_causes(&items).expect("units returned");
            prop_assert!(!combined.to_string().is_empty());
            prop_assert!(!combined.parts.is_empty());
        }

        #[test]
        fn counts_are_descending(items in prop::collection::vec(arb_item(), 0..12)) {
            if let Some(combined) = combine_causes(&items) {
                prop_assert!(combined.parts.windows(2).all(|w| w[0].count >= w[1].count));
            }
        }
    }
}
