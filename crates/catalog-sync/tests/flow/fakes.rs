//! Fakes of the two ports and a harness that opens a flow over a fresh SQLite store.

use catalog_sync::centra_product::CentraProduct;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use catalog_sync::flow::{CatalogFlow, FlowConfig};
use catalog_sync::ports::{ArticleSink, ArticleWrite, CatalogSource, HeldArticle, PortError};
use catalog_sync::rules::{CatalogRules, WmsArticle};
use platform_store::{DeadLetterFilter, DeadLetterStatus, Store, StoreOptions};
use proto::events::v1 as pb;

/// Centra's catalogue: products by id.
#[derive(Debug, Default)]
pub struct FakeCatalog {
    pub products: Mutex<BTreeMap<String, pb::Product>>,
}

#[async_trait]
impl CatalogSource for FakeCatalog {
    async fn all_products(&self, _endpoint: &str) -> Result<Vec<CentraProduct>, PortError> {
        Ok(self
            .products
            .lock()
            .expect("lock")
            .values()
            .cloned()
            .map(CentraProduct::from)
            .collect())
    }
}

/// The WMS: articles by number, every call recorded, refusals and outages on demand.
#[derive(Debug, Default)]
pub struct FakeWms {
    pub articles: Mutex<BTreeMap<String, WmsArticle>>,
    /// Article numbers written, one entry per write.
    pub writes: Mutex<Vec<String>>,
    pub refuse: Mutex<BTreeSet<String>>,
    pub down: Mutex<bool>,
    /// `held` calls (full reads of the WMS articles).
    pub reads: Mutex<u32>,
}

impl FakeWms {
    pub fn write_count(&self) -> usize {
        self.writes.lock().expect("lock").len()
    }

    pub fn take_writes(&self) -> Vec<String> {
        std::mem::take(&mut *self.writes.lock().expect("lock"))
    }

    pub fn article(&self, number: &str) -> Option<WmsArticle> {
        self.articles.lock().expect("lock").get(number).cloned()
    }
}

#[async_trait]
impl ArticleSink for FakeWms {
    async fn upsert(
        &self,
        _idempotency_key: &str,
        articles: &[WmsArticle],
    ) -> Result<Vec<ArticleWrite>, PortError> {
        if *self.down.lock().expect("lock") {
            return Err(PortError::unavailable("wms-gateway", "connection refused"));
        }
        let refuse = self.refuse.lock().expect("lock").clone();
        let mut stored = self.articles.lock().expect("lock");
        let mut results = Vec::new();
        for article in articles {
            let number = article.article_number.clone();
            if refuse.contains(&number) {
                results.push(ArticleWrite {
                    article_number: number,
                    result: Err("articleName: too long".into()),
                });
                continue;
            }
            self.writes.lock().expect("lock").push(number.clone());
            let id = i64::try_from(stored.len()).unwrap_or(0) + 1;
            stored.insert(number.clone(), article.clone());
            results.push(ArticleWrite {
                article_number: number,
                result: Ok(id),
            });
        }
        Ok(results)
    }

    /// What the fake holds, as the WMS returns it (no currency), ids by number order.
    async fn held(&self) -> Result<Vec<HeldArticle>, PortError> {
        if *self.down.lock().expect("lock") {
            return Err(PortError::unavailable("wms-gateway", "connection refused"));
        }
        *self.reads.lock().expect("lock") += 1;
        Ok(self
            .articles
            .lock()
            .expect("lock")
            .values()
            .zip(1..)
            .map(|(article, id)| HeldArticle {
                article_system_id: id,
                article: WmsArticle {
                    currency: None,
                    ..article.clone()
                },
            })
            .collect())
    }
}

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
