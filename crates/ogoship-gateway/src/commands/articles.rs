//! `UpsertArticles`: per article `GET /products?code=`, then `PUT /products/{code}` when it
//! exists or `POST /products` when not. Each article gets its own result; one refused article
//! never stops the others. `ListArticles`: one page of `GET /products` in the contract's terms.
//!
//! What OGOship API v1's product has no field for (product code, colour, size, weight, the
//! active flag) is kept by the gateway as written ([`handles::ArticleExtras`]) and answered by
//! `ListArticles`: nobody can change it at OGOship, and answering it empty would make every
//! resync find every article different and write the whole catalogue again.

use platform_store::Store;
use proto::wms::v1::{
    Article, ArticleResult, ListArticlesResponse, ListedArticle, UpsertArticlesResponse,
};

use super::{CommandError, decimal, optional, required};
use crate::client::models::{ProductBody, ProductResponse};
use crate::client::{MAX_PAGE, OgoshipClient, OgoshipError};
use crate::handles::{self, ArticleExtras, PRODUCT};

/// The language of the texts we write (`languageCode` is required; every OGOship warehouse
/// supports `en`, §4).
const LANGUAGE: &str = "en";

/// OGOship's currency when a product names none.
const OGOSHIP_DEFAULT_CURRENCY: &str = "EUR";

/// The product's one `currencyCode`, which covers both prices (OGOship's default is EUR). The
/// customer price is in `price_currency` (the configured `[settings.price] currency`, as the
/// contract's `customer_price` says), so with a customer price it is that currency; otherwise
/// the purchase currency when given. A purchase price in another currency than the customer
/// price cannot be kept beside it, and is refused naming the field.
fn currency_code(
    index: usize,
    article: &Article,
    price_currency: &str,
) -> Result<Option<String>, CommandError> {
    let purchase = optional(&article.purchase_currency).map(|c| c.to_ascii_uppercase());
    let customer = optional(&article.customer_price)
        .and(optional(price_currency))
        .map(|c| c.to_ascii_uppercase());
    match (purchase, customer) {
        (Some(purchase), Some(customer)) if purchase != customer => {
            Err(CommandError::InvalidArgument(format!(
                "articles[{index}].purchase_currency: {purchase} is not the customer price's \
                 {customer}; OGOship keeps one currency per product"
            )))
        }
        (purchase, customer) => Ok(customer.or(purchase)),
    }
}

/// The OGOship body for `article` (the `index`th of the request), or the first bad field;
/// `price_currency` is the customer price's currency (see [`currency_code`]).
///
/// OGOship has no active flag, colour, size or weight: the gateway keeps those as written
/// ([`extras_of`]).
pub fn product_body(
    index: usize,
    article: &Article,
    price_currency: &str,
) -> Result<ProductBody, CommandError> {
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
        currency_code: currency_code(index, article, price_currency)?,
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

/// What of `article` OGOship has no field for.
pub fn extras_of(article: &Article) -> ArticleExtras {
    ArticleExtras {
        product_code: article.product_code.trim().to_owned(),
        color: article.color.trim().to_owned(),
        size: article.size.trim().to_owned(),
        weight_kg: article.weight_kg.trim().to_owned(),
        active: article.is_active,
    }
}

/// Writes one article: the product, then what OGOship has no field for; its handle.
/// Writes one product: `Ok(Err(reason))` when OGOship refuses this article, `Err` when the
/// whole call is unavailable (OGOship down or throttling after the client's retries, or the
/// store failing): that says nothing about this article, and the caller writes the batch
/// again later (each write is an upsert, so the ones done stay done).
async fn write(
    client: &OgoshipClient,
    store: &Store,
    article: &Article,
    body: &ProductBody,
) -> Result<Result<i64, String>, CommandError> {
    match upsert(client, body).await {
        Ok(()) => {}
        Err(error) if error.is_retryable() => {
            return Err(CommandError::Unavailable(error.to_string()));
        }
        Err(error) => return Ok(Err(error.to_string())),
    }
    let unavailable = |e: platform_store::StoreError| CommandError::Unavailable(e.to_string());
    handles::save_article_extras(store, &body.code, &extras_of(article))
        .await
        .map_err(unavailable)?;
    handles::handle(store, PRODUCT, &body.code, &body.code)
        .await
        .map(Ok)
        .map_err(unavailable)
}

/// Upserts every article in request order, one result each; customer prices are in
/// `price_currency`.
pub async fn upsert_articles(
    client: &OgoshipClient,
    store: &Store,
    articles: &[Article],
    price_currency: &str,
) -> Result<UpsertArticlesResponse, CommandError> {
    let mut results = Vec::with_capacity(articles.len());
    for (index, article) in articles.iter().enumerate() {
        let outcome = match product_body(index, article, price_currency) {
            Ok(body) => write(client, store, article, &body).await?,
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
    Ok(UpsertArticlesResponse { results })
}

fn decimal_text(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The product as OGOship holds it, in the contract's terms (the mirror of [`product_body`]),
/// with `extras` as we last wrote them (none for a product we never wrote: active, the rest
/// empty). The customer price is answered only when it is in `price_currency`: one in another
/// currency (OGOship's default EUR when it names none) is not the price the contract means,
/// so a resync writes it again.
pub fn listed_article(
    id: i64,
    product: &ProductResponse,
    extras: Option<ArticleExtras>,
    price_currency: &str,
) -> ListedArticle {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let currency = product
        .currency_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .unwrap_or(OGOSHIP_DEFAULT_CURRENCY);
    let customer_price = if currency.eq_ignore_ascii_case(price_currency.trim()) {
        decimal_text(product.sales_price)
    } else {
        String::new()
    };
    let purchase_currency = if product.supply_price.is_some() {
        text(&product.currency_code)
    } else {
        String::new()
    };
    let extras = extras.unwrap_or(ArticleExtras {
        product_code: String::new(),
        color: String::new(),
        size: String::new(),
        weight_kg: String::new(),
        active: true,
    });
    ListedArticle {
        article_system_id: id,
        article: Some(Article {
            article_number: text(&product.code),
            article_name: text(&product.name),
            product_code: extras.product_code,
            bar_code: text(&product.ean_code),
            is_active: extras.active,
            description: text(&product.description),
            color: extras.color,
            size: extras.size,
            weight_kg: extras.weight_kg,
            country_of_origin: text(&product.country_of_origin),
            statistics_number: text(&product.hs_code),
            customs_description: text(&product.customs_description),
            purchase_price: decimal_text(product.supply_price),
            purchase_currency,
            link_to_picture: text(&product.picture_url),
            customer_price,
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

/// One page of the products (see [`page_of`] for the cursor), customer prices in
/// `price_currency`. A product OGOship returned in a shape that cannot be read is logged and
/// left out.
pub async fn list_articles(
    client: &OgoshipClient,
    store: &Store,
    from: i64,
    max: u32,
    price_currency: &str,
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
        let extras = handles::article_extras(store, code).await?;
        articles.push(listed_article(id, product, extras, price_currency));
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
        let error = product_body(2, &article, "EUR").expect_err("bad");
        assert_eq!(
            error.to_string(),
            "articles[2].customer_price: \"cheap\" is not a decimal"
        );
    }

    fn shirt() -> Article {
        Article {
            article_number: "P1-BL-3".into(),
            article_name: "Shirt 1 Blue S3".into(),
            product_code: "P1".into(),
            bar_code: "7350000000134".into(),
            is_active: false,
            color: "Blue".into(),
            size: "S3".into(),
            weight_kg: "0.25".into(),
            country_of_origin: "PT".into(),
            statistics_number: "6109100010".into(),
            customer_price: "499".into(),
            ..Article::default()
        }
    }

    /// What a product answer would hold after `body` was written.
    fn as_ogoship_holds(body: &ProductBody) -> ProductResponse {
        ProductResponse {
            code: Some(body.code.clone()),
            name: body.name.clone(),
            ean_code: body.ean_code.clone(),
            sales_price: body.sales_price,
            currency_code: body.currency_code.clone(),
            country_of_origin: body.country_of_origin.clone(),
            hs_code: body.hs_code.clone(),
            ..ProductResponse::default()
        }
    }

    #[test]
    fn the_customer_price_is_written_in_the_configured_currency() {
        let body = product_body(0, &shirt(), "sek").expect("body");
        assert_eq!(
            (body.sales_price, body.currency_code.as_deref()),
            (Some(499.0), Some("SEK"))
        );
        let mut purchase_only = shirt();
        purchase_only.customer_price = String::new();
        purchase_only.purchase_price = "120".into();
        purchase_only.purchase_currency = "usd".into();
        let body = product_body(0, &purchase_only, "SEK").expect("body");
        assert_eq!(body.currency_code.as_deref(), Some("USD"));
        let mut both = shirt();
        both.purchase_price = "120".into();
        both.purchase_currency = "EUR".into();
        let error = product_body(1, &both, "SEK").expect_err("two currencies");
        assert!(
            error
                .to_string()
                .starts_with("articles[1].purchase_currency: EUR is not the customer price's SEK"),
            "{error}"
        );
    }

    /// A resync compares the listing with what catalog-sync would write: every field must read
    /// back as written, the ones OGOship has no place for too.
    #[test]
    fn a_listed_article_reads_back_what_was_written() {
        let article = shirt();
        let body = product_body(0, &article, "SEK").expect("body");
        let listed = listed_article(
            7,
            &as_ogoship_holds(&body),
            Some(extras_of(&article)),
            "SEK",
        );
        assert_eq!(listed.article_system_id, 7);
        assert_eq!(listed.article, Some(article));
    }

    #[test]
    fn a_price_in_another_currency_is_not_the_customer_price() {
        let article = shirt();
        let mut held = as_ogoship_holds(&product_body(0, &article, "SEK").expect("body"));
        held.currency_code = Some("EUR".into());
        let listed = listed_article(7, &held, None, "SEK");
        assert_eq!(listed.article.expect("article").customer_price, "");
        // No currency is OGOship's EUR.
        held.currency_code = None;
        let listed = listed_article(7, &held, None, "EUR");
        let listed = listed.article.expect("article");
        assert_eq!(listed.customer_price, "499");
        assert!(listed.is_active, "a product we never wrote is active");
        assert_eq!(listed.product_code, "");
    }
}
