//! The shop and the warehouse at work, once a second until Ctrl-C, all through the
//! simulators' control API: customers order in Centra every few seconds (mostly paid, some only
//! authorised, mixed shipping methods), the warehouse ships what was imported (waybill,
//! tracking URL, sometimes two parcels), receives the one supplier delivery, registers a few
//! returns with causes and moves stock now and then.
//!
//! Only articles that already exist in the WMS are ordered or delivered, so every order can be
//! imported at once. The random choices come from a seeded generator: every run looks alike.
//!
//! Layout: [`seed`] (the catalogue into Centra), [`Activity`] with one method per kind of
//! event, and the fixed customers, shipping methods and return causes.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use platform_runtime::CancellationToken;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom as _;
use rand::{Rng as _, SeedableRng as _};
use serde_json::{Value, json};

use super::control::ControlApi;
use super::store::{Catalogue, SizeRow};
use super::warehouse::WarehouseView;

/// Size rows per `POST /_sim/products`.
const SEED_CHUNK: usize = 200;
/// Seconds between orders: at least, and at most.
const ORDER_GAP: (u64, u64) = (2, 4);
/// Seconds an imported order waits on the shelf before the warehouse ships it.
const PICKING_TIME: u64 = 2;
/// Seconds after shipping before a customer may send something back.
const RETURN_AFTER: u64 = 5;
/// Seconds a purchase order waits in the WMS before the goods arrive.
const RECEIVING_TIME: u64 = 3;
/// Chance per shipped order that something comes back.
const RETURN_RATE: f64 = 0.2;
/// Chance per second of a stock move outside any order.
const STOCK_MOVE_RATE: f64 = 0.1;
/// Share of orders paid at checkout; the rest are authorised and captured on completion.
const PAID_RATE: f64 = 0.8;

/// A demo customer: name, street, zip code, city, country and mobile number (carriers send
/// their notices there; OGOship holds an order without one as invalid).
type Customer = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const CUSTOMERS: [Customer; 8] = [
    (
        "Ada Lindqvist",
        "Storgatan 1",
        "11122",
        "Stockholm",
        "SE",
        "+46701234501",
    ),
    (
        "Jonas Berg",
        "Kungsgatan 12",
        "41119",
        "Göteborg",
        "SE",
        "+46701234502",
    ),
    (
        "Emma Schulz",
        "Torstraße 5",
        "10119",
        "Berlin",
        "DE",
        "+491701234503",
    ),
    (
        "Lucas Martin",
        "12 Rue Oberkampf",
        "75011",
        "Paris",
        "FR",
        "+33612345604",
    ),
    (
        "Sofia Rossi",
        "Via Roma 8",
        "20121",
        "Milano",
        "IT",
        "+393123456705",
    ),
    (
        "Olivia Carter",
        "350 5th Ave",
        "10118",
        "New York",
        "US",
        "+12125550106",
    ),
    (
        "Noah Jensen",
        "Nørrebrogade 20",
        "2200",
        "København",
        "DK",
        "+4520123407",
    ),
    (
        "Mia de Vries",
        "Prinsengracht 100",
        "1015 CS",
        "Amsterdam",
        "NL",
        "+31612345608",
    ),
];

/// Carrier and service as Centra sends them; sandbox.toml maps each to a WMS transporter.
const SHIPPING_METHODS: [(&str, &str); 4] = [
    ("PostNord", "MyPack Collect"),
    ("PostNord", "Parcel"),
    ("DB Schenker", "Parcel"),
    ("DB Schenker", "Direct"),
];

/// Return causes (code, words), as the warehouse registers them: the Ongoing simulator's
/// seeded causes; OGOship takes a reason code and description as given.
const RETURN_CAUSES: [(&str, &str); 3] = [
    ("SIZE", "Wrong size"),
    ("DAMAGED", "Damaged"),
    ("REGRET", "Changed mind"),
];

/// Puts the catalogue into the Centra simulator.
pub async fn seed(control: &ControlApi, catalogue: &Catalogue) -> anyhow::Result<()> {
    for chunk in catalogue.sizes.chunks(SEED_CHUNK) {
        let products: Vec<Value> = chunk.iter().map(SizeRow::to_json).collect();
        control
            .centra("products", &json!({ "products": products }))
            .await
            .context("seeding the demo catalogue")?;
    }
    Ok(())
}

/// Where the one supplier delivery is.
#[derive(Debug)]
enum Delivery {
    /// Waits for its articles in the WMS.
    NotAnnounced,
    /// Announced in Centra as `number`; first seen in the WMS at that second.
    Announced {
        number: String,
        in_wms_since: Option<u64>,
    },
    /// The warehouse received it.
    Received,
}

/// The demo's state between seconds.
#[derive(Debug)]
pub struct Activity {
    control: ControlApi,
    catalogue: Arc<Catalogue>,
    rng: StdRng,
    stock_moves: Arc<AtomicU64>,
    /// Seconds since the start.
    now: u64,
    next_order_at: u64,
    /// Articles whose opening stock is on the WMS shelf.
    stocked: HashSet<String>,
    /// WMS orders waiting to be picked, by order number: the second they were first seen.
    waiting: HashMap<String, u64>,
    /// WMS orders shipped by the demo: the second they left.
    shipped: HashMap<String, u64>,
    /// Shipped orders whose return chance was drawn.
    return_drawn: HashSet<String>,
    delivery: Delivery,
    waybills: u64,
}

impl Activity {
    pub fn new(
        control: ControlApi,
        catalogue: Arc<Catalogue>,
        stock_moves: Arc<AtomicU64>,
    ) -> Self {
        Self {
            control,
            catalogue,
            rng: StdRng::seed_from_u64(2026),
            stock_moves,
            now: 0,
            next_order_at: 0,
            stocked: HashSet::new(),
            waiting: HashMap::new(),
            shipped: HashMap::new(),
            return_drawn: HashSet::new(),
            delivery: Delivery::NotAnnounced,
            waybills: 0,
        }
    }

    /// One step a second until `shutdown`; a failed step is logged and the next one goes on.
    pub async fn run(mut self, shutdown: CancellationToken) {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = tick.tick() => {}
            }
            let step = tokio::select! {
                () = shutdown.cancelled() => break,
                step = self.step() => step,
            };
            if let Err(error) = step {
                tracing::warn!(error = format!("{error:#}"), "demo step failed");
            }
            self.now += 1;
        }
    }

    async fn step(&mut self) -> anyhow::Result<()> {
        let wms = self.control.warehouse_view().await?;
        let catalogue = self.catalogue.clone();
        let articles: Vec<&SizeRow> = wms
            .articles
            .iter()
            .filter_map(|number| catalogue.by_article(number))
            .collect();
        self.stock_shelves(&articles).await?;
        self.supplier_delivery(&wms, &articles).await?;
        if self.now >= self.next_order_at && !articles.is_empty() {
            self.place_order(&articles).await?;
            self.next_order_at = self.now + self.rng.random_range(ORDER_GAP.0..=ORDER_GAP.1);
        }
        self.ship_orders(&wms).await?;
        self.register_returns(&wms).await?;
        if self.rng.random_bool(STOCK_MOVE_RATE) {
            self.move_stock(&wms).await?;
        }
        Ok(())
    }

    /// The opening stock of every new article goes on the WMS shelf (a stock count, not a
    /// move).
    async fn stock_shelves(&mut self, articles: &[&SizeRow]) -> anyhow::Result<()> {
        for row in articles {
            let number = row.article_number();
            if self.stocked.contains(&number) {
                continue;
            }
            let count = self
                .control
                .warehouse()
                .count_stock(&number, row.physical_stock);
            self.control.warehouse_does(count).await?;
            self.stocked.insert(number);
        }
        Ok(())
    }

    /// Announces the delivery once four articles exist, and receives it a little after the
    /// WMS has the purchase order.
    async fn supplier_delivery(
        &mut self,
        wms: &WarehouseView,
        articles: &[&SizeRow],
    ) -> anyhow::Result<()> {
        match &mut self.delivery {
            Delivery::NotAnnounced if articles.len() >= 4 => {
                let lines: Vec<Value> = articles[..4]
                    .iter()
                    .zip([24, 36, 48, 12])
                    .map(|(row, quantity)| {
                        let mut line = row.line_keys();
                        line["quantity"] = json!(quantity);
                        line
                    })
                    .collect();
                let created = self
                    .control
                    .centra(
                        "supplier-deliveries",
                        &json!({"supplierName": "Baltic Textiles AB", "supplierCountry": "LT",
                                "lines": lines}),
                    )
                    .await?;
                let number = created["deliveryId"]
                    .as_str()
                    .map(str::to_owned)
                    .or_else(|| created["deliveryId"].as_u64().map(|n| n.to_string()))
                    .context("supplier delivery answer without deliveryId")?;
                tracing::info!(delivery = %number, "supplier delivery announced");
                self.delivery = Delivery::Announced {
                    number,
                    in_wms_since: None,
                };
            }
            Delivery::Announced {
                number,
                in_wms_since,
            } => {
                let Some(purchase_order) = wms.purchase_orders.iter().find(|p| p.number == *number)
                else {
                    return Ok(());
                };
                let since = *in_wms_since.get_or_insert(self.now);
                if self.now < since + RECEIVING_TIME {
                    return Ok(());
                }
                let receive = self.control.warehouse().receive(purchase_order);
                self.control.warehouse_does(receive).await?;
                tracing::info!(purchase_order = %number, "supplier delivery received");
                self.delivery = Delivery::Received;
            }
            Delivery::NotAnnounced | Delivery::Received => {}
        }
        Ok(())
    }

    /// A customer orders one to three of the articles in the WMS.
    async fn place_order(&mut self, articles: &[&SizeRow]) -> anyhow::Result<()> {
        let (name, street, zipcode, city, country, cell) = *CUSTOMERS
            .choose(&mut self.rng)
            .context("customers are listed")?;
        let currency = match country {
            "SE" => "SEK",
            "US" => "USD",
            _ => "EUR",
        };
        let (carrier, service) = *SHIPPING_METHODS
            .choose(&mut self.rng)
            .context("shipping methods are listed")?;
        let paid = self.rng.random_bool(PAID_RATE);
        let count = self.rng.random_range(1..=3).min(articles.len());
        let chosen: Vec<&SizeRow> = articles
            .choose_multiple(&mut self.rng, count)
            .copied()
            .collect();
        let lines: Vec<Value> = chosen
            .into_iter()
            .map(|row| {
                let mut line = row.line_keys();
                line["qty"] = json!(if self.rng.random_bool(0.2) { 2 } else { 1 });
                line["price"] = json!(row.price(currency));
                line
            })
            .collect();
        let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
        let placed = self
            .control
            .centra(
                "orders",
                &json!({
                    "order": {
                        "paid": paid, "shouldCapture": !paid, "currency": currency,
                        "delivery": {"name": name, "address": street, "zipcode": zipcode,
                                     "city": city, "country": country, "email": email,
                                     "cell": cell},
                        "carrier": carrier, "service": service, "lines": lines
                    },
                    "goodToGo": true
                }),
            )
            .await?;
        tracing::info!(order = %placed["orderId"], paid, carrier, service, "demo order placed");
        Ok(())
    }

    /// Ships every imported order that has waited its picking time: waybill, tracking URL,
    /// and for every sixth order of two or more items two parcels.
    async fn ship_orders(&mut self, wms: &WarehouseView) -> anyhow::Result<()> {
        for order in &wms.orders {
            let number = order.number.as_str();
            if !order.open || self.shipped.contains_key(number) {
                continue;
            }
            let since = *self.waiting.entry(number.to_owned()).or_insert(self.now);
            if self.now < since + PICKING_TIME {
                continue;
            }
            self.waybills += 1;
            let waybill = format!("DEMO{:08}", self.waybills);
            let tracking = format!("https://tracking.example.com/{waybill}");
            let parcels: Vec<(String, String)> = if order.items >= 2.0
                && self.waybills.is_multiple_of(6)
                && self.control.warehouse().has_parcels()
            {
                (1..=2)
                    .map(|n| (format!("{waybill}-{n}"), format!("{tracking}-{n}")))
                    .collect()
            } else {
                Vec::new()
            };
            let ship = self
                .control
                .warehouse()
                .ship(number, &waybill, &tracking, &parcels);
            self.control.warehouse_does(ship).await?;
            tracing::info!(order = %number, %waybill, "demo order shipped");
            self.waiting.remove(number);
            self.shipped.insert(number.to_owned(), self.now);
        }
        Ok(())
    }

    /// Now and then a customer sends one item of a shipped order back, with a cause.
    async fn register_returns(&mut self, wms: &WarehouseView) -> anyhow::Result<()> {
        let due: Vec<String> = self
            .shipped
            .iter()
            .filter(|(number, at)| {
                self.now >= *at + RETURN_AFTER && !self.return_drawn.contains(*number)
            })
            .map(|(number, _)| number.clone())
            .collect();
        for number in due {
            self.return_drawn.insert(number.clone());
            if !self.rng.random_bool(RETURN_RATE) {
                continue;
            }
            let Some(article) = wms
                .orders
                .iter()
                .find(|o| o.number == number)
                .and_then(|o| o.articles.first())
            else {
                continue;
            };
            let (code, name) = *RETURN_CAUSES
                .choose(&mut self.rng)
                .context("return causes are listed")?;
            let customer_return =
                self.control
                    .warehouse()
                    .customer_return(&number, article, (code, name));
            self.control.warehouse_does(customer_return).await?;
            tracing::info!(order = %number, cause = code, "demo return registered");
        }
        Ok(())
    }

    /// Stock found or damaged on the shelf, outside any order.
    async fn move_stock(&mut self, wms: &WarehouseView) -> anyhow::Result<()> {
        let Some(row) = wms
            .stock
            .iter()
            .filter(|s| self.stocked.contains(&s.article))
            .collect::<Vec<_>>()
            .choose(&mut self.rng)
            .copied()
        else {
            return Ok(());
        };
        let on_shelf = row.physical;
        let mut delta: i64 = *[-2, -1, 1, 2, 3]
            .choose(&mut self.rng)
            .context("deltas are listed")?;
        if delta < 0 && on_shelf < 2.0 {
            delta = -delta;
        }
        let movement = self.control.warehouse().move_stock(&row.article, delta);
        self.control.warehouse_does(movement).await?;
        self.stock_moves.fetch_add(1, Ordering::Relaxed);
        tracing::info!(article = %row.article, delta, "demo stock move");
        Ok(())
    }
}
