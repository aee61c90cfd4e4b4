//! The invariants, read from the simulators' `/_sim/state` (the effects that really
//! happened; the product's own tables never count), compared with what the workload did.
//!
//! A violation is either open (a record not there yet: waiting may close it) or final
//! (something done twice, done against the policy, or done wrong: no wait undoes it). The
//! product settles when nothing is open; anything still open after the limit is stuck.
//!
//! Layout: [`settle`] the wait and the quiet re-check; [`check`] every invariant; one function
//! per invariant below it.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::Sims;
use crate::workload::{CANCELLED, Workload, articles, ean, int, text};

/// One record that breaks one invariant, and what the simulators showed.
#[derive(Debug, Clone)]
pub struct Violation {
    pub check: &'static str,
    pub record: String,
    /// The record's id as the product's logs and CLI name it.
    pub id: String,
    pub seen: String,
    /// No wait can undo it.
    pub last: bool,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.last {
            ""
        } else {
            " (still open: stuck)"
        };
        write!(f, "{}: {}{kind}: {}", self.check, self.record, self.seen)
    }
}

/// The invariant names, in the table's order.
pub const CHECKS: [&str; 7] = [
    "eligible shipment imported exactly once (a declined one cancelled)",
    "shipped shipment completed exactly once",
    "captured per policy, never twice",
    "supplier delivery accepted once, right quantities",
    "return created once, right units",
    "stock equal",
    "nothing unknown in the wms",
];

/// What the settling found.
pub struct Outcome {
    pub violations: Vec<Violation>,
    pub took: Duration,
}

/// Waits until no violation is open (or one is final, or `limit` passed), then waits a few
/// poll rounds more and checks again: a late second effect shows there.
pub async fn settle(sims: &Sims, workload: &Workload<'_>, limit: Duration) -> Outcome {
    let started = Instant::now();
    loop {
        let violations = check(sims, workload).await;
        let settled = violations.is_empty();
        if settled || violations.iter().any(|v| v.last) || started.elapsed() > limit {
            let took = started.elapsed();
            if !settled {
                return Outcome { violations, took };
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
            return Outcome {
                violations: check(sims, workload).await,
                took,
            };
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Every invariant, once.
pub async fn check(sims: &Sims, workload: &Workload<'_>) -> Vec<Violation> {
    let centra = sims.centra_state().await;
    let wms = sims.ongoing_state().await;
    let mut found = Vec::new();
    imported(workload, &wms, &mut found);
    completed_and_captured(workload, &centra, &mut found);
    deliveries(workload, &centra, &wms, &mut found);
    returns(workload, &centra, &mut found);
    stock(&centra, &wms, &mut found);
    found
}

fn rows<'a>(state: &'a Value, key: &str) -> &'a [Value] {
    state[key].as_array().map_or(&[], Vec::as_slice)
}

fn violation(found: &mut Vec<Violation>, check: usize, record: &str, seen: String, last: bool) {
    let id = record
        .split_whitespace()
        .find(|word| {
            word.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
                && word.chars().any(|c| c.is_ascii_digit())
        })
        .unwrap_or(record)
        .to_owned();
    found.push(Violation {
        check: CHECKS[check],
        record: record.to_owned(),
        id,
        seen,
        last,
    });
}

/// Every eligible shipment is one WMS order, created once and never cancelled; one the policy
/// keeps from shipping (a declined capture on import) is at most one, cancelled; no other
/// order is in the WMS.
fn imported(workload: &Workload<'_>, wms: &Value, found: &mut Vec<Violation>) {
    let mut by_number: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for order in rows(wms, "orders") {
        by_number
            .entry(text(&order["orderNumber"]))
            .or_default()
            .push(order);
    }
    for order in &workload.orders {
        let record = format!("shipment {} ({:?})", order.shipment, order.payment);
        let held = by_number.remove(&order.shipment).unwrap_or_default();
        let created: i64 = held.iter().map(|o| int(&o["createdCount"])).sum();
        let cancelled = held.iter().all(|o| int(&o["status"]) == CANCELLED);
        let seen = format!(
            "{} wms orders, created {created} times, statuses {:?}",
            held.len(),
            held.iter().map(|o| int(&o["status"])).collect::<Vec<_>>()
        );
        match (order.eligible(workload.capture), held.len()) {
            (true, 0) => violation(found, 0, &record, seen, false),
            (true, 1) if created == 1 && !cancelled => {}
            (true, _) => violation(found, 0, &record, seen, true),
            (false, 0) => {}
            (false, 1) if created == 1 && cancelled => {}
            (false, 1) if created == 1 => violation(
                found,
                0,
                &record,
                format!("{seen}: declined, not cancelled in the wms"),
                false,
            ),
            (false, _) => violation(found, 0, &record, seen, true),
        }
    }
    for (number, held) in by_number {
        violation(
            found,
            6,
            &format!("wms order {number}"),
            format!("{held:?}"),
            true,
        );
    }
}

/// Every shipped shipment is completed once with the picked quantities, no other is; each is
/// captured as often as the policy says (never twice).
fn completed_and_captured(workload: &Workload<'_>, centra: &Value, found: &mut Vec<Violation>) {
    let shipments: BTreeMap<String, &Value> = rows(centra, "shipments")
        .iter()
        .map(|s| (text(&s["shipmentId"]), s))
        .collect();
    for order in &workload.orders {
        let record = format!("shipment {} ({:?})", order.shipment, order.payment);
        let Some(shipment) = shipments.get(&order.shipment) else {
            violation(found, 1, &record, "not in centra".to_owned(), true);
            continue;
        };
        let completes = int(&shipment["completeCount"]);
        match (&order.picked, completes) {
            (None, 0) => {}
            (None, n) => violation(
                found,
                1,
                &record,
                format!("completed {n} times, never shipped"),
                true,
            ),
            (Some(_), 0) => violation(
                found,
                1,
                &record,
                "shipped, not completed".to_owned(),
                false,
            ),
            (Some(picked), 1) => {
                let mut lines: BTreeMap<String, i64> = BTreeMap::new();
                for line in rows(shipment, "lines") {
                    *lines.entry(text(&line["sku"])).or_default() += int(&line["qty"]);
                }
                let want: BTreeMap<String, i64> = picked
                    .iter()
                    .filter(|(_, u)| **u > 0)
                    .map(|(n, u)| (n.clone(), *u))
                    .collect();
                if lines != want {
                    violation(
                        found,
                        1,
                        &record,
                        format!("completed with {lines:?}, picked {want:?}"),
                        true,
                    );
                }
            }
            (Some(_), n) => violation(found, 1, &record, format!("completed {n} times"), true),
        }
        let captures = u64::try_from(int(&shipment["captureCount"])).unwrap_or(0);
        let want = order.captures(workload.capture);
        if captures != want {
            let seen = format!(
                "captured {captures} times, the policy ({:?}) says {want}{}",
                workload.capture,
                if order.picked.is_some() {
                    " (shipped)"
                } else {
                    " (not shipped)"
                }
            );
            violation(found, 2, &record, seen, captures > want);
        }
    }
}

/// Every supplier delivery is one WMS purchase order; every received one is accepted once in
/// Centra with the units the warehouse received, no other is.
fn deliveries(workload: &Workload<'_>, centra: &Value, wms: &Value, found: &mut Vec<Violation>) {
    let purchase_orders: BTreeMap<String, i64> = rows(wms, "purchaseOrders")
        .iter()
        .map(|p| (text(&p["purchaseOrderNumber"]), int(&p["createdCount"])))
        .collect();
    let in_centra: BTreeMap<String, &Value> = rows(centra, "supplierDeliveries")
        .iter()
        .map(|d| (text(&d["deliveryId"]), d))
        .collect();
    let by_ean: BTreeMap<String, String> = articles()
        .into_iter()
        .map(|(p, s, number)| (ean(p, s), number))
        .collect();
    for delivery in &workload.deliveries {
        let record = format!("supplier delivery {}", delivery.number);
        match purchase_orders.get(&delivery.number) {
            None => violation(
                found,
                3,
                &record,
                "no purchase order in the wms".to_owned(),
                false,
            ),
            Some(1) => {}
            Some(n) => violation(
                found,
                3,
                &record,
                format!("purchase order created {n} times"),
                true,
            ),
        }
        let Some(row) = in_centra.get(&delivery.number) else {
            violation(found, 3, &record, "not in centra".to_owned(), true);
            continue;
        };
        let accepts = int(&row["acceptCount"]);
        match (delivery.received, accepts) {
            (false, 0) => {}
            (false, n) => violation(
                found,
                3,
                &record,
                format!("accepted {n} times, never received"),
                true,
            ),
            (true, 0) => violation(
                found,
                3,
                &record,
                "received, not accepted".to_owned(),
                false,
            ),
            (true, 1) => {
                let received: BTreeMap<String, i64> = row["received"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(key, units)| {
                        (
                            by_ean.get(key).cloned().unwrap_or_else(|| key.clone()),
                            int(units),
                        )
                    })
                    .filter(|(_, units)| *units != 0)
                    .collect();
                if received != delivery.lines {
                    violation(
                        found,
                        3,
                        &record,
                        format!("accepted {received:?}, received {:?}", delivery.lines),
                        true,
                    );
                }
            }
            (true, n) => violation(found, 3, &record, format!("accepted {n} times"), true),
        }
    }
}

/// Every WMS return is in Centra once: the returned units exactly, in no more Centra returns
/// than registrations (registrations between two polls may come as one).
fn returns(workload: &Workload<'_>, centra: &Value, found: &mut Vec<Violation>) {
    let mut by_shipment: BTreeMap<String, (i64, usize)> = BTreeMap::new();
    for row in rows(centra, "returns") {
        let units: i64 = rows(row, "lines").iter().map(|l| int(&l["qty"])).sum();
        let entry = by_shipment.entry(text(&row["shipmentId"])).or_default();
        entry.0 += units;
        entry.1 += 1;
    }
    for order in &workload.orders {
        let record = format!("returns of shipment {}", order.shipment);
        let want: i64 = order.returned.values().sum();
        let (units, count) = by_shipment
            .get(&order.shipment)
            .copied()
            .unwrap_or_default();
        let seen = format!(
            "{count} centra returns of {units} units; {} registrations of {want} units",
            order.returns
        );
        if units > want || count > order.returns {
            violation(found, 4, &record, seen, true);
        } else if units < want {
            violation(found, 4, &record, seen, false);
        }
    }
}

/// Centra's physical stock of every article is what the rule makes of both sides at rest:
/// `min(WMS physical, max(WMS sellable, 0) + Centra allocated)`, as Centra stores it: never below
/// the units it allocates (a write below is raised to them). Allocations the WMS will never
/// ship (a shipment parked after a declined capture, its WMS order cancelled) keep Centra's
/// physical stock up while they last, but Centra sells none of it: nothing is oversold.
fn stock(centra: &Value, wms: &Value, found: &mut Vec<Violation>) {
    let inventory: BTreeMap<String, &Value> = rows(wms, "inventory")
        .iter()
        .map(|row| (text(&row["articleNumber"]), row))
        .collect();
    let in_centra: BTreeMap<String, &Value> = rows(centra, "stock")
        .iter()
        .map(|row| (text(&row["key"]), row))
        .collect();
    for (_, _, number) in articles() {
        let (Some(wms_row), Some(centra_row)) = (inventory.get(&number), in_centra.get(&number))
        else {
            violation(found, 5, &number, "missing on a side".to_owned(), false);
            continue;
        };
        let physical = int(&wms_row["numberOfItems"]);
        let sellable = int(&wms_row["sellableNumberOfItems"]);
        let allocated = int(&centra_row["allocated"]);
        let want = physical.min(sellable.max(0) + allocated).max(allocated);
        let got = int(&centra_row["physical"]);
        if got != want {
            let seen = format!(
                "centra physical {got} (allocated {allocated}), wms physical {physical} sellable \
                 {sellable} booked {}: want {want}",
                int(&wms_row["numberOfBookedItems"])
            );
            violation(found, 5, &number, seen, false);
        }
    }
}
