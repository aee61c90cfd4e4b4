//! The JSON shapes the gateway reads and writes, named as in Ongoing's OpenAPI spec
//! (ongoing-rest-api.md §2-§7). Reads are lenient: every member may be missing or null, and
//! quantities are decimals; turning them into checked values is the detectors' job, so a bad
//! record is reported by name instead of failing a whole page.

use serde::{Deserialize, Deserializer, Serialize};

use super::pagination::HasId;

/// `null` reads as the default (Ongoing writes `null` for empty lists).
fn null_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// `{number, text}`; only `number` means anything (texts are per instance and localised).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusModel {
    #[serde(default)]
    pub number: Option<i64>,
    #[serde(default)]
    pub text: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeName {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `article{articleSystemId, articleNumber, ...}` inside order and purchase-order lines.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArticleRef {
    #[serde(default)]
    pub article_system_id: Option<i64>,
    #[serde(default)]
    pub article_number: Option<String>,
}

// ---- orders ------------------------------------------------------------------------------

/// `GetOrderModel` (the parts the gateway uses).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderModel {
    pub order_info: OrderInfo,
    #[serde(default, deserialize_with = "null_default")]
    pub order_lines: Vec<OrderLineModel>,
    #[serde(default, deserialize_with = "null_default")]
    pub parcels: Vec<ParcelModel>,
    #[serde(default, deserialize_with = "null_default")]
    pub tracking: Vec<TrackingModel>,
    #[serde(default, deserialize_with = "null_default")]
    pub return_tracking: Vec<TrackingModel>,
    #[serde(default)]
    pub transporter: Option<OrderTransporterModel>,
}

impl HasId for OrderModel {
    const KIND: &'static str = "order";
    const ID_POINTER: &'static str = "/orderInfo/orderId";
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderInfo {
    pub order_id: i64,
    #[serde(default)]
    pub order_number: Option<String>,
    #[serde(default)]
    pub order_status: Option<StatusModel>,
    #[serde(default)]
    pub shipped_time: Option<String>,
    #[serde(default)]
    pub way_bill: Option<String>,
    #[serde(default)]
    pub return_way_bill: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLineModel {
    pub id: i64,
    #[serde(default)]
    pub row_number: Option<String>,
    #[serde(default)]
    pub article: Option<ArticleRef>,
    #[serde(default)]
    pub ordered_number_of_items: Option<f64>,
    #[serde(default)]
    pub picked_number_of_items: Option<f64>,
    #[serde(default)]
    pub reported_number_of_items: Option<f64>,
    #[serde(default)]
    pub returned_number_of_items: Option<f64>,
    #[serde(default)]
    pub reported_returned_number_of_items: Option<f64>,
    #[serde(default, deserialize_with = "null_default")]
    pub picked_article_items: Vec<PickedArticleItem>,
    #[serde(default)]
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PickedArticleItem {
    #[serde(default)]
    pub number_of_items: Option<f64>,
    #[serde(default)]
    pub is_returned: bool,
    #[serde(default)]
    pub return_date: Option<String>,
    #[serde(default)]
    pub return_cause: Option<CodeName>,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParcelModel {
    #[serde(default)]
    pub parcel_number: Option<String>,
    #[serde(default)]
    pub is_return_parcel: bool,
    #[serde(default)]
    pub tracking: Option<ParcelTracking>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParcelTracking {
    #[serde(default)]
    pub tracking_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackingModel {
    #[serde(default)]
    pub waybill: Option<String>,
    #[serde(default)]
    pub tracking_url: Option<String>,
}

/// `transporter` of a read order; the spec names the members `code` / `serviceCode`, the
/// write model `transporterCode` / `transporterServiceCode`, so both are read.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderTransporterModel {
    #[serde(default, alias = "transporterCode")]
    pub code: Option<String>,
    #[serde(default, alias = "transporterServiceCode")]
    pub service_code: Option<String>,
}

/// `PostOrderModel` (the `PUT /orders` body).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostOrder {
    pub goods_owner_id: i64,
    pub order_number: String,
    pub delivery_date: String,
    pub consignee: PostConsignee,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transporter: Option<PostTransporter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goods_owner_order_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_remark: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_instruction: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_point_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_notification: Option<Notification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_notification: Option<Notification>,
    pub order_lines: Vec<PostOrderLine>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub to_be_notified: bool,
    pub value: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostConsignee {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address3: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_state_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub door_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostTransporter {
    pub transporter_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transporter_service_code: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostOrderLine {
    pub row_number: String,
    pub article_number: String,
    pub number_of_items: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_total_customs_value: Option<f64>,
}

// ---- purchase orders ---------------------------------------------------------------------

/// `GetPurchaseOrderModel` (the parts the gateway uses).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrderModel {
    pub purchase_order_info: PurchaseOrderInfo,
    #[serde(default, deserialize_with = "null_default")]
    pub purchase_order_lines: Vec<PurchaseOrderLineModel>,
}

impl HasId for PurchaseOrderModel {
    const KIND: &'static str = "purchase_order";
    const ID_POINTER: &'static str = "/purchaseOrderInfo/purchaseOrderId";
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrderInfo {
    pub purchase_order_id: i64,
    #[serde(default)]
    pub purchase_order_number: Option<String>,
    #[serde(default)]
    pub purchase_order_status: Option<StatusModel>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrderLineModel {
    pub id: i64,
    #[serde(default)]
    pub row_number: Option<String>,
    #[serde(default)]
    pub article: Option<ArticleRef>,
    #[serde(default)]
    pub advised_number_of_items: Option<f64>,
    #[serde(default)]
    pub received_number_of_items: Option<f64>,
    #[serde(default)]
    pub reported_number_of_items: Option<f64>,
    #[serde(default)]
    pub external_order_line_id: Option<String>,
}

/// `PostPurchaseOrderModel` (the `PUT /purchaseOrders` body).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostPurchaseOrder {
    pub goods_owner_id: i64,
    pub purchase_order_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier_order_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purchase_order_remark: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier_info: Option<SupplierInfo>,
    pub purchase_order_lines: Vec<PostPurchaseOrderLine>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SupplierInfo {
    pub supplier_name: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostPurchaseOrderLine {
    pub row_number: String,
    pub article_number: String,
    pub number_of_items: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_order_line_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

// ---- articles ----------------------------------------------------------------------------

/// `GetArticleModel` (identity and `inventoryInfo`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArticleModel {
    pub article_system_id: i64,
    #[serde(default)]
    pub article_number: Option<String>,
    #[serde(default)]
    pub inventory_info: Option<InventoryInfo>,
}

impl HasId for ArticleModel {
    const KIND: &'static str = "article";
    const ID_POINTER: &'static str = "/articleSystemId";
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryInfo {
    #[serde(default)]
    pub number_of_items: Option<f64>,
    #[serde(default)]
    pub number_of_booked_items: Option<f64>,
    #[serde(default)]
    pub sellable_number_of_items: Option<f64>,
}

/// `GetArticleModel` with the article data (what a resync compares), read leniently: every
/// member may be missing or null.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ArticleDetailsModel {
    pub article_system_id: i64,
    pub article_number: Option<String>,
    pub article_name: Option<String>,
    pub product_code: Option<String>,
    pub description: Option<String>,
    pub is_active: Option<bool>,
    pub article_color: Option<CodeName>,
    pub article_size: Option<CodeName>,
    pub bar_code_info: Option<BarCodeInfoModel>,
    pub weight: Option<f64>,
    pub country_of_origin_code: Option<String>,
    pub statistics_number: Option<String>,
    pub customs_description: Option<String>,
    pub purchase_price: Option<f64>,
    pub customer_price: Option<f64>,
    pub purcase_currency_code: Option<String>,
    pub link_to_picture: Option<String>,
}

impl HasId for ArticleDetailsModel {
    const KIND: &'static str = "article";
    const ID_POINTER: &'static str = "/articleSystemId";
}

/// `barCodeInfo` as read.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BarCodeInfoModel {
    pub bar_code: Option<String>,
}

/// `PostArticleModel` (the `PUT /articles` body).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostArticle {
    pub goods_owner_id: i64,
    pub article_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub is_active: bool,
    pub is_stock_article: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article_color: Option<CodeName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article_size: Option<CodeName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bar_code_info: Option<BarCodeInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_of_origin_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statistics_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customs_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purchase_price: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_price: Option<f64>,
    /// The real member name has this typo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purcase_currency_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_to_picture: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BarCodeInfo {
    pub bar_code: String,
}

// ---- transporters ------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransporterContractModel {
    #[serde(default)]
    pub transporter_code: Option<String>,
    #[serde(default)]
    pub transporter_name: Option<String>,
    #[serde(default)]
    pub edi_code: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub transporter_services: Vec<TransporterServiceModel>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransporterServiceModel {
    #[serde(default)]
    pub transporter_service_code: Option<String>,
    #[serde(default)]
    pub transporter_service_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_reads_with_nulls_and_decimals() {
        let order: OrderModel = serde_json::from_value(serde_json::json!({
            "orderInfo": {"orderId": 5, "orderNumber": "A-1", "orderStatus": {"number": 450, "text": "Skickad"}},
            "orderLines": [{"id": 9, "pickedNumberOfItems": 2.0, "reportedNumberOfItems": null,
                            "pickedArticleItems": null}],
            "parcels": null,
            "transporter": {"transporterCode": "PLAB", "serviceCode": "P19"}
        }))
        .expect("reads");
        assert_eq!(
            order.order_info.order_status.and_then(|s| s.number),
            Some(450)
        );
        assert_eq!(order.order_lines[0].picked_number_of_items, Some(2.0));
        assert!(order.parcels.is_empty());
        let transporter = order.transporter.expect("transporter");
        assert_eq!(transporter.code.as_deref(), Some("PLAB"));
        assert_eq!(transporter.service_code.as_deref(), Some("P19"));
    }
}
