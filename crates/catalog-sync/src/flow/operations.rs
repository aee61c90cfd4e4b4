//! The entry points: a product changed, refresh, reconcile, create the selected, list.

use std::collections::{BTreeSet, HashMap};

use crate::convert::CentraProduct;
use platform_store::{MessageId, StoreError};

use super::plan::{Plan, Scope, Writes};
use super::{CatalogFlow, FlowError, PRODUCTS_CONSUMER, RUN_LOCK, RunReport};
use crate::items::CatalogItem;
use crate::ports::HeldArticle;
use crate::rules::ItemState;
use crate::rules::held_differences;

/// One `ProductChanged` event: the product as Centra shows it, and the event's id.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductEvent {
    /// The whole product.
    pub product: CentraProduct,
    /// The event id (the inbox key).
    pub event_id: MessageId,
}

/// What became of one article number of a manual selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedOutcome {
    /// The number as asked.
    pub article_number: String,
    /// Its state now (None: not in the product list).
    pub state: Option<ItemState>,
    /// Empty on success; otherwise the reason.
    pub error: String,
}

/// A page request of the product list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Only items in this state.
    pub state: Option<ItemState>,
    /// Matches article number, SKU, EAN or product name (case-insensitive); empty: all.
    pub search: String,
    /// Only the items of this Centra product id; empty: every product.
    pub product_id: String,
    /// At most this many items (0: 100; capped at 1000).
    pub page_size: u32,
    /// `next_page_token` of the previous page.
    pub page_token: String,
}

/// One page of the product list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedPage {
    /// Items with their state.
    pub items: Vec<(CatalogItem, ItemState)>,
    /// Empty on the last page.
    pub next_page_token: String,
}

pub(super) fn matches(item: &CatalogItem, search: &str) -> bool {
    if search.is_empty() {
        return true;
    }
    let needle = search.to_lowercase();
    [
        item.article_number.as_deref().unwrap_or_default(),
        item.sku.as_str(),
        item.variant_sku.as_str(),
        item.size_sku.as_str(),
        item.ean.as_str(),
        item.product_name.as_str(),
    ]
    .iter()
    .any(|field| field.to_lowercase().contains(&needle))
}

impl CatalogFlow {
    /// A `ProductChanged` event: map its sizes, write the changed articles, commit with the
    /// inbox record of `event_id`.
    pub async fn on_product_changed(
        &self,
        product: &CentraProduct,
        event_id: &MessageId,
    ) -> Result<RunReport, FlowError> {
        self.on_products_changed(&[ProductEvent {
            product: product.clone(),
            event_id: event_id.clone(),
        }])
        .await
    }

    /// Several `ProductChanged` events (in delivery order) as one run: one plan, the changed
    /// articles written in batches, one commit with every inbox record. Events already
    /// processed are skipped; of two versions of one product the later one counts.
    pub async fn on_products_changed(
        &self,
        events: &[ProductEvent],
    ) -> Result<RunReport, FlowError> {
        let _running = self.store.locks().lock(RUN_LOCK).await?;
        let mut fresh: Vec<&ProductEvent> = Vec::with_capacity(events.len());
        for event in events {
            if !self
                .store
                .inbox()
                .contains(PRODUCTS_CONSUMER, &event.event_id)
                .await?
            {
                fresh.push(event);
            }
        }
        if fresh.is_empty() {
            return Ok(RunReport {
                duplicate: true,
                ..RunReport::default()
            });
        }
        let mut latest: HashMap<&str, usize> = HashMap::new();
        for (index, event) in fresh.iter().enumerate() {
            latest.insert(event.product.product_id.as_str(), index);
        }
        let products: Vec<CentraProduct> = fresh
            .iter()
            .enumerate()
            .filter(|(index, event)| latest.get(event.product.product_id.as_str()) == Some(index))
            .map(|(_, event)| event.product.clone())
            .collect();
        let mut existing = Vec::new();
        for product in &products {
            existing.extend(
                self.items
                    .of_product(&self.config.endpoint, &product.product_id)
                    .await?,
            );
        }
        let inbox: Vec<MessageId> = fresh.iter().map(|e| e.event_id.clone()).collect();
        self.run(
            &products,
            existing,
            Scope::Products,
            &Writes::Changed,
            &inbox,
            false,
        )
        .await
    }

    /// Re-reads the whole catalogue from Centra and records what it shows; writes nothing.
    pub async fn refresh(&self) -> Result<RunReport, FlowError> {
        let _running = self.store.locks().lock(RUN_LOCK).await?;
        let products = self.source.all_products(&self.config.endpoint).await?;
        let existing = self.items.all(&self.config.endpoint).await?;
        self.run(
            &products,
            existing,
            Scope::Catalog,
            &Writes::Nothing,
            &[],
            false,
        )
        .await
    }

    /// Compares every size item with Centra and writes the articles that differ (automatic
    /// mode); a dry run only counts them.
    pub async fn reconcile(&self, dry_run: bool) -> Result<RunReport, FlowError> {
        self.reconcile_with(dry_run, false).await
    }

    /// A full reconcile after a person asked to retry rejected items: what is still wrong is
    /// kept as an open dead letter again.
    pub async fn retry_rejected(&self) -> Result<RunReport, FlowError> {
        self.reconcile_with(false, true).await
    }

    async fn reconcile_with(&self, dry_run: bool, reopen: bool) -> Result<RunReport, FlowError> {
        let _running = self.store.locks().lock(RUN_LOCK).await?;
        let products = self.source.all_products(&self.config.endpoint).await?;
        let existing = self.items.all(&self.config.endpoint).await?;
        if dry_run {
            let plan = self
                .plan(&products, existing, Scope::Catalog, &Writes::Changed)
                .await?;
            return Ok(plan.report);
        }
        let report = self
            .run(
                &products,
                existing,
                Scope::Catalog,
                &Writes::Changed,
                &[],
                reopen,
            )
            .await?;
        tracing::info!(endpoint = %self.config.endpoint, seen = report.seen, written = report.written, rejected = report.rejected, "catalog reconciled");
        Ok(report)
    }

    /// `resync articles`: compares every size item with Centra and with what the WMS actually
    /// holds (its articles read page by page, not the stored hashes), and writes every article
    /// that differs: changed in Centra, edited by hand in the WMS, or gone from it. Only the
    /// differences are written. Under manual selection only what a person selected (or what
    /// is in the WMS already) is looked at. A dry run only counts.
    pub async fn resync(&self, dry_run: bool) -> Result<RunReport, FlowError> {
        let _running = self.store.locks().lock(RUN_LOCK).await?;
        let products = self.source.all_products(&self.config.endpoint).await?;
        let existing = self.items.all(&self.config.endpoint).await?;
        let held = self.sink.held().await?;
        let Plan {
            before,
            mut after,
            mut to_write,
            mut report,
        } = self
            .plan(&products, existing, Scope::Catalog, &Writes::Changed)
            .await?;
        report.wms_articles = held.len() as u64;
        let held: HashMap<&str, &HeldArticle> = held
            .iter()
            .map(|h| (h.article.article_number.as_str(), h))
            .collect();
        let mut planned: BTreeSet<usize> = to_write.iter().copied().collect();
        for (index, item) in after.iter().enumerate() {
            let Some(article) = &item.article else {
                continue;
            };
            let retired = item
                .problem
                .as_ref()
                .is_some_and(|p| p.kind.retires_article());
            if (item.problem.is_some() && !retired)
                || (self.config.manual && !item.selected && item.synced_number.is_none())
            {
                continue;
            }
            match held.get(article.article_number.as_str()) {
                // Gone from the WMS and left out in Centra: nothing to bring back.
                None if retired => continue,
                None => report.missing_in_wms += 1,
                Some(found) if !held_differences(article, &found.article).is_empty() => {
                    tracing::info!(article_number = %article.article_number, fields = ?held_differences(article, &found.article), "the wms holds the article otherwise");
                    report.differing_in_wms += 1;
                }
                Some(_) => continue,
            }
            if planned.insert(index) {
                to_write.push(index);
            }
        }
        to_write.sort_unstable();
        report.queued = to_write.len() as u64;
        if dry_run {
            return Ok(report);
        }
        let written = self.write(&mut after, &to_write, &mut report).await;
        self.commit(&before, &after, &written.written, &[], false)
            .await?;
        if let Some(error) = written.error {
            return Err(error.into());
        }
        tracing::info!(endpoint = %self.config.endpoint, seen = report.seen, wms_articles = report.wms_articles, missing = report.missing_in_wms, differing = report.differing_in_wms, written = report.written, "articles resynced against the wms");
        Ok(report)
    }

    /// Selects the items of `article_numbers` and writes the ones the WMS does not hold as
    /// they are now (manual selection, from the last refreshed list).
    pub async fn create_selected(
        &self,
        article_numbers: &[String],
    ) -> Result<Vec<SelectedOutcome>, FlowError> {
        let _running = self.store.locks().lock(RUN_LOCK).await?;
        let all = self.items.all(&self.config.endpoint).await?;
        let mut chosen: Vec<CatalogItem> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        let mut seen = BTreeSet::new();
        for number in article_numbers {
            let number = number.trim();
            if !seen.insert(number.to_owned()) {
                continue;
            }
            let mut found = false;
            for item in all
                .iter()
                .filter(|i| i.article_number.as_deref() == Some(number))
            {
                found = true;
                chosen.push(item.clone());
            }
            if !found {
                unknown.push(number.to_owned());
            }
        }
        let mut outcomes = self.select_and_write(&all, chosen).await?;
        outcomes.extend(unknown.into_iter().map(|number| SelectedOutcome {
            error: format!("article number {number} is not in the product list; refresh it"),
            article_number: number,
            state: None,
        }));
        Ok(outcomes)
    }

    /// Marks `chosen` (items of `all`) selected and writes the ones the WMS does not hold as
    /// they are now; one outcome per chosen item. Runs under the flow's lock.
    pub(super) async fn select_and_write(
        &self,
        all: &[CatalogItem],
        chosen: Vec<CatalogItem>,
    ) -> Result<Vec<SelectedOutcome>, FlowError> {
        let before: HashMap<String, CatalogItem> = all
            .iter()
            .map(|i| (i.stock_item_id.clone(), i.clone()))
            .collect();
        let mut after: Vec<CatalogItem> = chosen
            .into_iter()
            .map(|mut item| {
                item.selected = true;
                item
            })
            .collect();
        let to_write: Vec<usize> = after
            .iter()
            .enumerate()
            .filter(|(_, i)| i.to_be_written())
            .map(|(index, _)| index)
            .collect();
        let mut report = RunReport::default();
        let written = self.write(&mut after, &to_write, &mut report).await;
        self.commit(&before, &after, &written.written, &[], false)
            .await?;
        if let Some(error) = written.error {
            return Err(error.into());
        }
        Ok(after
            .iter()
            .map(|item| SelectedOutcome {
                article_number: item.article_number.clone().unwrap_or_default(),
                state: Some(item.state(self.config.manual)),
                error: item
                    .problem
                    .as_ref()
                    .map(|p| p.reason.clone())
                    .unwrap_or_default(),
            })
            .collect())
    }

    /// One page of the product list with states.
    pub async fn list(&self, query: &ListQuery) -> Result<ListedPage, StoreError> {
        let page_size = match query.page_size {
            0 => 100,
            n => n.min(1000),
        } as usize;
        let offset: usize = query.page_token.parse().unwrap_or(0);
        let search = query.search.trim();
        let listed = match query.product_id.trim() {
            "" => self.items.all(&self.config.endpoint).await?,
            product_id => {
                self.items
                    .of_product(&self.config.endpoint, product_id)
                    .await?
            }
        };
        let mut items: Vec<(CatalogItem, ItemState)> = listed
            .into_iter()
            .filter(|item| matches(item, search))
            .map(|item| {
                let state = item.state(self.config.manual);
                (item, state)
            })
            .filter(|(_, state)| query.state.is_none_or(|wanted| wanted == *state))
            .skip(offset)
            .take(page_size + 1)
            .collect();
        let next_page_token = if items.len() > page_size {
            items.truncate(page_size);
            (offset + page_size).to_string()
        } else {
            String::new()
        };
        Ok(ListedPage {
            items,
            next_page_token,
        })
    }

    async fn run(
        &self,
        products: &[CentraProduct],
        existing: Vec<CatalogItem>,
        scope: Scope,
        writes: &Writes,
        inbox: &[MessageId],
        reopen: bool,
    ) -> Result<RunReport, FlowError> {
        let Plan {
            before,
            mut after,
            to_write,
            mut report,
        } = self.plan(products, existing, scope, writes).await?;
        let written = self.write(&mut after, &to_write, &mut report).await;
        // A failed write leaves the event unrecorded, so its redelivery tries again.
        let inbox = if written.error.is_some() { &[] } else { inbox };
        if !self
            .commit(&before, &after, &written.written, inbox, reopen)
            .await?
        {
            report.duplicate = true;
        }
        match written.error {
            Some(error) => Err(error.into()),
            None => Ok(report),
        }
    }
}
