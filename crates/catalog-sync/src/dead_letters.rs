//! What retrying catalog-sync's dead letters does (the `DeadLetters` service itself is the
//! platform's, over this service's store): size rows rejected for bad data (flow `article`)
//! run through the catalogue again, so what a person fixed in Centra is written and what is
//! still wrong is kept again. Unreadable events (flow `product_changed_event`) keep no bytes
//! to replay; the next reconcile reads the products from Centra anyway.

use std::sync::Arc;

use async_trait::async_trait;
use platform_runtime::{DeadLetterRetry, DeadLetterService};
use platform_store::DeadLetter;

use crate::flow::{CatalogFlow, DEAD_LETTER_KIND};

/// Re-runs rejected rows through the flow.
#[derive(Debug, Clone)]
pub struct RejectedRows {
    flow: CatalogFlow,
}

impl RejectedRows {
    pub fn new(flow: CatalogFlow) -> Self {
        Self { flow }
    }
}

#[async_trait]
impl DeadLetterRetry for RejectedRows {
    async fn retry(&self, letters: Vec<DeadLetter>) {
        if letters.iter().any(|l| l.kind == DEAD_LETTER_KIND)
            && let Err(error) = self.flow.retry_rejected().await
        {
            tracing::warn!(%error, "retrying rejected articles failed");
        }
    }
}

/// catalog-sync's `DeadLetters` service over `flow`'s store.
pub fn service(flow: CatalogFlow) -> DeadLetterService {
    DeadLetterService::new(flow.store().clone(), Arc::new(RejectedRows::new(flow)))
}
