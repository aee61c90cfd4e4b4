//! Articles (SKUs): `PUT /articles` upserts by `articleNumber`, reads carry the stock as
//! `inventoryInfo` (ongoing-rest-api.md §2, §3).
//!
//! Layout: `model.rs` holds the JSON models; this file the record, the upsert and the handlers.

mod model;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::json::{merge_model, parse_body};
use crate::query::{Cursor, QueryParams};
use crate::state::{Sim, Store, next};
use crate::stock::{OpenQuantities, StockLedger, inventory_info, open_quantities};
use crate::time::UtcTime;

pub(crate) use model::{GetArticleModel, PostArticleModel};

/// One article of the goods owner.
#[derive(Debug, Clone)]
pub(crate) struct Article {
    pub article_system_id: i64,
    /// The merged result of every PUT.
    pub data: PostArticleModel,
    pub data_updated: DateTime<Utc>,
    pub stock: StockLedger,
}

impl Article {
    pub(crate) fn number(&self) -> &str {
        self.data.article_number.as_deref().unwrap_or_default()
    }

    pub(crate) fn name(&self) -> &str {
        self.data.article_name.as_deref().unwrap_or_default()
    }

    pub(crate) fn reference(&self) -> crate::models::ArticleRefModel {
        crate::models::ArticleRefModel {
            article_system_id: self.article_system_id,
            article_number: self.number().to_owned(),
            article_name: self.name().to_owned(),
            product_code: self.data.product_code.clone().unwrap_or_default(),
        }
    }

    pub(crate) fn to_model(&self, sim: &Sim, open: Option<&OpenQuantities>) -> GetArticleModel {
        let d = &self.data;
        GetArticleModel {
            goods_owner: sim.goods_owner(),
            article_system_id: self.article_system_id,
            article_number: self.number().to_owned(),
            article_name: d.article_name.clone(),
            product_code: d.product_code.clone(),
            unit_code: d.unit_code.clone(),
            description: d.description.clone(),
            is_stock_article: d.is_stock_article.unwrap_or(true),
            is_active: d.is_active.unwrap_or(true),
            article_kind: if d.structure_definition.is_some() {
                "Structure"
            } else {
                "Normal"
            }
            .to_owned(),
            supplier_info: d.supplier_info.clone(),
            bar_code_info: d.bar_code_info.clone(),
            quantity_per_package: d.quantity_per_package,
            quantity_per_pallet: d.quantity_per_pallet,
            weight: d.weight,
            net_weight: d.net_weight,
            length: d.length,
            width: d.width,
            height: d.height,
            volume: d.volume,
            purchase_price: d.purchase_price,
            stock_valuation_price: d.stock_valuation_price,
            customer_price: d.customer_price,
            purcase_currency_code: d.purcase_currency_code.clone(),
            country_of_origin_code: d.country_of_origin_code.clone(),
            statistics_number: d.statistics_number.clone(),
            customs_description: d.customs_description.clone(),
            stock_limit: d.stock_limit,
            link_to_picture: d.link_to_picture.clone(),
            article_group: d.article_group.clone(),
            article_category: d.article_category.clone(),
            article_color: d.article_color.clone(),
            article_size: d.article_size.clone(),
            free_values: d.free_values.clone(),
            classes: Vec::new(),
            inventory_info: inventory_info(&self.stock, open),
            article_data_last_updated: UtcTime(self.data_updated),
        }
    }
}

/// Creates or updates the article `body.articleNumber`; returns its id.
fn upsert(
    store: &mut Store,
    raw: &Value,
    existing: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, ApiError> {
    let body: PostArticleModel = serde_json::from_value(raw.clone()).map_err(|err| {
        ApiError::bad_request(format!(
            "the PostArticleModel in the request body is invalid: {err}"
        ))
    })?;
    let target = match existing {
        Some(id) => Some(id),
        None => {
            let number = body
                .article_number
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .ok_or_else(|| ApiError::bad_request("The articleNumber field is required."))?;
            store.article_id_by_number(number)
        }
    };
    match target {
        Some(id) => {
            if let Some(number) = body.article_number.as_deref()
                && store
                    .article_id_by_number(number)
                    .is_some_and(|other| other != id)
            {
                return Err(ApiError::bad_request(format!(
                    "Article number {number} is already used by another article."
                )));
            }
            let article = store
                .articles
                .get_mut(&id)
                .ok_or_else(|| ApiError::not_found(format!("Article {id} was not found.")))?;
            article.data = merge_model(&article.data, raw, "PostArticleModel")?;
            article.data_updated = now;
            Ok(id)
        }
        None => {
            let id = next(&mut store.ids.article);
            store.articles.insert(
                id,
                Article {
                    article_system_id: id,
                    data: body,
                    data_updated: now,
                    stock: StockLedger::new(now),
                },
            );
            Ok(id)
        }
    }
}

fn write_answer(store: &Store, id: i64) -> Json<Value> {
    let (number, name) = store
        .articles
        .get(&id)
        .map(|a| (a.number().to_owned(), a.name().to_owned()))
        .unwrap_or_default();
    Json(json!({
        "articleSystemId": id,
        "message": format!("Article {number} {name} Updated/Created"),
    }))
}

fn checked_body(sim: &Sim, bytes: &[u8]) -> Result<Value, ApiError> {
    let raw: Value = parse_body(bytes, "PostArticleModel")?;
    let body: PostArticleModel = serde_json::from_value(raw.clone()).map_err(|err| {
        ApiError::bad_request(format!(
            "the PostArticleModel in the request body is invalid: {err}"
        ))
    })?;
    let goods_owner_id = body
        .goods_owner_id
        .ok_or_else(|| ApiError::bad_request("The goodsOwnerId field is required."))?;
    sim.check_goods_owner(goods_owner_id)?;
    Ok(raw)
}

/// `PUT /articles`.
pub(crate) async fn put(
    State(sim): State<Arc<Sim>>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let raw = checked_body(&sim, &bytes)?;
    let mut store = sim.store();
    let id = upsert(&mut store, &raw, None, Utc::now())?;
    Ok(write_answer(&store, id))
}

/// `PUT /articles/{articleSystemId}`.
pub(crate) async fn put_by_id(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let id = crate::routes::id_param(&params, "articleSystemId")?;
    let raw = checked_body(&sim, &bytes)?;
    let mut store = sim.store();
    if !store.articles.contains_key(&id) {
        return Err(ApiError::not_found(format!("Article {id} was not found.")));
    }
    let id = upsert(&mut store, &raw, Some(id), Utc::now())?;
    Ok(write_answer(&store, id))
}

/// `GET /articles/{articleSystemId}`.
pub(crate) async fn get_one(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
) -> Result<Json<GetArticleModel>, ApiError> {
    let id = crate::routes::id_param(&params, "articleSystemId")?;
    let store = sim.store();
    let article = store
        .articles
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("Article {id} was not found.")))?;
    let open = open_quantities(&store, &sim.config);
    Ok(Json(article.to_model(&sim, open.get(&id))))
}

/// `GET /articles`: filters of the spec's query model, ID cursor, bare array.
pub(crate) async fn list(
    State(sim): State<Arc<Sim>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<GetArticleModel>>, ApiError> {
    let query = QueryParams::parse(raw.as_deref());
    sim.check_goods_owner(query.goods_owner_id()?)?;
    let cursor = Cursor::read(&query, "articleSystemIdFrom", "maxArticlesToGet")?;
    let mut numbers = query.all("articleNumbers");
    numbers.extend(query.first("articleNumber"));
    let product_codes = {
        let mut codes = query.all("productCodes");
        codes.extend(query.first("productCode"));
        codes
    };
    let bar_codes = query.all("barCodes");
    let stock_changed_from = query.time("stockInfoChangedFrom")?;
    let data_updated_from = query.time("articleDataLastUpdatedFrom")?;
    let only_in_stock = query.flag("onlyArticlesInStock")?;

    let store = sim.store();
    let open = open_quantities(&store, &sim.config);
    let matching = store.articles.values().filter(|article| {
        (numbers.is_empty() || numbers.contains(&article.number()))
            && (product_codes.is_empty()
                || article
                    .data
                    .product_code
                    .as_deref()
                    .is_some_and(|code| product_codes.contains(&code)))
            && (bar_codes.is_empty()
                || article
                    .data
                    .bar_code_info
                    .as_ref()
                    .and_then(|info| info.bar_code.as_deref())
                    .is_some_and(|code| bar_codes.contains(&code)))
            && stock_changed_from.is_none_or(|from| article.stock.changed >= from)
            && data_updated_from.is_none_or(|from| article.data_updated >= from)
            && (!only_in_stock || article.stock.physical > 0.0)
    });
    let page = cursor.page(matching.map(|article| (article.article_system_id, article)));
    Ok(Json(
        page.into_iter()
            .map(|article| article.to_model(&sim, open.get(&article.article_system_id)))
            .collect(),
    ))
}
