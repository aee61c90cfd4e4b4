//! `PostArticleModel` (the `PUT /articles` body) and `GetArticleModel` (what reads return),
//! field names as in the OpenAPI spec, including its `purcaseCurrencyCode` typo.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json::{flex_int, flex_number};
use crate::models::{CodeNamePair, GoodsOwnerModel};
use crate::stock::InventoryInfoModel;
use crate::time::UtcTime;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SupplierInfoModel {
    #[serde(default)]
    pub supplier_article_number: Option<String>,
    #[serde(default)]
    pub supplier_number: Option<String>,
    #[serde(default)]
    pub supplier_name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BarCodeInfoModel {
    #[serde(default)]
    pub bar_code: Option<String>,
    #[serde(default)]
    pub bar_code_package: Option<String>,
    #[serde(default)]
    pub bar_code_pallet: Option<String>,
    #[serde(default)]
    pub alternative_bar_codes: Option<Vec<Value>>,
}

/// The `PUT /articles` body. Only `goodsOwnerId` and `articleNumber` are required.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PostArticleModel {
    #[serde(
        default,
        deserialize_with = "flex_int::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub goods_owner_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_stock_article: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_group: Option<CodeNamePair>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_category: Option<CodeNamePair>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_color: Option<CodeNamePair>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_size: Option<CodeNamePair>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_info: Option<SupplierInfoModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bar_code_info: Option<BarCodeInfoModel>,
    #[serde(
        default,
        deserialize_with = "flex_number::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantity_per_package: Option<f64>,
    #[serde(
        default,
        deserialize_with = "flex_number::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantity_per_pallet: Option<f64>,
    #[serde(
        default,
        deserialize_with = "flex_number::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub weight: Option<f64>,
    #[serde(
        default,
        deserialize_with = "flex_number::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub net_weight: Option<f64>,
    #[serde(
        default,
        deserialize_with = "flex_number::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub length: Option<f64>,
    #[serde(
        default,
        deserialize_with = "flex_number::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub width: Option<f64>,
    #[serde(
        default,
        deserialize_with = "flex_number::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub height: Option<f64>,
    #[serde(
        default,
        deserialize_with = "flex_number::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub volume: Option<f64>,
    #[serde(
        default,
        deserialize_with = "flex_number::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub purchase_price: Option<f64>,
    #[serde(
        default,
        deserialize_with = "flex_number::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub stock_valuation_price: Option<f64>,
    #[serde(
        default,
        deserialize_with = "flex_number::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_price: Option<f64>,
    /// Sic: the spec's own spelling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purcase_currency_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_of_origin_code: Option<String>,
    /// The HS code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customs_description: Option<String>,
    #[serde(
        default,
        deserialize_with = "flex_number::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub stock_limit: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_to_picture: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structure_definition: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_values: Option<Value>,
}

/// What `GET /articles` and `GET /articles/{articleSystemId}` return. Every member is written,
/// null when unknown, so clients meet the same key set as from the real API.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GetArticleModel {
    pub goods_owner: GoodsOwnerModel,
    pub article_system_id: i64,
    pub article_number: String,
    pub article_name: Option<String>,
    pub product_code: Option<String>,
    pub unit_code: Option<String>,
    pub description: Option<String>,
    pub is_stock_article: bool,
    pub is_active: bool,
    pub article_kind: String,
    pub supplier_info: Option<SupplierInfoModel>,
    pub bar_code_info: Option<BarCodeInfoModel>,
    pub quantity_per_package: Option<f64>,
    pub quantity_per_pallet: Option<f64>,
    pub weight: Option<f64>,
    pub net_weight: Option<f64>,
    pub length: Option<f64>,
    pub width: Option<f64>,
    pub height: Option<f64>,
    pub volume: Option<f64>,
    pub purchase_price: Option<f64>,
    pub stock_valuation_price: Option<f64>,
    pub customer_price: Option<f64>,
    pub purcase_currency_code: Option<String>,
    pub country_of_origin_code: Option<String>,
    pub statistics_number: Option<String>,
    pub customs_description: Option<String>,
    pub stock_limit: Option<f64>,
    pub link_to_picture: Option<String>,
    pub article_group: Option<CodeNamePair>,
    pub article_category: Option<CodeNamePair>,
    pub article_color: Option<CodeNamePair>,
    pub article_size: Option<CodeNamePair>,
    pub free_values: Option<Value>,
    pub classes: Vec<Value>,
    pub inventory_info: InventoryInfoModel,
    pub article_data_last_updated: UtcTime,
}
