//! Small JSON models that several Ongoing resources share, named as in the OpenAPI spec.

use serde::{Deserialize, Serialize};

/// `{code, name}`: article groups, order types, ways of delivery, return causes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CodeNamePair {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// `goodsOwner{id, name}` as nested in every read model.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GoodsOwnerModel {
    pub id: i64,
    pub name: String,
}

/// `{number, text}`: a status as read models show it. Match on `number`; `text` is per instance
/// and localized (ongoing-rest-api.md §1 "Status texts").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusModel {
    pub number: i32,
    pub text: String,
}

impl StatusModel {
    pub fn new(number: i32, text: &str) -> Self {
        Self {
            number,
            text: text.to_owned(),
        }
    }
}

/// The `article{...}` reference on order, purchase-order and return lines.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ArticleRefModel {
    pub article_system_id: i64,
    pub article_number: String,
    pub article_name: String,
    pub product_code: String,
}

/// `{toBeNotified, value}`: e-mail, SMS and telephone notification on an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NotificationModel {
    #[serde(default)]
    pub to_be_notified: Option<bool>,
    #[serde(default)]
    pub value: Option<String>,
}
