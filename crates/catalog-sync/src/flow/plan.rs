//! Step 1 of a run: map the products, find collisions, decide which articles to write.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proto::events::v1 as pb;

use super::{CatalogFlow, FlowError, RunReport};
use crate::items::CatalogItem;
use crate::rules::{Claim, Mapped, ProblemKind, find_collisions, map_product};

/// Which articles a run may write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Writes {
    /// Record what Centra shows; write nothing (refresh, or manual mode).
    Nothing,
    /// Every changed article (automatic selection mode).
    Changed,
}

/// Which stored items a run sees besides the ones of its products.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    /// A few products: other claimers of their numbers are looked up.
    Products,
    /// The whole catalogue: `existing` holds every item.
    Catalog,
}

/// The items after the run, and which of them to write.
#[derive(Debug)]
pub(super) struct Plan {
    /// Items as they are before the run (by stock item id).
    pub before: HashMap<String, CatalogItem>,
    /// Items as they should be stored after the run (changed ones only matter).
    pub after: Vec<CatalogItem>,
    /// Indexes into `after` of the articles to write.
    pub to_write: Vec<usize>,
    /// Counts so far.
    pub report: RunReport,
}

/// A claim counts when the item would be an article but for a collision.
fn claims_its_number(problem_kind: Option<ProblemKind>) -> bool {
    matches!(problem_kind, None | Some(ProblemKind::Collision))
}

fn item_from_mapped(endpoint: &str, mapped: Mapped, before: Option<&CatalogItem>) -> CatalogItem {
    let row = mapped.row;
    let (article, problem) = match mapped.outcome {
        Ok(article) => (Some(article), None),
        Err(problem) => (None, Some(problem)),
    };
    CatalogItem {
        endpoint: endpoint.to_owned(),
        stock_item_id: row.stock_item_id,
        product_id: row.product_id,
        product_name: row.product_name,
        variant_name: row.variant_name,
        size_name: row.size_name,
        sku: row.sku,
        variant_sku: row.variant_sku,
        size_sku: row.size_sku,
        ean: row.ean.unwrap_or_default(),
        active: row.active,
        article_number: mapped.article_number,
        content_hash: article.as_ref().map(|a| a.content_hash()),
        article,
        problem,
        selected: before.is_some_and(|b| b.selected),
        synced_hash: before.and_then(|b| b.synced_hash.clone()),
        synced_number: before.and_then(|b| b.synced_number.clone()),
        article_system_id: before.and_then(|b| b.article_system_id),
        last_synced_at: before.and_then(|b| b.last_synced_at),
    }
}

impl CatalogFlow {
    /// Maps `products` against the stored `existing` items.
    pub(super) async fn plan(
        &self,
        products: &[pb::Product],
        existing: Vec<CatalogItem>,
        scope: Scope,
        writes: &Writes,
    ) -> Result<Plan, FlowError> {
        let endpoint = self.config.endpoint.as_str();
        let before: HashMap<String, CatalogItem> = existing
            .into_iter()
            .map(|i| (i.stock_item_id.clone(), i))
            .collect();
        let mut after: Vec<CatalogItem> = Vec::new();
        let mut in_batch: BTreeSet<String> = BTreeSet::new();
        for product in products {
            for mapped in map_product(product, &self.config.rules) {
                if !in_batch.insert(mapped.row.stock_item_id.clone()) {
                    continue; // the same size item twice in one listing: keep the first
                }
                let previous = before.get(&mapped.row.stock_item_id);
                after.push(item_from_mapped(endpoint, mapped, previous));
            }
        }

        let mapped_count = after.len() as u64;
        // Article numbers to check: the ones claimed now, and the ones the batch gave up
        // (another item rejected for colliding with them may be free now).
        let mut numbers: BTreeSet<String> = BTreeSet::new();
        for item in &after {
            if let Some(number) = &item.article_number {
                numbers.insert(number.clone());
            }
            if let Some(old) = before
                .get(&item.stock_item_id)
                .and_then(|b| b.article_number.clone())
            {
                numbers.insert(old);
            }
        }
        let mut outside: BTreeMap<String, CatalogItem> = BTreeMap::new();
        match scope {
            Scope::Catalog => {
                for item in before.values() {
                    if !in_batch.contains(&item.stock_item_id)
                        && item
                            .article_number
                            .as_ref()
                            .is_some_and(|n| numbers.contains(n))
                    {
                        outside.insert(item.stock_item_id.clone(), item.clone());
                    }
                }
            }
            Scope::Products => {
                for number in &numbers {
                    for item in self.items.claiming(endpoint, number).await? {
                        if !in_batch.contains(&item.stock_item_id) {
                            outside.insert(item.stock_item_id.clone(), item);
                        }
                    }
                }
            }
        }
        let mut claims: Vec<Claim> = Vec::new();
        for item in after.iter().chain(outside.values()) {
            let kind = item.problem.as_ref().map(|p| p.kind);
            if let (Some(number), true, true) = (
                &item.article_number,
                claims_its_number(kind),
                item.article.is_some(),
            ) {
                claims.push(Claim {
                    stock_item_id: item.stock_item_id.clone(),
                    product_id: item.product_id.clone(),
                    article_number: number.clone(),
                    holds: item.synced_number.as_deref() == Some(number.as_str()),
                });
            }
        }
        let collisions = find_collisions(&claims);
        for item in &mut after {
            if let Some(problem) = collisions.get(&item.stock_item_id) {
                item.problem = Some(problem.clone());
            }
        }
        // Outside items: newly colliding, or free again.
        for mut item in outside.into_values() {
            let was = item.problem.clone();
            match collisions.get(&item.stock_item_id) {
                Some(problem) => item.problem = Some(problem.clone()),
                None if was.as_ref().map(|p| p.kind) == Some(ProblemKind::Collision) => {
                    item.problem = None;
                }
                None => {}
            }
            if item.problem != was {
                in_batch.insert(item.stock_item_id.clone());
                after.push(item);
            }
        }

        let mut report = RunReport {
            seen: mapped_count,
            ..RunReport::default()
        };
        let mut to_write = Vec::new();
        for (index, item) in after.iter().enumerate() {
            match before.get(&item.stock_item_id) {
                None => report.new_items += 1,
                Some(previous)
                    if previous.content_hash != item.content_hash
                        || previous.problem != item.problem =>
                {
                    report.changed_items += 1;
                }
                Some(_) => {}
            }
            match item.problem.as_ref().map(|p| p.kind) {
                Some(ProblemKind::Filtered) => report.filtered += 1,
                Some(_) => report.rejected += 1,
                None => {}
            }
            let allowed = match writes {
                Writes::Nothing => false,
                Writes::Changed => !self.config.manual,
            };
            if allowed && item.problem.is_none() && item.needs_write() {
                to_write.push(index);
            }
        }
        report.queued = to_write.len() as u64;
        Ok(Plan {
            before,
            after,
            to_write,
            report,
        })
    }
}
