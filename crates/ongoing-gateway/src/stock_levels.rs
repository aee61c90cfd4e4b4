//! The stock level each article was last published at (`stock_levels`), and publishing a read
//! level that differs from it as a `WmsStockChanged`: one rule for every read of Ongoing's
//! stock, the detector's poll and the `ReadStock` command alike.
//!
//! Why a read publishes too: the poll sees the stock only at its own moments, and the stock
//! flow's checks read Ongoing directly, in between. When an article goes 12 → 11 → 12 between
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

/// Records `read` (each article's stock as the gateway just read it) and publishes each level that differs from the one published last for its
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
            "INSERT INTO stock_levels (article_number, article_system_id, number_of_items, \
                 sellable_number_of_items, booked_number_of_items, version, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6) \
             ON CONFLICT (article_number) DO UPDATE SET \
                 article_system_id = excluded.article_system_id, \
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
        .bind(read.article_system_id)
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

#[cfg(test)]
mod tests {
    use platform_store::StoreOptions;
    use sqlx::Row;

    use super::*;

    fn read(article_number: &str, physical: i64) -> ArticleStock {
        ArticleStock {
            article_number: article_number.to_owned(),
            article_system_id: 7,
            number_of_items: physical,
            sellable_number_of_items: physical,
            booked_number_of_items: 0,
        }
    }

    /// The article and version of every event in the outbox, in outbox order.
    async fn published(store: &Store) -> Vec<(String, i64)> {
        sqlx::query("SELECT message_id FROM outbox ORDER BY seq")
            .fetch_all(store.pool())
            .await
            .expect("outbox")
            .iter()
            .map(|row| {
                let id: String = row.try_get("message_id").expect("id");
                // wms:<warehouse>:stock:<article>:<physical>:v<version>
                let parts: Vec<&str> = id.split(':').collect();
                let version = parts[5].trim_start_matches('v').parse().expect("version");
                (parts[3].to_owned(), version)
            })
            .collect()
    }

    /// Reads of alternating levels racing each other (a poll and the checks of two replicas):
    /// each change is published under a version of its own, the versions run 1, 2, 3… without
    /// a gap or a repeat, and the row's version is the last one published.
    async fn racing_reads_publish_each_change_once(store: Store) {
        let mut reads = tokio::task::JoinSet::new();
        for i in 0..24_i64 {
            let store = store.clone();
            reads.spawn(async move {
                publish_changed(&store, "main", &[read("A", 1 + i % 2), read("B", 5)]).await
            });
        }
        let mut count = 0;
        while let Some(result) = reads.join_next().await {
            count += result.expect("joined").expect("published");
        }
        let published = published(&store).await;
        assert_eq!(published.len(), count, "{published:?}");
        let b: Vec<i64> = published
            .iter()
            .filter(|(a, _)| a == "B")
            .map(|(_, v)| *v)
            .collect();
        assert_eq!(b, [1], "B's level never changed: {published:?}");
        let mut a: Vec<i64> = published
            .iter()
            .filter(|(a, _)| a == "A")
            .map(|(_, v)| *v)
            .collect();
        a.sort_unstable();
        let version: i64 =
            sqlx::query_scalar("SELECT version FROM stock_levels WHERE article_number = 'A'")
                .fetch_one(store.pool())
                .await
                .expect("row");
        assert_eq!(a, (1..=version).collect::<Vec<_>>(), "{published:?}");
        assert!(version >= 2, "the reads raced and changed A: {published:?}");
    }

    #[tokio::test]
    async fn racing_reads_publish_each_change_once_on_sqlite() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/gateway.db?mode=rwc", dir.path().display());
        let store = Store::open(
            StoreOptions::new("ongoing-gateway", url),
            &crate::MIGRATIONS,
        )
        .await
        .expect("store opens");
        racing_reads_publish_each_change_once(store).await;
    }

    #[tokio::test]
    async fn racing_reads_publish_each_change_once_on_postgres() {
        let Some(database) = test_support::postgres_database("ongoing-gateway stock levels").await
        else {
            return;
        };
        let store = Store::open(
            StoreOptions::new("ongoing-gateway", &database.url),
            &crate::MIGRATIONS,
        )
        .await
        .expect("store opens");
        racing_reads_publish_each_change_once(store.clone()).await;
        store.close().await;
        database.drop_database().await;
    }
}
