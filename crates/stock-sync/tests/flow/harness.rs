//! `spawn_flow()`: the flow over a fresh SQLite store and the fakes, plus builders.

use std::sync::Arc;
use std::time::Duration;

use domain::{CentraEndpoint, WmsStock};
use platform_store::{MessageId, Store, StoreOptions};
use proto::events::v1 as events;
use stock_sync::articles::{StockArticle, StockArticles};
use stock_sync::flow::StockFlow;

use stock_sync::fakes::{FakeCentra, FakeWms, Item, Moves};

pub struct TestFlow {
    pub flow: StockFlow,
    pub centra: Arc<FakeCentra>,
    pub wms: Arc<FakeWms>,
    /// What the world does right after the next read of either side.
    pub moves: Arc<Moves>,
    pub store: Store,
    _dir: tempfile::TempDir,
}

/// Built from its serialized form, so new optional fields do not break the tests.
fn endpoint(json: &str) -> CentraEndpoint {
    serde_json::from_str(json).expect("end-point")
}

/// One end-point `shop1` (the catalog end-point), stock on, rechecks after 50 ms, no batching
/// window.
pub fn settings() -> domain::Settings {
    let mut settings = domain::Settings::new(
        vec![endpoint(
            r#"{"name": "shop1", "base_url": "https://shop1.centra.com/api/order-api", "secret": "s"}"#,
        )],
        chrono_tz::UTC,
    );
    settings.stock_to_centra = true;
    settings.stock_recheck_interval = Duration::from_millis(50);
    // No batching window: a marked article is due at once, so `drain` checks it without
    // waiting (the window has its own tests, `batching.rs`).
    settings.stock_batch_window = Duration::ZERO;
    settings.sync_interval = Duration::from_secs(1);
    settings
}

pub async fn spawn_flow() -> TestFlow {
    spawn_flow_with(settings()).await
}

/// The flow with `settings` over a fresh SQLite store.
pub async fn spawn_flow_with(settings: domain::Settings) -> TestFlow {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/stock-sync.db?mode=rwc", dir.path().display());
    spawn_on(url, dir, settings).await
}

/// The flow over the store at `url` (SQLite or PostgreSQL).
pub async fn spawn_flow_on(url: String, dir: tempfile::TempDir) -> TestFlow {
    spawn_on(url, dir, settings()).await
}

async fn spawn_on(url: String, dir: tempfile::TempDir, settings: domain::Settings) -> TestFlow {
    let store = Store::open(
        StoreOptions::new("stock-sync", url),
        &stock_sync::MIGRATIONS,
    )
    .await
    .expect("store");
    let moves = Arc::new(Moves::default());
    let centra = Arc::new(FakeCentra::new(moves.clone()));
    let wms = Arc::new(FakeWms::new(moves.clone()));
    let flow = StockFlow::new(
        Arc::new(settings),
        "main",
        StockArticles::new(store.clone()),
        wms.clone(),
        centra.clone(),
    );
    TestFlow {
        flow,
        centra,
        wms,
        moves,
        store,
        _dir: dir,
    }
}

/// Another replica over the same store and systems.
pub fn flow_over(store: &Store, centra: &Arc<FakeCentra>, wms: &Arc<FakeWms>) -> StockFlow {
    StockFlow::new(
        Arc::new(settings()),
        "main",
        StockArticles::new(store.clone()),
        wms.clone(),
        centra.clone(),
    )
}

impl TestFlow {
    /// Article `key` of product `product` on both sides: WMS (physical, sellable), Centra
    /// (physical, allocated).
    pub fn article(&self, key: &str, product: &str, wms: (i64, i64), centra: (i64, i64)) {
        self.wms.with(|w| {
            w.levels.insert(
                key.into(),
                WmsStock {
                    physical: wms.0,
                    sellable: wms.1,
                },
            );
        });
        self.centra.with(|c| {
            c.items.push(Item {
                product_id: product.into(),
                joined_sku: key.into(),
                ean: String::new(),
                physical: centra.0,
                allocated: centra.1,
                bundle: false,
            });
        });
    }

    /// `ArticleSynced` from the catalog flow: the article's Centra product.
    pub async fn synced(&self, message: &str, key: &str, product: &str) {
        let event = events::ArticleSynced {
            warehouse: "main".into(),
            article_number: key.into(),
            endpoint: "shop1".into(),
            product_id: product.into(),
            ..Default::default()
        };
        self.flow
            .on_article_synced(&MessageId::new(message), &event)
            .await
            .expect("article synced");
    }

    /// `WmsStockChanged` for `key` (its numbers deliberately stale: the flow reads fresh ones).
    pub async fn changed(&self, message: &str, key: &str) {
        let event = events::WmsStockChanged {
            warehouse: "main".into(),
            article_number: key.into(),
            number_of_items: -999,
            ..Default::default()
        };
        self.flow
            .on_stock_changed(&MessageId::new(message), &event)
            .await
            .expect("stock changed");
    }

    /// Centra completes a shipment of `units` of `key`: they leave its physical stock and its
    /// allocation.
    pub fn centra_completes(&self, key: &str, units: i64) {
        self.centra.with(|c| {
            let item = c.item(key);
            item.physical -= units;
            item.allocated -= units;
        });
    }

    /// `ShipmentCompleted` of `shipment_id` on `shop1` with the size item `key`.
    pub async fn completed(&self, message: &str, shipment_id: &str, key: &str) {
        let event = events::ShipmentCompleted {
            endpoint: "shop1".into(),
            shipment_id: shipment_id.into(),
            items: vec![events::CompletedItem {
                joined_sku: key.into(),
                ean: String::new(),
            }],
            ..Default::default()
        };
        self.flow
            .on_shipment_completed(&MessageId::new(message), &event)
            .await
            .expect("shipment completed");
    }

    /// A Centra order of `units` of `key`: Centra allocates them (its physical stock is as it
    /// was).
    pub fn centra_allocates(&self, key: &str, units: i64) {
        self.centra.with(|c| c.item(key).allocated += units);
    }

    /// `ShipmentGoodToGo` of `shipment_id` on `shop1` with one line of the size item `key`
    /// (its SKU split in three parts, as Centra sends it).
    pub async fn good_to_go(&self, message: &str, shipment_id: &str, key: &str) {
        let (sku, rest) = key.split_at(key.len() / 2);
        let event = events::ShipmentGoodToGo {
            endpoint: "shop1".into(),
            shipment_id: shipment_id.into(),
            lines: vec![events::ProductLine {
                sku: sku.into(),
                variant_sku: rest.into(),
                size_sku: String::new(),
                quantity: 1,
                ..Default::default()
            }],
            ..Default::default()
        };
        self.flow
            .on_shipment_good_to_go(&MessageId::new(message), &event)
            .await
            .expect("shipment good to go");
    }

    /// Starts a check whose WMS read takes 300 ms and returns once the check is in that read
    /// (Centra read already), so a test moves the world while the check's numbers age. The
    /// reads are quick again for the checks after it.
    pub async fn check_reading_slowly(
        &self,
    ) -> tokio::task::JoinHandle<Result<stock_sync::flow::CheckReport, stock_sync::flow::FlowError>>
    {
        self.wms.with(|w| w.read_delay = Duration::from_millis(300));
        let flow = self.flow.clone();
        let wms = self.wms.clone();
        let check = tokio::spawn(async move {
            let report = flow.check_due().await;
            wms.with(|w| w.read_delay = Duration::ZERO);
            report
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        check
    }

    /// Checks until nothing is due now.
    pub async fn drain(&self) -> stock_sync::flow::CheckReport {
        let mut total = stock_sync::flow::CheckReport::default();
        loop {
            let report = self.flow.check_due().await.expect("check");
            if report.checked == 0 {
                return total;
            }
            total.checked += report.checked;
            total.written += report.written;
            total.unchanged += report.unchanged;
            total.failed += report.failed;
        }
    }

    pub async fn state(&self, key: &str) -> StockArticle {
        self.flow
            .articles()
            .find(key)
            .await
            .expect("find")
            .unwrap_or_else(|| panic!("no article {key}"))
    }

    /// What Centra sells of `key` now.
    pub fn centra_sells(&self, key: &str) -> i64 {
        self.centra.with(|c| {
            let item = c.item(key);
            item.physical.max(item.allocated) - item.allocated
        })
    }

    pub fn centra_physical(&self, key: &str) -> i64 {
        self.centra.with(|c| c.item(key).physical)
    }
}
