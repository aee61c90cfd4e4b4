//! `PostOrderModel` (the `PUT /orders` body) and `GetOrderModel` (what reads return), named
//! and shaped as in the OpenAPI spec and the official examples (ongoing-rest-api.md §4.2, §4.3).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json::{flex_int, flex_number, flex_string};
use crate::models::{
    ArticleRefModel, CodeNamePair, GoodsOwnerModel, NotificationModel, StatusModel,
};
use crate::time::{OngoingDate, UtcTime};

/// `consignee` of an order, written and read with the same members.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConsigneeModel {
    #[serde(default)]
    pub customer_number: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub address1: Option<String>,
    #[serde(default)]
    pub address2: Option<String>,
    #[serde(default)]
    pub address3: Option<String>,
    #[serde(default)]
    pub post_code: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub country_code: Option<String>,
    #[serde(default)]
    pub country_state_code: Option<String>,
    #[serde(default)]
    pub remark: Option<String>,
    #[serde(default)]
    pub door_code: Option<String>,
    #[serde(default)]
    pub organisation_number: Option<String>,
    #[serde(default)]
    pub vat_number: Option<String>,
    #[serde(default)]
    pub invoice_address: Option<Value>,
}

/// `transporter` / `returnTransporter` of `PostOrderModel`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PostOrderTransporterModel {
    #[serde(default)]
    pub transporter_code: Option<String>,
    #[serde(default)]
    pub transporter_service_code: Option<String>,
}

/// One of `PostOrderModel.orderLines`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PostOrderLineModel {
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub should_be_picked: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    #[serde(
        default,
        deserialize_with = "flex_number::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub line_total_customs_value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_type: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prices: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_article_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

/// The `PUT /orders` body. Required: `goodsOwnerId`, `orderNumber`, `deliveryDate`,
/// `consignee`; lines need `rowNumber` and `articleNumber`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PostOrderModel {
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
    pub order_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consignee: Option<ConsigneeModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goods_owner_order_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_remark: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_instruction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_point_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_text1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_text2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_text3: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_type: Option<CodeNamePair>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub way_of_delivery: Option<CodeNamePair>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_notification: Option<NotificationModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_notification: Option<NotificationModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephone_notification: Option<NotificationModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transporter: Option<PostOrderTransporterModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_transporter: Option<PostOrderTransporterModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customs_info: Option<Value>,
    #[serde(
        default,
        deserialize_with = "flex_int::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub warehouse_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classes: Option<Value>,
    #[serde(
        default,
        deserialize_with = "flex_number::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_price: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consignee_order_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_place: Option<Value>,
    #[serde(
        default,
        deserialize_with = "flex_int::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub picking_priority: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advanced: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_lines: Option<Vec<PostOrderLineModel>>,
}

/// `GetOrderModel`: every member written (null when unknown) so the key set is stable.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GetOrderModel {
    pub goods_owner: GoodsOwnerModel,
    pub order_info: GetOrderInfoModel,
    pub consignee: ConsigneeModel,
    pub parcels: Vec<GetOrderParcelModel>,
    pub order_lines: Vec<GetOrderLineModel>,
    pub transporter: Option<GetOrderTransporterModel>,
    pub return_transporter: Option<GetOrderTransporterModel>,
    pub tracking: Vec<GetOrderTrackingModel>,
    pub return_tracking: Vec<GetOrderTrackingModel>,
    pub classes: Vec<Value>,
    pub shipment_info: Option<Value>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WarehouseModel {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// `orderInfo`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GetOrderInfoModel {
    pub order_id: i64,
    pub order_number: String,
    pub goods_owner_order_id: Option<String>,
    pub reference_number: Option<String>,
    pub sales_code: Option<String>,
    pub order_remark: Option<String>,
    pub delivery_instruction: Option<String>,
    pub service_point_code: Option<String>,
    pub free_text1: Option<String>,
    pub free_text2: Option<String>,
    pub free_text3: Option<String>,
    pub order_type: Option<CodeNamePair>,
    pub way_of_delivery: Option<CodeNamePair>,
    pub delivery_date: Option<OngoingDate>,
    pub created_date: UtcTime,
    pub shipped_time: Option<UtcTime>,
    pub way_bill: Option<String>,
    pub return_way_bill: Option<String>,
    pub order_status: StatusModel,
    pub email_notification: Option<NotificationModel>,
    pub sms_notification: Option<NotificationModel>,
    pub telephone_notification: Option<NotificationModel>,
    pub ordered_number_of_items: f64,
    pub allocated_number_of_items: f64,
    pub picked_number_of_items: f64,
    pub customs_info: Option<Value>,
    pub consignee_order_number: Option<String>,
    pub picking_priority: Option<i64>,
    pub customer_price: Option<f64>,
    pub warehouse: WarehouseModel,
}

/// `parcels[]`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GetOrderParcelModel {
    pub id: i64,
    pub parcel_number: String,
    pub is_return_parcel: bool,
    pub tracking: Option<ParcelTrackingModel>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ParcelTrackingModel {
    pub tracking_url: Option<String>,
}

/// `tracking[]` / `returnTracking[]`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GetOrderTrackingModel {
    pub tracking_url: Option<String>,
    pub waybill: Option<String>,
    pub created: UtcTime,
    pub freight_price: Option<Value>,
}

/// `transporter` as reads show it: names from the transporter contracts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GetOrderTransporterModel {
    pub transporter_name: Option<String>,
    pub name: Option<String>,
    pub code: Option<String>,
    pub service_code: Option<String>,
}

/// `orderLines[]`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GetOrderLineModel {
    pub id: i64,
    pub row_number: String,
    pub article: ArticleRefModel,
    pub comment: Option<String>,
    pub ordered_number_of_items: f64,
    pub allocated_number_of_items: f64,
    pub picked_number_of_items: f64,
    pub packed_number_of_items: f64,
    /// Null until the integrator reports (DEV /reported-number-of-items).
    pub reported_number_of_items: Option<f64>,
    pub returned_number_of_items: f64,
    pub reported_returned_number_of_items: Option<f64>,
    pub should_be_picked: bool,
    pub picked_article_items: Vec<PickedArticleItemModel>,
    pub sub_order_lines: Option<Vec<Value>>,
    pub serial_number: Option<String>,
    pub line_total_customs_value: Option<f64>,
    pub batch_number: Option<String>,
    pub customer_article_number: Option<String>,
    pub external_id: Option<String>,
    pub prices: Option<Value>,
}

/// `pickedArticleItems[]`: one stock item that left the shelf for this line.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PickedArticleItemModel {
    pub article_item_id: i64,
    pub number_of_items: f64,
    pub in_date: Option<UtcTime>,
    pub serial: String,
    pub case_number: String,
    pub batch_number: String,
    pub container: String,
    pub comment: String,
    pub weight: Option<f64>,
    pub volume: Option<f64>,
    pub is_picked: bool,
    pub is_returned: bool,
    pub expiry_date: Option<UtcTime>,
    pub return_date: Option<UtcTime>,
    pub picked_time: Option<UtcTime>,
    pub packed_time: Option<UtcTime>,
    pub return_cause: Option<CodeNamePair>,
    pub location: String,
    pub location_type_code: String,
    pub article_item_status: Option<Value>,
    pub free_text1: String,
    pub parcel: Option<PickedItemParcelModel>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PickedItemParcelModel {
    pub id: i64,
    pub parcel_number: String,
}
