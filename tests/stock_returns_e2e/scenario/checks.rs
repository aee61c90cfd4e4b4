//! The rest checkpoints, the table, and the polling they share with the steps.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use proto::admin::v1 as admin;
use proto::admin::v1::dead_letters_client::DeadLettersClient;
use proto::admin::v1::order_admin_client::OrderAdminClient;
use proto::admin::v1::returns_admin_client::ReturnsAdminClient;
use proto::admin::v1::stock_admin_client::StockAdminClient;
use serde_json::Value;

use super::{Run, SETTLE, stock_sync_view};
use crate::world::{articles, stock};

impl Run<'_> {
    /// Nothing in flight: every order imported, every shipped one completed, every return in
    /// Centra, every receipt accepted, both sides equal; nothing done twice, nothing parked.
    pub(super) async fn at_rest(&mut self, when: &str) {
        let started = Instant::now();
        let (sims, app) = (self.sims, self.app);
        let placed: Vec<String> = self.orders.iter().map(|o| o.shipment_id.clone()).collect();
        let announced: Vec<String> = self.deliveries.iter().map(|d| d.number.clone()).collect();
        self.settle_within(
            &format!("{when}: every order and supplier delivery in the wms"),
            SETTLE,
            || async {
                let (wms, http) = (&sims.wms, &sims.http);
                let orders: BTreeSet<String> = wms
                    .orders(http)
                    .await
                    .into_iter()
                    .map(|o| o.number)
                    .collect();
                let purchase_orders: BTreeSet<String> = wms
                    .purchase_orders(http)
                    .await
                    .into_iter()
                    .map(|p| p.number)
                    .collect();
                let missing: Vec<&String> = placed
                    .iter()
                    .filter(|id| !orders.contains(*id))
                    .chain(announced.iter().filter(|n| !purchase_orders.contains(*n)))
                    .collect();
                if missing.is_empty() {
                    Ok(())
                } else {
                    Err(format!("missing {missing:?}"))
                }
            },
        )
        .await;
        let shipped: Vec<String> = self
            .orders
            .iter()
            .filter(|o| o.shipped)
            .map(|o| o.shipment_id.clone())
            .collect();
        let returned: BTreeMap<String, (i64, usize)> = self
            .orders
            .iter()
            .filter(|o| o.returns > 0)
            .map(|o| {
                (
                    o.shipment_id.clone(),
                    (o.returned.values().sum::<i64>(), o.returns),
                )
            })
            .collect();
        let received: BTreeSet<String> = self
            .deliveries
            .iter()
            .filter(|d| d.received)
            .map(|d| d.number.clone())
            .collect();
        self.settle_within(
            &format!("{when}: shipped completed, returns in centra, receipts accepted"),
            SETTLE,
            || async {
                let centra = sims.get(format!("{}/_sim/state", sims.centra.url())).await;
                let completed: BTreeSet<&str> = centra["shipments"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|s| s["completeCount"] == 1)
                    .filter_map(|s| s["shipmentId"].as_str())
                    .collect();
                let accepted: BTreeSet<&str> = centra["supplierDeliveries"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|d| d["accepted"] == true)
                    .filter_map(|d| d["deliveryId"].as_str())
                    .collect();
                let in_centra = returns_per_shipment(&centra);
                let open: Vec<&String> = shipped
                    .iter()
                    .filter(|id| !completed.contains(id.as_str()))
                    .collect();
                let unaccepted: Vec<&String> = received
                    .iter()
                    .filter(|n| !accepted.contains(n.as_str()))
                    .collect();
                let mut missing: Vec<String> = Vec::new();
                // Registrations between two WMS polls reach Centra as one return: the units
                // must match exactly, the returns may be fewer than registrations.
                for (id, want @ (units, count)) in &returned {
                    let got = in_centra.get(id);
                    if got.is_some_and(|(u, c, _)| u == units && *c >= 1 && c <= count) {
                        continue;
                    }
                    let held = ReturnsAdminClient::new(app.channel("returns-sync"))
                        .list_returns(admin::ListReturnsRequest {
                            order_number: id.clone(),
                            ..Default::default()
                        })
                        .await
                        .map(|r| format!("{:?}", r.into_inner().returns))
                        .unwrap_or_else(|e| e.to_string());
                    missing.push(format!(
                        "{id}: want {want:?}, centra {got:?}, returns-sync {held}"
                    ));
                }
                if open.is_empty() && unaccepted.is_empty() && missing.is_empty() {
                    Ok(())
                } else {
                    let mut admin = OrderAdminClient::new(app.channel("order-sync"));
                    let held: Vec<String> = admin
                        .list_by_state(admin::ListOrdersByStateRequest::default())
                        .await
                        .map(|r| r.into_inner().orders)
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|o| open.iter().any(|id| **id == o.shipment_id))
                        .map(|o| format!("{} {:?} {}", o.shipment_id, o.state(), o.last_error))
                        .collect();
                    Err(format!(
                        "not completed {open:?} (order-sync: {held:?}); not accepted \
                         {unaccepted:?}; returns {missing:?}"
                    ))
                }
            },
        )
        .await;
        self.settle_within(
            &format!("{when}: centra sells what the wms has"),
            SETTLE,
            || async {
                let now = stock(sims).await;
                let unequal: Vec<_> = now.iter().filter(|(_, b)| !b.equal()).collect();
                if now.len() == articles().len() && unequal.is_empty() {
                    return Ok(());
                }
                let mut seen = Vec::new();
                for (number, _) in unequal.iter().take(4) {
                    seen.push(stock_sync_view(app, number).await);
                }
                Err(format!(
                    "{} of {} articles in the wms; unequal {unequal:?}; stock-sync: {seen:?}",
                    now.len(),
                    articles().len()
                ))
            },
        )
        .await;
        self.check_nothing_twice_or_parked(when).await;
        self.tally.checkpoints += 1;
        self.tally.longest_checkpoint = self.tally.longest_checkpoint.max(started.elapsed());
    }

    async fn check_nothing_twice_or_parked(&self, when: &str) {
        let centra = self.centra_state().await;
        for shipment in centra["shipments"].as_array().into_iter().flatten() {
            assert!(
                shipment["completeCount"].as_u64().unwrap_or(0) <= 1,
                "{when}: completed twice: {shipment}"
            );
        }
        for delivery in centra["supplierDeliveries"]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert!(
                delivery["acceptCount"].as_u64().unwrap_or(0) <= 1,
                "{when}: accepted twice: {delivery}"
            );
            if delivery["accepted"] == true {
                assert_eq!(
                    delivery["insertStock"], false,
                    "{when}: with stock-sync Centra must not add received units itself"
                );
            }
        }
        let (wms, http) = (&self.sims.wms, &self.sims.http);
        for order in wms.orders(http).await {
            assert_eq!(order.created_count, 1, "{when}: created twice: {order}");
        }
        for purchase_order in wms.purchase_orders(http).await {
            assert_eq!(
                purchase_order.created_count, 1,
                "{when}: purchase order created twice: {purchase_order}"
            );
        }
        // Every cause with its units: registrations between two WMS polls reach Centra as one
        // return, so the units of a cause are summed over the shipment's Centra returns.
        let in_centra = returns_per_shipment(&centra);
        for order in self.orders.iter().filter(|o| o.returns > 0) {
            let (_, _, comments) = &in_centra[&order.shipment_id];
            for (cause, units) in &order.causes {
                let label = cause.label();
                let shown: i64 = comments.iter().map(|c| units_of(c, &label)).sum();
                assert_eq!(
                    shown, *units,
                    "{when}: centra's returns of {} name {label:?} for {shown} units, the wms \
                     had {units}: {comments:?}",
                    order.shipment_id
                );
            }
        }
        for entry in centra["returns"].as_array().into_iter().flatten() {
            assert_eq!(
                entry["returnToStock"], false,
                "{when}: the WMS owns stock; Centra must not restock returns: {entry}"
            );
        }
        let parked_orders = OrderAdminClient::new(self.app.channel("order-sync"))
            .list_by_state(admin::ListOrdersByStateRequest {
                state: admin::OrderState::Parked as i32,
                ..Default::default()
            })
            .await
            .expect("orders listed")
            .into_inner()
            .orders;
        assert!(
            parked_orders.is_empty(),
            "{when}: parked orders: {parked_orders:#?}"
        );
        let parked = ReturnsAdminClient::new(self.app.channel("returns-sync"))
            .list_returns(admin::ListReturnsRequest {
                state: admin::ReturnState::Parked as i32,
                ..Default::default()
            })
            .await
            .expect("returns listed")
            .into_inner()
            .returns;
        assert!(parked.is_empty(), "{when}: parked returns: {parked:#?}");
        // Dead letters are bad input kept for a person; faults are never bad input.
        for service in [
            "centra-gateway",
            self.sims.kind().gateway(),
            "catalog-sync",
            "order-sync",
            "stock-sync",
            "returns-sync",
        ] {
            let dead = DeadLettersClient::new(self.app.channel(service))
                .list(admin::ListDeadLettersRequest::default())
                .await
                .expect("dead letters listed")
                .into_inner()
                .dead_letters;
            assert!(dead.is_empty(), "{when}: {service} dead letters: {dead:#?}");
        }
        let mut stock_admin = StockAdminClient::new(self.app.channel("stock-sync"));
        for state in ["not_found", "bundle", "refused", "not_in_wms", "unmapped"] {
            let left = stock_admin
                .list_articles(admin::ListStockArticlesRequest {
                    state: state.to_owned(),
                    ..Default::default()
                })
                .await
                .expect("articles listed")
                .into_inner()
                .articles;
            assert!(left.is_empty(), "{when}: articles {state}: {left:#?}");
        }
    }

    pub(super) fn print_table(&self, test: &str, steps: u64, took: Duration) {
        println!();
        println!("| {test}, {steps} steps | {:.1} s |", took.as_secs_f64());
        println!("|---|---|");
        println!(
            "| start: catalogue in the wms, then Centra sells what the WMS has | {:.1} s, \
             {:.1} s |",
            self.tally.catalogue.as_secs_f64(),
            (self.tally.start - self.tally.catalogue).as_secs_f64()
        );
        for (kind, count) in &self.tally.steps {
            println!("| {kind:?} | {count} |");
        }
        println!(
            "| invariant checks (after every step) | {} |",
            self.tally.invariant_checks
        );
        println!("| returned units | {} |", self.tally.returned_units);
        println!("| WMS API calls | {} |", self.tally.wms_calls);
        println!(
            "| catch-ups after a WMS decrease | {} (longest {:.2} s) |",
            self.tally.catch_ups,
            self.tally.longest_catch_up.as_secs_f64()
        );
        println!(
            "| oversold articles with WMS bookings Centra does not allocate, waited for | {} |",
            self.tally.foreign_booking_catch_ups
        );
        println!(
            "| rest checkpoints | {} (longest {:.2} s) |",
            self.tally.checkpoints,
            self.tally.longest_checkpoint.as_secs_f64()
        );
    }
}

/// Per Centra shipment: units returned, number of returns, their comments.
fn returns_per_shipment(centra: &Value) -> BTreeMap<String, (i64, usize, Vec<String>)> {
    let mut out: BTreeMap<String, (i64, usize, Vec<String>)> = BTreeMap::new();
    for entry in centra["returns"].as_array().into_iter().flatten() {
        let Some(shipment) = entry["shipmentId"].as_str() else {
            continue;
        };
        let units: i64 = entry["lines"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l["qty"].as_i64())
            .sum();
        let slot = out.entry(shipment.to_owned()).or_default();
        slot.0 += units;
        slot.1 += 1;
        slot.2
            .push(entry["comment"].as_str().unwrap_or_default().to_owned());
    }
    out
}

/// The units a Centra return comment gives for the cause shown as `label`: the comment is
/// `N x label; M x other (WMS return of order ...)` (returns-sync `rules::comment`).
fn units_of(comment: &str, label: &str) -> i64 {
    comment
        .split("; ")
        .filter_map(|part| part.split_once(" x "))
        .filter(|(_, rest)| rest.starts_with(label))
        .filter_map(|(count, _)| count.trim().parse::<i64>().ok())
        .sum()
}
