//! Products changed since the cursor (minus an overlap). Centra filters size rows by
//! `modified`, so every product with a changed row is read again whole (`productId`), and one
//! `ProductChanged` is published per product version (a fingerprint of what Centra shows).

use std::collections::BTreeSet;

use chrono::Utc;
use platform_store::Store;

use super::memory::{self, kind};
use super::{CURSOR_OVERLAP, PollError, PollReport, dead_letter};
use crate::client::{CentraClient, ProductQuery, group_products, record::BadRecord};
use crate::events;

/// Dead-letter kind of unreadable product rows.
pub const DEAD_LETTER_KIND: &str = "centra.product";
const FLOW: &str = "products";

/// Publishes a `ProductChanged` for every product whose current version was not published.
pub async fn poll_products(store: &Store, client: &CentraClient) -> Result<PollReport, PollError> {
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
        let mut ids = BTreeSet::new();
        for entry in changed {
            match entry {
                Ok(row) => {
                    ids.insert(row.product_id);
                }
                Err(record) => bad.push(record),
            }
        }
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
    // A product with an unreadable size row is not published half.
    let broken: BTreeSet<&str> = bad.iter().map(|b| b.key.as_str()).collect();
    let products: Vec<_> = group_products(rows)
        .into_iter()
        .filter(|p| !broken.contains(p.product_id.as_str()))
        .collect();
    let mut report = PollReport::default();
    let mut tx = store.begin().await?;
    for product in &products {
        let version = events::product_version(product);
        let (id, message) = events::product_changed(endpoint, product, &version, started);
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
    for record in &bad {
        dead_letter(store, &mut tx, DEAD_LETTER_KIND, endpoint, record).await?;
        report.dead_lettered += 1;
    }
    memory::set_cursor(&mut tx, endpoint, FLOW, started).await?;
    tx.commit().await?;
    Ok(report)
}
