//! `ReadStock`: the stock (`inventoryInfo`) of named articles, or one page of every article, as
//! the WMS holds it now (`GET /articles`, the same read the stock detector makes). The stock
//! flow decides on these fresh numbers, never on an event's copy. A level read here that
//! differs from the one published last is published before the answer goes
//! ([`crate::stock_levels`]: otherwise a change the poll missed in between would never be).

use platform_store::Store;
use proto::wms::v1::{ArticleStock, ReadStockResponse};

use super::CommandError;
use crate::client::models::ArticleModel;
use crate::client::{IdCursor, OngoingClient, OngoingError};
use crate::inventory::level;
use crate::stock_levels;

/// Articles per named read (the stock flow's batch).
pub const MAX_NAMED: usize = 100;

/// The contract's stock of `article` (the poll reads it the same way), or why it cannot be read.
pub(crate) fn article_stock(article: &ArticleModel) -> Result<ArticleStock, OngoingError> {
    let (article_number, level) = level(article)?;
    Ok(ArticleStock {
        article_number,
        article_system_id: article.article_system_id,
        number_of_items: level.physical,
        sellable_number_of_items: level.sellable,
        booked_number_of_items: level.booked,
    })
}

/// The rows of `articles`; an unreadable one is logged and left out (named reads then list it
/// as not found, so the flow shows it instead of guessing).
fn rows(articles: &[ArticleModel]) -> Vec<ArticleStock> {
    articles
        .iter()
        .filter_map(|article| match article_stock(article) {
            Ok(stock) => Some(stock),
            Err(error) => {
                tracing::warn!(%error, "article stock could not be read");
                None
            }
        })
        .collect()
}

/// Stock of the named articles (1..=[`MAX_NAMED`]), or of one page from `from` when none is
/// named; each level that differs from the one published last is published first.
///
/// # Errors
/// [`CommandError::InvalidArgument`] naming the field for too many or empty names; the client's
/// and the store's errors otherwise.
pub async fn read_stock(
    client: &OngoingClient,
    store: &Store,
    warehouse: &str,
    article_numbers: &[String],
    from: i64,
    max: u32,
) -> Result<ReadStockResponse, CommandError> {
    let answer = read(client, article_numbers, from, max).await?;
    stock_levels::publish_changed(store, warehouse, &answer.articles).await?;
    Ok(answer)
}

async fn read(
    client: &OngoingClient,
    article_numbers: &[String],
    from: i64,
    max: u32,
) -> Result<ReadStockResponse, CommandError> {
    if article_numbers.is_empty() {
        let from = (from > 0).then_some(from);
        let (listing, next) = client
            .get_page::<ArticleModel>("articles", IdCursor::ARTICLES, &[], from, max)
            .await?;
        for rejected in &listing.rejected {
            tracing::warn!(record = %rejected.record, error = %rejected.error, "listed article could not be read");
        }
        return Ok(ReadStockResponse {
            articles: rows(&listing.records),
            not_found: Vec::new(),
            next_article_system_id_from: next.unwrap_or(0),
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
    let filters: Vec<(&str, String)> = article_numbers
        .iter()
        .map(|n| ("articleNumbers", n.trim().to_owned()))
        .collect();
    // Every named article fits on one page: one call, no second call to find the end.
    let max = u32::try_from(article_numbers.len()).unwrap_or(u32::MAX);
    let (listing, _) = client
        .get_page::<ArticleModel>("articles", IdCursor::ARTICLES, &filters, None, max)
        .await?;
    for rejected in &listing.rejected {
        tracing::warn!(record = %rejected.record, error = %rejected.error, "article could not be read");
    }
    let articles: Vec<ArticleStock> = rows(&listing.records)
        .into_iter()
        .filter(|a| article_numbers.iter().any(|n| n.trim() == a.article_number))
        .collect();
    let not_found = article_numbers
        .iter()
        .filter(|n| !articles.iter().any(|a| a.article_number == n.trim()))
        .cloned()
        .collect();
    Ok(ReadStockResponse {
        articles,
        not_found,
        next_article_system_id_from: 0,
    })
}
