//! The steps: what a shop, a supplier, the warehouse and customers do, each drawn by weight,
//! told to the simulators through their control APIs in WMS-neutral terms.

use std::collections::{BTreeMap, BTreeSet};

use centra_wms_tests::e2e::{article_number, ean};
use centra_wms_tests::wms::{Shipping, WmsReturnLine};
use serde_json::{Value, json};

use super::{Kind, Run, cause};
use crate::world::{Delivery, PlacedOrder, articles, stock};

impl Run<'_> {
    /// One step of a kind drawn by weight; a kind with nothing to act on falls back to an order
    /// or a stock move.
    pub(super) async fn step(&mut self) -> Kind {
        let roll = self.rng.below(100);
        let wanted = match roll {
            0..=27 => Kind::Order,
            28..=42 => Kind::FullPick,
            43..=52 => Kind::PartialPick,
            53..=56 => Kind::Delivery,
            57..=63 => Kind::Receipt,
            64..=75 => Kind::Move,
            76..=81 => Kind::StockTake,
            _ => Kind::Return,
        };
        // OGOship API v1 reports no picked quantity per line (a shipped order counts as picked
        // in full), so there the warehouse ships what it picks in full: a partial pick would
        // leave the WMS and Centra disagreeing for good, which no product could fix.
        let wanted = if wanted == Kind::PartialPick && !self.sims.wms.reports_picks_per_line() {
            Kind::FullPick
        } else {
            wanted
        };
        let done = match wanted {
            Kind::Order => self.order().await,
            Kind::FullPick => self.pick(false).await,
            Kind::PartialPick => self.pick(true).await,
            Kind::Delivery => self.delivery().await,
            Kind::Receipt => self.receipt().await,
            Kind::Move => self.stock_move().await,
            Kind::StockTake => self.stock_take().await,
            Kind::Return => self.customer_return().await,
        };
        if done {
            return wanted;
        }
        if self.order().await {
            Kind::Order
        } else {
            assert!(self.stock_move().await, "a stock move is always possible");
            Kind::Move
        }
    }

    /// A Centra order of what Centra sells now (a shop never sells beyond its available stock),
    /// authorised and captured on completion (so a partial pick can change its quantities).
    async fn order(&mut self) -> bool {
        let now = stock(self.sims).await;
        let all = articles();
        let mut lines: Vec<(usize, usize, u32)> = Vec::new();
        for _ in 0..=self.rng.below(2) {
            let (p, s, number) = &all[self.rng.below(all.len())];
            let available = now.get(number).map_or(0, |b| b.centra_available);
            if available <= 0 || lines.iter().any(|l| (l.0, l.1) == (*p, *s)) {
                continue;
            }
            let units = self.rng.range(1, available.min(3));
            lines.push((*p, *s, u32::try_from(units).unwrap_or(1)));
        }
        if lines.is_empty() {
            return false;
        }
        let body: Vec<Value> = lines
            .iter()
            .map(|&(p, s, qty)| {
                json!({"sku": format!("P{p}"), "variantSku": "-BL", "sizeSku": format!("-{s}"),
                       "ean": ean(p * 10 + s), "qty": qty, "price": "45.00"})
            })
            .collect();
        let created = self
            .sims
            .post(
                format!("{}/_sim/orders", self.sims.centra.url()),
                &json!({
                    "order": {
                        "paid": false, "shouldCapture": true,
                        "delivery": {"name": "Ada Lovelace", "address": "Storgatan 1",
                                     "zipcode": "11122", "city": "Stockholm", "country": "SE",
                                     "email": "ada@example.com", "cell": "+46700000000"},
                        "carrier": "DHL", "service": "Express",
                        "lines": body
                    },
                    "goodToGo": true
                }),
            )
            .await;
        let shipment_id = created["shipmentId"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| created["shipmentId"].as_u64().map(|n| n.to_string()))
            .expect("shipment id");
        self.note(format!("order {shipment_id} {lines:?}"));
        self.orders.push(PlacedOrder {
            shipment_id,
            lines,
            shipped: false,
            picked: BTreeMap::new(),
            returned: BTreeMap::new(),
            returns: 0,
            causes: BTreeMap::new(),
        });
        true
    }

    /// The warehouse picks and ships an order it has started on, all of it or part. A WMS that
    /// reports no picks per line ships only an order whose every line is on the shelf in full.
    async fn pick(&mut self, partial: bool) -> bool {
        let wms = &self.sims.wms;
        let http = &self.sims.http;
        let ready: BTreeSet<String> = wms
            .orders(http)
            .await
            .into_iter()
            .filter(|o| wms.ready_to_pick(o))
            .map(|o| o.number)
            .collect();
        let shelf = wms.stock_levels(http).await;
        let held = |number: &str| shelf.get(number).map_or(0, |l| l.physical);
        let in_full_only = !wms.reports_picks_per_line();
        let candidates: Vec<usize> = (0..self.orders.len())
            .filter(|&i| {
                let order = &self.orders[i];
                !order.shipped
                    && ready.contains(&order.shipment_id)
                    && (!in_full_only
                        || order
                            .lines
                            .iter()
                            .all(|&(p, s, qty)| i64::from(qty) <= held(&article_number(p, s))))
            })
            .collect();
        if candidates.is_empty() {
            return false;
        }
        let index = candidates[self.rng.below(candidates.len())];
        let order = self.orders[index].clone();
        let mut picked = BTreeMap::new();
        for &(p, s, qty) in &order.lines {
            let number = article_number(p, s);
            let mut units = i64::from(qty).min(held(&number));
            if partial && units > 0 {
                units =
                    self.rng
                        .range(0, units - 1)
                        .max(if order.lines.len() == 1 { 1 } else { 0 });
                units = units.min(i64::from(qty) - 1).max(0);
            }
            picked.insert(number, units);
        }
        if picked.values().all(|&u| u == 0) {
            return false;
        }
        let id = order.shipment_id.clone();
        let shipping = Shipping::all(&format!("WB-{id}"));
        let shipping = if in_full_only {
            shipping
        } else {
            // A line the warehouse could not pick at all is left out (the WMS refuses 0).
            let lines: Vec<(String, u32)> = picked
                .iter()
                .filter(|(_, units)| **units > 0)
                .map(|(number, units)| (number.clone(), u32::try_from(*units).unwrap_or(0)))
                .collect();
            shipping.picking(&lines)
        };
        wms.ship(http, &id, &shipping).await;
        self.note(format!("ship {id} {picked:?}"));
        for &(p, s, qty) in &order.lines {
            let number = article_number(p, s);
            if picked.get(&number).copied().unwrap_or(0) < i64::from(qty) {
                self.partly_picked.insert(number);
            }
        }
        let order = &mut self.orders[index];
        order.shipped = true;
        order.picked = picked;
        true
    }

    /// A supplier delivery announced in Centra, which order-sync sends to the WMS.
    async fn delivery(&mut self) -> bool {
        let all = articles();
        let mut lines = BTreeMap::new();
        let mut body = Vec::new();
        for _ in 0..=self.rng.below(2) {
            let (p, s, number) = all[self.rng.below(all.len())].clone();
            if lines.contains_key(&number) {
                continue;
            }
            let units = self.rng.range(3, 12);
            lines.insert(number, units);
            body.push(
                json!({"ean": ean(p * 10 + s), "sku": format!("P{p}"), "variantSku": "-BL",
                       "sizeSku": format!("-{s}"), "quantity": units}),
            );
        }
        let created = self
            .sims
            .post(
                format!("{}/_sim/supplier-deliveries", self.sims.centra.url()),
                &json!({"supplierName": "Weaver AB", "lines": body}),
            )
            .await;
        let number = created["deliveryId"]
            .as_str()
            .map(str::to_owned)
            .expect("delivery number");
        self.deliveries.push(Delivery {
            number,
            lines,
            received: false,
        });
        true
    }

    /// The warehouse receives a delivery whose purchase order has arrived, exactly as announced.
    async fn receipt(&mut self) -> bool {
        let arrived: BTreeSet<String> = self
            .sims
            .wms
            .purchase_orders(&self.sims.http)
            .await
            .into_iter()
            .map(|p| p.number)
            .collect();
        let Some(index) = (0..self.deliveries.len()).find(|&i| {
            !self.deliveries[i].received && arrived.contains(&self.deliveries[i].number)
        }) else {
            return false;
        };
        let delivery = self.deliveries[index].clone();
        let received: Vec<(String, u32)> = delivery
            .lines
            .iter()
            .map(|(number, units)| (number.clone(), u32::try_from(*units).unwrap_or(0)))
            .collect();
        self.sims
            .wms
            .receive_purchase_order(&self.sims.http, &delivery.number, &received)
            .await;
        self.deliveries[index].received = true;
        self.note(format!("receive {} {:?}", delivery.number, delivery.lines));
        true
    }

    /// Units found or lost in the warehouse.
    async fn stock_move(&mut self) -> bool {
        let all = articles();
        let (_, _, number) = all[self.rng.below(all.len())].clone();
        let now = stock(self.sims).await;
        let physical = now.get(&number).map_or(0, |b| b.wms_physical);
        let mut delta = self.rng.range(-3, 5);
        if delta == 0 {
            delta = 1;
        }
        let delta = delta.max(-physical);
        if delta == 0 {
            return false;
        }
        self.sims
            .wms
            .move_stock(&self.sims.http, &number, delta)
            .await;
        self.note(format!("move {number} {delta:+}"));
        if delta < 0 {
            self.catch_up(&number, true).await;
        }
        true
    }

    /// A stock-take finds a different count on the shelf.
    async fn stock_take(&mut self) -> bool {
        let all = articles();
        let (_, _, number) = all[self.rng.below(all.len())].clone();
        let now = stock(self.sims).await;
        let before = now.get(&number).map_or(0, |b| b.wms_physical);
        let counted = self.rng.range(0, 30);
        self.sims
            .wms
            .count_stock(&self.sims.http, &number, counted)
            .await;
        self.note(format!("stock-take {number} {before} -> {counted}"));
        if counted < before {
            self.catch_up(&number, true).await;
        }
        true
    }

    /// A customer returns units of a shipment Centra has completed, with one or two causes.
    async fn customer_return(&mut self) -> bool {
        let centra = self.centra_state().await;
        let completed: BTreeSet<String> = centra["shipments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["completeCount"] == 1)
            .filter_map(|s| s["shipmentId"].as_str().map(str::to_owned))
            .collect();
        let candidates: Vec<usize> = (0..self.orders.len())
            .filter(|&i| {
                let o = &self.orders[i];
                completed.contains(&o.shipment_id)
                    && o.picked
                        .iter()
                        .any(|(n, p)| *p > o.returned.get(n).copied().unwrap_or(0))
            })
            .collect();
        if candidates.is_empty() {
            return false;
        }
        let index = candidates[self.rng.below(candidates.len())];
        let order = self.orders[index].clone();
        let mut lines: Vec<WmsReturnLine> = Vec::new();
        let mut returned = BTreeMap::new();
        for (number, picked) in &order.picked {
            let left = picked - order.returned.get(number).copied().unwrap_or(0);
            if left <= 0 || (!lines.is_empty() && self.rng.below(2) == 0) {
                continue;
            }
            let units = self.rng.range(1, left);
            // Two causes on one line when there are units for both.
            let first = units.div_euclid(2).max(1).min(units);
            for (part, index) in [
                (first, self.rng.below(3)),
                (units - first, self.rng.below(3)),
            ] {
                if part > 0 {
                    lines.push(WmsReturnLine {
                        article: number.clone(),
                        units: u32::try_from(part).unwrap_or(0),
                        cause: cause(index),
                    });
                }
            }
            returned.insert(number.clone(), units);
        }
        if lines.is_empty() {
            return false;
        }
        self.sims
            .wms
            .register_return(&self.sims.http, &order.shipment_id, &lines)
            .await;
        self.note(format!("return {} {returned:?}", order.shipment_id));
        let order = &mut self.orders[index];
        for (number, units) in returned {
            *order.returned.entry(number).or_default() += units;
            self.tally.returned_units += units;
        }
        for line in lines {
            *order.causes.entry(line.cause).or_default() += i64::from(line.units);
        }
        order.returns += 1;
        true
    }
}
