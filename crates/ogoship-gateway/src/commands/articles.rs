//! `UpsertArticles`: per article `GET /products?code=`, then `PUT /products/{code}` when it
//! exists or `POST /products` when not. Each article gets its own result; one refused article
//! never stops the others. `ListArticles`: one page of `GET /products` in the contract's terms.

use platform_store::Store;
use proto::wms::v1::{
    Article, ArticleResult, ListArticlesResponse, ListedArticle, UpsertArticlesResponse,
};

use super::{CommandError, decimal, optional, required};
use crate::client::models::{ProductBody, ProductResponse};
use crate::client::{MAX_PAGE, OgoshipClient, OgoshipError};
use crate::handles::{self, PRODUCT};

/// The language of the texts we write (`languageCode` is required; every OGOship warehouse
/// supports `en`, §4).
const LANGUAGE: &str = "en";

/// The OGOship body for `article` (the `index`th of the request), or the first bad field.
///
/// OGOship has no active flag, colour or size: those stay with Centra. One `currencyCode`
/// covers both prices; it is the purchase currency when given (OGOship's default is EUR).
pub fn product_body(index: usize, article: &Article) -> Result<ProductBody, CommandError> {
    let field = |name: &str| format!("articles[{index}].{name}");
    let code = required(&field("article_number"), &article.article_number)?;
    Ok(ProductBody {
        code: code.to_owned(),
        language_code: LANGUAGE.to_owned(),
        name: optional(&article.article_name).or_else(|| Some(code.to_owned())),
        description: optional(&article.description),
        ean_code: optional(&article.bar_code),
        supply_price: decimal(&field("purchase_price"), &article.purchase_price)?,
        sales_price: decimal(&field("customer_price"), &article.customer_price)?,
        currency_code: optional(&article.purchase_currency),
        picture_url: optional(&article.link_to_picture),
        country_of_origin: optional(&article.country_of_origin),
        customs_description: optional(&article.customs_description),
        hs_code: optional(&article.statistics_number),
    })
}

/// Creates or updates one product; a create refused as a duplicate (our earlier create whose
/// answer was lost) becomes an update.
async fn upsert(client: &OgoshipClient, body: &ProductBody) -> Result<(), OgoshipError> {
    if client.find_product(&body.code).await?.is_some() {
        client.update_product(&body.code, body).await?;
        return Ok(());
    }
    match client.create_product(body).await {
        Ok(_) => Ok(()),
        Err(OgoshipError::Status { status: 409, .. }) => {
            client.update_product(&body.code, body).await.map(|_| ())
        }
        Err(error) => Err(error),
    }
}

/// Upserts every article in request order, one result each.
pub async fn upsert_articles(
    client: &OgoshipClient,
    store: &Store,
    articles: &[Article],
) -> UpsertArticlesResponse {
    let mut results = Vec::with_capacity(articles.len());
    for (index, article) in articles.iter().enumerate() {
        let outcome = match product_body(index, article) {
            Ok(body) => match upsert(client, &body).await {
                Ok(()) => handles::handle(store, PRODUCT, &body.code, &body.code)
                    .await
                    .map_err(|e| e.to_string()),
                Err(error) => Err(error.to_string()),
            },
            Err(error) => Err(error.to_string()),
        };
        results.push(match outcome {
            Ok(id) => ArticleResult {
                article_number: article.article_number.clone(),
                article_system_id: id,
                error: String::new(),
            },
            Err(error) => {
                tracing::warn!(article_number = %article.article_number, %error, "article refused");
                ArticleResult {
                    article_number: article.article_number.clone(),
                    article_system_id: 0,
                    error,
                }
            }
        });
    }
    UpsertArticlesResponse { results }
}

fn decimal_text(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The product as OGOship holds it, in the contract's terms (the mirror of [`product_body`]).
pub fn listed_article(id: i64, product: &ProductResponse) -> ListedArticle {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    ListedArticle {
        article_system_id: id,
        article: Some(Article {
            article_number: text(&product.code),
            article_name: text(&product.name),
            bar_code: text(&product.ean_code),
            is_active: true,
            description: text(&product.description),
            country_of_origin: text(&product.country_of_origin),
            statistics_number: text(&product.hs_code),
            customs_description: text(&product.customs_description),
            purchase_price: decimal_text(product.supply_price),
            purchase_currency: text(&product.currency_code),
            link_to_picture: text(&product.picture_url),
            customer_price: decimal_text(product.sales_price),
            ..Article::default()
        }),
    }
}

/// Where a page of a listing starts and how big it is.
///
/// The contract's `article_system_id_from` / `next_article_system_id_from` are opaque to the
/// callers, so they carry OGOship PAGE NUMBERS here: 0 (or 1) is the first page, the answer
/// names the next page, 0 after the last one. A caller must keep `max` the same while it pages.
pub(crate) fn page_of(from: i64, max: u32) -> (u32, u32) {
    let page = u32::try_from(from.max(1)).unwrap_or(u32::MAX);
    let limit = if max == 0 {
        MAX_PAGE
    } else {
        max.min(MAX_PAGE)
    };
    (page, limit)
}

/// The cursor after `page`: the next page when this one was full, else 0.
pub(crate) fn next_of(page: u32, full: bool) -> i64 {
    if full { i64::from(page) + 1 } else { 0 }
}

/// One page of the products (see [`page_of`] for the cursor). A product OGOship returned in a
/// shape that cannot be read is logged and left out.
pub async fn list_articles(
    client: &OgoshipClient,
    store: &Store,
    from: i64,
    max: u32,
) -> Result<ListArticlesResponse, CommandError> {
    let (page, limit) = page_of(from, max);
    let (listing, full) = client
        .page::<ProductResponse>(crate::client::resources::PRODUCTS, &[], page, limit)
        .await?;
    for rejected in &listing.rejected {
        tracing::warn!(record = %rejected.record, error = %rejected.error, "listed product could not be read");
    }
    let mut articles = Vec::with_capacity(listing.records.len());
    for product in &listing.records {
        let Some(code) = product.code.as_deref().filter(|c| !c.is_empty()) else {
            tracing::warn!("listed product without a code left out");
            continue;
        };
        let id = handles::handle(store, PRODUCT, code, code).await?;
        articles.push(listed_article(id, product));
    }
    Ok(ListArticlesResponse {
        articles,
        next_article_system_id_from: next_of(page, full),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_the_cursor() {
        assert_eq!(page_of(0, 0), (1, 250));
        assert_eq!(page_of(3, 1000), (3, 250));
        assert_eq!(page_of(2, 10), (2, 10));
        assert_eq!(next_of(2, true), 3);
        assert_eq!(next_of(2, false), 0);
    }

    #[test]
    fn bad_prices_name_the_field() {
        let article = Article {
            article_number: "A".into(),
            customer_price: "cheap".into(),
            ..Article::default()
        };
        let error = product_body(2, &article).expect_err("bad");
        assert_eq!(
            error.to_string(),
            "articles[2].customer_price: \"cheap\" is not a decimal"
        );
    }
}
