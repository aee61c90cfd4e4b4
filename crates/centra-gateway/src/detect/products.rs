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

use std::collections::{BTreeSet, HashSet};

use chrono::Utc;
use platform_store::Store;

use super::listing::Listing;
use super::memory::{self, kind};
use super::{CURSOR_OVERLAP, PollError, PollReport, dead_letter};
use crate::client::record::Parsed;
use crate::client::{CentraClient, CentraProductRow, ProductQuery};
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
        CentraConnection::OrderApi(client) => poll_order_api(store, connection, client).await,
        CentraConnection::Graphql(_) => {
            let started = Utc::now();
            let mut listing = Listing::open(store);
            let whole = ProductQuery::default();
            let listed = list_into(connection, &whole, &mut listing, |_| true).await;
            publish_listed(store, connection.endpoint(), started, listing, listed).await
        }
    }
}

/// Lists the rows matching `query` that `keep` keeps into `listing`, a page at a time: each
/// page's rows are written before the next page is asked for (see [`Listing`]).
async fn list_into(
    connection: &CentraConnection,
    query: &ProductQuery,
    listing: &mut Listing<'_>,
    keep: impl Fn(&Parsed<CentraProductRow>) -> bool,
) -> Result<(), PollError> {
    let mut token: Option<String> = None;
    loop {
        let page = connection.catalog_page(query, token.as_deref()).await?;
        for entry in page.rows.into_iter().filter(|entry| keep(entry)) {
            listing.add(entry, row_key_of);
        }
        listing.save_page().await?;
        match page.next {
            Some(next) => token = Some(next),
            None => return Ok(()),
        }
    }
}

/// The Order API's poll: rows changed since the cursor, products read again whole.
async fn poll_order_api(
    store: &Store,
    connection: &CentraConnection,
    client: &CentraClient,
) -> Result<PollReport, PollError> {
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
    let mut listing = Listing::open(store);
    if since.is_none() {
        // The first run lists everything: no need to read products again.
        let listed = list_into(connection, &changed, &mut listing, |_| true).await;
        return publish_listed(store, endpoint, started, listing, listed).await;
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
    let mut bad = Vec::new();
    let found = client
        .each_product_row(&changed, |entry| match entry {
            Ok(row) if known.contains(&row_key(&row)) => {}
            Ok(row) => {
                ids.insert(row.product_id);
            }
            Err(record) => bad.push(*record),
        })
        .await;
    drop(known);
    listing.bad = bad;
    if let Err(error) = found {
        return publish_listed(store, endpoint, started, listing, Err(error.into())).await;
    }
    let listed = if ids.len() > READ_ONE_BY_ONE {
        // Many changed products (a bulk edit, or the overlap after a big import): one
        // listing of the whole catalogue costs far fewer calls than one per product.
        let all = ProductQuery {
            limit: PAGE_SIZE,
            ..ProductQuery::default()
        };
        list_into(connection, &all, &mut listing, |entry| match entry {
            Ok(row) => ids.contains(&row.product_id),
            Err(record) => ids.contains(&record.key),
        })
        .await
    } else {
        let mut listed = Ok(());
        for product_id in ids {
            let whole = ProductQuery {
                product_id: Some(product_id),
                ..ProductQuery::default()
            };
            listed = list_into(connection, &whole, &mut listing, |_| true).await;
            if listed.is_err() {
                break;
            }
        }
        listed
    };
    publish_listed(store, endpoint, started, listing, listed).await
}

/// Ends a listing: publishes its products when it was read whole (`listed` is `Ok`), and
/// deletes its rows either way (a failed listing publishes nothing; the next poll lists
/// again).
async fn publish_listed(
    store: &Store,
    endpoint: &domain::EndpointName,
    started: chrono::DateTime<Utc>,
    listing: Listing<'_>,
    listed: Result<(), PollError>,
) -> Result<PollReport, PollError> {
    let published = match listed {
        Ok(()) => publish_products(store, endpoint, started, &listing).await,
        Err(error) => Err(error),
    };
    if let Err(error) = listing.close().await {
        tracing::warn!(endpoint = %endpoint, %error, "a products listing's rows could not be deleted; the next listing deletes them once a day old");
    }
    published
}

/// Publishes every product of `listing` whose version was not published before,
/// dead-letters its unreadable records (and leaves out the products they name), and moves the
/// cursor to `started`.
async fn publish_products(
    store: &Store,
    endpoint: &domain::EndpointName,
    started: chrono::DateTime<Utc>,
    listing: &Listing<'_>,
) -> Result<PollReport, PollError> {
    let bad = &listing.bad;
    // A product with an unreadable size row is not published half.
    let broken: BTreeSet<&str> = bad.iter().map(|b| b.key.as_str()).collect();
    let order: Vec<String> = listing
        .product_ids()
        .iter()
        .filter(|id| !broken.contains(id.as_str()))
        .cloned()
        .collect();
    let mut report = PollReport::default();
    // Several transactions, not one: a first import of 100,000 sizes in one transaction would
    // hold every page it wrote in SQLite's page cache until the commit (and keep the outbox
    // unrelayed till then). A crash between two leaves the cursor unset, so the next poll lists
    // everything again and the memory skips the products already published. Each batch's
    // products are read back from the listing as it is published.
    for batch in order.chunks(PUBLISH_BATCH) {
        let products = listing.products(batch).await?;
        let mut tx = store.begin().await?;
        for (product, mut row_keys) in products {
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
    for record in bad {
        dead_letter(store, &mut tx, DEAD_LETTER_KIND, endpoint, record).await?;
        report.dead_lettered += 1;
    }
    memory::set_cursor(&mut tx, endpoint, FLOW, started).await?;
    tx.commit().await?;
    Ok(report)
}
