//! The stock level each article was last published at (`stock_levels`), and publishing a read
//! level that differs from it as a `WmsStockChanged`: one rule for every read of OGOship's
//! stock, the detector's poll and the `ReadStock` command alike.
//!
//! Why a read publishes too: the poll sees the stock only at its own moments, and the stock
//! flow's checks read OGOship directly, in between. When an article goes 12 → 11 → 12 between
//! two polls and a check reads the 11, the next poll finds 12, the level published last, and
//! would say nothing: the flow would keep Centra at 11 for good, or, the other way round, sell
//! a unit the warehouse no longer has. (A `stock_returns_e2e` run under faults on OGOship
//! ended in exactly that state: WMS 12, Centra 11, the last check had read 11 and no event
//! came after it. It was not reproduced; this would explain it.) So every level the gateway
//! reads is compared with the one published last, whoever read it: a level a check reads
//! first is published by that read (the flow checks the article once more), and the poll
//! then finds nothing new.
//!
//! The domain id `wms:<warehouse>:stock:<article>:<physical>` names a value, not a change: 5,
//! then 4, then 5 again would reuse the first id and the outbox would drop the third event. So
//! the id carries the article's change version as well. The comparison and the new version
//! are one statement (an upsert that changes the row only when a number differs and returns
//! the new version), so a poll and a read that race never publish two levels under one
//! version; a batch locks its rows in article-number order, so two batches never deadlock.

use chrono::Utc;
use domain::EventId;
use platform_store::{Store, StoreError, unix_millis};
use proto::events::v1::WmsStockChanged;
use proto::wms::v1::ArticleStock;

use crate::publish::{self, meta};

/// Records `read` (each product's stock as the gateway just read it) and publishes each level that differs from the one published last for its
/// article (or is the first), in one transaction. Returns how many were published.
///
/// # Errors
/// The store failing; nothing is recorded then.
pub(crate) async fn publish_changed(
    store: &Store,
    warehouse: &str,
    read: &[ArticleStock],
) -> Result<usize, StoreError> {
    if read.is_empty() {
        return Ok(0);
    }
    let mut sorted: Vec<&ArticleStock> = read.iter().collect();
    sorted.sort_by(|a, b| a.article_number.cmp(&b.article_number));
    sorted.dedup_by(|a, b| a.article_number == b.article_number);
    let mut tx = store.begin().await?;
    let mut published = Vec::new();
    for read in sorted {
        let number = &read.article_number;
        let version: Option<i64> = sqlx::query_scalar(
            "INSERT INTO stock_levels (article_number, number_of_items, \
                 sellable_number_of_items, booked_number_of_items, version, updated_at) \
             VALUES ($1, $2, $3, $4, 1, $5) \
             ON CONFLICT (article_number) DO UPDATE SET \
                 number_of_items = excluded.number_of_items, \
                 sellable_number_of_items = excluded.sellable_number_of_items, \
                 booked_number_of_items = excluded.booked_number_of_items, \
                 version = stock_levels.version + 1, updated_at = excluded.updated_at \
             WHERE stock_levels.number_of_items <> excluded.number_of_items \
                OR stock_levels.sellable_number_of_items <> excluded.sellable_number_of_items \
                OR stock_levels.booked_number_of_items <> excluded.booked_number_of_items \
             RETURNING version",
        )
        .bind(number)
        .bind(read.number_of_items)
        .bind(read.sellable_number_of_items)
        .bind(read.booked_number_of_items)
        .bind(unix_millis())
        .fetch_optional(tx.conn())
        .await
        .map_err(StoreError::query(format!("saving stock level of {number}")))?;
        let Some(version) = version else {
            continue;
        };
        let id = EventId::from_parts([
            "wms",
            warehouse,
            "stock",
            number,
            &read.number_of_items.to_string(),
            &format!("v{version}"),
        ]);
        let event = WmsStockChanged {
            meta: Some(meta(&id, warehouse, Utc::now())),
            warehouse: warehouse.to_owned(),
            article_number: number.clone(),
            article_system_id: read.article_system_id,
            number_of_items: read.number_of_items,
            sellable_number_of_items: read.sellable_number_of_items,
            booked_number_of_items: read.booked_number_of_items,
        };
        publish::enqueue(
            store,
            &mut tx,
            &id,
            publish::stock_changed_subject(warehouse),
            &event,
        )
        .await?;
        published.push(read);
    }
    tx.commit().await?;
    for read in &published {
        tracing::info!(
            %warehouse,
            article_number = %read.article_number,
            physical = read.number_of_items,
            sellable = read.sellable_number_of_items,
            "stock changed"
        );
    }
    Ok(published.len())
}
