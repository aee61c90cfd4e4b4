//! Purchase orders (inbound advice, ongoing-rest-api.md §5).
//!
//! Layout: `model.rs` the JSON models; this file the record and its read model; `store.rs`
//! upsert, cancel, receipts (driven by `/_sim/purchase-orders/{n}/receive`) and reported
//! numbers; `handlers.rs` the HTTP handlers.

pub(crate) mod handlers;
mod model;
pub(crate) mod store;

use chrono::{DateTime, Utc};

use crate::config::status_of;
use crate::models::ArticleRefModel;
use crate::state::{Sim, Store};
use crate::time::{OngoingDate, UtcTime};

pub(crate) use model::{
    GetPurchaseOrderInfoModel, GetPurchaseOrderLineModel, GetPurchaseOrderModel,
    PostPurchaseOrderLineModel, PostPurchaseOrderModel, PurchaseOrderAdvancedModel,
    ReceivedArticleItemModel,
};

#[derive(Debug, Clone)]
pub(crate) struct PurchaseOrder {
    pub purchase_order_id: i64,
    pub purchase_order_number: String,
    pub header: PostPurchaseOrderModel,
    pub status: i32,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub status_changed: DateTime<Utc>,
    pub last_received: Option<DateTime<Utc>>,
    pub lines: Vec<PurchaseOrderLine>,
    pub created_count: u32,
    pub update_count: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct PurchaseOrderLine {
    pub id: i64,
    pub row_number: String,
    pub article_system_id: i64,
    pub advised: f64,
    pub received: f64,
    pub reported: Option<f64>,
    pub post: PostPurchaseOrderLineModel,
    pub items: Vec<ReceivedItem>,
}

/// One receipt on a line (`articleItems[]`).
#[derive(Debug, Clone)]
pub(crate) struct ReceivedItem {
    pub id: i64,
    pub number_of_items: f64,
    pub in_date: DateTime<Utc>,
}

impl PurchaseOrder {
    pub(crate) fn has_lines_to_report(&self) -> bool {
        self.lines
            .iter()
            .any(|l| l.received != l.reported.unwrap_or(0.0))
    }

    pub(crate) fn to_model(&self, sim: &Sim, store: &Store) -> GetPurchaseOrderModel {
        let h = &self.header;
        GetPurchaseOrderModel {
            goods_owner: sim.goods_owner(),
            supplier_info: h.supplier_info.clone(),
            purchase_order_info: GetPurchaseOrderInfoModel {
                purchase_order_id: self.purchase_order_id,
                purchase_order_number: self.purchase_order_number.clone(),
                supplier_order_number: h.supplier_order_number.clone(),
                goods_owner_reference: h.goods_owner_reference.clone(),
                reference_number: h.reference_number.clone(),
                purchase_order_status: status_of(&sim.config.purchase_order_statuses, self.status),
                purchase_order_type: h.purchase_order_type.clone(),
                in_date: h.in_date.as_deref().and_then(OngoingDate::parse),
                created_date: UtcTime(self.created),
                purchase_order_remark: h.purchase_order_remark.clone(),
                advanced: PurchaseOrderAdvancedModel {
                    arrival_date: self.last_received.map(UtcTime),
                    purchase_order_is_return_type: false,
                },
            },
            purchase_order_lines: self
                .lines
                .iter()
                .map(|line| GetPurchaseOrderLineModel {
                    id: line.id,
                    row_number: line.row_number.clone(),
                    article: store
                        .articles
                        .get(&line.article_system_id)
                        .map(crate::articles::Article::reference)
                        .unwrap_or_else(|| ArticleRefModel {
                            article_system_id: line.article_system_id,
                            article_number: line.post.article_number.clone().unwrap_or_default(),
                            article_name: String::new(),
                            product_code: String::new(),
                        }),
                    comment: line.post.comment.clone(),
                    advised_number_of_items: line.advised,
                    received_number_of_items: line.received,
                    reported_number_of_items: line.reported,
                    article_items: line
                        .items
                        .iter()
                        .map(|item| ReceivedArticleItemModel {
                            original_article_item_id: item.id,
                            number_of_items: item.number_of_items,
                            in_date: UtcTime(item.in_date),
                            serial: String::new(),
                            case_number: String::new(),
                            batch_number: line.post.batch_number.clone().unwrap_or_default(),
                            container: String::new(),
                            comment: String::new(),
                            weight: None,
                            expiry_date: None,
                            location: "A1".to_owned(),
                            article_item_status: None,
                        })
                        .collect(),
                    sub_purchase_order_lines: None,
                    external_order_line_id: line.post.external_order_line_id.clone(),
                    row_price: line.post.row_price,
                    currency_code: line.post.currency_code.clone(),
                })
                .collect(),
        }
    }
}
