//! The pure rules of the returns flow: which units of a WMS return are new, whether Centra's
//! shipment can take them, what the Centra comment says, and the state machine.
//!
//! ```text
//! received --create in Centra--> created --acknowledge in the WMS--> reported
//!     \                              \
//!      +--> parked (reason) <---------+   a person retries; a parked return that Centra has
//!                                         (centra_return_id set) resumes at the acknowledgement
//! ```
//!
//! Why [`plan`] subtracts what earlier returns covered: the WMS counts returns per order line
//! (`returnedNumberOfItems`, `reportedReturnedNumberOfItems`). Until returns-sync acknowledges a
//! return, a second return on the same line shows up as a new event that also holds the units
//! of the first. Each return record remembers the line's returned total it accounts for, so a
//! later event only takes the units beyond that: every unit reaches Centra once.
//!
//! The state machine ([`ReturnState::can_become`]) is in `state.rs`; its error is
//! [`IllegalTransition`], the one error of every sync service's state machines (`domain`).

mod park;
mod state;

use std::collections::BTreeMap;

use domain::{LineId, ReturnCause, ReturnedItem, combine_causes};
use serde::{Deserialize, Serialize};

pub use domain::IllegalTransition;
pub use park::ParkReason;
pub use state::ReturnState;

/// Returned units with the cause the warehouse gave them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CauseItem {
    pub quantity: i64,
    /// Empty when the warehouse gave none.
    pub cause_code: String,
    pub cause_name: String,
}

/// One WMS order line as the return event shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingLine {
    pub wms_line_id: i64,
    /// The Centra shipment line id the line was sent with (may be empty: then it is parked).
    pub external_id: String,
    pub article_number: String,
    /// `returnedNumberOfItems` when the event was built.
    pub returned: i64,
    /// `reportedReturnedNumberOfItems` when the event was built.
    pub reported: i64,
    /// The unreported items, oldest first.
    pub items: Vec<CauseItem>,
}

/// One line of a return: units of one WMS line going back to one Centra shipment line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLine {
    pub wms_line_id: i64,
    pub external_id: String,
    pub article_number: String,
    /// Units this return takes.
    pub quantity: i64,
    /// The line's returned total this return accounts for: what the WMS acknowledgement sets
    /// `reportedReturnedNumberOfItems` to, and where a later return of the line starts.
    pub returned_through: i64,
    pub items: Vec<CauseItem>,
}

/// `quantity` units of `items` after skipping the first `skip` (oldest first); units the
/// items do not explain are "no cause given".
fn cut_items(items: &[CauseItem], mut skip: i64, quantity: i64) -> Vec<CauseItem> {
    let mut left = quantity;
    let mut out = Vec::new();
    for item in items {
        if left == 0 {
            break;
        }
        let mut units = item.quantity.max(0);
        let skipped = skip.min(units);
        skip -= skipped;
        units -= skipped;
        let take = units.min(left);
        if take > 0 {
            left -= take;
            out.push(CauseItem {
                quantity: take,
                ..item.clone()
            });
        }
    }
    if left > 0 {
        out.push(CauseItem {
            quantity: left,
            cause_code: String::new(),
            cause_name: String::new(),
        });
    }
    out
}

/// The lines of a new return: per WMS line, the units beyond both what the WMS had reported
/// and what earlier returns of the line (`covered`: WMS line id -> returned total) account for.
/// Empty when every unit is covered already (a stale event).
pub fn plan(incoming: &[IncomingLine], covered: &BTreeMap<i64, i64>) -> Vec<ReturnLine> {
    let mut lines = Vec::new();
    for line in incoming {
        let start = line
            .reported
            .max(covered.get(&line.wms_line_id).copied().unwrap_or(0))
            .max(0);
        let quantity = line.returned - start;
        if quantity <= 0 {
            continue;
        }
        lines.push(ReturnLine {
            wms_line_id: line.wms_line_id,
            external_id: line.external_id.trim().to_owned(),
            article_number: line.article_number.clone(),
            quantity,
            returned_through: line.returned,
            items: cut_items(&line.items, start - line.reported.max(0), quantity),
        });
    }
    lines
}

/// Checks that Centra's shipment can take `lines`: every line names a shipment line that is on
/// the shipment (`shipped`: line id -> quantity) with enough units left after what earlier
/// returns of the shipment took (`earlier`: line id -> units).
///
/// # Errors
/// The first line that does not fit, as the reason to park the return.
pub fn check_against_shipment(
    shipment_id: &str,
    lines: &[ReturnLine],
    shipped: &BTreeMap<String, i64>,
    earlier: &BTreeMap<String, i64>,
) -> Result<(), ParkReason> {
    let mut wanted: BTreeMap<&str, (i64, &str)> = BTreeMap::new();
    for line in lines {
        if line.external_id.is_empty() {
            return Err(ParkReason::NoShipmentLine {
                wms_line_id: line.wms_line_id,
                article_number: line.article_number.clone(),
            });
        }
        let entry = wanted
            .entry(line.external_id.as_str())
            .or_insert((0, line.article_number.as_str()));
        entry.0 += line.quantity;
    }
    for (line_id, (returning, article)) in wanted {
        let Some(&on_shipment) = shipped.get(line_id) else {
            return Err(ParkReason::LineNotOnShipment {
                shipment_id: shipment_id.to_owned(),
                shipment_line_id: line_id.to_owned(),
                article_number: article.to_owned(),
            });
        };
        let before = earlier.get(line_id).copied().unwrap_or(0);
        if before + returning > on_shipment {
            return Err(ParkReason::TooMany {
                shipment_id: shipment_id.to_owned(),
                shipment_line_id: line_id.to_owned(),
                article_number: article.to_owned(),
                returning,
                shipped: on_shipment,
                returned_before: before,
            });
        }
    }
    Ok(())
}

/// The Centra shipment lines and units of `lines` (`POST /return` `products{lineId: qty}`).
pub fn centra_quantities(lines: &[ReturnLine]) -> BTreeMap<String, i64> {
    let mut out: BTreeMap<String, i64> = BTreeMap::new();
    for line in lines {
        *out.entry(line.external_id.clone()).or_default() += line.quantity;
    }
    out
}

/// The Centra comment of a return: the causes combined (`2 x Wrong size (WS); 1 x Damaged
/// (DMG)`, see [`domain::combine_causes`]) and where it comes from, so a person in Centra can
/// find the WMS record. The format keeps the WMS cause code next to its name: Centra has no
/// cause field, and the code is what the warehouse and its reports use.
pub fn comment(lines: &[ReturnLine], order_number: &str, return_order_id: i64) -> String {
    let items: Vec<ReturnedItem> = lines
        .iter()
        .flat_map(|line| {
            line.items.iter().map(|item| ReturnedItem {
                line_id: LineId::new(line.external_id.clone()),
                quantity: u32::try_from(item.quantity.max(0)).unwrap_or(u32::MAX),
                cause: (!item.cause_code.trim().is_empty() || !item.cause_name.trim().is_empty())
                    .then(|| ReturnCause {
                        code: item.cause_code.clone(),
                        name: item.cause_name.clone(),
                    }),
            })
        })
        .collect();
    let causes = combine_causes(&items).map_or_else(String::new, |c| c.to_string());
    let origin = if return_order_id > 0 {
        format!("WMS return of order {order_number}, return order {return_order_id}")
    } else {
        format!("WMS return of order {order_number}")
    };
    if causes.is_empty() {
        origin
    } else {
        format!("{causes} ({origin})")
    }
}

#[cfg(test)]
mod tests;
