//! Step 2 of a run: upsert the changed articles in the WMS, in batches.

use sha2::{Digest, Sha256};

use super::{CatalogFlow, RunReport};
use crate::items::CatalogItem;
use crate::ports::PortError;
use crate::rules::{Problem, ProblemKind};

/// Articles per `UpsertArticles` call.
pub(super) const BATCH: usize = 100;

/// What the writes did.
#[derive(Debug, Default)]
pub(super) struct Written {
    /// Indexes into `after` of the written items, with "created" (not in the WMS before).
    pub written: Vec<(usize, bool)>,
    /// The call that failed, when one did; the items after it were not written.
    pub error: Option<PortError>,
}

/// A key that names the exact content of one batch: a retried call is recognisable.
fn idempotency_key(endpoint: &str, batch: &[&CatalogItem]) -> String {
    let mut hasher = Sha256::new();
    for item in batch {
        hasher.update(
            item.article
                .as_ref()
                .map(|a| a.article_number.as_str())
                .unwrap_or_default(),
        );
        hasher.update(b"\0");
        hasher.update(item.content_hash.as_deref().unwrap_or_default());
        hasher.update(b"\n");
    }
    format!(
        "catalog-sync:{endpoint}:articles:{}",
        hex::encode(&hasher.finalize()[..12])
    )
}

impl CatalogFlow {
    /// Writes `after[to_write]`, updating the items with what the WMS said.
    pub(super) async fn write(
        &self,
        after: &mut [CatalogItem],
        to_write: &[usize],
        report: &mut RunReport,
    ) -> Written {
        let mut outcome = Written::default();
        let now = platform_store::unix_millis();
        for chunk in to_write.chunks(BATCH) {
            let batch: Vec<&CatalogItem> = chunk.iter().map(|&i| &after[i]).collect();
            let key = idempotency_key(&self.config.endpoint, &batch);
            let articles: Vec<_> = batch.iter().filter_map(|i| i.article.clone()).collect();
            if articles.len() != chunk.len() {
                // Planned items always carry an article; nothing to send otherwise.
                continue;
            }
            let results = match self.sink.upsert(&key, &articles).await {
                Ok(results) => results,
                Err(error) => {
                    tracing::warn!(endpoint = %self.config.endpoint, %error, "article write failed; will retry");
                    outcome.error = Some(error);
                    return outcome;
                }
            };
            for (&index, write) in chunk.iter().zip(results) {
                let item = &mut after[index];
                // The article's number: a retired article keeps the number the WMS knows.
                let number = item
                    .article
                    .as_ref()
                    .map(|a| a.article_number.clone())
                    .unwrap_or_default();
                match write.result {
                    Ok(system_id) => {
                        let created = item.synced_number.as_deref() != Some(number.as_str());
                        item.synced_hash = item.content_hash.clone();
                        item.synced_number = Some(number.clone());
                        item.article_system_id = Some(system_id);
                        item.last_synced_at = Some(now);
                        report.written += 1;
                        outcome.written.push((index, created));
                        tracing::info!(endpoint = %item.endpoint, article_number = %number, stock_item_id = %item.stock_item_id, created, "article written");
                    }
                    Err(reason) => {
                        report.refused += 1;
                        report.rejected += 1;
                        item.problem = Some(Problem::new(
                            ProblemKind::Refused,
                            format!("the wms refused article {number}: {reason}"),
                        ));
                    }
                }
            }
        }
        outcome
    }
}
