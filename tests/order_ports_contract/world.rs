//! What a case needs of an implementation: the port, and the controls that set up the far
//! side's facts (articles, warehouse work, shipments) and read back its effects. One world per
//! case, so counts are the case's own. The fakes' worlds are here; the gateways' in `grpc.rs`.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use domain::{EndpointName, ShipmentId};
use order_sync::fakes::{FakeCentra, FakeWms, Fault};
use order_sync::ports::{CentraShipments, WmsOrders};

/// The Centra end-point every world serves.
pub fn endpoint() -> EndpointName {
    EndpointName::parse("shop1").expect("endpoint")
}

/// The warehouse every world serves.
pub const WAREHOUSE: &str = "sandbox";

/// A Centra side: the port plus its controls.
pub trait CentraWorld {
    fn port(&self) -> Arc<dyn CentraShipments>;
    /// A new good-to-go shipment; an unpaid one must be captured before it is complete.
    async fn shipment(&self, paid: bool) -> ShipmentId;
    /// A new good-to-go unpaid shipment whose payment Centra will not capture (declined).
    async fn declined_shipment(&self) -> ShipmentId;
    /// Completions of `id` that changed Centra.
    async fn completions(&self, id: &ShipmentId) -> u64;
    /// Captures of `id` that charged the customer.
    async fn captures(&self, id: &ShipmentId) -> u64;
    /// The next call (at least) fails as if Centra were down.
    async fn go_down(&self);
    async fn stop(self);
}

/// A WMS side: the port plus its controls.
pub trait WmsWorld {
    fn port(&self) -> Arc<dyn WmsOrders>;
    /// The WMS holds `articles` from now on (it holds none at first).
    async fn know_articles(&self, articles: &[&str]);
    /// The warehouse started work (picking) on the order.
    async fn start_work(&self, order_number: &str);
    /// How many times the WMS created an order numbered `order_number`.
    async fn created(&self, order_number: &str) -> u64;
    /// The lines of order `order_number` as the WMS holds them: `(article number, quantity)`.
    async fn lines(&self, order_number: &str) -> Vec<(String, u64)>;
    /// The next call (at least) fails as if the WMS were down.
    async fn go_down(&self);
    async fn stop(self);
}

/// The fake Centra of `order_sync::fakes`.
#[derive(Debug, Default)]
pub struct FakeCentraWorld {
    fake: Arc<FakeCentra>,
    next_order: AtomicU64,
}

impl CentraWorld for FakeCentraWorld {
    fn port(&self) -> Arc<dyn CentraShipments> {
        self.fake.clone()
    }

    async fn shipment(&self, paid: bool) -> ShipmentId {
        let order = self.next_order.fetch_add(1, Ordering::Relaxed) + 1;
        let id = ShipmentId::parse(&format!("{order}-1")).expect("shipment id");
        let shipment = domain::Shipment {
            id,
            endpoint: endpoint(),
            paid,
            should_capture: !paid,
            good_to_go: true,
            delivery: domain::Address::default(),
            shipping_method: domain::ShippingMethod::default(),
            lines: Vec::new(),
        };
        self.fake
            .with(|s| s.shipments.insert(id.to_string(), shipment));
        if !paid {
            self.fake.with(|s| s.unpaid.insert(id.to_string()));
        }
        id
    }

    async fn declined_shipment(&self) -> ShipmentId {
        let id = self.shipment(false).await;
        self.fake.with(|s| s.refuse_capture.insert(id.to_string()));
        id
    }

    async fn completions(&self, id: &ShipmentId) -> u64 {
        self.fake.with(|s| {
            s.completions
                .iter()
                .filter(|c| c.shipment_id == *id)
                .count() as u64
        })
    }

    async fn captures(&self, id: &ShipmentId) -> u64 {
        let id = id.to_string();
        self.fake
            .with(|s| s.captures.iter().filter(|c| **c == id).count() as u64)
    }

    async fn go_down(&self) {
        self.fake.with(|s| s.next_fault = Fault::Down);
    }

    async fn stop(self) {}
}

/// The fake WMS of `order_sync::fakes`, holding no article at first.
#[derive(Debug)]
pub struct FakeWmsWorld {
    fake: Arc<FakeWms>,
}

impl Default for FakeWmsWorld {
    fn default() -> Self {
        let fake = FakeWms::default();
        fake.with(|s| s.known_articles = Some(HashSet::new()));
        Self {
            fake: Arc::new(fake),
        }
    }
}

impl WmsWorld for FakeWmsWorld {
    fn port(&self) -> Arc<dyn WmsOrders> {
        self.fake.clone()
    }

    async fn know_articles(&self, articles: &[&str]) {
        self.fake.with(|s| {
            s.known_articles
                .get_or_insert_with(HashSet::new)
                .extend(articles.iter().map(|a| (*a).to_owned()));
        });
    }

    async fn start_work(&self, order_number: &str) {
        self.fake
            .with(|s| s.work_started.insert(order_number.to_owned()));
    }

    async fn created(&self, order_number: &str) -> u64 {
        // The fake counts creations of any number; a world holds one case's orders only.
        self.fake.with(|s| {
            if s.orders.contains_key(order_number) {
                u64::from(s.creations)
            } else {
                0
            }
        })
    }

    async fn lines(&self, order_number: &str) -> Vec<(String, u64)> {
        self.fake.with(|s| {
            s.orders.get(order_number).map_or_else(Vec::new, |order| {
                order
                    .lines
                    .iter()
                    .map(|l| (l.article_number.as_str().to_owned(), u64::from(l.quantity)))
                    .collect()
            })
        })
    }

    async fn go_down(&self) {
        self.fake.with(|s| s.next_fault = Fault::Down);
    }

    async fn stop(self) {}
}
