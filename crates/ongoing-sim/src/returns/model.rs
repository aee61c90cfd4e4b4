//! Return-order and return-cause JSON models (ongoing-rest-api.md §6).

use serde::{Deserialize, Serialize};

use crate::json::{flex_int, flex_number, flex_string};
use crate::models::{ArticleRefModel, CodeNamePair, StatusModel};
use crate::time::{OngoingDate, UtcTime};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CustomerOrderRefModel {
    #[serde(default, deserialize_with = "flex_int::deserialize")]
    pub order_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CustomerOrderLineRefModel {
    #[serde(default, deserialize_with = "flex_int::deserialize")]
    pub order_line_id: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReturnOrderTrackingModel {
    #[serde(default)]
    pub waybill: Option<String>,
    #[serde(default)]
    pub tracking_url: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PostReturnOrderLineModel {
    #[serde(default, deserialize_with = "flex_string::deserialize")]
    pub return_order_row_number: Option<String>,
    #[serde(default)]
    pub customer_order_line: Option<CustomerOrderLineRefModel>,
    #[serde(default, deserialize_with = "flex_number::deserialize")]
    pub to_be_returned_number_of_items: Option<f64>,
    #[serde(default)]
    pub return_cause: Option<CodeNamePair>,
}

/// The `PUT /returnOrders` body (Postman "Create or update a return order").
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PostReturnOrderModel {
    #[serde(default, deserialize_with = "flex_int::deserialize")]
    pub goods_owner_id: Option<i64>,
    #[serde(default, deserialize_with = "flex_string::deserialize")]
    pub return_order_number: Option<String>,
    #[serde(default)]
    pub customer_order: Option<CustomerOrderRefModel>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub in_date: Option<String>,
    #[serde(default, deserialize_with = "flex_int::deserialize")]
    pub warehouse_id: Option<i64>,
    #[serde(default)]
    pub tracking: Option<Vec<ReturnOrderTrackingModel>>,
    #[serde(default)]
    pub return_order_lines: Option<Vec<PostReturnOrderLineModel>>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GetReturnOrderModel {
    pub return_order_info: GetReturnOrderInfoModel,
    pub customer_order_info: CustomerOrderInfoModel,
    pub return_order_lines: Vec<GetReturnOrderLineModel>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GetReturnOrderInfoModel {
    pub return_order_id: i64,
    pub return_order_number: String,
    pub return_order_status: StatusModel,
    pub in_date: Option<OngoingDate>,
    pub comment: Option<String>,
    pub created_date: UtcTime,
    pub goods_returned_date: Option<UtcTime>,
    pub tracking: Vec<ReturnOrderTrackingModel>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CustomerOrderInfoModel {
    pub order_id: i64,
    pub order_number: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GetReturnOrderLineModel {
    pub return_order_line_id: i64,
    pub return_order_row_number: String,
    pub customer_order_line: CustomerOrderLineRefModel,
    pub article: ArticleRefModel,
    pub return_cause: Option<CodeNamePair>,
    pub returned_number_of_items: f64,
    pub picked_number_of_items: f64,
    pub to_be_returned_number_of_items: f64,
    pub returned_removed_by_inventory_number_of_items: f64,
    pub returned_article_items: Vec<ReturnedArticleItemModel>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReturnedArticleItemModel {
    pub number_of_items: f64,
    pub serial: String,
    pub batch: String,
    pub return_time: UtcTime,
    pub return_comment: Option<String>,
    pub return_cause: Option<CodeNamePair>,
}

/// One of `GET /returnOrders/returnCauses` → `{"returnCauses": [...]}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReturnCauseModel {
    #[serde(default)]
    pub id: i64,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub is_remove_cause: bool,
    #[serde(default)]
    pub is_change_cause: bool,
    #[serde(default)]
    pub is_return_comment_mandatory: bool,
}
