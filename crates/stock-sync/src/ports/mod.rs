//! The two systems the flow reads and writes, as ports in the flow's own terms: the WMS's stock
//! (through ongoing-gateway) and Centra's stock (through centra-gateway). The gRPC adapters are
//! in [`crate::grpc_ports`]; the flow never sees a gateway message.
//!
//! Rules every adapter keeps:
//! - reads are fresh: what the system holds at the time of the call, never a cached copy
//!   (the stock rule is only safe on fresh numbers);
//! - a batch never fails for one bad row: rows the far side does not know come back named;
//! - [`PortError::Unavailable`] means the outcome is unknown and the same call again is safe
//!   (stock writes are absolute, so a repeated write changes nothing).

use std::collections::BTreeMap;

use async_trait::async_trait;
use domain::{CentraStock, WmsStock};

/// Why a call did not go through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// Transport or the far side is down: try the same call again later.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The far side refused the request: retrying the same call will not help.
    #[error("{0}")]
    Refused(String),
}

/// Named articles' stock as the WMS holds it now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WmsStockRead {
    pub levels: BTreeMap<String, WmsStock>,
    /// Named articles the WMS does not hold.
    pub not_found: Vec<String>,
}

/// One page of every article's stock in the WMS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WmsStockPage {
    pub levels: BTreeMap<String, WmsStock>,
    /// Where the next page starts; `None` after the last.
    pub next: Option<i64>,
}

/// The WMS's stock.
#[async_trait]
pub trait WmsStockSource: Send + Sync + std::fmt::Debug {
    /// The stock of at most 100 named articles.
    ///
    /// # Errors
    /// [`PortError::Unavailable`] when the WMS cannot answer now; [`PortError::Refused`] for an
    /// unknown warehouse or a request the gateway refuses.
    async fn read(&self, warehouse: &str, articles: &[String]) -> Result<WmsStockRead, PortError>;

    /// One page of every article, starting at `from` (0: the first page).
    ///
    /// # Errors
    /// As [`WmsStockSource::read`].
    async fn page(&self, warehouse: &str, from: i64) -> Result<WmsStockPage, PortError>;
}

/// One Centra size item's stock and the keys it can be found by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentraStockRow {
    pub product_id: String,
    /// `sku + variantSku + sizeSku`.
    pub joined_sku: String,
    pub ean: String,
    pub stock: CentraStock,
}

impl CentraStockRow {
    /// Whether this row is the article: the WMS article number is Centra's product key under
    /// either article-number rule (joined SKU or EAN).
    pub fn is(&self, article_number: &str) -> bool {
        self.keys().any(|key| key == article_number)
    }

    /// The keys an article number can be: the joined SKU, and the EAN when there is one.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        [self.joined_sku.as_str(), self.ean.as_str()]
            .into_iter()
            .filter(|key| !key.is_empty())
    }
}

/// What Centra did not take from a stock write (every other product was set).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StockWriteOutcome {
    pub not_found: Vec<String>,
    pub bundles: Vec<String>,
}

/// Centra's stock on the catalog end-point.
#[async_trait]
pub trait CentraStockTarget: Send + Sync + std::fmt::Debug {
    /// Every size item of the named products.
    ///
    /// # Errors
    /// [`PortError::Unavailable`] when Centra cannot answer now; [`PortError::Refused`] when the
    /// gateway refuses the request (unknown end-point, bad id).
    async fn read(
        &self,
        endpoint: &str,
        product_ids: &[String],
    ) -> Result<Vec<CentraStockRow>, PortError>;

    /// One page of every size item; `token` is `None` for the first page. Returns the rows
    /// and the next page's token (`None` after the last).
    ///
    /// # Errors
    /// As [`CentraStockTarget::read`].
    async fn page(
        &self,
        endpoint: &str,
        token: Option<String>,
    ) -> Result<(Vec<CentraStockRow>, Option<String>), PortError>;

    /// Sets absolute physical stock (product key -> units), batched by the gateway.
    ///
    /// # Errors
    /// [`PortError::Unavailable`] when the outcome is unknown (the same write again is safe);
    /// [`PortError::Refused`] when the request is refused as a whole.
    async fn write(
        &self,
        endpoint: &str,
        levels: &BTreeMap<String, i64>,
    ) -> Result<StockWriteOutcome, PortError>;
}
