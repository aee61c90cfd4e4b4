//! The JSON shapes read from and written to OGOship (camelCase, ogoship-api.md §4–§8). What we
//! write leaves unset fields out; what we read tolerates missing ones (every field defaults)
//! so a record is refused by the detector naming the field it lacks, not by serde.

use serde::{Deserialize, Serialize};

/// `Product` (create and update body).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductBody {
    pub code: String,
    pub language_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ean_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supply_price: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sales_price: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picture_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_of_origin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customs_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hs_code: Option<String>,
}

/// `ProductResponse`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProductResponse {
    pub id: Option<String>,
    pub code: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub ean_code: Option<String>,
    pub supply_price: Option<f64>,
    pub sales_price: Option<f64>,
    pub currency_code: Option<String>,
    pub picture_url: Option<String>,
    pub country_of_origin: Option<String>,
    pub customs_description: Option<String>,
    pub hs_code: Option<String>,
    pub stock: Option<i64>,
    pub stock_available: Option<i64>,
    pub reserved: Option<i64>,
    pub edit_time: Option<String>,
}

/// `customer` of an order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub name: String,
    pub address1: String,
    pub city: String,
    pub country_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// One of `orderLines` as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLineBody {
    pub code: String,
    pub quantity: i64,
}

/// `Order` (create and update body). On update `orderLines` replace all existing ones (§5).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderBody {
    pub reference: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pick_up_point_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comments: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_currency: Option<String>,
    pub customer: Customer,
    pub order_lines: Vec<OrderLineBody>,
}

/// The body that cancels an order (§5: update `status`).
#[derive(Debug, Clone, Serialize)]
pub struct StatusBody {
    pub reference: String,
    pub status: String,
}

/// One of `orderLines` as read.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrderLineResponse {
    pub code: Option<String>,
    pub quantity: Option<i64>,
}

/// `OrderResponse`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrderResponse {
    pub id: Option<String>,
    pub reference: Option<String>,
    pub status: Option<String>,
    pub shipping_code: Option<String>,
    pub order_lines: Vec<OrderLineResponse>,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    /// Why OGOship holds the order, e.g. its validation problems (§5, P6).
    pub warehouse_comments: Option<String>,
    pub edit_time: Option<String>,
}

/// `StockResponse`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StockResponse {
    pub product_code: Option<String>,
    pub stock: Option<i64>,
    pub stock_available: Option<i64>,
    pub reserved: Option<i64>,
    pub modified: Option<String>,
}

/// One of `products` of a `StockUpdateRequest`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StockUpdateLineBody {
    pub code: String,
    pub expected_quantity: i64,
    pub country_of_origin: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hs_code: Option<String>,
}

/// `StockUpdateRequest`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StockUpdateBody {
    pub reference: String,
    pub supplier: String,
    pub receive_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_comments: Option<String>,
    pub products: Vec<StockUpdateLineBody>,
}

/// One of `products` of a `StockUpdateResponse`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StockUpdateLineResponse {
    pub code: Option<String>,
    pub expected_quantity: Option<i64>,
    pub received_quantity: Option<i64>,
}

/// `StockUpdateResponse`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StockUpdateResponse {
    pub reference: Option<String>,
    pub auto_reference: Option<String>,
    pub status: Option<String>,
    pub arrival_date: Option<String>,
    pub modified: Option<String>,
    pub products: Vec<StockUpdateLineResponse>,
}

/// `returnReason` of a returned product (assumed shape, §8 is undocumented).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReturnReason {
    pub code: Option<String>,
    pub description: Option<String>,
}

/// One returned product.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReturnedProduct {
    pub code: Option<String>,
    pub quantity: Option<i64>,
    pub return_reason: Option<ReturnReason>,
}

/// A return (assumed shape, §8 is undocumented; as the simulator serves it).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReturnResponse {
    pub id: Option<String>,
    pub order_reference: Option<String>,
    pub status: Option<String>,
    pub created: Option<String>,
    pub modified: Option<String>,
    pub products: Vec<ReturnedProduct>,
}

/// `WebHook` (create and update body, §9): the address OGOship calls, the key it signs the
/// callbacks with, and the event type by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebHookBody {
    pub url: String,
    pub key: String,
    #[serde(rename = "type")]
    pub hook_type: String,
}

/// `WebHookResponse`: the body and its `id` (a GUID). `type` is kept as sent back (the name,
/// or the number 1 / 2, §9).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WebHookResponse {
    pub id: Option<String>,
    pub url: Option<String>,
    pub key: Option<String>,
    #[serde(rename = "type")]
    pub hook_type: Option<serde_json::Value>,
}
