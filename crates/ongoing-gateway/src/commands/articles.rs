//! `UpsertArticles`: `PUT /articles` per article (upsert by article number). Each article gets
//! its own result; one refused article never stops the others.

use proto::ongoing::v1::{Article, ArticleResult, UpsertArticlesResponse};

use super::{CommandError, decimal, optional, required};
use crate::client::OngoingClient;
use crate::client::models::{BarCodeInfo, CodeName, PostArticle};

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
) -> UpsertArticlesResponse {
    let mut results = Vec::with_capacity(articles.len());
    for (index, article) in articles.iter().enumerate() {
        let outcome = match post_article(client.goods_owner_id(), index, article) {
            Ok(body) => client
                .upsert_article(&body)
                .await
                .map_err(|e| e.to_string()),
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
    UpsertArticlesResponse { results }
}
