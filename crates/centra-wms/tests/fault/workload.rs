//! The seeded workload: what a shop, its customers, a supplier and the warehouse do, each step
//! drawn by weight and told to the simulators through their control APIs; and what it did,
//! which is what the checks hold the simulators' state to.
//!
//! Layout: [`Rng`] the generator; [`Workload`] the catalogue, the steps and the model of what
//! was done ([`Order`], [`Delivery`]); [`Capture`] the policy the product runs with, which
//! decides the kinds of payment drawn and what the checks expect of each.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Sims;
use crate::table::Tally;

/// Products and sizes of the catalogue: 12 articles.
const PRODUCTS: usize = 4;
const SIZES: usize = 3;

/// Ongoing's status of a cancelled order.
pub const CANCELLED: i64 = 1000;

/// Return causes the warehouse uses (code, text).
const CAUSES: [(&str, &str); 3] = [
    ("WS", "Too small"),
    ("DMG", "Damaged"),
    ("LATE", "Arrived late"),
];

/// A small deterministic generator (xorshift64*): the same seed, the same run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Uniform in `low..=high`.
    pub fn range(&mut self, low: i64, high: i64) -> i64 {
        let span = u64::try_from(high - low + 1).unwrap_or(1);
        low + i64::try_from(self.below(span)).unwrap_or(0)
    }
}

/// The capture policy the product runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    /// `capture = "on_completion"`: an authorised shipment is captured when it is completed.
    OnCompletion,
    /// `capture = "on_import"` with `import_filter = "capture_on_import"`: captured before it
    /// goes to the warehouse, and a shipment that cannot be captured never goes.
    OnImport,
}

/// How a Centra order is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Payment {
    /// Paid when placed: never captured by the product.
    Prepaid,
    /// Authorised, captured by the product (on import or on completion).
    Authorised,
    /// Authorised, but the capture is refused: under capture on import the product sends it
    /// to the warehouse, captures once the warehouse accepted it, and cancels it there when
    /// the capture is declined (so it never ships).
    Declined,
}

/// An order the workload placed in Centra (one shipment).
#[derive(Debug, Clone)]
pub struct Order {
    pub shipment: String,
    pub payment: Payment,
    /// Article number -> units ordered.
    pub lines: BTreeMap<String, i64>,
    /// Article number -> units picked, once the warehouse shipped it.
    pub picked: Option<BTreeMap<String, i64>>,
    /// Article number -> units returned so far.
    pub returned: BTreeMap<String, i64>,
    /// Return registrations in the WMS.
    pub returns: usize,
}

impl Order {
    /// Whether the warehouse must ship it under `capture` (else it may hold it only
    /// cancelled).
    pub fn eligible(&self, capture: Capture) -> bool {
        // (Declined under capture on completion is never drawn.)
        match capture {
            Capture::OnCompletion => true,
            Capture::OnImport => self.payment != Payment::Declined,
        }
    }

    /// How many captures Centra must show for it under `capture`.
    pub fn captures(&self, capture: Capture) -> u64 {
        match (capture, self.payment) {
            (_, Payment::Prepaid | Payment::Declined) => 0,
            (Capture::OnImport, Payment::Authorised) => 1,
            (Capture::OnCompletion, Payment::Authorised) => u64::from(self.picked.is_some()),
        }
    }
}

/// A supplier delivery the workload announced in Centra.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub number: String,
    /// Article number -> units.
    pub lines: BTreeMap<String, i64>,
    pub received: bool,
}

/// What the workload does and did.
pub struct Workload<'a> {
    sims: &'a Sims,
    pub capture: Capture,
    /// The warehouse ships an authorised order under capture on import without waiting for
    /// Centra to show it captured: the product captures only once the warehouse accepted the
    /// order, so the capture may still be being retried when the order ships, and order-sync
    /// must then make it before completing. On unless `FAULT_TEST_EAGER_WAREHOUSE=0`, which
    /// makes the warehouse wait for the capture.
    pub eager: bool,
    rng: Rng,
    pub orders: Vec<Order>,
    pub deliveries: Vec<Delivery>,
    /// Steps done, by kind.
    pub steps: BTreeMap<&'static str, u64>,
    /// The last pick shipped less than was ordered.
    last_pick_partial: bool,
}

/// Article `(product, size)`: its number under the default rule.
pub fn article(product: usize, size: usize) -> String {
    format!("P{product}-BL-{size}")
}

pub fn ean(product: usize, size: usize) -> String {
    let body = format!("7350{product:04}{size:04}");
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// Every article of the catalogue: (product, size, number).
pub fn articles() -> Vec<(usize, usize, String)> {
    (0..PRODUCTS)
        .flat_map(|p| (0..SIZES).map(move |s| (p, s, article(p, s))))
        .collect()
}

/// The article number of a Centra line or stock row: its joined SKU.
fn number_of(p: usize, s: usize) -> Value {
    json!({"ean": ean(p, s), "sku": format!("P{p}"), "variantSku": "-BL",
           "sizeSku": format!("-{s}")})
}

/// An integer field (the simulators write some as floats).
pub fn int(value: &Value) -> i64 {
    value
        .as_i64()
        .or_else(|| value.as_f64().map(|f| f as i64))
        .unwrap_or(0)
}

/// A field as text (ids come as strings or numbers).
pub fn text(value: &Value) -> String {
    value
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| value.to_string())
}

impl<'a> Workload<'a> {
    pub fn new(sims: &'a Sims, capture: Capture, rng: Rng) -> Self {
        Self {
            sims,
            capture,
            eager: !std::env::var("FAULT_TEST_EAGER_WAREHOUSE").is_ok_and(|v| v == "0"),
            rng,
            orders: Vec::new(),
            deliveries: Vec::new(),
            steps: BTreeMap::new(),
            last_pick_partial: false,
        }
    }

    /// Seeds the catalogue in Centra (no stock: the WMS is the stock master), waits until
    /// every article is in the WMS, counts stock there and waits until Centra sells it.
    pub async fn catalogue_in(&mut self, limit: Duration) {
        let rows: Vec<Value> = articles()
            .into_iter()
            .enumerate()
            .map(|(n, (p, s, _))| {
                let mut row = number_of(p, s);
                for (key, value) in json!({
                    "productId": 1000 + p, "product": format!("Shirt {p}"),
                    "name": format!("Shirt {p}"), "variantId": 5000 + p, "variant": "Blue",
                    "stockItemId": 100_000 + n, "size": format!("S{s}"), "active": true,
                    "weight": "0.25", "weightUnit": "kg", "countryOfOrigin": "PT",
                    "harmCode": "6109100010",
                    "prices": [{"pricelist": "EUR Europe", "currency": "EUR", "price": "45.00"}],
                    "physicalStock": 0
                })
                .as_object()
                .into_iter()
                .flatten()
                {
                    row[key] = value.clone();
                }
                row
            })
            .collect();
        let sims = self.sims;
        sims.post(&sims.centra, "/_sim/products", &json!({"products": rows}))
            .await;
        let started = Instant::now();
        loop {
            let state = sims.ongoing_state().await;
            let held: Vec<String> = state["articles"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| text(&a["articleNumber"]))
                .collect();
            let missing: Vec<String> = articles()
                .into_iter()
                .map(|(_, _, n)| n)
                .filter(|n| !held.contains(n))
                .collect();
            if missing.is_empty() {
                break;
            }
            assert!(
                started.elapsed() < limit,
                "the catalogue in the wms within {limit:?}: missing {missing:?}"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        for (_, _, number) in articles() {
            let physical = self.rng.range(15, 30);
            sims.post(
                &sims.ongoing,
                "/_sim/stock",
                &json!({"articleNumber": number, "physical": physical}),
            )
            .await;
        }
        loop {
            let centra = sims.centra_state().await;
            let empty: Vec<String> = centra["stock"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|row| int(&row["physical"]) == 0)
                .map(|row| text(&row["key"]))
                .collect();
            if empty.is_empty() {
                break;
            }
            assert!(
                started.elapsed() < limit,
                "the wms stock in centra within {limit:?}: none yet of {empty:?}"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// One step drawn by weight; a kind with nothing to act on (no order in the warehouse
    /// yet, no delivery arrived, nothing completed to return) falls back to an order, and
    /// that (nothing on sale) to a stock move, which is always possible.
    pub async fn step(&mut self) {
        const KINDS: [&str; 7] = [
            "order",
            "full pick",
            "partial pick",
            "supplier delivery",
            "receipt",
            "return",
            "stock move",
        ];
        let first = match self.rng.below(100) {
            0..=27 => 0,
            28..=44 => 1,
            45..=54 => 2,
            55..=61 => 3,
            62..=69 => 4,
            70..=84 => 5,
            _ => 6,
        };
        for kind in [KINDS[first], KINDS[0], KINDS[6]] {
            let done = match kind {
                "order" => self.order().await,
                "full pick" => self.pick(false).await,
                "partial pick" => self.pick(true).await,
                "supplier delivery" => self.delivery().await,
                "receipt" => self.receipt().await,
                "return" => self.customer_return().await,
                _ => self.stock_move().await,
            };
            if done {
                // A drawn partial pick of a paid shipment shipped in full.
                let kind = if kind == "partial pick" && !self.last_pick_partial {
                    "full pick"
                } else {
                    kind
                };
                *self.steps.entry(kind).or_default() += 1;
                return;
            }
        }
        unreachable!("a stock move is always possible");
    }

    /// A Centra order of what Centra sells now (a shop never sells beyond its available
    /// stock), paid in one of the ways the policy allows.
    async fn order(&mut self) -> bool {
        let centra = self.sims.centra_state().await;
        let available: BTreeMap<String, i64> = centra["stock"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|row| (text(&row["key"]), int(&row["available"])))
            .collect();
        let all = articles();
        let mut lines = BTreeMap::new();
        let mut body = Vec::new();
        for _ in 0..=self.rng.below(2) {
            let (p, s, number) =
                &all[usize::try_from(self.rng.below(all.len() as u64)).unwrap_or(0)];
            let left = available.get(number).copied().unwrap_or(0);
            if left <= 0 || lines.contains_key(number) {
                continue;
            }
            let units = self.rng.range(1, left.min(3));
            lines.insert(number.clone(), units);
            let mut line = number_of(*p, *s);
            line["qty"] = json!(units);
            line["price"] = json!("45.00");
            body.push(line);
        }
        if lines.is_empty() {
            return false;
        }
        let payment = match (self.capture, self.rng.below(10)) {
            (_, 0..=2) => Payment::Prepaid,
            (Capture::OnImport, 3..=4) => Payment::Declined,
            _ => Payment::Authorised,
        };
        let created = self
            .sims
            .post(
                &self.sims.centra,
                "/_sim/orders",
                &json!({
                    "order": {
                        "paid": payment == Payment::Prepaid,
                        "shouldCapture": payment != Payment::Prepaid,
                        "captureFails": payment == Payment::Declined,
                        "delivery": {"name": "Ada Lovelace", "address": "Storgatan 1",
                                     "zipcode": "11122", "city": "Stockholm", "country": "SE",
                                     "email": "ada@example.com", "cell": "+46700000000"},
                        "lines": body
                    },
                    "goodToGo": true
                }),
            )
            .await;
        self.orders.push(Order {
            shipment: text(&created["shipmentId"]),
            payment,
            lines,
            picked: None,
            returned: BTreeMap::new(),
            returns: 0,
        });
        true
    }

    /// The warehouse picks and ships an order it holds, all of it or part (what is on the
    /// shelf at most; a line it cannot pick at all is left out). Only a shipment still unpaid
    /// when it ships (authorised, captured on completion) is shipped in part: Centra cannot
    /// change the quantities of a paid one, so the product rightly parks that for a person,
    /// and the run would have a record no product could close; a paid one ships in full or
    /// waits for stock.
    async fn pick(&mut self, partial: bool) -> bool {
        let wms = self.sims.ongoing_state().await;
        // The warehouse never ships a cancelled order, and gets to a declined one only after
        // the product cancelled it.
        let held: Vec<String> = wms["orders"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|o| int(&o["status"]) != CANCELLED)
            .map(|o| text(&o["orderNumber"]))
            .collect();
        let centra = self.sims.centra_state().await;
        let paid: Vec<String> = centra["shipments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["paid"] == true)
            .map(|s| text(&s["shipmentId"]))
            .collect();
        let shelf: BTreeMap<String, i64> = wms["inventory"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|row| (text(&row["articleNumber"]), int(&row["numberOfItems"])))
            .collect();
        let candidates: Vec<usize> = (0..self.orders.len())
            .filter(|&i| {
                let order = &self.orders[i];
                let waits_for_capture = self.capture == Capture::OnImport
                    && order.payment == Payment::Authorised
                    && !self.eager;
                order.picked.is_none()
                    && order.eligible(self.capture)
                    && held.contains(&order.shipment)
                    && (!waits_for_capture || paid.contains(&order.shipment))
            })
            .collect();
        if candidates.is_empty() {
            return false;
        }
        let index =
            candidates[usize::try_from(self.rng.below(candidates.len() as u64)).unwrap_or(0)];
        let order = self.orders[index].clone();
        let in_part = self.capture == Capture::OnCompletion && order.payment == Payment::Authorised;
        let short = order
            .lines
            .iter()
            .any(|(number, units)| shelf.get(number).copied().unwrap_or(0) < *units);
        if !in_part && short {
            return false;
        }
        let partial = partial && in_part;
        let mut picked = BTreeMap::new();
        for (number, &units) in &order.lines {
            let mut take = units.min(shelf.get(number).copied().unwrap_or(0));
            if partial && take > 0 {
                take = self
                    .rng
                    .range(0, take - 1)
                    .max(i64::from(order.lines.len() == 1));
                take = take.min(units - 1).max(0);
            }
            picked.insert(number.clone(), take);
        }
        if picked.values().all(|&u| u == 0) {
            return false;
        }
        let lines: Vec<Value> = picked
            .iter()
            .filter(|(_, units)| **units > 0)
            .map(|(number, units)| json!({"articleNumber": number, "picked": units}))
            .collect();
        self.sims
            .post(
                &self.sims.ongoing,
                &format!("/_sim/orders/{}/ship", order.shipment),
                &json!({"lines": lines, "waybill": format!("WB-{}", order.shipment), "status": 450}),
            )
            .await;
        self.last_pick_partial = picked.iter().any(|(n, u)| order.lines.get(n) != Some(u));
        self.orders[index].picked = Some(picked);
        true
    }

    /// A supplier delivery announced in Centra, which the product sends to the WMS.
    async fn delivery(&mut self) -> bool {
        let all = articles();
        let mut lines = BTreeMap::new();
        let mut body = Vec::new();
        for _ in 0..=self.rng.below(2) {
            let (p, s, number) =
                all[usize::try_from(self.rng.below(all.len() as u64)).unwrap_or(0)].clone();
            if lines.contains_key(&number) {
                continue;
            }
            let units = self.rng.range(3, 12);
            lines.insert(number, units);
            let mut line = number_of(p, s);
            line["quantity"] = json!(units);
            body.push(line);
        }
        let created = self
            .sims
            .post(
                &self.sims.centra,
                "/_sim/supplier-deliveries",
                &json!({"supplierName": "Weaver AB", "lines": body}),
            )
            .await;
        self.deliveries.push(Delivery {
            number: text(&created["deliveryId"]),
            lines,
            received: false,
        });
        true
    }

    /// The warehouse receives, in full, a delivery whose purchase order has arrived.
    async fn receipt(&mut self) -> bool {
        let wms = self.sims.ongoing_state().await;
        let arrived: Vec<String> = wms["purchaseOrders"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| text(&p["purchaseOrderNumber"]))
            .collect();
        let Some(index) = (0..self.deliveries.len()).find(|&i| {
            !self.deliveries[i].received && arrived.contains(&self.deliveries[i].number)
        }) else {
            return false;
        };
        let delivery = &self.deliveries[index];
        let lines: Vec<Value> = delivery
            .lines
            .iter()
            .map(|(number, units)| json!({"articleNumber": number, "received": units}))
            .collect();
        self.sims
            .post(
                &self.sims.ongoing,
                &format!("/_sim/purchase-orders/{}/receive", delivery.number),
                &json!({"lines": lines, "status": 500}),
            )
            .await;
        self.deliveries[index].received = true;
        true
    }

    /// Units found or lost in the warehouse (always possible).
    async fn stock_move(&mut self) -> bool {
        let all = articles();
        let (_, _, number) =
            all[usize::try_from(self.rng.below(all.len() as u64)).unwrap_or(0)].clone();
        let wms = self.sims.ongoing_state().await;
        let physical = wms["inventory"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|row| row["articleNumber"] == number.as_str())
            .map_or(0, |row| int(&row["numberOfItems"]));
        let mut delta = self.rng.range(-3, 5);
        if delta == 0 {
            delta = 1;
        }
        // Never below an empty shelf: an empty one gets units.
        let delta = if delta < -physical { 2 } else { delta };
        self.sims
            .post(
                &self.sims.ongoing,
                "/_sim/stock",
                &json!({"articleNumber": number, "delta": delta}),
            )
            .await;
        true
    }

    /// A customer returns units of a shipment Centra has completed, one or two causes a line.
    async fn customer_return(&mut self) -> bool {
        let centra = self.sims.centra_state().await;
        let completed: Vec<String> = centra["shipments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["completed"] == true)
            .map(|s| text(&s["shipmentId"]))
            .collect();
        let candidates: Vec<usize> = (0..self.orders.len())
            .filter(|&i| {
                let order = &self.orders[i];
                completed.contains(&order.shipment)
                    && order.picked.as_ref().is_some_and(|picked| {
                        picked
                            .iter()
                            .any(|(n, p)| *p > order.returned.get(n).copied().unwrap_or(0))
                    })
            })
            .collect();
        if candidates.is_empty() {
            return false;
        }
        let index =
            candidates[usize::try_from(self.rng.below(candidates.len() as u64)).unwrap_or(0)];
        let order = self.orders[index].clone();
        let mut lines = Vec::new();
        let mut returned = BTreeMap::new();
        for (number, picked) in order.picked.iter().flatten() {
            let left = picked - order.returned.get(number).copied().unwrap_or(0);
            if left <= 0 || (!lines.is_empty() && self.rng.below(2) == 0) {
                continue;
            }
            let units = self.rng.range(1, left);
            let first = (units / 2).max(1).min(units);
            for part in [first, units - first] {
                if part > 0 {
                    let (code, name) = CAUSES[usize::try_from(self.rng.below(3)).unwrap_or(0)];
                    lines.push(json!({"articleNumber": number, "returned": part,
                                      "cause": {"code": code, "name": name}}));
                }
            }
            returned.insert(number.clone(), units);
        }
        if lines.is_empty() {
            return false;
        }
        self.sims
            .post(
                &self.sims.ongoing,
                "/_sim/returns",
                &json!({"orderNumber": order.shipment, "lines": lines}),
            )
            .await;
        let order = &mut self.orders[index];
        for (number, units) in returned {
            *order.returned.entry(number).or_default() += units;
        }
        order.returns += 1;
        true
    }

    /// The records of the run, for the table.
    pub fn count_records(&self, tally: &mut Tally) {
        for order in &self.orders {
            tally.record(&format!("orders ({:?})", order.payment).to_lowercase());
        }
        for (kind, count) in &self.steps {
            tally.steps.insert(kind, *count);
        }
    }
}
