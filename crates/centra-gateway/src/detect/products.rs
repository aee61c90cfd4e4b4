//! Products, through the end-point's connection, one `ProductChanged` published per product
//! version (a fingerprint of what Centra shows).
//!
//! - Order API: rows changed since the cursor (minus an overlap). Centra filters size rows by
//!   `modified`, so every product with a changed row is read again whole (`productId`, or one
//!   listing of the whole catalogue when many changed). The overlap lists the same rows poll
//!   after poll; a row whose fingerprint matches the one remembered with its published product
//!   is not a change, so a bulk edit or a big import is read again only once.
//! - GraphQL: section 10 of the docs lists no product events in the events queue and no
//!   modified filter for `products`, so every round lists the whole catalogue (`limit` +
//!   `page`, the documented paging) and publishes only the products whose version is not the
//!   one remembered: an unchanged catalogue makes only the listing calls and publishes nothing.
//!
//! An unreadable product (or size row) is dead-lettered naming the record and the field; a
//! product with one is not published half, the others go on.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::Utc;
use platform_store::Store;

use super::memory::{self, kind};
use super::{CURSOR_OVERLAP, PollError, PollReport, dead_letter};
use crate::client::{
    CentraClient, CentraProductRow, ProductQuery, group_products, record::BadRecord,
};
use crate::connection::CentraConnection;
use crate::publish;
use prost::Message;
use sha2::{Digest, Sha256};

/// Dead-letter kind of unreadable product rows.
pub const DEAD_LETTER_KIND: &str = "centra.product";
const FLOW: &str = "products";
/// Up to this many changed products are read one by one (`productId`); more, and the whole
/// catalogue is listed once instead.
const READ_ONE_BY_ONE: usize = 20;
/// Size rows per page of a listing (as `ListProducts` allows): a catalogue of 20,000 sizes is
/// 40 calls, not 200, under the gateway's request rate.
const PAGE_SIZE: u32 = 500;
/// Products published per transaction.
const PUBLISH_BATCH: usize = 200;

/// `stockItemId=fingerprint` of one listed row: its product's fields and the size as Centra
/// shows them.
fn row_key(row: &CentraProductRow) -> String {
    let mut hasher = Sha256::new();
    for text in [&row.name, &row.brand, &row.collection, &row.description] {
        hasher.update(text.as_bytes());
        hasher.update([0]);
    }
    hasher.update(row.size.encode_to_vec());
    format!(
        "{}={}",
        row.size.stock_item_id,
        hex::encode(&hasher.finalize()[..8])
    )
}

/// Publishes a `ProductChanged` for every product whose current version was not published.
///
/// # Errors
/// A failed listing (any page) or store write fails the poll before anything is published; an
/// unreadable record does not.
pub async fn poll_products(
    store: &Store,
    connection: &CentraConnection,
) -> Result<PollReport, PollError> {
    match connection {
        CentraConnection::OrderApi(client) => poll_order_api(store, client).await,
        CentraConnection::Graphql(_) => {
            let started = Utc::now();
            let mut rows = Vec::new();
            let mut bad = Vec::new();
            for entry in connection.whole_catalog().await? {
                match entry {
                    Ok(row) => rows.push(row),
                    Err(record) => bad.push(record),
                }
            }
            publish_products(store, connection.endpoint(), started, rows, &bad).await
        }
    }
}

/// The Order API's poll: rows changed since the cursor, products read again whole.
async fn poll_order_api(store: &Store, client: &CentraClient) -> Result<PollReport, PollError> {
    let endpoint = client.endpoint();
    let started = Utc::now();
    let since = {
        let mut tx = store.begin().await?;
        let cursor = memory::cursor(&mut tx, endpoint, FLOW).await?;
        tx.rollback().await?;
        cursor.map(|c| c - CURSOR_OVERLAP)
    };
    let changed = client
        .products(&ProductQuery {
            modified_since: since,
            limit: PAGE_SIZE,
            ..ProductQuery::default()
        })
        .await?;
    let mut rows = Vec::new();
    let mut bad: Vec<Box<BadRecord>> = Vec::new();
    if since.is_none() {
        // The first run lists everything: no need to read products again.
        for entry in changed {
            match entry {
                Ok(row) => rows.push(row),
                Err(record) => bad.push(record),
            }
        }
    } else {
        let known: HashSet<String> = {
            let mut tx = store.begin().await?;
            let versions = memory::versions(&mut tx, endpoint, kind::PRODUCT_ROWS).await?;
            tx.rollback().await?;
            versions
                .iter()
                .flat_map(|v| v.split(','))
                .map(str::to_owned)
                .collect()
        };
        let mut ids = BTreeSet::new();
        for entry in changed {
            match entry {
                Ok(row) if known.contains(&row_key(&row)) => {}
                Ok(row) => {
                    ids.insert(row.product_id);
                }
                Err(record) => bad.push(record),
            }
        }
        if ids.len() > READ_ONE_BY_ONE {
            // Many changed products (a bulk edit, or the overlap after a big import): one
            // listing of the whole catalogue costs far fewer calls than one per product.
            let all = ProductQuery {
                limit: PAGE_SIZE,
                ..ProductQuery::default()
            };
            for entry in client.products(&all).await? {
                match entry {
                    Ok(row) if ids.contains(&row.product_id) => rows.push(row),
                    Err(record) if ids.contains(&record.key) => bad.push(record),
                    Ok(_) | Err(_) => {}
                }
            }
        } else {
            for product_id in ids {
                let whole = client
                    .products(&ProductQuery {
                        product_id: Some(product_id),
                        ..ProductQuery::default()
                    })
                    .await?;
                for entry in whole {
                    match entry {
                        Ok(row) => rows.push(row),
                        Err(record) => bad.push(record),
                    }
                }
            }
        }
    }
    publish_products(store, endpoint, started, rows, &bad).await
}

/// Publishes every product of `rows` whose version was not published before, dead-letters
/// `bad` (and leaves out the products it names), and moves the cursor to `started`.
async fn publish_products(
    store: &Store,
    endpoint: &domain::EndpointName,
    started: chrono::DateTime<Utc>,
    rows: Vec<CentraProductRow>,
    bad: &[Box<BadRecord>],
) -> Result<PollReport, PollError> {
    // A product with an unreadable size row is not published half.
    let mut row_keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in &rows {
        row_keys
            .entry(row.product_id.clone())
            .or_default()
            .push(row_key(row));
    }
    let broken: BTreeSet<&str> = bad.iter().map(|b| b.key.as_str()).collect();
    let products: Vec<_> = group_products(rows)
        .into_iter()
        .filter(|p| !broken.contains(p.product_id.as_str()))
        .collect();
    let mut report = PollReport::default();
    // Several transactions, not one: a first import of 100,000 sizes in one transaction would
    // hold every page it wrote in SQLite's page cache until the commit (and keep the outbox
    // unrelayed till then). A crash between two leaves the cursor unset, so the next poll lists
    // everything again and the memory skips the products already published.
    for batch in products.chunks(PUBLISH_BATCH) {
        let mut tx = store.begin().await?;
        for product in batch {
            let version = publish::product_version(product);
            let (id, message) = publish::product_changed(endpoint, product, &version, started);
            if let Some(keys) = row_keys.get_mut(&product.product_id) {
                keys.sort();
                memory::remember(
                    &mut tx,
                    endpoint,
                    kind::PRODUCT_ROWS,
                    &product.product_id,
                    &keys.join(","),
                    id.as_str(),
                )
                .await?;
            }
            if memory::remember(
                &mut tx,
                endpoint,
                kind::PRODUCT,
                &product.product_id,
                &version,
                id.as_str(),
            )
            .await?
            {
                store.outbox().enqueue(&mut tx, message).await?;
                tracing::info!(endpoint = %endpoint, product_id = %product.product_id, event_id = %id, "product changed");
                report.published += 1;
            } else {
                report.unchanged += 1;
            }
        }
        tx.commit().await?;
    }
    let mut tx = store.begin().await?;
    for record in bad {
        dead_letter(store, &mut tx, DEAD_LETTER_KIND, endpoint, record).await?;
        report.dead_lettered += 1;
    }
    memory::set_cursor(&mut tx, endpoint, FLOW, started).await?;
    tx.commit().await?;
    Ok(report)
}
