//! The repository of size items (table `catalog_items`): what catalog-sync knows about each
//! Centra size item and what it last wrote to the WMS.

use platform_store::{Store, StoreError, Transaction};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rules::{ItemState, StateFacts};
use crate::rules::{Problem, ProblemKind, WmsArticle};

/// One size item as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogItem {
    /// Centra end-point name.
    pub endpoint: String,
    /// Centra stock item id.
    pub stock_item_id: String,
    /// Centra product id.
    pub product_id: String,
    /// Product name.
    pub product_name: String,
    /// Variant name.
    pub variant_name: String,
    /// Size name.
    pub size_name: String,
    /// Product SKU.
    pub sku: String,
    /// Variant SKU.
    pub variant_sku: String,
    /// Size SKU.
    pub size_sku: String,
    /// EAN as Centra has it.
    pub ean: String,
    /// Centra `active`.
    pub active: bool,
    /// The derived article number, when one could be derived.
    pub article_number: Option<String>,
    /// The article as mapped now (None when there is a problem).
    pub article: Option<WmsArticle>,
    /// Its content hash.
    pub content_hash: Option<String>,
    /// Why it is not an article now.
    pub problem: Option<Problem>,
    /// What a person should fix although the article is fine (a bad EAN left out of it).
    pub warning: Option<String>,
    /// Selected by a person (manual selection mode).
    pub selected: bool,
    /// Hash of the article last written to the WMS.
    pub synced_hash: Option<String>,
    /// Article number last written to the WMS.
    pub synced_number: Option<String>,
    /// WMS id of the article.
    pub article_system_id: Option<i64>,
    /// When it was last written (unix millis).
    pub last_synced_at: Option<i64>,
}

impl CatalogItem {
    /// The state a person sees.
    pub fn state(&self, manual: bool) -> ItemState {
        ItemState::of(StateFacts {
            problem: self.problem.as_ref(),
            content_hash: self.content_hash.as_deref(),
            synced_hash: self.synced_hash.as_deref(),
            selected: self.selected,
            manual,
        })
    }

    /// True when the mapped article differs from what the WMS holds.
    pub fn needs_write(&self) -> bool {
        self.article.as_ref().is_some_and(|article| {
            self.synced_hash != self.content_hash
                || self.synced_number.as_deref() != Some(article.article_number.as_str())
        })
    }

    /// True when the article should be written now: it differs from the WMS, and the item is
    /// either fine or left out on purpose (then the article is its inactive last version).
    pub fn to_be_written(&self) -> bool {
        self.problem
            .as_ref()
            .is_none_or(|p| p.kind.retires_article())
            && self.needs_write()
    }

    /// Left out on purpose (inactive, removed from Centra) after it was written to the WMS:
    /// the last written article, made inactive, so the WMS stops offering it. None when it
    /// never reached the WMS or its last article is unknown.
    pub fn retired_article(&self) -> Option<WmsArticle> {
        let number = self.synced_number.as_ref()?;
        let mut article = self.article.clone()?;
        article.article_number.clone_from(number);
        article.active = false;
        Some(article)
    }
}

const COLUMNS: &str = "endpoint, stock_item_id, product_id, product_name, variant_name, \
    size_name, sku, variant_sku, size_sku, ean, active, article_number, content_hash, \
    article_json, problem_kind, problem, selected, synced_hash, synced_number, \
    article_system_id, last_synced_at, warning";

fn query_error(action: &str) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |source| StoreError::Query {
        action: action.to_owned(),
        source,
    }
}

fn item_from_row(row: &AnyRow) -> Result<CatalogItem, StoreError> {
    let get_text = |name: &str| -> Result<String, StoreError> {
        row.try_get::<String, _>(name)
            .map_err(query_error("reading catalog item"))
    };
    let get_opt = |name: &str| -> Result<Option<String>, StoreError> {
        row.try_get::<Option<String>, _>(name)
            .map_err(query_error("reading catalog item"))
    };
    let get_int = |name: &str| -> Result<Option<i64>, StoreError> {
        row.try_get::<Option<i64>, _>(name)
            .map_err(query_error("reading catalog item"))
    };
    let stock_item_id = get_text("stock_item_id")?;
    let article =
        match get_opt("article_json")? {
            Some(json) => Some(serde_json::from_str::<WmsArticle>(&json).map_err(|e| {
                StoreError::Invalid {
                    what: format!("catalog item {stock_item_id}"),
                    field: "article_json",
                    reason: e.to_string(),
                }
            })?),
            None => None,
        };
    let problem = match (get_opt("problem_kind")?, get_opt("problem")?) {
        (Some(kind), reason) => {
            ProblemKind::parse(&kind).map(|kind| Problem::new(kind, reason.unwrap_or_default()))
        }
        (None, _) => None,
    };
    Ok(CatalogItem {
        endpoint: get_text("endpoint")?,
        product_id: get_text("product_id")?,
        product_name: get_text("product_name")?,
        variant_name: get_text("variant_name")?,
        size_name: get_text("size_name")?,
        sku: get_text("sku")?,
        variant_sku: get_text("variant_sku")?,
        size_sku: get_text("size_sku")?,
        ean: get_text("ean")?,
        active: get_int("active")?.unwrap_or(0) != 0,
        article_number: get_opt("article_number")?,
        content_hash: get_opt("content_hash")?,
        article,
        problem,
        selected: get_int("selected")?.unwrap_or(0) != 0,
        synced_hash: get_opt("synced_hash")?,
        synced_number: get_opt("synced_number")?,
        article_system_id: get_int("article_system_id")?,
        last_synced_at: get_int("last_synced_at")?,
        warning: get_opt("warning")?,
        stock_item_id,
    })
}

/// Article numbers per `claiming_any` query (well below every backend's bind limit).
const CLAIMING_CHUNK: usize = 500;

/// Reads and writes `catalog_items`.
#[derive(Debug, Clone)]
pub struct CatalogItems {
    store: Store,
}

impl CatalogItems {
    /// The repository over `store`.
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Every item of `endpoint`, ordered by product then stock item.
    pub async fn all(&self, endpoint: &str) -> Result<Vec<CatalogItem>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM catalog_items WHERE endpoint = $1 \
             ORDER BY product_id, stock_item_id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(endpoint)
            .fetch_all(self.store.pool())
            .await
            .map_err(query_error("listing catalog items"))?;
        rows.iter().map(item_from_row).collect()
    }

    /// The items of one product.
    pub async fn of_product(
        &self,
        endpoint: &str,
        product_id: &str,
    ) -> Result<Vec<CatalogItem>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM catalog_items WHERE endpoint = $1 AND product_id = $2 \
             ORDER BY stock_item_id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(endpoint)
            .bind(product_id)
            .fetch_all(self.store.pool())
            .await
            .map_err(query_error("loading the items of a product"))?;
        rows.iter().map(item_from_row).collect()
    }

    /// The items that derive any of `article_numbers` (whatever their state), read a few
    /// hundred numbers per query.
    pub async fn claiming_any(
        &self,
        endpoint: &str,
        article_numbers: &[String],
    ) -> Result<Vec<CatalogItem>, StoreError> {
        let mut items = Vec::new();
        for chunk in article_numbers.chunks(CLAIMING_CHUNK) {
            let placeholders: Vec<String> =
                (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT {COLUMNS} FROM catalog_items WHERE endpoint = $1 \
                 AND article_number IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(endpoint);
            for number in chunk {
                query = query.bind(number.as_str());
            }
            let rows = query
                .fetch_all(self.store.pool())
                .await
                .map_err(query_error("loading the items of article numbers"))?;
            for row in &rows {
                items.push(item_from_row(row)?);
            }
        }
        Ok(items)
    }

    /// Inserts or replaces `item`.
    pub async fn save(&self, tx: &mut Transaction, item: &CatalogItem) -> Result<(), StoreError> {
        let article_json = match &item.article {
            Some(article) => {
                Some(
                    serde_json::to_string(article).map_err(|e| StoreError::Invalid {
                        what: format!("catalog item {}", item.stock_item_id),
                        field: "article_json",
                        reason: e.to_string(),
                    })?,
                )
            }
            None => None,
        };
        let sql = format!(
            "INSERT INTO catalog_items ({COLUMNS}, updated_at) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
              $19, $20, $21, $22, $23) \
             ON CONFLICT (endpoint, stock_item_id) DO UPDATE SET \
             product_id = excluded.product_id, product_name = excluded.product_name, \
             variant_name = excluded.variant_name, size_name = excluded.size_name, \
             sku = excluded.sku, variant_sku = excluded.variant_sku, \
             size_sku = excluded.size_sku, ean = excluded.ean, active = excluded.active, \
             article_number = excluded.article_number, content_hash = excluded.content_hash, \
             article_json = excluded.article_json, problem_kind = excluded.problem_kind, \
             problem = excluded.problem, selected = excluded.selected, \
             synced_hash = excluded.synced_hash, synced_number = excluded.synced_number, \
             article_system_id = excluded.article_system_id, \
             last_synced_at = excluded.last_synced_at, warning = excluded.warning, \
             updated_at = excluded.updated_at"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(item.endpoint.as_str())
            .bind(item.stock_item_id.as_str())
            .bind(item.product_id.as_str())
            .bind(item.product_name.as_str())
            .bind(item.variant_name.as_str())
            .bind(item.size_name.as_str())
            .bind(item.sku.as_str())
            .bind(item.variant_sku.as_str())
            .bind(item.size_sku.as_str())
            .bind(item.ean.as_str())
            .bind(i64::from(item.active))
            .bind(item.article_number.clone())
            .bind(item.content_hash.clone())
            .bind(article_json)
            .bind(item.problem.as_ref().map(|p| p.kind.as_str().to_owned()))
            .bind(item.problem.as_ref().map(|p| p.reason.clone()))
            .bind(i64::from(item.selected))
            .bind(item.synced_hash.clone())
            .bind(item.synced_number.clone())
            .bind(item.article_system_id)
            .bind(item.last_synced_at)
            .bind(item.warning.clone())
            .bind(platform_store::unix_millis())
            .execute(tx.conn())
            .await
            .map_err(query_error("saving a catalog item"))?;
        Ok(())
    }
}
