//! One listing of Centra's products, its size rows kept in the gateway's store
//! (`listed_rows`) until its products are published.
//!
//! Why the store and not memory: the Order API promises no order of its rows, so a product is
//! complete only once the whole listing was read, and a first import of 100,000 sizes held in
//! memory until then (even encoded, about a quarter of a KiB a size) was the largest part of
//! the embedded process's peak. Here a page's rows are written before the next page is asked
//! for, and the products are read back a batch at a time to be published; memory holds one
//! page, one batch, and the product ids in the order they were first listed.
//!
//! ```text
//! open ──add (a page's rows)──► save_page ──…──► products(ids) per batch ──► close
//! (no store work)                                  (deletes this listing's rows, and what
//!                                                   listings a crash left, a day old)
//! ```
//!
//! Each listing has an id of its own, so replicas listing at once never mix their rows. A
//! listing that saved no row (an idle poll: nothing changed) writes nothing at all, so a poll
//! every few seconds costs the store no transaction; the rows a crash left wait for the next
//! listing that saved rows.

use std::collections::HashSet;

use platform_store::{Store, StoreError, unix_millis};
use prost::Message;
use proto::events::v1 as pb;
use sqlx::Row;

use crate::client::CentraProductRow;
use crate::client::record::{BadRecord, Parsed};

/// Rows a crashed listing left are deleted once this old (a listing takes minutes).
const LEFT_BEHIND_MS: i64 = 24 * 3600 * 1000;
/// Rows per insert statement: 7 parameters each, well under both databases' limits.
const ROWS_PER_INSERT: usize = 100;

/// One size row as written: its product's own fields on the product's first row only.
#[derive(Debug)]
struct ListedRow {
    seq: i64,
    product_id: String,
    product: Option<Vec<u8>>,
    size: Vec<u8>,
    row_key: String,
}

/// A listing under way; see the module docs.
#[derive(Debug)]
pub(super) struct Listing<'s> {
    store: &'s Store,
    id: String,
    started_at: i64,
    /// Product ids in the order they were first listed (the order they are published in).
    order: Vec<String>,
    seen: HashSet<String>,
    next_seq: i64,
    /// The rows added since the last [`Listing::save_page`].
    page: Vec<ListedRow>,
    /// The records that could not be read.
    pub(super) bad: Vec<BadRecord>,
}

impl<'s> Listing<'s> {
    /// A new, empty listing. Touches no store: see [`Listing::close`] for the rows of
    /// listings a crash left behind.
    pub(super) fn open(store: &'s Store) -> Self {
        Self {
            store,
            id: uuid::Uuid::new_v4().to_string(),
            started_at: unix_millis(),
            order: Vec::new(),
            seen: HashSet::new(),
            next_seq: 0,
            page: Vec::new(),
            bad: Vec::new(),
        }
    }

    /// Adds one listed entry: a size row of its product, keyed by `row_key` (see
    /// `products::row_key`), or an unreadable record aside. Written by the next
    /// [`Listing::save_page`].
    pub(super) fn add(
        &mut self,
        entry: Parsed<CentraProductRow>,
        row_key: impl FnOnce(&CentraProductRow, &[u8]) -> String,
    ) {
        let row = match entry {
            Ok(row) => row,
            Err(record) => {
                self.bad.push(*record);
                return;
            }
        };
        let size = row.size.encode_to_vec();
        let row_key = row_key(&row, &size);
        let (product, _) = row.into_parts();
        let first = self.seen.insert(product.product_id.clone());
        if first {
            self.order.push(product.product_id.clone());
        }
        self.page.push(ListedRow {
            seq: self.next_seq,
            product_id: product.product_id.clone(),
            product: first.then(|| product.encode_to_vec()),
            size,
            row_key,
        });
        self.next_seq += 1;
    }

    /// Writes the rows added since the last call, in one transaction.
    ///
    /// # Errors
    /// The store failing; the rows are kept for the next call then.
    pub(super) async fn save_page(&mut self) -> Result<(), StoreError> {
        if self.page.is_empty() {
            return Ok(());
        }
        let mut tx = self.store.begin().await?;
        for rows in self.page.chunks(ROWS_PER_INSERT) {
            let values: Vec<String> = (0..rows.len())
                .map(|i| {
                    let p = i * 7;
                    format!(
                        "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                        p + 1,
                        p + 2,
                        p + 3,
                        p + 4,
                        p + 5,
                        p + 6,
                        p + 7
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO listed_rows (listing, seq, product_id, product, size, row_key, \
                 listed_at) VALUES {}",
                values.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for row in rows {
                query = query
                    .bind(self.id.as_str())
                    .bind(row.seq)
                    .bind(row.product_id.as_str())
                    .bind(row.product.as_deref())
                    .bind(row.size.as_slice())
                    .bind(row.row_key.as_str())
                    .bind(self.started_at);
            }
            query
                .execute(tx.conn())
                .await
                .map_err(StoreError::query("saving a page of listed product rows"))?;
        }
        tx.commit().await?;
        self.page.clear();
        Ok(())
    }

    /// The listed product ids, in the order first listed.
    pub(super) fn product_ids(&self) -> &[String] {
        &self.order
    }

    /// The products `ids` (of this listing) with every size they were listed with, in the
    /// order of `ids`, each with the [`row_key`](super::products) of its rows. An id not
    /// listed is left out.
    ///
    /// # Errors
    /// The store failing, or a row that no longer decodes ([`StoreError`] naming it).
    pub(super) async fn products(
        &self,
        ids: &[String],
    ) -> Result<Vec<(pb::Product, Vec<String>)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (2..ids.len() + 2).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT seq, product_id, product, size, row_key FROM listed_rows \
             WHERE listing = $1 AND product_id IN ({}) ORDER BY seq",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(self.id.as_str());
        for id in ids {
            query = query.bind(id.as_str());
        }
        let rows = query
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("reading listed product rows"))?;
        let mut products: std::collections::HashMap<String, (pb::Product, Vec<String>)> =
            std::collections::HashMap::with_capacity(ids.len());
        for row in &rows {
            let seq: i64 = row.try_get("seq").unwrap_or(-1);
            let corrupt =
                |field: &'static str, error: &dyn std::fmt::Display| StoreError::Corrupt {
                    table: "listed_rows",
                    key: format!("{} #{seq}", self.id),
                    field,
                    reason: error.to_string(),
                };
            let product_id: String = row
                .try_get("product_id")
                .map_err(|e| corrupt("product_id", &e))?;
            let own: Option<Vec<u8>> =
                row.try_get("product").map_err(|e| corrupt("product", &e))?;
            let size: Vec<u8> = row.try_get("size").map_err(|e| corrupt("size", &e))?;
            let row_key: String = row.try_get("row_key").map_err(|e| corrupt("row_key", &e))?;
            let size = pb::ProductSize::decode(size.as_slice()).map_err(|e| corrupt("size", &e))?;
            let entry = match own {
                Some(own) => {
                    let product =
                        pb::Product::decode(own.as_slice()).map_err(|e| corrupt("product", &e))?;
                    products.entry(product_id).or_insert((product, Vec::new()))
                }
                None => products
                    .entry(product_id)
                    .or_insert_with(|| (pb::Product::default(), Vec::new())),
            };
            entry.0.sizes.push(size);
            entry.1.push(row_key);
        }
        Ok(ids.iter().filter_map(|id| products.remove(id)).collect())
    }

    /// Deletes this listing's rows and, in the same statement, the rows of listings a crash
    /// left behind (a day old). A listing that added no row writes nothing: an idle poll
    /// makes no store transaction.
    ///
    /// # Errors
    /// The store failing (the rows are deleted by a later listing then, once a day old).
    pub(super) async fn close(self) -> Result<(), StoreError> {
        if self.next_seq == 0 {
            return Ok(());
        }
        let _turn = self.store.write_turn().await?;
        sqlx::query("DELETE FROM listed_rows WHERE listing = $1 OR listed_at < $2")
            .bind(self.id.as_str())
            .bind(self.started_at - LEFT_BEHIND_MS)
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("deleting a listing's rows"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(product: &str, item: &str) -> CentraProductRow {
        CentraProductRow {
            product_id: product.to_owned(),
            name: format!("product {product}"),
            brand: "brand".to_owned(),
            collection: String::new(),
            description: "a long description".repeat(10),
            size: pb::ProductSize {
                stock_item_id: item.to_owned(),
                sku: format!("S{product}"),
                ..Default::default()
            },
        }
    }

    fn key(row: &CentraProductRow, size: &[u8]) -> String {
        format!("{}={}", row.size.stock_item_id, size.len())
    }

    async fn listed_rows(store: &Store) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM listed_rows")
            .fetch_one(store.pool())
            .await
            .expect("count")
    }

    /// The listing's rules on one store: a product whose rows come on different pages is read
    /// back whole, its own fields from its first row, in the order first listed; two listings
    /// at once never mix; a listing's rows go when it closes; rows a crash left go once a day
    /// old.
    async fn listing_rules(store: &Store) {
        let idle = Listing::open(store);
        idle.close()
            .await
            .expect("an idle listing closes without a write");
        let mut listing = Listing::open(store);
        let mut other = Listing::open(store);
        listing.add(Ok(row("B", "b1")), key);
        listing.add(Ok(row("A", "a1")), key);
        other.add(Ok(row("A", "other")), key);
        listing.save_page().await.expect("page 1");
        other.save_page().await.expect("the other's page");
        let mut late = row("B", "b2");
        late.name = "renamed on a later row".to_owned();
        listing.add(Ok(late), key);
        listing.save_page().await.expect("page 2");
        assert_eq!(listing.product_ids(), ["B", "A"]);

        let products = listing
            .products(&["A".to_owned(), "B".to_owned(), "missing".to_owned()])
            .await
            .expect("read back");
        let summary: Vec<(String, String, Vec<String>, Vec<String>)> = products
            .iter()
            .map(|(p, keys)| {
                (
                    p.product_id.clone(),
                    p.name.clone(),
                    p.sizes.iter().map(|s| s.stock_item_id.clone()).collect(),
                    keys.clone(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "A".to_owned(),
                    "product A".to_owned(),
                    vec!["a1".to_owned()],
                    vec![key(&row("A", "a1"), &row("A", "a1").size.encode_to_vec())]
                ),
                (
                    "B".to_owned(),
                    "product B".to_owned(),
                    vec!["b1".to_owned(), "b2".to_owned()],
                    vec![
                        key(&row("B", "b1"), &row("B", "b1").size.encode_to_vec()),
                        key(&row("B", "b2"), &row("B", "b2").size.encode_to_vec())
                    ]
                ),
            ],
            "in the order asked, the first row's fields, every size"
        );
        assert_eq!(listed_rows(store).await, 4);
        listing.close().await.expect("close");
        assert_eq!(listed_rows(store).await, 1, "only the other listing's row");

        // The other listing "crashed"; its row is a day old when the next listing closes.
        sqlx::query("UPDATE listed_rows SET listed_at = listed_at - $1")
            .bind(LEFT_BEHIND_MS + 1)
            .execute(store.pool())
            .await
            .expect("age");
        drop(other);
        let idle = Listing::open(store);
        idle.close().await.expect("close");
        assert_eq!(
            listed_rows(store).await,
            1,
            "a listing that saved no row writes nothing, not even the clean-up"
        );
        let mut next = Listing::open(store);
        next.add(Ok(row("C", "c1")), key);
        next.save_page().await.expect("page");
        assert_eq!(listed_rows(store).await, 2);
        next.close().await.expect("close");
        assert_eq!(
            listed_rows(store).await,
            0,
            "its own rows and the left-behind ones deleted together"
        );
    }

    #[tokio::test]
    async fn a_listing_keeps_its_rows_in_the_store_until_it_closes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/listing.db?mode=rwc", dir.path().display());
        let store = Store::open(
            platform_store::StoreOptions::new(crate::NAME, url),
            &crate::MIGRATIONS,
        )
        .await
        .expect("store");
        listing_rules(&store).await;
    }

    #[tokio::test]
    async fn a_listing_keeps_its_rows_in_the_store_on_postgres_too() {
        let Some(database) = test_support::postgres_database("centra-gateway listing").await else {
            return;
        };
        let store = Store::open(
            platform_store::StoreOptions::new(crate::NAME, database.url.clone()),
            &crate::MIGRATIONS,
        )
        .await
        .expect("store");
        listing_rules(&store).await;
        store.close().await;
        database.drop_database().await;
    }
}
