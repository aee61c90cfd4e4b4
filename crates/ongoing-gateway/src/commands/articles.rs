//! `UpsertArticles`: `PUT /articles` per article (upsert by article number). Each article gets
//! its own result; one refused article never stops the others. `ListArticles`: one page of
//! `GET /articles` in the contract's terms.

use proto::wms::v1::{
    Article, ArticleResult, ListArticlesResponse, ListedArticle, UpsertArticlesResponse,
};

use super::{CommandError, decimal, optional, required};
use crate::client::OngoingClient;
use crate::client::models::{ArticleDetailsModel, BarCodeInfo, CodeName, PostArticle};

/// The Ongoing body for `article` (the `index`th of the request), or why it is refused.
pub fn post_article(
    goods_owner_id: i64,
    index: usize,
    article: &Article,
) -> Result<PostArticle, CommandError> {
    let field = |name: &str| format!("articles[{index}].{name}");
    let article_number = required(&field("article_number"), &article.article_number)?;
    let code_name = |value: &str| {
        optional(value).map(|v| CodeName {
            code: Some(v.clone()),
            name: Some(v),
        })
    };
    Ok(PostArticle {
        goods_owner_id,
        article_number: article_number.to_owned(),
        article_name: optional(&article.article_name),
        product_code: optional(&article.product_code),
        description: optional(&article.description),
        is_active: article.is_active,
        is_stock_article: true,
        article_color: code_name(&article.color),
        article_size: code_name(&article.size),
        bar_code_info: optional(&article.bar_code).map(|bar_code| BarCodeInfo { bar_code }),
        weight: decimal(&field("weight_kg"), &article.weight_kg)?,
        country_of_origin_code: optional(&article.country_of_origin),
        statistics_number: optional(&article.statistics_number),
        customs_description: optional(&article.customs_description),
        purchase_price: decimal(&field("purchase_price"), &article.purchase_price)?,
        customer_price: decimal(&field("customer_price"), &article.customer_price)?,
        purcase_currency_code: optional(&article.purchase_currency),
        link_to_picture: optional(&article.link_to_picture),
    })
}

/// Upserts every article in request order, one result each.
pub async fn upsert_articles(
    client: &OngoingClient,
    articles: &[Article],
) -> Result<UpsertArticlesResponse, CommandError> {
    let mut results = Vec::with_capacity(articles.len());
    for (index, article) in articles.iter().enumerate() {
        let outcome = match post_article(client.goods_owner_id(), index, article) {
            Ok(body) => match client.upsert_article(&body).await {
                Ok(written) => Ok(written),
                // Ongoing down or throttling after the client's retries says nothing about
                // this article: the whole call is unavailable, and the caller writes the
                // batch again later (each write is an upsert, so the ones done stay done).
                Err(error) if error.is_retryable() => return Err(error.into()),
                Err(error) => Err(error.to_string()),
            },
            Err(error) => Err(error.to_string()),
        };
        let result = match outcome {
            Ok(written) => ArticleResult {
                article_number: article.article_number.clone(),
                article_system_id: written.id,
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
        };
        results.push(result);
    }
    Ok(UpsertArticlesResponse { results })
}

/// A number as the contract's decimal text (`0.25`, `45`); none is empty.
fn decimal_text(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The article as Ongoing holds it, in the contract's terms (the mirror of [`post_article`]).
pub fn listed_article(model: &ArticleDetailsModel) -> ListedArticle {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let name = |value: &Option<CodeName>| {
        value
            .as_ref()
            .and_then(|c| c.name.clone().or_else(|| c.code.clone()))
            .unwrap_or_default()
    };
    ListedArticle {
        article_system_id: model.article_system_id,
        article: Some(Article {
            article_number: text(&model.article_number),
            article_name: text(&model.article_name),
            product_code: text(&model.product_code),
            bar_code: model
                .bar_code_info
                .as_ref()
                .and_then(|b| b.bar_code.clone())
                .unwrap_or_default(),
            is_active: model.is_active.unwrap_or(true),
            description: text(&model.description),
            color: name(&model.article_color),
            size: name(&model.article_size),
            weight_kg: decimal_text(model.weight),
            country_of_origin: text(&model.country_of_origin_code),
            statistics_number: text(&model.statistics_number),
            customs_description: text(&model.customs_description),
            purchase_price: decimal_text(model.purchase_price),
            purchase_currency: text(&model.purcase_currency_code),
            link_to_picture: text(&model.link_to_picture),
            customer_price: decimal_text(model.customer_price),
        }),
    }
}

/// One page of the articles from `from` (0: the start), at most `max` (0: the page size).
/// A listed record Ongoing returned in a shape that cannot be read is logged and left out: the
/// resync then treats its article as missing and writes it again.
pub async fn list_articles(
    client: &OngoingClient,
    from: i64,
    max: u32,
) -> Result<ListArticlesResponse, CommandError> {
    let from = (from > 0).then_some(from);
    let (listing, next) = client.list_articles_page(from, max).await?;
    for rejected in &listing.rejected {
        tracing::warn!(record = %rejected.record, error = %rejected.error, "listed article could not be read");
    }
    Ok(ListArticlesResponse {
        articles: listing.records.iter().map(listed_article).collect(),
        next_article_system_id_from: next.unwrap_or(0),
    })
}

#[cfg(test)]
mod listing_tests {
    use super::*;

    #[test]
    fn a_listed_article_reads_back_what_post_article_writes() {
        // As Ongoing returns it: every member present, unknown ones null.
        let model: ArticleDetailsModel = serde_json::from_value(serde_json::json!({
            "goodsOwner": {"id": 1, "name": "Sandbox"},
            "articleSystemId": 17, "articleNumber": "M411-740XL", "articleName": "Shirt Blue XL",
            "productCode": "M411", "description": null, "isActive": true,
            "barCodeInfo": {"barCode": "4006381333931", "barCodePackage": null},
            "articleColor": {"code": "Blue", "name": "Blue"},
            "articleSize": {"code": "XL", "name": "XL"},
            "weight": 0.25, "countryOfOriginCode": "SE", "statisticsNumber": "61091000",
            "customerPrice": 45.5, "purchasePrice": null, "purcaseCurrencyCode": null,
            "inventoryInfo": {"numberOfItems": 3.0}
        }))
        .expect("readable");
        let listed = listed_article(&model);
        assert_eq!(listed.article_system_id, 17);
        let article = listed.article.expect("article");
        assert_eq!(article.article_number, "M411-740XL");
        assert_eq!(article.bar_code, "4006381333931");
        assert_eq!(
            (article.color.as_str(), article.size.as_str()),
            ("Blue", "XL")
        );
        assert_eq!(article.weight_kg, "0.25");
        assert_eq!(article.customer_price, "45.5");
        assert_eq!(article.purchase_price, "");
        assert!(article.is_active);
    }
}
