//! In-memory Centra catalogue and WMS that behave like the gateways behind the ports: the
//! catalogue serves one end-point and refuses others, the WMS answers one result per article
//! (refusing, per article, what the WMS gateway refuses), holds what it wrote as the WMS lists
//! it back (no currency), and either can be down.
//!
//! Behind the `fakes` feature so other test crates can use them; the contract suite in
//! `tests/catalog_ports_contract` (package `centra-wms-tests`) runs the same cases against these
//! fakes and against the gRPC adapters over the real gateways and simulators.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use async_trait::async_trait;
use proto::events::v1 as pb;

use crate::convert::CentraProduct;
use crate::ports::{
    ArticleRefused, ArticleSink, ArticleWrite, CatalogSource, HeldArticle, PortError,
};
use crate::rules::WmsArticle;

/// The services the fakes stand for, as the gRPC adapters name them.
const CENTRA: &str = "centra-gateway";
const WMS: &str = "wms-gateway";

/// The end-point a [`FakeCatalog::default`] serves.
pub const ENDPOINT: &str = "shop1";

/// Centra's catalogue of one end-point: products by id (as a `ProductChanged` event or the
/// gateway's `ListProducts` carries them).
#[derive(Debug)]
pub struct FakeCatalog {
    /// The only end-point served; any other is refused, as the gateway refuses one it has no
    /// client for.
    pub endpoint: String,
    pub products: Mutex<BTreeMap<String, pb::Product>>,
    /// Every call fails as if the gateway or Centra were down.
    pub down: Mutex<bool>,
}

impl Default for FakeCatalog {
    fn default() -> Self {
        Self {
            endpoint: ENDPOINT.to_owned(),
            products: Mutex::default(),
            down: Mutex::default(),
        }
    }
}

#[async_trait]
impl CatalogSource for FakeCatalog {
    async fn all_products(&self, endpoint: &str) -> Result<Vec<CentraProduct>, PortError> {
        if *self.down.lock().expect("lock") {
            return Err(PortError::unavailable(CENTRA, "connection refused"));
        }
        if endpoint != self.endpoint {
            return Err(PortError::refused(
                CENTRA,
                format!("centra end-point {endpoint:?} is not served"),
            ));
        }
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

/// The WMS: articles by number, every write recorded, refusals and outages on demand.
#[derive(Debug, Default)]
pub struct FakeWms {
    pub articles: Mutex<BTreeMap<String, WmsArticle>>,
    /// The WMS id of each article, given on its first write and kept (an upsert by number
    /// updates in place).
    pub ids: Mutex<BTreeMap<String, i64>>,
    /// Article numbers written, one entry per write.
    pub writes: Mutex<Vec<String>>,
    /// Article numbers the WMS refuses (as it refuses, say, a name too long).
    pub refuse: Mutex<BTreeSet<String>>,
    /// Every call fails as if the gateway were down.
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

/// Why the WMS gateway refuses the `index`th article of a request before it reaches the WMS,
/// in its words: a missing number, a weight or price that is no decimal.
fn gateway_refusal(index: usize, article: &WmsArticle) -> Option<String> {
    if article.article_number.trim().is_empty() {
        return Some(format!("articles[{index}].article_number: is required"));
    }
    let not_decimal = |text: &Option<String>| {
        text.as_deref()
            .is_some_and(|t| !t.trim().is_empty() && t.trim().parse::<f64>().is_err())
    };
    if not_decimal(&article.weight_kg) {
        return Some(format!("articles[{index}].weight_kg: is not a decimal"));
    }
    if not_decimal(&article.price) {
        return Some(format!(
            "articles[{index}].customer_price: is not a decimal"
        ));
    }
    None
}

#[async_trait]
impl ArticleSink for FakeWms {
    async fn upsert(
        &self,
        _idempotency_key: &str,
        articles: &[WmsArticle],
    ) -> Result<Vec<ArticleWrite>, PortError> {
        if *self.down.lock().expect("lock") {
            return Err(PortError::unavailable(WMS, "connection refused"));
        }
        let refuse = self.refuse.lock().expect("lock").clone();
        let mut stored = self.articles.lock().expect("lock");
        let mut results = Vec::new();
        for (index, article) in articles.iter().enumerate() {
            let number = article.article_number.clone();
            let refusal = gateway_refusal(index, article).or_else(|| {
                refuse
                    .contains(&number)
                    .then(|| "articleName: too long".to_owned())
            });
            if let Some(refusal) = refusal {
                results.push(ArticleWrite {
                    article_number: number,
                    result: Err(ArticleRefused::new(refusal)),
                });
                continue;
            }
            self.writes.lock().expect("lock").push(number.clone());
            let mut ids = self.ids.lock().expect("lock");
            let next = i64::try_from(ids.len()).unwrap_or(i64::MAX - 1) + 1;
            let id = *ids.entry(number.clone()).or_insert(next);
            stored.insert(number.clone(), article.clone());
            results.push(ArticleWrite {
                article_number: number,
                result: Ok(id),
            });
        }
        Ok(results)
    }

    /// What the fake holds, as the WMS returns it (no currency), under the ids it gave.
    async fn held(&self) -> Result<Vec<HeldArticle>, PortError> {
        if *self.down.lock().expect("lock") {
            return Err(PortError::unavailable(WMS, "connection refused"));
        }
        *self.reads.lock().expect("lock") += 1;
        let ids = self.ids.lock().expect("lock");
        Ok(self
            .articles
            .lock()
            .expect("lock")
            .values()
            .map(|article| HeldArticle {
                article_system_id: ids.get(&article.article_number).copied().unwrap_or(0),
                article: WmsArticle {
                    currency: None,
                    ..article.clone()
                },
            })
            .collect())
    }
}
