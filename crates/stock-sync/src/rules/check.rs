//! One article's check, decided from what the reads and the write found: [`found`] before the
//! write (is the article checkable, and what does the stock rule say), [`concluded`] after
//! Centra's answer (the state it is left in), [`recheck_after`] (when an unsettled article is
//! looked at again). Pure: the flow reads, writes and saves; these only decide.

use std::time::Duration;

use domain::{CentraStock, StockDecision, WmsStock, stock_decision};

use super::Blocked;

/// What the two reads say about one article, before anything is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Not checkable or not in Centra: nothing is written for it.
    Blocked(Blocked),
    /// Both sides hold it: the stock rule's decision.
    Compared(StockDecision),
}

/// What the reads found of one article: the WMS's stock (`None`: the warehouse holds no such
/// article), whether its Centra product is known, and the size item's stock in that product
/// (`None`: the product has no size item with its number).
///
/// Asked in this order: without the WMS's numbers there is nothing to write whatever Centra
/// holds, and without a known product Centra was not read for it.
pub fn found(wms: Option<WmsStock>, product_known: bool, centra: Option<CentraStock>) -> Found {
    match (wms, product_known, centra) {
        (None, _, _) => Found::Blocked(Blocked::NotInWms),
        (Some(_), false, _) => Found::Blocked(Blocked::Unmapped),
        (Some(_), true, None) => Found::Blocked(Blocked::NotFound),
        (Some(wms), true, Some(centra)) => Found::Compared(stock_decision(wms, centra)),
    }
}

/// What Centra answered for one compared article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteAnswer {
    /// Nothing was sent for it: Centra already had the value.
    Unsent,
    /// Written.
    Written,
    /// The write was refused as a whole.
    Refused,
    /// Centra named it in `productsNotFound`.
    NotFound,
    /// Centra named it in `productsAreBundles`.
    Bundle,
    /// Not sent: news of the article came in while the check read ([`held_back`]); the check
    /// that news made due decides again on fresh numbers.
    HeldBack,
}

/// How the check of a compared article ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conclusion {
    /// Centra sells exactly the WMS's sellable stock.
    InSync,
    /// Units are in flight: check it again.
    Settling,
    /// Centra did not take the article as it is.
    Blocked(Blocked),
}

/// The end of a compared article's check: Centra's answer first (a refused, unknown or
/// bundle article is not in sync whatever the numbers said), then whether the rule called the
/// numbers settled.
pub fn concluded(decision: StockDecision, answer: WriteAnswer) -> Conclusion {
    match answer {
        WriteAnswer::Refused => Conclusion::Blocked(Blocked::Refused),
        WriteAnswer::NotFound => Conclusion::Blocked(Blocked::NotFound),
        WriteAnswer::Bundle => Conclusion::Blocked(Blocked::Bundle),
        WriteAnswer::HeldBack => Conclusion::Settling,
        WriteAnswer::Unsent | WriteAnswer::Written if decision.settled => Conclusion::InSync,
        WriteAnswer::Unsent | WriteAnswer::Written => Conclusion::Settling,
    }
}

/// What came in about an article while its check ran, after the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meanwhile {
    /// A mark: a WMS level (the poll's or another read's), a synced article. The WMS numbers
    /// the check read may be old.
    Marked,
    /// A shipment of it completed in Centra: Centra took the units out of its physical stock
    /// and its allocation after the check read them (or just before).
    Completed,
}

/// Whether a decided write is held back, given what came in about the article while the
/// check ran (`None`: nothing). The article is checked again at once either way (a mark
/// leaves it due), on fresh numbers.
///
/// Why: a check's numbers age while it reads (a WMS read of many articles, each call retried,
/// can take seconds), and news says they may be overtaken.
/// - A completion makes any write wrong: the target was decided on an allocation Centra no
///   longer holds, and an absolute write then lets Centra sell the shipped units once more
///   (the completion took them out of the physical stock the write puts back).
/// - A mark alone (a new WMS level) leaves Centra as read, so only a raise can oversell on old
///   WMS numbers; a lower write sells less than before whatever the WMS did, and holding it
///   back would leave Centra selling more for one more check.
pub fn held_back(decision: StockDecision, meanwhile: Option<Meanwhile>) -> bool {
    match meanwhile {
        None => false,
        Some(Meanwhile::Marked) => decision.write && decision.raises,
        Some(Meanwhile::Completed) => decision.write,
    }
}

/// When an article found unsettled `rechecks` times in a row is checked again: `first`,
/// doubling with each recheck, never later than `cap` (the sync interval; a `cap` below
/// `first` is `first`).
pub fn recheck_after(first: Duration, cap: Duration, rechecks: i64) -> Duration {
    let shift = u32::try_from(rechecks.clamp(0, 16)).unwrap_or(16);
    first.saturating_mul(1u32 << shift).min(cap.max(first))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WMS: WmsStock = WmsStock {
        physical: 5,
        sellable: 5,
    };
    const CENTRA: CentraStock = CentraStock {
        physical: 3,
        allocated: 0,
    };

    #[test]
    fn the_found_table() {
        let compared = Found::Compared(stock_decision(WMS, CENTRA));
        let table = [
            (None, false, None, Found::Blocked(Blocked::NotInWms)),
            (None, true, Some(CENTRA), Found::Blocked(Blocked::NotInWms)),
            (Some(WMS), false, None, Found::Blocked(Blocked::Unmapped)),
            (
                Some(WMS),
                false,
                Some(CENTRA),
                Found::Blocked(Blocked::Unmapped),
            ),
            (Some(WMS), true, None, Found::Blocked(Blocked::NotFound)),
            (Some(WMS), true, Some(CENTRA), compared),
        ];
        for (wms, known, centra, expected) in table {
            assert_eq!(
                found(wms, known, centra),
                expected,
                "{wms:?} {known} {centra:?}"
            );
        }
    }

    #[test]
    fn the_conclusion_table() {
        let settled = StockDecision {
            target: 5,
            write: true,
            settled: true,
            raises: true,
        };
        let in_flight = StockDecision {
            settled: false,
            ..settled
        };
        use WriteAnswer::*;
        let table = [
            (settled, Unsent, Conclusion::InSync),
            (settled, Written, Conclusion::InSync),
            (in_flight, Unsent, Conclusion::Settling),
            (in_flight, Written, Conclusion::Settling),
            (settled, Refused, Conclusion::Blocked(Blocked::Refused)),
            (in_flight, Refused, Conclusion::Blocked(Blocked::Refused)),
            (settled, NotFound, Conclusion::Blocked(Blocked::NotFound)),
            (in_flight, NotFound, Conclusion::Blocked(Blocked::NotFound)),
            (settled, Bundle, Conclusion::Blocked(Blocked::Bundle)),
            (in_flight, Bundle, Conclusion::Blocked(Blocked::Bundle)),
            (settled, HeldBack, Conclusion::Settling),
            (in_flight, HeldBack, Conclusion::Settling),
        ];
        for (decision, answer, expected) in table {
            assert_eq!(
                concluded(decision, answer),
                expected,
                "{decision:?} {answer:?}"
            );
        }
    }

    #[test]
    fn the_held_back_table() {
        let centra = |physical, allocated| CentraStock {
            physical,
            allocated,
        };
        let wms = |physical, sellable| WmsStock { physical, sellable };
        let (marked, completed) = (Some(Meanwhile::Marked), Some(Meanwhile::Completed));
        // (WMS read, Centra read, what came in while the check ran, held back)
        let table = [
            // A raise (Centra 3 -> 5) waits when news came in meanwhile, goes when none did.
            (wms(5, 5), centra(3, 0), marked, true),
            (wms(5, 5), centra(3, 0), completed, true),
            (wms(5, 5), centra(3, 0), None, false),
            // A lower write goes on a new WMS level: it sells less than before whatever the
            // WMS did. After a completion it waits too: Centra is no longer as read.
            (wms(2, 2), centra(5, 0), marked, false),
            (wms(2, 2), centra(5, 0), completed, true),
            (wms(2, 2), centra(5, 0), None, false),
            // Nothing to write: nothing to hold.
            (wms(5, 5), centra(5, 0), marked, false),
            (wms(5, 5), centra(5, 0), completed, false),
            // Below the allocation Centra stores the allocation: no raise either.
            (wms(1, 0), centra(4, 4), marked, false),
        ];
        for (w, c, meanwhile, expected) in table {
            assert_eq!(
                held_back(stock_decision(w, c), meanwhile),
                expected,
                "{w:?} {c:?} {meanwhile:?}"
            );
        }
    }

    #[test]
    fn the_recheck_table() {
        let s = Duration::from_secs;
        let table = [
            (s(10), s(900), -1, s(10)),
            (s(10), s(900), 0, s(10)),
            (s(10), s(900), 1, s(20)),
            (s(10), s(900), 3, s(80)),
            (s(10), s(900), 6, s(640)),
            (s(10), s(900), 7, s(900)),
            (s(10), s(900), 1_000, s(900)),
            (s(10), s(5), 4, s(10)),
        ];
        for (first, cap, rechecks, expected) in table {
            assert_eq!(
                recheck_after(first, cap, rechecks),
                expected,
                "{first:?} {cap:?} {rechecks}"
            );
        }
    }
}
