//! The articles stock-sync follows, over the service's store (`stock_articles` table).
//!
//! One row per WMS article: the Centra product it belongs to (learnt from `ArticleSynced` or a
//! reconcile), what each side held at the last check, the state a person sees, and `due_at`,
//! when to check it next (`NULL`: nothing pending). An event marks a row due at the end of
//! the batching window (`stock_batch_window`), and a claim takes the rows falling due within
//! one window of the first due one, so changes close together are checked, and written to
//! Centra, together.
//!
//! Several replicas share the table. A replica takes due rows with [`StockArticles::claim`]: a
//! conditional update that moves `due_at` into the future only if it is still the value read,
//! so one row goes to one replica; a replica that dies leaves the row due again when the lease
//! ends ([`CLAIM_LEASE_MS`], renewed by the holder every [`CLAIM_RENEW_EVERY`] while its check
//! runs, so a killed replica's rows wait half a minute, not the length of the longest check). `generation` counts the marks: a mark that arrives while a row is being checked makes
//! [`StockArticles::finish`] leave it due at once instead of settling it on stale numbers.

use std::collections::HashMap;

use platform_store::{Store, StoreError, Transaction, unix_millis};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rules::{Blocked, Meanwhile, StockState};

/// How long a claimed row stays with its replica before another may take it, unless renewed.
pub const CLAIM_LEASE_MS: i64 = 30 * 1000;

/// How often a replica renews the lease of the rows it is checking: a third of the lease, so
/// one late renewal (a slow store) does not hand the rows to another replica.
pub const CLAIM_RENEW_EVERY: std::time::Duration =
    std::time::Duration::from_millis(CLAIM_LEASE_MS as u64 / 3);

/// One followed article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockArticle {
    pub article_number: String,
    pub warehouse: String,
    pub product_id: Option<String>,
    /// Changed only by [`StockArticle::end_check`] (a new row starts `Pending`).
    state: StockState,
    /// Why it is in a [`Blocked`] state; `None` in every other.
    reason: Option<String>,
    pub due_at: Option<i64>,
    pub generation: i64,
    /// Checks in a row that found it unsettled (the recheck delay doubles with it).
    pub rechecks: i64,
    pub wms_physical: Option<i64>,
    pub wms_sellable: Option<i64>,
    pub centra_physical: Option<i64>,
    pub centra_allocated: Option<i64>,
    /// The last physical value written to Centra.
    pub written: Option<i64>,
    pub checked_at: Option<i64>,
    pub updated_at: i64,
}

/// How a check of an article ends. Each variant carries what its state needs, so a state is
/// never saved without its reason, or a settling article without its next check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckEnd {
    /// In sync: nothing due until the next mark; the recheck delay starts over.
    InSync,
    /// Units in flight: checked again at `due_at` (unix ms), one recheck more.
    Settling { due_at: i64 },
    /// Blocked for `reason` (what a person reads): nothing due until the next mark.
    Blocked { why: Blocked, reason: String },
}

impl StockArticle {
    /// The outcome of its latest check (`Pending` until its first).
    pub fn state(&self) -> StockState {
        self.state
    }

    /// Why it is blocked, when it is.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// Ends a check: the only way to change the article's state (see [`CheckEnd`]).
    pub fn end_check(&mut self, end: CheckEnd) {
        match end {
            CheckEnd::InSync => {
                self.state = StockState::InSync;
                self.reason = None;
                self.due_at = None;
                self.rechecks = 0;
            }
            CheckEnd::Settling { due_at } => {
                self.state = StockState::Settling;
                self.reason = None;
                self.due_at = Some(due_at);
                self.rechecks += 1;
            }
            CheckEnd::Blocked { why, reason } => {
                self.state = why.into();
                self.reason = Some(reason);
                self.due_at = None;
            }
        }
    }
}

const COLUMNS: &str = "article_number, warehouse, product_id, state, reason, due_at, generation, \
                       rechecks, wms_physical, wms_sellable, centra_physical, centra_allocated, \
                       written, checked_at, updated_at";

fn corrupt(key: &str, field: &'static str, reason: &dyn std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table: "stock_articles",
        key: key.to_owned(),
        field,
        reason: reason.to_string(),
    }
}

fn read(row: &AnyRow) -> Result<StockArticle, StoreError> {
    let text = |field: &'static str| -> Result<Option<String>, StoreError> {
        row.try_get::<Option<String>, _>(field)
            .map_err(|e| corrupt("?", field, &e))
    };
    let key = text("article_number")?.unwrap_or_default();
    let number = |field: &'static str| -> Result<Option<i64>, StoreError> {
        row.try_get::<Option<i64>, _>(field)
            .map_err(|e| corrupt(&key, field, &e))
    };
    let state_text = text("state")?.unwrap_or_default();
    let state =
        StockState::parse(&state_text).ok_or_else(|| corrupt(&key, "state", &state_text))?;
    Ok(StockArticle {
        warehouse: text("warehouse")?.unwrap_or_default(),
        product_id: text("product_id")?,
        state,
        reason: text("reason")?,
        due_at: number("due_at")?,
        generation: number("generation")?.unwrap_or_default(),
        rechecks: number("rechecks")?.unwrap_or_default(),
        wms_physical: number("wms_physical")?,
        wms_sellable: number("wms_sellable")?,
        centra_physical: number("centra_physical")?,
        centra_allocated: number("centra_allocated")?,
        written: number("written")?,
        checked_at: number("checked_at")?,
        updated_at: number("updated_at")?.unwrap_or_default(),
        article_number: key,
    })
}

/// Which articles [`StockArticles::list`] reads.
#[derive(Debug, Clone, Default)]
pub struct ArticleFilter<'a> {
    pub state: Option<StockState>,
    pub article_number: Option<&'a str>,
    /// Keyset page: article numbers after this one.
    pub after: Option<&'a str>,
    pub limit: u32,
}

/// The `stock_articles` table.
#[derive(Debug, Clone)]
pub struct StockArticles {
    store: Store,
}

impl StockArticles {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Marks `article_number` due at `at` (or keeps an earlier due time), creating the row; with
    /// `product_id`, records the Centra product it belongs to. An `unmapped` row that gets its
    /// product shows `pending` until its check: `unmapped` says no product is known, and a
    /// person (or a check of the admin list) must not read that of an article that has one.
    ///
    /// # Errors
    /// The store failing.
    pub async fn mark(
        &self,
        tx: &mut Transaction,
        warehouse: &str,
        article_number: &str,
        product_id: Option<&str>,
        at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO stock_articles (article_number, warehouse, product_id, state, due_at, \
             generation, rechecks, updated_at) VALUES ($1, $2, $3, $4, $5, 1, 0, $6) \
             ON CONFLICT (article_number) DO UPDATE SET \
             product_id = COALESCE(excluded.product_id, stock_articles.product_id), \
             state = CASE WHEN stock_articles.state = $7 AND excluded.product_id IS NOT NULL \
                     THEN $4 ELSE stock_articles.state END, \
             reason = CASE WHEN stock_articles.state = $7 AND excluded.product_id IS NOT NULL \
                      THEN NULL ELSE stock_articles.reason END, \
             due_at = CASE WHEN stock_articles.due_at IS NULL OR stock_articles.due_at > $5 \
                      THEN $5 ELSE stock_articles.due_at END, \
             generation = stock_articles.generation + 1, rechecks = 0, updated_at = $6",
        )
        .bind(article_number)
        .bind(warehouse)
        .bind(product_id)
        .bind(StockState::Pending.as_str())
        .bind(at)
        .bind(unix_millis())
        .bind(StockState::Unmapped.as_str())
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(format!(
            "marking article {article_number}"
        )))?;
        Ok(())
    }

    /// Marks `article_number` due at `at` only if the flow already follows it (a Centra key that
    /// is not an article number, such as the EAN under the joined-SKU rule, marks nothing), for
    /// news from Centra: a shipment of it completed (`Meanwhile::Completed`, kept in
    /// `completed_at`, see [`Self::news_since_claim`]) or a new one allocating it
    /// (`Meanwhile::Marked`, a mark like any other).
    ///
    /// # Errors
    /// The store failing.
    pub async fn mark_if_followed(
        &self,
        tx: &mut Transaction,
        article_number: &str,
        at: i64,
        news: Meanwhile,
    ) -> Result<bool, StoreError> {
        let now = unix_millis();
        let completed_at = (news == Meanwhile::Completed).then_some(now);
        let marked = sqlx::query(
            "UPDATE stock_articles SET \
             due_at = CASE WHEN due_at IS NULL OR due_at > $2 THEN $2 ELSE due_at END, \
             generation = generation + 1, rechecks = 0, updated_at = $3, \
             completed_at = COALESCE($4, completed_at) \
             WHERE article_number = $1",
        )
        .bind(article_number)
        .bind(at)
        .bind(now)
        .bind(completed_at)
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(format!(
            "marking article {article_number}"
        )))?
        .rows_affected();
        Ok(marked > 0)
    }

    /// Takes up to `limit` rows for this replica (see the module docs) once one is due at
    /// `now`, together with the rows falling due by `gather_until` (the batching window: rows
    /// marked shortly after the first one are checked, and written to Centra, with it). Nothing
    /// while no row is due at `now`.
    ///
    /// # Errors
    /// The store failing.
    pub async fn claim(
        &self,
        now: i64,
        gather_until: i64,
        limit: u32,
    ) -> Result<Vec<StockArticle>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM stock_articles WHERE due_at IS NOT NULL AND due_at <= $1 \
             ORDER BY due_at, article_number LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(gather_until.max(now))
            .bind(i64::from(limit))
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("reading due articles"))?;
        let first_due = rows
            .first()
            .map(|row| row.try_get::<Option<i64>, _>("due_at"))
            .transpose()
            .map_err(|e| corrupt("?", "due_at", &e))?
            .flatten();
        if first_due.is_none_or(|due| due > now) {
            return Ok(Vec::new());
        }
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut article = read(row)?;
            let lease = now + CLAIM_LEASE_MS;
            let taken = sqlx::query(
                "UPDATE stock_articles SET due_at = $1 WHERE article_number = $2 AND due_at = $3",
            )
            .bind(lease)
            .bind(&article.article_number)
            .bind(article.due_at)
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query(format!(
                "claiming article {}",
                article.article_number
            )))?
            .rows_affected();
            if taken == 1 {
                article.due_at = Some(lease);
                claimed.push(article);
            }
        }
        Ok(claimed)
    }

    /// Saves the outcome of a check of `article` (claimed at `generation`). A mark that came in
    /// meanwhile wins: the row stays due now, keeping the new generation and the Centra product
    /// the mark brought (an `ArticleSynced` handled during the check; the check's copy is the
    /// one it claimed, and writing it back would lose the product for good). A check that
    /// found no product ends `unmapped`; when such a mark brought one, the row shows `pending`
    /// instead (see [`StockArticles::mark`]), since the check's verdict was on the old copy.
    ///
    /// # Errors
    /// The store failing.
    pub async fn finish(
        &self,
        tx: &mut Transaction,
        article: &StockArticle,
        claimed_generation: i64,
    ) -> Result<(), StoreError> {
        let now = unix_millis();
        // The state and reason to save if a mark came meanwhile and the row has a product.
        let with_product = if article.state == StockState::Unmapped {
            (StockState::Pending, None)
        } else {
            (article.state, article.reason.as_deref())
        };
        sqlx::query(
            "UPDATE stock_articles SET \
             product_id = CASE WHEN generation = $5 THEN $2 ELSE product_id END, \
             state = CASE WHEN generation <> $5 AND product_id IS NOT NULL \
                     THEN $15 ELSE $3 END, \
             reason = CASE WHEN generation <> $5 AND product_id IS NOT NULL \
                      THEN $16 ELSE $4 END, \
             due_at = CASE WHEN generation = $5 THEN $6 ELSE $7 END, \
             rechecks = CASE WHEN generation = $5 THEN $8 ELSE 0 END, \
             wms_physical = $9, wms_sellable = $10, centra_physical = $11, \
             centra_allocated = $12, written = $13, checked_at = $14, updated_at = $14 \
             WHERE article_number = $1",
        )
        .bind(&article.article_number)
        .bind(article.product_id.as_deref())
        .bind(article.state.as_str())
        .bind(article.reason.as_deref())
        .bind(claimed_generation)
        .bind(article.due_at)
        .bind(now)
        .bind(article.rechecks)
        .bind(article.wms_physical)
        .bind(article.wms_sellable)
        .bind(article.centra_physical)
        .bind(article.centra_allocated)
        .bind(article.written)
        .bind(now)
        .bind(with_product.0.as_str())
        .bind(with_product.1)
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(format!(
            "saving article {}",
            article.article_number
        )))?;
        Ok(())
    }

    /// Of `claimed` (one check's batch, at most [`crate::flow::BATCH`] rows, claimed at
    /// `claimed_at`), what came in about each article while the check ran: a mark (its
    /// generation moved), or a shipment of it completed in Centra (`completed_at` since the
    /// claim). Articles with no news are left out ([`crate::rules::held_back`]).
    ///
    /// # Errors
    /// The store failing.
    pub async fn news_since_claim(
        &self,
        claimed: &[StockArticle],
        claimed_at: i64,
    ) -> Result<HashMap<String, Meanwhile>, StoreError> {
        if claimed.is_empty() {
            return Ok(HashMap::new());
        }
        let placeholders: Vec<String> = (1..=claimed.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT article_number, generation, completed_at FROM stock_articles \
             WHERE article_number IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for article in claimed {
            query = query.bind(article.article_number.as_str());
        }
        let rows = query
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("reading what came in during a check"))?;
        let generations: HashMap<&str, i64> = claimed
            .iter()
            .map(|a| (a.article_number.as_str(), a.generation))
            .collect();
        let mut news = HashMap::new();
        for row in &rows {
            let number: String = row
                .try_get("article_number")
                .map_err(|e| corrupt("?", "article_number", &e))?;
            let generation: i64 = row
                .try_get("generation")
                .map_err(|e| corrupt(&number, "generation", &e))?;
            let completed_at: Option<i64> = row
                .try_get("completed_at")
                .map_err(|e| corrupt(&number, "completed_at", &e))?;
            let meanwhile = if completed_at.is_some_and(|at| at >= claimed_at) {
                Meanwhile::Completed
            } else if generations.get(number.as_str()) != Some(&generation) {
                Meanwhile::Marked
            } else {
                continue;
            };
            news.insert(number, meanwhile);
        }
        Ok(news)
    }

    /// Moves the lease of `articles` (claimed together, so all due at `held`) to `until`; a
    /// row marked meanwhile (due now, no longer `held`) is left due. Returns how many rows were
    /// still held.
    ///
    /// # Errors
    /// The store failing.
    pub async fn renew(
        &self,
        articles: &[StockArticle],
        held: i64,
        until: i64,
    ) -> Result<u64, StoreError> {
        let mut tx = self.store.begin().await?;
        let mut renewed = 0;
        for article in articles {
            renewed += sqlx::query(
                "UPDATE stock_articles SET due_at = $2 WHERE article_number = $1 AND due_at = $3",
            )
            .bind(&article.article_number)
            .bind(until)
            .bind(held)
            .execute(tx.conn())
            .await
            .map_err(StoreError::query(format!(
                "renewing the claim of article {}",
                article.article_number
            )))?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(renewed)
    }

    /// Gives claimed rows back (all due at `held`), due at `at` (a call failed; the check is
    /// tried again then). A row marked meanwhile stays due now.
    ///
    /// # Errors
    /// The store failing.
    pub async fn release(
        &self,
        articles: &[StockArticle],
        held: i64,
        at: i64,
    ) -> Result<(), StoreError> {
        self.renew(articles, held, at).await.map(drop)
    }

    /// When the next row falls due (a claimed row's lease end included); `None` when nothing is
    /// pending. The writer sleeps until then.
    ///
    /// # Errors
    /// The store failing.
    pub async fn next_due(&self) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT MIN(due_at) AS next_due FROM stock_articles")
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("reading the next due article"))?;
        row.try_get::<Option<i64>, _>("next_due")
            .map_err(|e| corrupt("?", "due_at", &e))
    }

    /// Article number -> Centra product id of every followed article that has one.
    ///
    /// # Errors
    /// The store failing.
    pub async fn known_products(&self) -> Result<HashMap<String, String>, StoreError> {
        let rows = sqlx::query(
            "SELECT article_number, product_id FROM stock_articles WHERE product_id IS NOT NULL",
        )
        .fetch_all(self.store.pool())
        .await
        .map_err(StoreError::query("reading the articles' centra products"))?;
        rows.iter()
            .map(|row| {
                let number: String = row
                    .try_get("article_number")
                    .map_err(|e| corrupt("?", "article_number", &e))?;
                let product: String = row
                    .try_get("product_id")
                    .map_err(|e| corrupt(&number, "product_id", &e))?;
                Ok((number, product))
            })
            .collect()
    }

    /// One article.
    ///
    /// # Errors
    /// The store failing.
    pub async fn find(&self, article_number: &str) -> Result<Option<StockArticle>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM stock_articles WHERE article_number = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(article_number)
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query(format!(
                "loading article {article_number}"
            )))?;
        row.as_ref().map(read).transpose()
    }

    /// A page of articles, by article number.
    ///
    /// # Errors
    /// The store failing.
    pub async fn list(&self, filter: &ArticleFilter<'_>) -> Result<Vec<StockArticle>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM stock_articles WHERE ($1 IS NULL OR state = $1) \
             AND ($2 IS NULL OR article_number = $2) AND article_number > $3 \
             ORDER BY article_number LIMIT $4"
        );
        let limit = if filter.limit == 0 { 100 } else { filter.limit };
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(filter.state.map(StockState::as_str))
            .bind(filter.article_number)
            .bind(filter.after.unwrap_or(""))
            .bind(i64::from(limit))
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("listing stock articles"))?;
        rows.iter().map(read).collect()
    }

    /// Starts the run `name` if none started in the last `interval_ms` (one replica wins).
    ///
    /// # Errors
    /// The store failing.
    pub async fn start_run(&self, name: &str, interval_ms: i64) -> Result<bool, StoreError> {
        let now = unix_millis();
        let mut tx = self.store.begin().await?;
        sqlx::query(
            "INSERT INTO stock_runs (name, started_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(now - interval_ms - 1)
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(format!("creating run {name}")))?;
        let started = sqlx::query(
            "UPDATE stock_runs SET started_at = $2 WHERE name = $1 AND started_at <= $3",
        )
        .bind(name)
        .bind(now)
        .bind(now - interval_ms)
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(format!("starting run {name}")))?
        .rows_affected();
        tx.commit().await?;
        Ok(started == 1)
    }

    /// When the run `name` last started.
    ///
    /// # Errors
    /// The store failing.
    pub async fn run_started_at(&self, name: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT started_at FROM stock_runs WHERE name = $1")
            .bind(name)
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query(format!("reading run {name}")))?;
        row.map(|r| r.try_get::<i64, _>("started_at"))
            .transpose()
            .map_err(|e| corrupt(name, "started_at", &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(state: StockState, rechecks: i64) -> StockArticle {
        StockArticle {
            article_number: "A1".into(),
            warehouse: "w1".into(),
            product_id: Some("1".into()),
            state,
            reason: None,
            due_at: Some(5),
            generation: 1,
            rechecks,
            wms_physical: None,
            wms_sellable: None,
            centra_physical: None,
            centra_allocated: None,
            written: None,
            checked_at: None,
            updated_at: 0,
        }
    }

    /// Each end of a check from every state: (state, reason, due, rechecks) after it.
    #[test]
    fn every_check_end_sets_its_state_with_what_it_needs() {
        for from in StockState::ALL {
            let mut article = checked(from, 3);
            article.end_check(CheckEnd::Settling { due_at: 90 });
            assert_eq!(
                (
                    article.state(),
                    article.reason(),
                    article.due_at,
                    article.rechecks
                ),
                (StockState::Settling, None, Some(90), 4),
                "{from:?} -> settling"
            );
            article.end_check(CheckEnd::Blocked {
                why: Blocked::Bundle,
                reason: "a bundle".into(),
            });
            assert_eq!(
                (
                    article.state(),
                    article.reason(),
                    article.due_at,
                    article.rechecks
                ),
                (StockState::Bundle, Some("a bundle"), None, 4),
                "settling -> bundle keeps the recheck count"
            );
            article.end_check(CheckEnd::InSync);
            assert_eq!(
                (
                    article.state(),
                    article.reason(),
                    article.due_at,
                    article.rechecks
                ),
                (StockState::InSync, None, None, 0),
                "bundle -> in sync clears the reason and the rechecks"
            );
        }
    }
}
