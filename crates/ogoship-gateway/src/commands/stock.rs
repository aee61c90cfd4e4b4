//! `ReadStock`: the stock of named products (`GET /stock?productCode=`, one call each, a few in flight at once), or one
//! page of every product's stock, as OGOship holds it now. `number_of_items` is `stock`
//! (physical), `sellable_number_of_items` `stockAvailable`, `booked_number_of_items`
//! `reserved` (ogoship-api.md §6). A level read here that differs from the one published last
//! is published before the answer goes ([`crate::stock_levels`]: otherwise a change the poll
//! missed in between would never be).

use futures::{StreamExt as _, TryStreamExt as _, stream};
use platform_store::{Store, StoreError};
use proto::wms::v1::{ArticleStock, ReadStockResponse};

use super::CommandError;
use super::articles::{next_of, page_of};
use crate::client::models::StockResponse;
use crate::client::{OgoshipClient, OgoshipError};
use crate::handles::{self, PRODUCT};
use crate::stock_levels;

/// Products per named read (the stock flow's batch).
pub const MAX_NAMED: usize = 100;
/// `GET /stock?productCode=` calls of one named read in flight at once. OGOship documents no
/// rate limit (ogoship-api.md §1: back off on 429 and 503, which the client's retries do).
pub const NAMED_IN_FLIGHT: usize = 8;

/// The contract's stock of one row, or why it cannot be read.
pub(crate) fn level(row: &StockResponse) -> Result<(String, [i64; 3]), OgoshipError> {
    let code = row
        .product_code
        .clone()
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| OgoshipError::invalid("stock row", "productCode", "missing"))?;
    let record = format!("stock of {code}");
    let stock = row
        .stock
        .ok_or_else(|| OgoshipError::invalid(&record, "stock", "missing"))?;
    let reserved = row.reserved.unwrap_or(0);
    // §6: stockAvailable = stock − reserved when OGOship leaves it out.
    let available = row.stock_available.unwrap_or(stock - reserved);
    Ok((code, [stock, available, reserved]))
}

/// The contract's stock of product `code` at `[stock, stockAvailable, reserved]` (from
/// [`level`]), with the product's handle as its article system id (the poll builds it the same
/// way).
pub(crate) async fn article_stock(
    store: &Store,
    code: String,
    [physical, sellable, booked]: [i64; 3],
) -> Result<ArticleStock, StoreError> {
    Ok(ArticleStock {
        article_system_id: handles::handle(store, PRODUCT, &code, &code).await?,
        article_number: code,
        number_of_items: physical,
        sellable_number_of_items: sellable,
        booked_number_of_items: booked,
    })
}

async fn rows(store: &Store, records: &[StockResponse]) -> Result<Vec<ArticleStock>, CommandError> {
    let mut out = Vec::with_capacity(records.len());
    for row in records {
        match level(row) {
            Ok((code, level)) => out.push(article_stock(store, code, level).await?),
            Err(error) => tracing::warn!(%error, "stock row could not be read"),
        }
    }
    Ok(out)
}

/// Stock of the named products (1..=[`MAX_NAMED`]), or of one page (the cursor is a page
/// number, see `articles::page_of`) when none is named; each level that differs from the one
/// published last is published first.
///
/// # Errors
/// [`CommandError::InvalidArgument`] naming the field for too many or empty names; the client's
/// and the store's errors otherwise.
pub async fn read_stock(
    client: &OgoshipClient,
    store: &Store,
    warehouse: &str,
    article_numbers: &[String],
    from: i64,
    max: u32,
) -> Result<ReadStockResponse, CommandError> {
    let answer = read(client, store, article_numbers, from, max).await?;
    stock_levels::publish_changed(store, warehouse, &answer.articles).await?;
    Ok(answer)
}

async fn read(
    client: &OgoshipClient,
    store: &Store,
    article_numbers: &[String],
    from: i64,
    max: u32,
) -> Result<ReadStockResponse, CommandError> {
    if article_numbers.is_empty() {
        let (page, limit) = page_of(from, max);
        let (listing, full) = client
            .page::<StockResponse>(crate::client::resources::STOCK, &[], page, limit)
            .await?;
        for rejected in &listing.rejected {
            tracing::warn!(record = %rejected.record, error = %rejected.error, "stock row could not be read");
        }
        return Ok(ReadStockResponse {
            articles: rows(store, &listing.records).await?,
            not_found: Vec::new(),
            next_article_system_id_from: next_of(page, full),
        });
    }
    if article_numbers.len() > MAX_NAMED {
        return Err(CommandError::InvalidArgument(format!(
            "article_numbers: at most {MAX_NAMED} per call, got {}",
            article_numbers.len()
        )));
    }
    if let Some(i) = article_numbers.iter().position(|n| n.trim().is_empty()) {
        return Err(CommandError::InvalidArgument(format!(
            "article_numbers[{i}]: is empty"
        )));
    }
    // A few reads in flight at once, answers kept in the order asked: OGOship reads one product
    // per call, and one after another a check of 100 products waited for each call and its
    // retries in turn, so the first levels it answered with were seconds older than the last
    // (5 s under `stock_returns_e2e`'s faults), and the stock flow decided on them.
    let codes: Vec<String> = article_numbers
        .iter()
        .map(|n| n.trim().to_owned())
        .collect();
    let answers: Vec<Option<StockResponse>> = stream::iter(codes)
        .map(|code| async move { client.stock_of(&code).await })
        .buffered(NAMED_IN_FLIGHT)
        .try_collect()
        .await?;
    let mut found = Vec::new();
    let mut not_found = Vec::new();
    for (number, answer) in article_numbers.iter().zip(answers) {
        match answer {
            Some(row) => found.push(row),
            None => not_found.push(number.clone()),
        }
    }
    let articles = rows(store, &found).await?;
    for number in article_numbers {
        if !articles.iter().any(|a| a.article_number == number.trim())
            && !not_found.contains(number)
        {
            not_found.push(number.clone());
        }
    }
    Ok(ReadStockResponse {
        articles,
        not_found,
        next_article_system_id_from: 0,
    })
}
