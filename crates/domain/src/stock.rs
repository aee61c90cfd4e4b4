//! The stock rule: what physical stock to write to Centra for one article so that Centra never
//! sells a unit the WMS does not have, and shows exactly the WMS's sellable stock once nothing
//! is in flight.
//!
//! # The two systems' numbers
//!
//! The WMS (Ongoing `inventoryInfo`, read fresh for every decision):
//! - `P` = `numberOfItems`: units physically in the warehouse. A pick takes units out of `P`.
//! - `S` = `sellableNumberOfItems` ≈ `P − booked − locked`: what a webshop may still sell;
//!   drops when an order is *created* in the WMS, can be negative (more booked than held).
//!
//! Centra (`GET /stock`, read fresh for every decision; `POST /stock` writes):
//! - `C` = `physicalStock`, the only number we can write (absolute).
//! - `A` = `allocatedStock`: units on Centra orders whose shipments are not completed yet.
//! - Centra sells `C − A` (`availableStock`). A write below `A` is silently raised to `A`.
//! - Completing a shipment takes its units out of both `C` and `A`.
//!
//! # Why neither `P` nor `S` can be copied
//!
//! Copying `S` subtracts every booked order twice (once by the WMS in `S`, once by Centra in
//! `A`). Copying `P` oversells in the window where Centra has allocated an order the WMS has not
//! imported yet, and whenever the WMS books or locks units Centra does not know about (another
//! sales channel, a damaged-goods lock). The target must make `C − A ≤ max(S, 0)` whatever is in
//! flight, and `C − A = S` at rest.
//!
//! # The rule
//!
//! ```text
//! target = min( max(P, 0), max(S, 0) + A )   written when Centra would store something new
//!                                             (max(target, A) != C)
//! ```
//!
//! - Never oversold: `target − A ≤ max(S, 0)` by the second term; when `target < A` Centra
//!   raises it to `A` and sells nothing. A Centra order placed after `A` was read only raises `A`
//!   and lowers what Centra sells.
//! - Never more than the warehouse holds: the first term.
//! - Equal at rest: when every Centra order is in the WMS and nothing is locked, `A` = booked,
//!   so `S + A = P`, the target is `P` and Centra sells `P − booked = S`.
//!
//! The price of safety is a short undersell while units are in flight: a shipment the WMS has
//! picked but Centra has not completed is in `A` but no longer in `P`, so Centra sells `S − k`
//! for those `k` units; completing it in Centra then takes `k` out of `C` once more. The flow
//! therefore re-checks an article whose Centra stock does not yet sell exactly `S` (see
//! [`StockDecision::settled`])
//! until both sides agree, and the daily reconcile catches anything else.
//!
//! # Read order: Centra first, the WMS last
//!
//! The two reads are two calls, and the world moves between them. The `P` term is what keeps a
//! Centra order the WMS has not booked yet (counted in `A`, not yet out of `S`) from being sold
//! twice, so `P` must never be older than `A`. Read the WMS first and a shipment the WMS ships
//! and Centra completes between the reads leaves an old `P` (units still on the shelf) next to
//! a new `A` (units gone from the allocation): the target is too high by the shipment. Read
//! Centra first and the same moves leave an old `A` (still allocating the shipment) next to a
//! new `P`: once Centra completes, `C − A` is `P − A` on numbers of the same moment. The WMS
//! read last is also the freshest of the two, which is the side that lowers stock.
//!
//! What no read order closes: a completion between the Centra read and the write, when the
//! WMS books units Centra does not allocate (so `S + A` is the binding term); Centra then sells
//! those units until the article's recheck, which is due because the article is unsettled.
//!
//! # Worked example
//!
//! ```text
//!                                      WMS P  S | Centra C  A  sells | target  Centra sells
//! at rest                                 10 10 |         10  0   10 |   10        10
//! Centra order for 2, not yet in WMS      10 10 |         10  2    8 |   10         8
//! order imported into the WMS             10  8 |         10  2    8 |   10         8
//! WMS picks and ships the 2               8   8 |         10  2    8 |    8 (P)     6  unsettled
//! Centra completes the shipment           8   8 |          6  0    6 |    8         8  settled
//! 3 units locked as damaged in the WMS    8   5 |          8  0    8 |    5         5
//! ```
//!
//! The reconcile uses the same rule on fresh numbers, so it cannot re-add units sold during the
//! run (the trap Centra's WMS guide warns about): a sale during the run is in `A` when read, or
//! raises `A` after the write and lowers what Centra sells.

use serde::{Deserialize, Serialize};

/// One article's stock as the WMS holds it now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WmsStock {
    /// `numberOfItems`: physically in the warehouse.
    pub physical: i64,
    /// `sellableNumberOfItems`: what may still be sold; can be negative.
    pub sellable: i64,
}

/// One article's stock as Centra holds it now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CentraStock {
    /// `physicalStock`.
    pub physical: i64,
    /// `allocatedStock`: units on shipments not completed yet.
    pub allocated: i64,
}

impl CentraStock {
    /// What Centra sells with this physical stock: it never goes below the allocated units.
    pub fn available(&self) -> i64 {
        self.physical.max(self.allocated) - self.allocated.max(0)
    }
}

/// What to do for one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockDecision {
    /// The physical stock Centra should have.
    pub target: i64,
    /// Centra would store something other than what it has: write `target`. (A target below the
    /// allocation is stored as the allocation, so writing it again would change nothing.)
    pub write: bool,
    /// Centra will sell exactly the WMS's sellable stock: nothing to look at again. False while
    /// units are in flight (Centra still allocates units the WMS has shipped, or has orders the
    /// WMS has not booked yet), so the flow checks the article again.
    pub settled: bool,
    /// The write lets Centra sell more than it did when read. Only
    /// such a write can oversell when the numbers it was decided on are no longer the world's:
    /// one that lowers Centra's stock sells less than before whatever moved meanwhile on the
    /// WMS's side.
    pub raises: bool,
}

/// The rule of the module docs.
pub fn stock_decision(wms: WmsStock, centra: CentraStock) -> StockDecision {
    let physical = wms.physical.max(0);
    let allocated = centra.allocated.max(0);
    let target = physical.min(wms.sellable.max(0).saturating_add(allocated));
    let after = CentraStock {
        physical: target,
        allocated,
    };
    StockDecision {
        target,
        write: target.max(allocated) != centra.physical,
        settled: after.available() == wms.sellable.max(0),
        raises: after.available() > centra.available(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn wms(physical: i64, sellable: i64) -> WmsStock {
        WmsStock { physical, sellable }
    }

    fn centra(physical: i64, allocated: i64) -> CentraStock {
        CentraStock {
            physical,
            allocated,
        }
    }

    #[test]
    fn the_worked_example_of_the_module_docs() {
        let rows = [
            (wms(10, 10), centra(10, 0), 10, 10),
            (wms(10, 10), centra(10, 2), 10, 8),
            (wms(10, 8), centra(10, 2), 10, 8),
            (wms(8, 8), centra(10, 2), 8, 6),
            (wms(8, 8), centra(6, 0), 8, 8),
            (wms(8, 5), centra(8, 0), 5, 5),
        ];
        for (w, c, target, sells) in rows {
            let decision = stock_decision(w, c);
            assert_eq!(decision.target, target, "{w:?} {c:?}");
            assert_eq!(
                centra(target, c.allocated).available(),
                sells,
                "{w:?} {c:?}"
            );
        }
        assert!(!stock_decision(wms(8, 8), centra(10, 2)).settled);
        assert!(stock_decision(wms(8, 8), centra(6, 0)).settled);
        assert!(stock_decision(wms(8, 5), centra(8, 0)).settled);
    }

    #[test]
    fn unchanged_values_are_not_written() {
        let decision = stock_decision(wms(10, 7), centra(10, 3));
        assert_eq!((decision.target, decision.write), (10, false));
        assert!(decision.settled);
    }

    #[test]
    fn negative_sellable_sells_nothing() {
        let decision = stock_decision(wms(4, -3), centra(9, 5));
        assert_eq!(decision.target, 4);
        assert_eq!(centra(decision.target, 5).available(), 0);
    }

    proptest! {
        #[test]
        fn centra_never_sells_more_than_the_wms_can(
            physical in -5i64..200, sellable in -50i64..200,
            c in 0i64..300, allocated in 0i64..300, later_orders in 0i64..20,
        ) {
            let decision = stock_decision(wms(physical, sellable), centra(c, allocated));
            // Written, then Centra clamps; orders placed after the read only add allocation.
            let after = centra(decision.target, allocated + later_orders);
            prop_assert!(after.available() <= sellable.max(0));
            prop_assert!(decision.target <= physical.max(0));
            prop_assert!(decision.target >= 0);
        }

        #[test]
        fn at_rest_centra_shows_the_wms_sellable_stock(
            physical in 0i64..200, booked in 0i64..200, c in 0i64..300,
        ) {
            // At rest Centra allocates exactly what the WMS has booked.
            let booked = booked.min(physical);
            let sellable = physical - booked;
            let decision = stock_decision(wms(physical, sellable), centra(c, booked));
            prop_assert_eq!(decision.target, physical);
            prop_assert_eq!(centra(decision.target, booked).available(), sellable);
            prop_assert!(decision.settled);
            prop_assert_eq!(decision.write, c != physical);
            prop_assert!(!stock_decision(wms(physical, sellable), centra(physical, booked)).write);
        }

        #[test]
        fn only_a_raise_lets_centra_sell_more_than_before(
            physical in -5i64..200, sellable in -50i64..200, c in 0i64..300, allocated in 0i64..300,
        ) {
            let before = centra(c, allocated);
            let decision = stock_decision(wms(physical, sellable), before);
            let after = centra(decision.target.max(allocated), allocated);
            prop_assert_eq!(decision.raises, after.available() > before.available());
            prop_assert!(!decision.raises || decision.write, "a raise is a write");
        }

        #[test]
        fn a_second_run_on_the_same_numbers_writes_nothing(
            physical in 0i64..200, sellable in -50i64..200, c in 0i64..300, allocated in 0i64..300,
        ) {
            let first = stock_decision(wms(physical, sellable), centra(c, allocated));
            // Centra stores the write (raised to the allocation when below it).
            let stored = first.target.max(allocated);
            let second = stock_decision(wms(physical, sellable), centra(stored, allocated));
            prop_assert_eq!(second.target, first.target);
            prop_assert!(!second.write);
        }
    }
}
