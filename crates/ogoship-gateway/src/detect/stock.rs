//! Stock levels: `GET /stock?modifiedAfter=` (every product on the first run) and a
//! `WmsStockChanged` for each product whose physical, available or reserved quantity differs
//! from the last one published.
//!
//! The domain id `wms:<warehouse>:stock:<article>:<physical>` names a value, not a change (5,
//! 4, then 5 again would reuse the first id), so the id also carries the product's change
//! version from `stock_levels`, bumped in the transaction that enqueues the event.

use chrono::Utc;
use domain::EventId;
use platform_store::{StoreError, unix_millis};
use proto::events::v1::WmsStockChanged;
use serde_json::json;
use sqlx::Row;

use super::{DetectError, Detector, PollReport};
use crate::client::models::StockResponse;
use crate::client::resources::STOCK;
use crate::commands::stock::level;
use crate::handles::{self, PRODUCT};
use crate::publish::{self, meta};

const CURSOR: &str = "stock.modified";

impl Detector {
    pub(super) async fn stock_levels(&self) -> Result<PollReport, DetectError> {
        let mut report = PollReport::default();
        // First run: every product, the initial reconcile.
        let (_, filters) = self.since(CURSOR, None).await?;
        let rows = self.client.all::<StockResponse>(STOCK, &filters).await?;
        report.dead_lettered += self.reject(&rows.rejected).await?;
        for row in &rows.records {
            match level(row) {
                Ok((code, levels)) => {
                    if self.publish_level(&code, levels).await? {
                        report.published += 1;
                    }
                }
                Err(error) => {
                    self.dead_letter(
                        "article",
                        &format!("stock of {}", row.product_code.as_deref().unwrap_or("?")),
                        &error,
                        json!({"productCode": row.product_code}),
                    )
                    .await?;
                    report.dead_lettered += 1;
                }
            }
        }
        self.advance(CURSOR, rows.records.iter().map(|r| r.modified.as_deref()))
            .await?;
        Ok(report)
    }

    /// Records and publishes `[physical, sellable, booked]` when it differs from the last one.
    async fn publish_level(&self, code: &str, levels: [i64; 3]) -> Result<bool, StoreError> {
        let warehouse = &self.settings.warehouse;
        let article_system_id = handles::handle(&self.store, PRODUCT, code, code).await?;
        let mut tx = self.store.begin().await?;
        let last = sqlx::query(
            "SELECT number_of_items, sellable_number_of_items, booked_number_of_items, version \
             FROM stock_levels WHERE article_number = $1",
        )
        .bind(code)
        .fetch_optional(tx.conn())
        .await
        .map_err(StoreError::query(format!("loading stock level of {code}")))?;
        let (previous, version) = match last {
            Some(row) => {
                let read = |name: &str| -> Result<i64, StoreError> {
                    row.try_get::<i64, _>(name)
                        .map_err(|e| StoreError::Corrupt {
                            table: "stock_levels",
                            key: code.to_owned(),
                            field: "stock level",
                            reason: e.to_string(),
                        })
                };
                (
                    Some([
                        read("number_of_items")?,
                        read("sellable_number_of_items")?,
                        read("booked_number_of_items")?,
                    ]),
                    read("version")?,
                )
            }
            None => (None, 0),
        };
        if previous == Some(levels) {
            tx.rollback().await?;
            return Ok(false);
        }
        let version = version + 1;
        let [physical, sellable, booked] = levels;
        sqlx::query(
            "INSERT INTO stock_levels (article_number, number_of_items, \
                 sellable_number_of_items, booked_number_of_items, version, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (article_number) DO UPDATE SET \
                 number_of_items = excluded.number_of_items, \
                 sellable_number_of_items = excluded.sellable_number_of_items, \
                 booked_number_of_items = excluded.booked_number_of_items, \
                 version = excluded.version, updated_at = excluded.updated_at",
        )
        .bind(code)
        .bind(physical)
        .bind(sellable)
        .bind(booked)
        .bind(version)
        .bind(unix_millis())
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(format!("saving stock level of {code}")))?;
        let id = EventId::from_parts([
            "wms",
            warehouse.as_str(),
            "stock",
            code,
            &physical.to_string(),
            &format!("v{version}"),
        ]);
        let event = WmsStockChanged {
            meta: Some(meta(&id, warehouse, Utc::now())),
            warehouse: warehouse.clone(),
            article_number: code.to_owned(),
            article_system_id,
            number_of_items: physical,
            sellable_number_of_items: sellable,
            booked_number_of_items: booked,
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
        tracing::info!(%warehouse, article_number = %code, physical, sellable, "stock changed");
        Ok(true)
    }
}
