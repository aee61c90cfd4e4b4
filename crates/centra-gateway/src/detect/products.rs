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

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::Utc;
use platform_store::Store;

use super::memory::{self, kind};
use super::{CURSOR_OVERLAP, PollError, PollReport, dead_letter};
use crate::client::record::{BadRecord, Parsed};
use crate::client::{CentraClient, CentraProductRow, ProductQuery};
use crate::connection::CentraConnection;
use crate::publish;
use prost::Message;
use proto::events::v1 as pb;
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
    row_key_of(row, &row.size.encode_to_vec())
}

/// [`row_key`] from the size's protobuf encoding, for a caller that encodes it anyway.
fn row_key_of(row: &CentraProductRow, encoded_size: &[u8]) -> String {
    let mut hasher = Sha256::new();
    for text in [&row.name, &row.brand, &row.collection, &row.description] {
        hasher.update(text.as_bytes());
        hasher.update([0]);
    }
    hasher.update(encoded_size);
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
            let mut listed = Listed::default();
            connection.whole_catalog(|entry| listed.add(entry)).await?;
            publish_products(store, connection.endpoint(), started, listed).await
        }
    }
}

/// The products of a listing, gathered row by row as the pages arrive: each product's own
/// fields once with its sizes, the key of each of its rows, and the records that could not be
/// read. The rows themselves are not kept, and the sizes are kept encoded (about a tenth of a
/// decoded `ProductSize` with its fifteen strings and prices): a first import of 100,000
/// sizes holds the catalogue once, compactly, not the rows and then the products.
#[derive(Debug, Default)]
struct Listed {
    /// Product ids in the order they were first listed (the order they are published in).
    order: Vec<String>,
    products: HashMap<String, ListedProduct>,
    bad: Vec<BadRecord>,
}

#[derive(Debug)]
struct ListedProduct {
    /// The product's own fields; its sizes are in `sizes`.
    product: pb::Product,
    /// Its sizes as listed, each length-delimited protobuf.
    sizes: Vec<u8>,
    /// [`row_key`] of each of its rows.
    row_keys: Vec<String>,
}

impl ListedProduct {
    /// The product with every size it was listed with.
    fn into_product(self) -> (pb::Product, Vec<String>) {
        let Self {
            mut product,
            sizes,
            row_keys,
        } = self;
        let mut encoded = sizes.as_slice();
        while !encoded.is_empty() {
            product.sizes.push(
                pb::ProductSize::decode_length_delimited(&mut encoded)
                    .expect("a size encoded by ListedProduct decodes"),
            );
        }
        (product, row_keys)
    }
}

impl Listed {
    /// Adds one listed entry: a row to its product (whose own fields are the first row's), or
    /// an unreadable record aside.
    fn add(&mut self, entry: Parsed<CentraProductRow>) {
        let row = match entry {
            Ok(row) => row,
            Err(record) => {
                self.bad.push(*record);
                return;
            }
        };
        let encoded = row.size.encode_to_vec();
        let key = row_key_of(&row, &encoded);
        let (product, _) = row.into_parts();
        let listed = match self.products.entry(product.product_id.clone()) {
            Entry::Occupied(listed) => listed.into_mut(),
            Entry::Vacant(vacant) => {
                self.order.push(product.product_id.clone());
                vacant.insert(ListedProduct {
                    product,
                    sizes: Vec::new(),
                    row_keys: Vec::new(),
                })
            }
        };
        prost::encoding::encode_varint(encoded.len() as u64, &mut listed.sizes);
        listed.sizes.extend_from_slice(&encoded);
        listed.row_keys.push(key);
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
    let changed = ProductQuery {
        modified_since: since,
        limit: PAGE_SIZE,
        ..ProductQuery::default()
    };
    let mut listed = Listed::default();
    if since.is_none() {
        // The first run lists everything: no need to read products again.
        client
            .each_product_row(&changed, |entry| listed.add(entry))
            .await?;
        return publish_products(store, endpoint, started, listed).await;
    }
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
    client
        .each_product_row(&changed, |entry| match entry {
            Ok(row) if known.contains(&row_key(&row)) => {}
            Ok(row) => {
                ids.insert(row.product_id);
            }
            Err(record) => listed.bad.push(*record),
        })
        .await?;
    drop(known);
    if ids.len() > READ_ONE_BY_ONE {
        // Many changed products (a bulk edit, or the overlap after a big import): one
        // listing of the whole catalogue costs far fewer calls than one per product.
        let all = ProductQuery {
            limit: PAGE_SIZE,
            ..ProductQuery::default()
        };
        client
            .each_product_row(&all, |entry| match entry {
                Ok(row) if ids.contains(&row.product_id) => listed.add(Ok(row)),
                Err(record) if ids.contains(&record.key) => listed.add(Err(record)),
                Ok(_) | Err(_) => {}
            })
            .await?;
    } else {
        for product_id in ids {
            let whole = ProductQuery {
                product_id: Some(product_id),
                ..ProductQuery::default()
            };
            client
                .each_product_row(&whole, |entry| listed.add(entry))
                .await?;
        }
    }
    publish_products(store, endpoint, started, listed).await
}

/// Publishes every product `listed` whose version was not published before, dead-letters its
/// unreadable records (and leaves out the products they name), and moves the cursor to
/// `started`.
async fn publish_products(
    store: &Store,
    endpoint: &domain::EndpointName,
    started: chrono::DateTime<Utc>,
    listed: Listed,
) -> Result<PollReport, PollError> {
    let Listed {
        order,
        mut products,
        bad,
    } = listed;
    // A product with an unreadable size row is not published half.
    let broken: BTreeSet<&str> = bad.iter().map(|b| b.key.as_str()).collect();
    let order: Vec<String> = order
        .into_iter()
        .filter(|id| !broken.contains(id.as_str()))
        .collect();
    let mut report = PollReport::default();
    // Several transactions, not one: a first import of 100,000 sizes in one transaction would
    // hold every page it wrote in SQLite's page cache until the commit (and keep the outbox
    // unrelayed till then). A crash between two leaves the cursor unset, so the next poll lists
    // everything again and the memory skips the products already published.
    // Each batch's products leave `products` as they are published, so the memory the listing
    // took is given back batch by batch.
    for batch in order.chunks(PUBLISH_BATCH) {
        let mut tx = store.begin().await?;
        for product_id in batch {
            let Some((product, mut row_keys)) =
                products.remove(product_id).map(ListedProduct::into_product)
            else {
                continue;
            };
            let product = &product;
            let version = publish::product_version(product);
            let (id, message) = publish::product_changed(endpoint, product, &version, started);
            row_keys.sort();
            memory::remember(
                &mut tx,
                endpoint,
                kind::PRODUCT_ROWS,
                &product.product_id,
                &row_keys.join(","),
                id.as_str(),
            )
            .await?;
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
    for record in &bad {
        dead_letter(store, &mut tx, DEAD_LETTER_KIND, endpoint, record).await?;
        report.dead_lettered += 1;
    }
    memory::set_cursor(&mut tx, endpoint, FLOW, started).await?;
    tx.commit().await?;
    Ok(report)
}
