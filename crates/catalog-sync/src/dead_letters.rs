//! What retrying catalog-sync's dead letters does (the `DeadLetters` service itself is the
//! platform's, over this service's store):
//! - size rows rejected for bad data (kind `article`) run through the catalogue again, so what
//!   a person fixed in Centra is written and what is still wrong is kept again;
//! - a `ProductChanged` event given up after the redelivery limit (kind [`crate::CONSUMER`],
//!   kept with its bytes) is handed to the handler again as if the bus redelivered it; a replay
//!   that fails again is kept open ([`settle_replay`]);
//! - unreadable events (kind `product_changed_event`) keep no bytes worth replaying; the next
//!   reconcile reads the products from Centra anyway.

use std::sync::Arc;

use async_trait::async_trait;
use platform_runtime::{DeadLetterRetry, DeadLetterService, kept_message, settle_replay};
use platform_store::DeadLetter;

use crate::consumers::{ProductDelivery, handle_product_changed};
use crate::flow::{CatalogFlow, DEAD_LETTER_KIND};

/// Re-runs rejected rows and replays kept product events through the flow.
#[derive(Debug, Clone)]
pub struct RejectedRows {
    flow: CatalogFlow,
}

impl RejectedRows {
    pub fn new(flow: CatalogFlow) -> Self {
        Self { flow }
    }

    /// Hands the event kept in `letter` to the handler again.
    async fn replay(&self, letter: &DeadLetter) {
        let (id, payload) = match kept_message(letter) {
            Ok(message) => message,
            Err(reason) => {
                tracing::warn!(dead_letter_id = letter.id, %reason, "kept product event cannot be replayed");
                return;
            }
        };
        let delivery = ProductDelivery {
            id: id.clone(),
            subject: letter.payload["subject"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            payload,
            delivery_count: letter.attempts.saturating_add(1),
        };
        let outcome = handle_product_changed(&self.flow, delivery).await;
        settle_replay(self.flow.store(), letter, &id, &outcome).await;
    }
}

#[async_trait]
impl DeadLetterRetry for RejectedRows {
    async fn retry(&self, letters: Vec<DeadLetter>) {
        for letter in letters.iter().filter(|l| l.kind == crate::CONSUMER) {
            self.replay(letter).await;
        }
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
