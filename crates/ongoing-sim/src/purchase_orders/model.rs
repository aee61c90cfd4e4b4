//! `PostPurchaseOrderModel` and `GetPurchaseOrderModel` (ongoing-rest-api.md §5).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json::{flex_int, flex_number, flex_string};
use crate::models::{ArticleRefModel, GoodsOwnerModel, StatusModel};
use crate::time::{OngoingDate, UtcTime};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PurchaseOrderSupplierInfoModel {
    #[serde(default)]
    pub supplier_number: Option<String>,
    #[serde(default)]
    pub supplier_name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PostPurchaseOrderLineModel {
    #[serde(
        default,
        deserialize_with = "flex_string::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub row_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_number: Option<String>,
    #[serde(
        default,
        deserialize_with = "flex_number::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub number_of_items: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(
        default,
        deserialize_with = "flex_number::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub row_price: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_order_line_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_date: Option<String>,
}

/// The `PUT /purchaseOrders` body; required `goodsOwnerId` and `purchaseOrderNumber`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PostPurchaseOrderModel {
    #[serde(
        default,
        deserialize_with = "flex_int::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub goods_owner_id: Option<i64>,
    #[serde(
        default,
        deserialize_with = "flex_string::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub purchase_order_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_order_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goods_owner_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_info: Option<PurchaseOrderSupplierInfoModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order_type: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order_remark: Option<String>,
    #[serde(
        default,
        deserialize_with = "flex_int::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub warehouse_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order_lines: Option<Vec<PostPurchaseOrderLineModel>>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GetPurchaseOrderModel {
    pub goods_owner: GoodsOwnerModel,
    pub supplier_info: Option<PurchaseOrderSupplierInfoModel>,
    pub purchase_order_info: GetPurchaseOrderInfoModel,
    pub purchase_order_lines: Vec<GetPurchaseOrderLineModel>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PurchaseOrderAdvancedModel {
    pub arrival_date: Option<UtcTime>,
    pub purchase_order_is_return_type: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GetPurchaseOrderInfoModel {
    pub purchase_order_id: i64,
    pub purchase_order_number: String,
    pub supplier_order_number: Option<String>,
    pub goods_owner_reference: Option<String>,
    pub reference_number: Option<String>,
    pub purchase_order_status: StatusModel,
    pub purchase_order_type: Option<Value>,
    pub in_date: Option<OngoingDate>,
    pub created_date: UtcTime,
    pub purchase_order_remark: Option<String>,
    pub advanced: PurchaseOrderAdvancedModel,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GetPurchaseOrderLineModel {
    pub id: i64,
    pub row_number: String,
    pub article: ArticleRefModel,
    pub comment: Option<String>,
    pub advised_number_of_items: f64,
    pub received_number_of_items: f64,
    /// Null until reported.
    pub reported_number_of_items: Option<f64>,
    pub article_items: Vec<ReceivedArticleItemModel>,
    pub sub_purchase_order_lines: Option<Vec<Value>>,
    pub external_order_line_id: Option<String>,
    pub row_price: Option<f64>,
    pub currency_code: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReceivedArticleItemModel {
    pub original_article_item_id: i64,
    pub number_of_items: f64,
    pub in_date: UtcTime,
    pub serial: String,
    pub case_number: String,
    pub batch_number: String,
    pub container: String,
    pub comment: String,
    pub weight: Option<f64>,
    pub expiry_date: Option<UtcTime>,
    pub location: String,
    pub article_item_status: Option<Value>,
}
