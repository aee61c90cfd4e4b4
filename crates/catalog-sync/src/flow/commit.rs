//! Step 3 of a run: one transaction with the item states, the events and the inbox record.

use std::collections::HashMap;

use platform_store::{DeadLetterStatus, MessageId, NewDeadLetter, Transaction};

use super::event::article_synced;
use super::{CatalogFlow, DEAD_LETTER_KIND, FlowError, PRODUCTS_CONSUMER};
use crate::items::CatalogItem;

/// The dead-letter key of a size item: end-point and stock item id (an item with bad data may
/// have no article number).
pub(super) fn dead_letter_key(item: &CatalogItem) -> String {
    format!("{}:{}", item.endpoint, item.stock_item_id)
}

fn dead_letter(item: &CatalogItem, reason: &str) -> NewDeadLetter {
    NewDeadLetter {
        kind: DEAD_LETTER_KIND.to_owned(),
        record_key: dead_letter_key(item),
        reason: reason.to_owned(),
        payload: serde_json::json!({
            "endpoint": item.endpoint,
            "stock_item_id": item.stock_item_id,
            "product_id": item.product_id,
            "product_name": item.product_name,
            "variant_name": item.variant_name,
            "size_name": item.size_name,
            "sku": item.sku,
            "variant_sku": item.variant_sku,
            "size_sku": item.size_sku,
            "ean": item.ean,
            "article_number": item.article_number,
        }),
        attempts: 1,
    }
}

impl CatalogFlow {
    /// Commits the run with the inbox records of its events. Returns false when one of them
    /// was recorded meanwhile by another process (the content is the same either way, so the
    /// run is committed still). `reopen` keeps every current problem as an open dead letter again
    /// (after a person asked for a retry), not only the new ones.
    pub(super) async fn commit(
        &self,
        before: &HashMap<String, CatalogItem>,
        after: &[CatalogItem],
        written: &[(usize, bool)],
        inbox: &[MessageId],
        reopen: bool,
    ) -> Result<bool, FlowError> {
        // Looked up before the transaction: on SQLite it holds the write lock.
        let mut fixed = Vec::new();
        for item in after {
            let was = before
                .get(&item.stock_item_id)
                .and_then(|p| p.problem.as_ref());
            let needs_a_person = item.problem.as_ref().is_some_and(|p| p.needs_a_person());
            if !needs_a_person
                && was.is_some_and(|p| p.needs_a_person())
                && let Some(letter) = self
                    .store
                    .dead_letters()
                    .find(DEAD_LETTER_KIND, &dead_letter_key(item))
                    .await?
                && letter.status == DeadLetterStatus::Open
            {
                fixed.push(letter.id);
            }
        }
        let mut tx = self.store.begin().await?;
        let mut first_time = true;
        for id in inbox {
            if !self
                .store
                .inbox()
                .record(&mut tx, PRODUCTS_CONSUMER, id)
                .await?
            {
                tracing::debug!(event_id = %id, "event recorded meanwhile by another process");
                first_time = false;
            }
        }
        for item in after {
            let previous = before.get(&item.stock_item_id);
            if previous != Some(item) {
                self.items.save(&mut tx, item).await?;
            }
            if previous != Some(item) || reopen {
                self.keep_for_a_person(&mut tx, previous.filter(|_| !reopen), item)
                    .await?;
            }
        }
        for id in fixed {
            self.store.dead_letters().mark_retried(&mut tx, id).await?;
        }
        for &(index, created) in written {
            let message = article_synced(&self.config.warehouse, &after[index], created);
            self.store.outbox().enqueue(&mut tx, message).await?;
        }
        tx.commit().await?;
        Ok(first_time)
    }

    /// Bad data goes to the dead-letter list (so the generic list shows it too); a fixed item's
    /// dead letter is marked retried in `commit`.
    async fn keep_for_a_person(
        &self,
        tx: &mut Transaction,
        previous: Option<&CatalogItem>,
        item: &CatalogItem,
    ) -> Result<(), FlowError> {
        let was = previous.and_then(|p| p.problem.as_ref());
        if let Some(problem) = &item.problem
            && problem.needs_a_person()
            && was != Some(problem)
        {
            self.store
                .dead_letters()
                .record(tx, dead_letter(item, &problem.reason))
                .await?;
        }
        Ok(())
    }
}
