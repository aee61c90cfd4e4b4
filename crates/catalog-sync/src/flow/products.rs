//! Manual selection per product, as myOGO's product page: the product list grouped by Centra
//! product with a state per product, creating every admitted size of chosen products (or of
//! all), the summary a refresh reports, and the size items an article number or EAN names
//! (the admin page's Find).

use std::collections::{BTreeMap, BTreeSet};

use platform_store::StoreError;

use super::operations::SelectedOutcome;
use super::{CatalogFlow, FlowError, RUN_LOCK};
use crate::items::CatalogItem;
use crate::rules::{ItemState, ProductState};

/// A page request of the product list, per product.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductQuery {
    /// Only products in this state.
    pub state: Option<ProductState>,
    /// A product is listed when one of its sizes matches (article number, SKU, EAN, name).
    pub search: String,
    /// Only this Centra product id; empty: every product.
    pub product_id: String,
    /// At most this many products (0: 100; capped at 1000).
    pub page_size: u32,
    /// `next_page_token` of the previous page.
    pub page_token: String,
}

/// One Centra product with its size items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductGroup {
    /// Centra product id.
    pub product_id: String,
    /// Its name.
    pub product_name: String,
    /// Its state, from its sizes.
    pub state: ProductState,
    /// Its size items with their states, by stock item id.
    pub sizes: Vec<(CatalogItem, ItemState)>,
}

/// One page of the product list, per product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductPage {
    /// Products with their sizes.
    pub products: Vec<ProductGroup>,
    /// Empty on the last page.
    pub next_page_token: String,
}

/// Which products to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductSelection {
    /// These Centra product ids.
    Products(Vec<String>),
    /// Every known product.
    All,
}

/// What the product list holds now, for a refresh's report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogSummary {
    /// Products per state.
    pub products: BTreeMap<&'static str, u64>,
    /// Number of products.
    pub product_count: u64,
    /// Size items rejected.
    pub rejected_items: u64,
    /// Size items with a warning (written, but a person should fix something).
    pub warnings: u64,
}

impl ProductState {
    /// The name the CLI and the summary use.
    pub fn name(self) -> &'static str {
        match self {
            Self::NotInWms => "not-in-wms",
            Self::InWms => "in-wms",
            Self::ChangedSince => "changed-since",
            Self::Rejected => "rejected",
            Self::FilteredOut => "filtered-out",
        }
    }
}

/// Groups `items` (ordered by product) by product, with states.
pub fn group_by_product(items: Vec<CatalogItem>, manual: bool) -> Vec<ProductGroup> {
    let mut groups: Vec<ProductGroup> = Vec::new();
    for item in items {
        let state = item.state(manual);
        match groups.last_mut() {
            Some(group) if group.product_id == item.product_id => group.sizes.push((item, state)),
            _ => groups.push(ProductGroup {
                product_id: item.product_id.clone(),
                product_name: item.product_name.clone(),
                state: ProductState::FilteredOut,
                sizes: vec![(item, state)],
            }),
        }
    }
    for group in &mut groups {
        group.state = ProductState::of(group.sizes.iter().map(|(_, state)| *state));
    }
    groups
}

/// At most this many size items answer one search by article number or EAN.
pub const FOUND_AT_MOST: usize = 20;

/// True when `query` names `item` exactly: its article number as derived now, the article
/// number last written to the WMS (a number rule may have changed since), or its EAN. Letters
/// in any case; an empty query names nothing. Pure.
pub fn names(item: &CatalogItem, query: &str) -> bool {
    let query = query.trim();
    !query.is_empty()
        && [
            item.article_number.as_deref(),
            item.synced_number.as_deref(),
            Some(item.ean.as_str()),
        ]
        .into_iter()
        .flatten()
        .any(|field| !field.is_empty() && field.eq_ignore_ascii_case(query))
}

/// True for a size item a product selection creates: an article can be made of it (not left
/// out by the filter, not rejected).
fn admitted(item: &CatalogItem) -> bool {
    item.problem.is_none() && item.article.is_some()
}

impl CatalogFlow {
    /// One page of the product list, grouped by product.
    pub async fn list_products(&self, query: &ProductQuery) -> Result<ProductPage, StoreError> {
        let page_size = match query.page_size {
            0 => 100,
            n => n.min(1000),
        } as usize;
        let offset: usize = query.page_token.parse().unwrap_or(0);
        let items = match query.product_id.trim() {
            "" => self.items.all(&self.config.endpoint).await?,
            product_id => {
                self.items
                    .of_product(&self.config.endpoint, product_id)
                    .await?
            }
        };
        let search = query.search.trim();
        let mut products: Vec<ProductGroup> = group_by_product(items, self.config.manual)
            .into_iter()
            .filter(|group| {
                search.is_empty()
                    || group
                        .sizes
                        .iter()
                        .any(|(item, _)| super::operations::matches(item, search))
            })
            .filter(|group| query.state.is_none_or(|wanted| wanted == group.state))
            .skip(offset)
            .take(page_size + 1)
            .collect();
        let next_page_token = if products.len() > page_size {
            products.truncate(page_size);
            (offset + page_size).to_string()
        } else {
            String::new()
        };
        Ok(ProductPage {
            products,
            next_page_token,
        })
    }

    /// The size items of the catalog end-point that `query` [`names`] (at most
    /// [`FOUND_AT_MOST`]), each with its state, by product and stock item.
    ///
    /// # Errors
    /// The store could not be read.
    pub async fn find_articles(
        &self,
        query: &str,
    ) -> Result<Vec<(CatalogItem, ItemState)>, StoreError> {
        let items = self.items.all(&self.config.endpoint).await?;
        Ok(items
            .into_iter()
            .filter(|item| names(item, query))
            .take(FOUND_AT_MOST)
            .map(|item| {
                let state = item.state(self.config.manual);
                (item, state)
            })
            .collect())
    }

    /// Selects every admitted size item of the chosen products and writes the ones the WMS
    /// does not hold as they are now. Filtered-out and rejected sizes are left out (the list
    /// says why); an unknown product id is an outcome with an error.
    pub async fn create_products(
        &self,
        selection: &ProductSelection,
    ) -> Result<Vec<SelectedOutcome>, FlowError> {
        let _running = self.store.locks().lock(RUN_LOCK).await?;
        let all = self.items.all(&self.config.endpoint).await?;
        let (chosen, unknown): (Vec<CatalogItem>, Vec<String>) = match selection {
            ProductSelection::All => (
                all.iter().filter(|i| admitted(i)).cloned().collect(),
                vec![],
            ),
            ProductSelection::Products(ids) => {
                let wanted: BTreeSet<&str> = ids.iter().map(|id| id.trim()).collect();
                let known: BTreeSet<&str> = all.iter().map(|i| i.product_id.as_str()).collect();
                let chosen = all
                    .iter()
                    .filter(|i| wanted.contains(i.product_id.as_str()) && admitted(i))
                    .cloned()
                    .collect();
                let unknown = wanted
                    .iter()
                    .filter(|id| !known.contains(*id))
                    .map(|id| (*id).to_owned())
                    .collect();
                (chosen, unknown)
            }
        };
        let mut outcomes = self.select_and_write(&all, chosen).await?;
        outcomes.extend(unknown.into_iter().map(|id| SelectedOutcome {
            article_number: String::new(),
            state: None,
            error: format!("product {id} is not in the product list; refresh it"),
        }));
        Ok(outcomes)
    }

    /// What the product list holds now.
    pub async fn summary(&self) -> Result<CatalogSummary, StoreError> {
        let items = self.items.all(&self.config.endpoint).await?;
        let mut summary = CatalogSummary::default();
        for item in &items {
            if item.warning.is_some() && item.problem.is_none() {
                summary.warnings += 1;
            }
        }
        for group in group_by_product(items, self.config.manual) {
            summary.product_count += 1;
            summary.rejected_items += group
                .sizes
                .iter()
                .filter(|(_, state)| *state == ItemState::Rejected)
                .count() as u64;
            *summary.products.entry(group.state.name()).or_default() += 1;
        }
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(article_number: Option<&str>, synced_number: Option<&str>, ean: &str) -> CatalogItem {
        CatalogItem {
            endpoint: "shop1".into(),
            stock_item_id: "211".into(),
            product_id: "2".into(),
            product_name: "Trousers".into(),
            variant_name: "Blue".into(),
            size_name: "S".into(),
            sku: "TROUSERS".into(),
            variant_sku: "BLUE".into(),
            size_sku: "S".into(),
            ean: ean.into(),
            active: true,
            article_number: article_number.map(str::to_owned),
            article: None,
            content_hash: None,
            problem: None,
            warning: None,
            selected: false,
            synced_hash: None,
            synced_number: synced_number.map(str::to_owned),
            article_system_id: None,
            last_synced_at: None,
        }
    }

    #[test]
    fn an_article_number_the_written_number_or_the_ean_names_a_size_item_exactly() {
        let trousers = item(
            Some("TROUSERSBLUES"),
            Some("TROUSERS-BLUE-S"),
            "7350000000023",
        );
        for query in [
            "TROUSERSBLUES",
            "trousersblues",
            " TROUSERSBLUES ",
            "TROUSERS-BLUE-S",
            "7350000000023",
        ] {
            assert!(names(&trousers, query), "{query:?}");
        }
        // Parts, the product name, the SKU alone and nothing name nothing.
        for query in ["TROUSERS", "BLUES", "Trousers", "735000000002", "", "  "] {
            assert!(!names(&trousers, query), "{query:?}");
        }
        // A size without article number (its data cannot make one) is still named by its EAN,
        // and an empty EAN never matches an empty field.
        let rejected = item(None, None, "7350000000030");
        assert!(names(&rejected, "7350000000030"));
        assert!(!names(&item(None, None, ""), ""));
    }
}
