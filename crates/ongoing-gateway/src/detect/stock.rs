//! Stock levels: `GET /articles?stockInfoChangedFrom=` (everything on the first run) and a
//! `WmsStockChanged` for each article whose physical, sellable or booked quantity differs from
//! the last one published.
//!
//! The domain id `wms:<warehouse>:stock:<article>:<physical>` names a value, not a change: 5,
//! then 4, then 5 again would reuse the first id and the outbox would drop the third event. So
//! the id carries the article's change version from `stock_levels` as well, bumped in the same
//! transaction that enqueues the event (deterministic for a committed change).

use chrono::{DateTime, Utc};
use domain::EventId;
use platform_store::{StoreError, unix_millis};
use proto::events::v1::WmsStockChanged;
use serde_json::json;
use sqlx::Row;

use super::{DetectError, Detector, PollReport, cursor};
use crate::client::models::ArticleModel;
use crate::inventory::{Level, level};
use crate::publish::{self, meta};

const CURSOR: &str = "articles.stock_changed";

impl Detector {
    pub(super) async fn stock_levels(
        &self,
        started: DateTime<Utc>,
    ) -> Result<PollReport, DetectError> {
        let mut report = PollReport::default();
        let filters = match cursor::load(&self.store, CURSOR).await? {
            Some(since) => vec![("stockInfoChangedFrom", self.since(since))],
            // First run: every article, the initial reconcile.
            None => Vec::new(),
        };
        // A page at a time: the first run (or a stock-take) lists every article.
        let mut articles = self.client.article_pages(&filters);
        while let Some(page) = articles.next().await? {
            report.dead_lettered += self.reject(&page.rejected).await?;
            for article in &page.records {
                match level(article) {
                    Ok((number, level)) => {
                        if self.publish_level(article, &number, level).await? {
                            report.published += 1;
                        }
                    }
                    Err(error) => {
                        self.dead_letter(
                            "article",
                            &format!("article id {}", article.article_system_id),
                            &error,
                            json!({"articleSystemId": article.article_system_id,
                                   "articleNumber": article.article_number}),
                        )
                        .await?;
                        report.dead_lettered += 1;
                    }
                }
            }
        }
        cursor::save(&self.store, CURSOR, started).await?;
        Ok(report)
    }

    /// Records and publishes `level` when it differs from the last one. True when published.
    async fn publish_level(
        &self,
        article: &ArticleModel,
        number: &str,
        level: Level,
    ) -> Result<bool, StoreError> {
        let warehouse = &self.settings.warehouse;
        let mut tx = self.store.begin().await?;
        let last = sqlx::query(
            "SELECT number_of_items, sellable_number_of_items, booked_number_of_items, version \
             FROM stock_levels WHERE article_number = $1",
        )
        .bind(number)
        .fetch_optional(tx.conn())
        .await
        .map_err(StoreError::query(format!(
            "loading stock level of {number}"
        )))?;
        let (previous, version) = match last {
            Some(row) => {
                let read = |name: &str| -> Result<i64, StoreError> {
                    row.try_get::<i64, _>(name)
                        .map_err(|e| StoreError::Corrupt {
                            table: "stock_levels",
                            key: number.to_owned(),
                            field: "stock level",
                            reason: e.to_string(),
                        })
                };
                (
                    Some(Level {
                        physical: read("number_of_items")?,
                        sellable: read("sellable_number_of_items")?,
                        booked: read("booked_number_of_items")?,
                    }),
                    read("version")?,
                )
            }
            None => (None, 0),
        };
        if previous == Some(level) {
            tx.rollback().await?;
            return Ok(false);
        }
        let version = version + 1;
        sqlx::query(
            "INSERT INTO stock_levels (article_number, article_system_id, number_of_items, \
                 sellable_number_of_items, booked_number_of_items, version, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (article_number) DO UPDATE SET \
                 article_system_id = excluded.article_system_id, \
                 number_of_items = excluded.number_of_items, \
                 sellable_number_of_items = excluded.sellable_number_of_items, \
                 booked_number_of_items = excluded.booked_number_of_items, \
                 version = excluded.version, updated_at = excluded.updated_at",
        )
        .bind(number)
        .bind(article.article_system_id)
        .bind(level.physical)
        .bind(level.sellable)
        .bind(level.booked)
        .bind(version)
        .bind(unix_millis())
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(format!("saving stock level of {number}")))?;
        let id = EventId::from_parts([
            "wms",
            warehouse.as_str(),
            "stock",
            number,
            &level.physical.to_string(),
            &format!("v{version}"),
        ]);
        let event = WmsStockChanged {
            meta: Some(meta(&id, warehouse, Utc::now())),
            warehouse: warehouse.clone(),
            article_number: number.to_owned(),
            article_system_id: article.article_system_id,
            number_of_items: level.physical,
            sellable_number_of_items: level.sellable,
            booked_number_of_items: level.booked,
        };
        publish::enqueue(
            &self.store,
            &mut tx,
            &id,
            publish::stock_changed_subject(warehouse),
            &event,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(
            warehouse = %warehouse,
            article_number = %number,
            physical = level.physical,
            sellable = level.sellable,
            "stock changed"
        );
        Ok(true)
    }
}
