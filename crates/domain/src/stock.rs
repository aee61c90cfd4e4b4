//! Stock levels from the WMS and the rule for what is written to Centra.
//!
//! Centra wants **physical** stock (`POST /stock` `quantity` is absolute physical stock, from
//! which Centra derives what it can sell). Ongoing's `sellableNumberOfItems` already subtracts
//! booked orders and can go negative; pushing it would subtract those orders twice. So the value
//! sent is Ongoing `numberOfItems`, clamped at 0, and only when it differs from the last value
//! written.

use serde::{Deserialize, Serialize};

use crate::article_number::ArticleNumber;

/// One article's stock in the WMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevel {
    /// The article.
    pub article_number: ArticleNumber,
    /// Ongoing `numberOfItems`: physically in the warehouse.
    pub physical: i64,
    /// Ongoing `numberOfBookedItems`: ordered, not yet picked.
    pub booked: i64,
    /// Ongoing `sellableNumberOfItems`: may be negative. Never sent to Centra.
    pub sellable: i64,
}

impl StockLevel {
    /// The quantity to write to Centra: physical stock, negative clamped to 0.
    pub fn centra_quantity(&self) -> u64 {
        u64::try_from(self.physical).unwrap_or(0)
    }
}

/// One write to Centra `POST /stock`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockPush {
    /// The article; under either article-number rule this is also Centra's product key.
    pub article_number: ArticleNumber,
    /// Absolute physical quantity.
    pub quantity: u64,
}

/// What to write for `level`, given the last value written for that article: `None` when it is
/// unchanged (skip the call), otherwise the push.
pub fn stock_push(level: &StockLevel, last_written: Option<u64>) -> Option<StockPush> {
    let quantity = level.centra_quantity();
    (last_written != Some(quantity)).then(|| StockPush {
        article_number: level.article_number.clone(),
        quantity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(physical: i64, sellable: i64) -> StockLevel {
        StockLevel {
            article_number: ArticleNumber::from_wms("A1").expect("number"),
            physical,
            booked: 2,
            sellable,
        }
    }

    #[test]
    fn physical_is_sent_never_sellable() {
        assert_eq!(level(10, 3).centra_quantity(), 10);
        assert_eq!(level(0, -4).centra_quantity(), 0);
    }

    #[test]
    fn negative_physical_clamps_to_zero() {
        assert_eq!(level(-3, -5).centra_quantity(), 0);
    }

    #[test]
    fn unchanged_values_are_skipped() {
        assert_eq!(stock_push(&level(10, 3), Some(10)), None);
        assert_eq!(stock_push(&level(-1, 3), Some(0)), None);
        let push = stock_push(&level(10, 3), Some(9)).expect("changed");
        assert_eq!(push.quantity, 10);
        assert_eq!(push.article_number.as_str(), "A1");
        assert!(
            stock_push(&level(0, 0), None).is_some(),
            "first write always goes out"
        );
    }
}
