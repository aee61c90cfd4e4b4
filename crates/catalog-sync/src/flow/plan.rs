//! Step 1 of a run: map the products, find collisions, decide which articles to write.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::convert::CentraProduct;

use super::{CatalogFlow, FlowError, RunReport};
use crate::items::CatalogItem;
use crate::rules::{Claim, Mapped, Problem, ProblemKind, WmsArticle, find_collisions, map_product};

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
    let warning = mapped.warning;
    let (article, problem) = match mapped.outcome {
        Ok(article) => (Some(article), None),
        Err(problem) => (None, Some(problem)),
    };
    // Left out on purpose after it was written: the WMS gets its last article as inactive.
    let article = match (&article, &problem) {
        (None, Some(problem)) if problem.kind.retires_article() => {
            before.and_then(CatalogItem::retired_article)
        }
        _ => article,
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
        warning,
        selected: before.is_some_and(|b| b.selected),
        synced_hash: before.and_then(|b| b.synced_hash.clone()),
        synced_number: before.and_then(|b| b.synced_number.clone()),
        article_system_id: before.and_then(|b| b.article_system_id),
        last_synced_at: before.and_then(|b| b.last_synced_at),
    }
}

/// A stored item that Centra no longer lists: kept (its history matters) with the reason, and
/// its article retired when it reached the WMS.
fn removed_item(item: &CatalogItem) -> CatalogItem {
    let mut removed = item.clone();
    removed.problem = Some(Problem::new(
        ProblemKind::Removed,
        "size item is no longer in the centra product list",
    ));
    removed.article = item.retired_article();
    removed.content_hash = removed.article.as_ref().map(WmsArticle::content_hash);
    removed
}

impl CatalogFlow {
    /// Maps `products` against the stored `existing` items.
    pub(super) async fn plan(
        &self,
        products: &[CentraProduct],
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

        // Size items no longer listed: every unlisted one on a full run, the missing sizes of
        // the listed products otherwise.
        let listed: BTreeSet<&str> = products.iter().map(|p| p.product_id.as_str()).collect();
        let mut removed: Vec<CatalogItem> = before
            .values()
            .filter(|item| {
                !in_batch.contains(&item.stock_item_id)
                    && (scope == Scope::Catalog || listed.contains(item.product_id.as_str()))
            })
            .map(removed_item)
            .collect();
        removed.sort_by(|a, b| a.stock_item_id.cmp(&b.stock_item_id));

        let mapped_count = after.len() as u64;
        for item in removed {
            in_batch.insert(item.stock_item_id.clone());
            after.push(item);
        }
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
                let numbers: Vec<String> = numbers.iter().cloned().collect();
                for item in self.items.claiming_any(endpoint, &numbers).await? {
                    if !in_batch.contains(&item.stock_item_id) {
                        outside.insert(item.stock_item_id.clone(), item);
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
                Some(kind) if kind.retires_article() => report.filtered += 1,
                Some(_) => report.rejected += 1,
                None => {}
            }
            let allowed = match writes {
                Writes::Nothing => false,
                Writes::Changed => !self.config.manual,
            };
            if allowed && item.to_be_written() {
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
