//! The randomized scenario: steps, the invariant after each, rest checkpoints, the table.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use centra_wms_tests::e2e::{Sims, ean, size_row, wait_for};
use centra_wms_tests::runtime::{RunningApp, Shape};
use platform_runtime::Service;
use proto::admin::v1 as admin;
use proto::admin::v1::stock_admin_client::StockAdminClient;
use serde_json::{Value, json};

use self::checks::settle;
use crate::world::{Delivery, PlacedOrder, articles, oversold, read_stock, stock};

mod checks;

/// The settings under test; the recheck is short so the rest checkpoints settle quickly.
const SETTINGS: &str = r#"
stock_to_centra = true
returns_to_centra = true
purchase_orders = true
stock_recheck_interval = "300ms"
stock_reconcile_interval = "1h"
capture = "on_completion"
"#;

/// The longest a rest checkpoint or a catch-up may take.
const SETTLE: Duration = Duration::from_secs(180);

/// Return causes the warehouse uses (code, name).
const CAUSES: [(&str, &str); 3] = [
    ("WS", "Too small"),
    ("DMG", "Damaged"),
    ("LATE", "Arrived late"),
];

/// A small deterministic generator (xorshift64*): the same seed, the same scenario.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }

    fn range(&mut self, low: i64, high: i64) -> i64 {
        low + i64::try_from(self.below(usize::try_from(high - low + 1).unwrap_or(1))).unwrap_or(0)
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Order,
    FullPick,
    PartialPick,
    Delivery,
    Receipt,
    Move,
    StockTake,
    Return,
}

/// What the run did, for the table.
#[derive(Debug, Default)]
struct Tally {
    steps: BTreeMap<Kind, u64>,
    invariant_checks: u64,
    catch_ups: u64,
    foreign_booking_catch_ups: u64,
    longest_catch_up: Duration,
    checkpoints: u64,
    longest_checkpoint: Duration,
    returned_units: i64,
}

fn services() -> Vec<Arc<dyn Service>> {
    vec![
        Arc::new(centra_gateway::CentraGateway),
        Arc::new(ongoing_gateway::OngoingGateway),
        Arc::new(catalog_sync::CatalogSync),
        Arc::new(order_sync::OrderSync),
        Arc::new(stock_sync::StockSync),
        Arc::new(returns_sync::ReturnsSync),
    ]
}

/// The scenario state.
struct Run<'a> {
    sims: &'a Sims,
    app: &'a RunningApp,
    rng: Rng,
    orders: Vec<PlacedOrder>,
    deliveries: Vec<Delivery>,
    tally: Tally,
    /// Articles with an unpicked rest of a shipped order, which the WMS simulator keeps booked
    /// (see the invariant check in [`run`]).
    partly_picked: BTreeSet<String>,
    /// The last steps, for a failure message.
    history: std::collections::VecDeque<String>,
}

impl Run<'_> {
    fn note(&mut self, what: String) {
        if self.history.len() == 12 {
            self.history.pop_front();
        }
        self.history.push_back(what);
    }
}

pub async fn run(shape: Shape, faults: bool, test: &str) {
    let steps = env_number("STOCK_RETURNS_E2E_STEPS", 400);
    let seed = env_number("STOCK_RETURNS_E2E_SEED", 7);
    let sims = Sims::start().await;
    // Centra starts with no stock: the WMS's first stock write brings it.
    let rows: Vec<Value> = articles()
        .into_iter()
        .map(|(p, s, _)| {
            let mut row = size_row(p, s);
            row["physicalStock"] = json!(0);
            row
        })
        .collect();
    sims.seed_products(rows).await;
    let config = sims.config("1s", SETTINGS);
    let Some(app) = RunningApp::start(shape, config, services(), test).await else {
        return;
    };
    let total = articles().len();
    wait_for("every article in the wms", SETTLE, || async {
        let state = sims
            .get(format!("{}/_sim/state", sims.ongoing.base_url()))
            .await;
        state["articles"].as_array().map_or(0, Vec::len) >= total
    })
    .await;
    let mut run = Run {
        sims: &sims,
        app: &app,
        rng: Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1),
        orders: Vec::new(),
        deliveries: Vec::new(),
        tally: Tally::default(),
        history: std::collections::VecDeque::new(),
        partly_picked: BTreeSet::new(),
    };
    for (i, (_, _, number)) in articles().into_iter().enumerate() {
        let physical = 10 + i64::try_from(i % 17).unwrap_or(0);
        run.control_wms(
            "stock",
            json!({"articleNumber": number, "physical": physical}),
        )
        .await;
    }
    if faults {
        sims.faults(&json!({"error_rate": 0.1, "lost_response_rate": 0.05, "seed": seed}))
            .await;
    }
    run.at_rest("start").await;
    let started = Instant::now();
    for step in 1..=steps {
        let kind = run.step().await;
        *run.tally.steps.entry(kind).or_default() += 1;
        let mut now = stock(&sims).await;
        run.tally.invariant_checks += 1;
        // The one overselling the product cannot prevent: the WMS books units Centra does not
        // allocate (here the unpicked rest of a partly picked order, which the WMS simulator
        // keeps booked while Centra's completion releases it). Then Centra's sellable stock is
        // `WMS sellable + Centra allocated`, and any Centra order the WMS has not booked yet
        // is counted by neither side until the WMS books it and stock-sync writes again (one
        // stock poll plus one check). Those articles are waited for and counted, never ignored.
        for _ in 0..20 {
            let over = oversold(&now);
            let foreign: Vec<String> = over
                .iter()
                .filter(|(number, both)| {
                    both.wms_booked > both.centra_allocated || run.partly_picked.contains(number)
                })
                .map(|(number, _)| number.clone())
                .collect();
            if over.is_empty() || foreign.len() < over.len() {
                break;
            }
            for number in &foreign {
                run.catch_up(number, false).await;
                run.tally.foreign_booking_catch_ups += 1;
            }
            now = stock(&sims).await;
        }
        let over = oversold(&now);
        let mut seen_by_stock_sync = Vec::new();
        for (number, _) in &over {
            seen_by_stock_sync.push(run.stock_sync_view(number).await);
        }
        assert!(
            over.is_empty(),
            "step {step} ({kind:?}): centra sells more than the wms has: {over:?}; stock-sync: \
             {seen_by_stock_sync:#?}; later: {:?}; last steps: {:#?}",
            {
                tokio::time::sleep(Duration::from_secs(3)).await;
                oversold(&stock(&sims).await)
            },
            run.history
        );
        if step % 500 == 0 {
            run.at_rest(&format!("step {step}")).await;
        }
    }
    run.at_rest("end").await;
    run.print_table(shape, faults, steps, started.elapsed());
    app.assert_running();
    app.stop().await;
}

impl Run<'_> {
    async fn control_wms(&self, path: &str, body: Value) -> Value {
        self.sims
            .post(
                format!("{}/_sim/{path}", self.sims.ongoing.base_url()),
                &body,
            )
            .await
    }

    /// What stock-sync holds of `number`, for a failure message.
    async fn stock_sync_view(&self, number: &str) -> String {
        StockAdminClient::new(self.app.channel("stock-sync"))
            .list_articles(admin::ListStockArticlesRequest {
                article_number: number.to_owned(),
                ..Default::default()
            })
            .await
            .map(|r| format!("{:?}", r.into_inner().articles))
            .unwrap_or_else(|e| e.to_string())
    }

    async fn centra_state(&self) -> Value {
        self.sims
            .get(format!("{}/_sim/state", self.sims.centra.url()))
            .await
    }

    async fn wms_state(&self) -> Value {
        self.sims
            .get(format!("{}/_sim/state", self.sims.ongoing.base_url()))
            .await
    }

    /// One step of a kind drawn by weight; a kind with nothing to act on falls back to an order
    /// or a stock move.
    async fn step(&mut self) -> Kind {
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
            returns: Vec::new(),
        });
        true
    }

    /// The warehouse picks and ships an imported order, all of it or part.
    async fn pick(&mut self, partial: bool) -> bool {
        let wms = self.wms_state().await;
        let imported: BTreeSet<String> = wms["orders"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o["orderNumber"].as_str().map(str::to_owned))
            .collect();
        let candidates: Vec<usize> = (0..self.orders.len())
            .filter(|&i| !self.orders[i].shipped && imported.contains(&self.orders[i].shipment_id))
            .collect();
        if candidates.is_empty() {
            return false;
        }
        let index = candidates[self.rng.below(candidates.len())];
        let now = read_stock(&self.centra_state().await, &wms);
        let order = self.orders[index].clone();
        let mut picked = BTreeMap::new();
        for &(p, s, qty) in &order.lines {
            let number = centra_wms_tests::e2e::article_number(p, s);
            let held = now.get(&number).map_or(0, |b| b.wms_physical);
            let mut units = i64::from(qty).min(held);
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
        // A line the warehouse could not pick at all is left out (the WMS refuses 0).
        let lines: Vec<Value> = picked
            .iter()
            .filter(|(_, units)| **units > 0)
            .map(|(number, units)| json!({"articleNumber": number, "picked": units}))
            .collect();
        let id = order.shipment_id.clone();
        self.control_wms(
            &format!("orders/{id}/ship"),
            json!({"lines": lines, "waybill": format!("WB-{id}"), "status": 450}),
        )
        .await;
        self.note(format!("ship {id} {picked:?}"));
        for &(p, s, qty) in &order.lines {
            let number = centra_wms_tests::e2e::article_number(p, s);
            if picked.get(&number).copied().unwrap_or(0) < i64::from(qty) {
                self.partly_picked.insert(number);
            }
        }

        let order = &mut self.orders[index];
        order.shipped = true;
        order.picked = picked;
        true
    }

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

    /// The warehouse receives a delivery whose purchase order has arrived.
    async fn receipt(&mut self) -> bool {
        let wms = self.wms_state().await;
        let arrived: BTreeSet<String> = wms["purchaseOrders"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["purchaseOrderNumber"].as_str().map(str::to_owned))
            .collect();
        let Some(index) = (0..self.deliveries.len()).find(|&i| {
            !self.deliveries[i].received && arrived.contains(&self.deliveries[i].number)
        }) else {
            return false;
        };
        let delivery = self.deliveries[index].clone();
        let lines: Vec<Value> = delivery
            .lines
            .iter()
            .map(|(number, units)| json!({"articleNumber": number, "received": units}))
            .collect();
        self.control_wms(
            &format!("purchase-orders/{}/receive", delivery.number),
            json!({"lines": lines, "status": 500}),
        )
        .await;
        self.deliveries[index].received = true;
        self.note(format!("receive {} {:?}", delivery.number, delivery.lines));
        true
    }

    /// Waits until Centra no longer oversells `number` after the WMS lowered its stock (the
    /// only moment Centra may briefly sell units the WMS no longer has: the sync must catch up),
    /// and until stock-sync has checked the article on the WMS's current physical stock (a
    /// pending Centra order can hide the lag: the invariant holds by chance until the WMS books
    /// that order).
    async fn catch_up(&mut self, number: &str, wms_changed: bool) {
        let started = Instant::now();
        let (sims, app) = (self.sims, self.app);
        settle(&format!("centra catches up with {number}"), || async {
            let now = stock(sims).await;
            let Some(both) = now.get(number) else {
                return Ok(());
            };
            let seen = StockAdminClient::new(app.channel("stock-sync"))
                .list_articles(admin::ListStockArticlesRequest {
                    article_number: number.to_owned(),
                    ..Default::default()
                })
                .await
                .map(|r| r.into_inner().articles)
                .unwrap_or_default();
            // Checked on the WMS's current physical stock (a change that nets out between two
            // WMS polls reaches no one, rightly).
            let checked = !wms_changed
                || seen
                    .first()
                    .is_some_and(|a| a.wms_physical == both.wms_physical);
            if both.oversold() || !checked {
                Err(format!("{both:?}; stock-sync: {seen:?}"))
            } else {
                Ok(())
            }
        })
        .await;
        self.tally.catch_ups += 1;
        self.tally.longest_catch_up = self.tally.longest_catch_up.max(started.elapsed());
    }

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
        self.control_wms("stock", json!({"articleNumber": number, "delta": delta}))
            .await;
        self.note(format!("move {number} {delta:+}"));
        if delta < 0 {
            self.catch_up(&number, true).await;
        }
        true
    }

    async fn stock_take(&mut self) -> bool {
        let all = articles();
        let (_, _, number) = all[self.rng.below(all.len())].clone();
        let now = stock(self.sims).await;
        let before = now.get(&number).map_or(0, |b| b.wms_physical);
        let counted = self.rng.range(0, 30);
        self.control_wms(
            "stock",
            json!({"articleNumber": number, "physical": counted}),
        )
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
        let mut lines = Vec::new();
        let mut causes = Vec::new();
        let mut returned = BTreeMap::new();
        for (number, picked) in &order.picked {
            let left = picked - order.returned.get(number).copied().unwrap_or(0);
            if left <= 0 || (!lines.is_empty() && self.rng.below(2) == 0) {
                continue;
            }
            let units = self.rng.range(1, left);
            // Two causes on one line when there are units for both.
            let first = units.div_euclid(2).max(1).min(units);
            for (part, cause) in [
                (first, self.rng.below(3)),
                (units - first, self.rng.below(3)),
            ] {
                if part > 0 {
                    let (code, name) = CAUSES[cause];
                    lines.push(json!({"articleNumber": number, "returned": part,
                                      "cause": {"code": code, "name": name}}));
                    causes.push(name.to_owned());
                }
            }
            returned.insert(number.clone(), units);
        }
        if lines.is_empty() {
            return false;
        }
        self.control_wms(
            "returns",
            json!({"orderNumber": order.shipment_id, "lines": lines}),
        )
        .await;
        self.note(format!("return {} {returned:?}", order.shipment_id));
        let order = &mut self.orders[index];
        for (number, units) in returned {
            *order.returned.entry(number).or_default() += units;
            self.tally.returned_units += units;
        }
        order.returns.push(causes);
        true
    }
}
