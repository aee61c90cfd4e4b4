//! The harness: a flow over the fakes of `catalog_sync::fakes` and a fresh store, and the
//! product builders.

use std::sync::Arc;

pub use catalog_sync::fakes::{FakeCatalog, FakeWms};
use catalog_sync::flow::{CatalogFlow, FlowConfig};
use catalog_sync::rules::CatalogRules;
use platform_store::{DeadLetterFilter, DeadLetterStatus, Store, StoreOptions};
use proto::events::v1 as pb;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A flow over fakes and a fresh store.
pub struct TestFlow {
    pub flow: CatalogFlow,
    pub store: Store,
    pub catalog: Arc<FakeCatalog>,
    pub wms: Arc<FakeWms>,
    _dir: tempfile::TempDir,
}

/// A flow on a fresh SQLite file.
pub async fn spawn_flow(rules: CatalogRules, manual: bool) -> TestFlow {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("catalog.db").display()
    );
    open_flow(url, dir, rules, manual).await
}

/// A flow on `backend`; None when PostgreSQL is not configured outside CI (test_support
/// fails the test under CI instead).
pub async fn spawn_flow_on(
    backend: Backend,
    test: &str,
    rules: CatalogRules,
    manual: bool,
) -> Option<TestFlow> {
    match backend {
        Backend::Sqlite => Some(spawn_flow(rules, manual).await),
        Backend::Postgres => {
            let db = test_support::postgres_database(test).await?;
            let dir = tempfile::tempdir().expect("tempdir");
            Some(open_flow(db.url, dir, rules, manual).await)
        }
    }
}

async fn open_flow(
    url: String,
    dir: tempfile::TempDir,
    rules: CatalogRules,
    manual: bool,
) -> TestFlow {
    let store = Store::open(
        StoreOptions::new(catalog_sync::NAME, url),
        &catalog_sync::MIGRATIONS,
    )
    .await
    .expect("store");
    let catalog = Arc::new(FakeCatalog::default());
    let wms = Arc::new(FakeWms::default());
    let flow = CatalogFlow::new(
        store.clone(),
        catalog.clone(),
        wms.clone(),
        FlowConfig {
            endpoint: "shop1".into(),
            warehouse: "sandbox".into(),
            rules,
            manual,
        },
    );
    TestFlow {
        flow,
        store,
        catalog,
        wms,
        _dir: dir,
    }
}

impl TestFlow {
    /// Puts `product` in the fake catalogue too (for refresh and reconcile).
    pub fn publish(&self, product: &pb::Product) {
        self.catalog
            .products
            .lock()
            .expect("lock")
            .insert(product.product_id.clone(), product.clone());
    }

    pub async fn open_dead_letters(&self) -> Vec<(String, String)> {
        self.store
            .dead_letters()
            .list(&DeadLetterFilter {
                status: Some(DeadLetterStatus::Open),
                ..DeadLetterFilter::default()
            })
            .await
            .expect("dead letters")
            .into_iter()
            .map(|d| (d.record_key, d.reason))
            .collect()
    }
}

/// A size item with valid data; `n` makes the size SKU and stock item id unique.
pub fn size(stock_item_id: &str, size_sku: &str) -> pb::ProductSize {
    pb::ProductSize {
        stock_item_id: stock_item_id.into(),
        variant_id: "10".into(),
        variant_name: "Blue".into(),
        sku: "M411".into(),
        variant_sku: "-740".into(),
        size_sku: size_sku.into(),
        ean: String::new(),
        upc: String::new(),
        size_name: size_sku.into(),
        active: true,
        weight: "0.3".into(),
        weight_unit: "kg".into(),
        country_of_origin: "SE".into(),
        harm_code: "61091000".into(),
        harm_description: String::new(),
        prices: vec![pb::Price {
            pricelist: "EU".into(),
            currency: "EUR".into(),
            amount: "45".into(),
        }],
    }
}

pub fn product(id: &str, sizes: Vec<pb::ProductSize>) -> pb::Product {
    pb::Product {
        product_id: id.into(),
        name: "Shirt".into(),
        brand: String::new(),
        collection: String::new(),
        description: String::new(),
        sizes,
    }
}
