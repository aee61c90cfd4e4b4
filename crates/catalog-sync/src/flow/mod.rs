//! The article flow: Centra products in, WMS articles out, state and events committed together.
//!
//! Every entry point (a batch of `ProductChanged` events, a refresh, a reconcile, a manual
//! selection) runs the same three steps under one lock (the store's [`RUN_LOCK`], held across
//! replicas), so two runs never race on the same items:
//! 1. `plan`: map the size items, find collisions, decide which articles changed; a size item
//!    made inactive or gone from Centra after it was written gets its article retired
//!    (written once more, inactive);
//! 2. `write`: upsert only those through the [`ArticleSink`], in batches;
//! 3. `commit`: one transaction with the item states, an `ArticleSynced` event per written
//!    article (outbox), dead letters for bad data, and the inbox records of the events.
//!
//! Layout: `plan.rs`, `write.rs`, `commit.rs` for the steps; `operations.rs` for the entry
//! points; `products.rs` for the product-level list and selection; `event.rs` for the
//! `ArticleSynced` message.

mod commit;
mod event;
mod operations;
mod plan;
mod products;
mod write;

use std::sync::Arc;

use platform_store::{Store, StoreError};

/// The store lock every run of the flow holds (in this process and across replicas).
pub const RUN_LOCK: &str = "catalog-run";

pub use event::{ARTICLE_SYNCED_TYPE, article_synced_subject};
pub use operations::{ListQuery, ListedPage, ProductEvent, SelectedOutcome};
pub use products::{
    CatalogSummary, FOUND_AT_MOST, ProductGroup, ProductPage, ProductQuery, ProductSelection,
    group_by_product, names,
};

use crate::items::CatalogItems;
use crate::ports::{ArticleSink, CatalogSource, PortError};
use crate::rules::CatalogRules;

/// Inbox consumer name of the `ProductChanged` handler.
pub const PRODUCTS_CONSUMER: &str = "catalog-sync.products";

/// Dead-letter kind of size items rejected for bad data.
pub const DEAD_LETTER_KIND: &str = "article";

/// What the flow needs to know about the tenant.
#[derive(Debug, Clone)]
pub struct FlowConfig {
    /// The catalog end-point: articles come only from it.
    pub endpoint: String,
    /// The WMS warehouse name, for the events.
    pub warehouse: String,
    /// Mapping rules.
    pub rules: CatalogRules,
    /// Manual product selection: only selected items are written, on request.
    pub manual: bool,
}

/// Why a run did not finish. Bad data is never an error (it is a state); these are.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A gateway could not be reached; the run is retried.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Counts of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Size items looked at.
    pub seen: u64,
    /// Size items seen for the first time.
    pub new_items: u64,
    /// Size items whose article or problem changed.
    pub changed_items: u64,
    /// Articles that differ from the WMS and may be written (written unless a dry run).
    pub queued: u64,
    /// Articles written.
    pub written: u64,
    /// Articles the WMS refused.
    pub refused: u64,
    /// Size items rejected for bad data or collisions.
    pub rejected: u64,
    /// Size items left out by the filter.
    pub filtered: u64,
    /// The event was already processed (inbox).
    pub duplicate: bool,
    /// Resync: articles the WMS should hold but does not (deleted by hand, or never arrived).
    pub missing_in_wms: u64,
    /// Resync: articles the WMS holds otherwise than Centra shows them (edited by hand, or
    /// changed in Centra).
    pub differing_in_wms: u64,
    /// Resync: articles the WMS listed.
    pub wms_articles: u64,
}

/// The article flow of one catalog end-point.
#[derive(Debug, Clone)]
pub struct CatalogFlow {
    store: Store,
    items: CatalogItems,
    source: Arc<dyn CatalogSource>,
    sink: Arc<dyn ArticleSink>,
    config: Arc<FlowConfig>,
}

impl CatalogFlow {
    /// The flow over its store and ports.
    pub fn new(
        store: Store,
        source: Arc<dyn CatalogSource>,
        sink: Arc<dyn ArticleSink>,
        config: FlowConfig,
    ) -> Self {
        Self {
            items: CatalogItems::new(store.clone()),
            store,
            source,
            sink,
            config: Arc::new(config),
        }
    }

    /// The flow's settings.
    pub fn config(&self) -> &FlowConfig {
        &self.config
    }

    /// The store (dead letters of unreadable events).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The size item repository (read side, for listings and tests).
    pub fn items(&self) -> &CatalogItems {
        &self.items
    }
}
