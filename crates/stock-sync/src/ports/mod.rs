//! The two systems the flow reads and writes, as ports in the flow's own terms: the WMS's stock
//! (through the WMS gateway) and Centra's stock (through centra-gateway). The flow never sees a
//! gateway message.
//!
//! Layout:
//! - [`WmsStockSource`]: the WMS's stock, named articles or page by page;
//! - [`CentraStockTarget`]: Centra's stock on the catalog end-point, read and written;
//! - `grpc`: [`GrpcWms`] and [`GrpcCentra`], the adapters over the generated clients.
//!
//! Rules every adapter keeps (the fakes of the flow tests and the gRPC adapters alike):
//! - reads are fresh: what the system holds at the time of the call, never a cached copy
//!   (the stock rule is only safe on fresh numbers);
//! - a batch never fails for one bad row: rows the far side does not know come back named;
//! - a failure is a [`PortError`] whose [`PortErrorKind`] is made at the adapter boundary:
//!   [`PortErrorKind::Unavailable`] means the outcome is unknown and the same call again is
//!   safe (stock writes are absolute, so a repeated write changes nothing);
//!   [`PortErrorKind::Refused`] means the request must change first;
//!   [`PortErrorKind::BrokenAnswer`] means the answer breaks the gateway's contract.

mod grpc;

use std::collections::BTreeMap;

use async_trait::async_trait;
use domain::{CentraStock, PortError, WmsStock};

#[cfg(doc)]
use domain::PortErrorKind;

pub use grpc::{GrpcCentra, GrpcWms};

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
    /// [`PortErrorKind::Unavailable`] when the WMS cannot answer now;
    /// [`PortErrorKind::Refused`] for an unknown warehouse or a request the gateway refuses;
    /// [`PortErrorKind::BrokenAnswer`] when the gateway does not serve the call as contracted.
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
    /// [`PortErrorKind::Unavailable`] when Centra cannot answer now;
    /// [`PortErrorKind::Refused`] when the gateway refuses the request (unknown end-point, bad
    /// id); [`PortErrorKind::BrokenAnswer`] when it does not serve the call as contracted.
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
    /// [`PortErrorKind::Unavailable`] when the outcome is unknown (the same write again is
    /// safe); [`PortErrorKind::Refused`] when the request is refused as a whole;
    /// [`PortErrorKind::BrokenAnswer`] as for [`CentraStockTarget::read`].
    async fn write(
        &self,
        endpoint: &str,
        levels: &BTreeMap<String, i64>,
    ) -> Result<StockWriteOutcome, PortError>;
}
