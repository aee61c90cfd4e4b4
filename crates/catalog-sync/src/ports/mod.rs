//! The two outside systems catalog-sync depends on, as traits, and their gRPC adapters.
//!
//! Layout:
//! - [`CatalogSource`]: reads Centra products (the centra-gateway's `ListProducts`);
//! - [`ArticleSink`]: upserts WMS articles (`WmsGateway.UpsertArticles` of whichever WMS
//!   gateway the runtime points `platform_runtime::WMS_GATEWAY` at) and reads the articles the
//!   WMS holds (`ListArticles`, for a resync);
//! - `grpc`: the adapters over the generated clients.

mod grpc;

use crate::convert::CentraProduct;
use async_trait::async_trait;

pub use grpc::{GrpcArticleSink, GrpcCatalogSource};

use crate::rules::WmsArticle;

/// A call to another service failed as a whole: the shared [`domain::PortError`]. The catalog
/// flow tries the run again later whatever the kind, which says what a person reading the
/// status should think.
pub use domain::{PortError, PortErrorKind};

/// Centra's catalogue, read through the centra-gateway.
#[async_trait]
pub trait CatalogSource: Send + Sync + std::fmt::Debug {
    /// Every product of `endpoint` with all its size items (all pages read, sizes of one
    /// product merged even when they arrived on different pages).
    ///
    /// # Errors
    /// [`PortErrorKind::Unavailable`] when the gateway or Centra is down (nothing is returned,
    /// never a part of the catalogue); [`PortErrorKind::Refused`] for an end-point the gateway
    /// does not serve.
    async fn all_products(&self, endpoint: &str) -> Result<Vec<CentraProduct>, PortError>;
}

/// What the WMS said about one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleWrite {
    /// The article number written.
    pub article_number: String,
    /// The WMS id, or why the WMS refused this article.
    pub result: Result<i64, ArticleRefused>,
}

/// Why the WMS refused one article (the others of the call are not affected): the WMS
/// gateway's words, naming the field. The article's problem shows it to a person; no rule
/// decides on its text (a refused article is refused whatever the words).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct ArticleRefused {
    /// The refusal as the WMS gateway put it (`articleName: too long`).
    pub reason: String,
}

impl ArticleRefused {
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

/// One article as the WMS holds it now (it may differ from what catalog-sync last wrote: a
/// person may have edited or deleted it in the WMS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldArticle {
    /// The WMS id.
    pub article_system_id: i64,
    /// Its data, in the terms catalog-sync writes (`currency` is always None: the WMS keeps
    /// none for the customer price).
    pub article: WmsArticle,
}

/// The WMS, written through the WMS gateway (whichever warehouse it is).
#[async_trait]
pub trait ArticleSink: Send + Sync + std::fmt::Debug {
    /// Creates or updates `articles`; one result per article, in order. One refused article
    /// never fails the call: its result is the WMS's reason (a number missing, a weight or
    /// price that is no decimal, whatever the WMS refuses).
    ///
    /// # Errors
    /// [`PortErrorKind::Unavailable`] when the gateway cannot be reached or the outcome is
    /// unknown; [`PortErrorKind::Refused`] for a warehouse the gateway does not serve;
    /// [`PortErrorKind::BrokenAnswer`] when the answer is not one result per article.
    async fn upsert(
        &self,
        idempotency_key: &str,
        articles: &[WmsArticle],
    ) -> Result<Vec<ArticleWrite>, PortError>;

    /// Every article the WMS holds, read page by page.
    ///
    /// # Errors
    /// [`PortErrorKind::Unavailable`] when a page cannot be read (gateway or WMS down);
    /// [`PortErrorKind::Refused`] for a warehouse the gateway does not serve. Nothing is
    /// returned then, so a resync never takes a half-read WMS for one missing articles.
    async fn held(&self) -> Result<Vec<HeldArticle>, PortError>;
}
