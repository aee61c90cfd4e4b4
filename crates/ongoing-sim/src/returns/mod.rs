//! Customer returns, both ways Ongoing has them (ongoing-rest-api.md §6):
//! - (a) return orders (`PUT/GET /returnOrders`, an RMA pre-advice);
//! - (b) returns registered on the original order lines (`returnedNumberOfItems`,
//!   `pickedArticleItems[].isReturned/returnCause`), driven by `POST /_sim/returns`.
//!
//! Layout: `model.rs` JSON models; this file the records; `register.rs` the warehouse side
//! of a return; `handlers.rs` the HTTP handlers.

pub(crate) mod handlers;
mod model;
pub(crate) mod register;

use chrono::{DateTime, Utc};

use crate::config::status_of;
use crate::models::{ArticleRefModel, CodeNamePair};
use crate::state::{Sim, Store, next};
use crate::time::{OngoingDate, UtcTime};

pub(crate) use model::{
    CustomerOrderInfoModel, CustomerOrderLineRefModel, GetReturnOrderInfoModel,
    GetReturnOrderLineModel, GetReturnOrderModel, PostReturnOrderModel, ReturnCauseModel,
    ReturnedArticleItemModel,
};

/// A return cause the warehouse knows (`returnCauses[]`).
pub(crate) type ReturnCauseRecord = ReturnCauseModel;

/// One return registered on an original order line (shown in `/_sim/state`).
#[derive(Debug, Clone)]
pub(crate) struct ReturnRecord {
    pub order_id: i64,
    pub order_number: String,
    pub order_line_id: i64,
    pub article_number: String,
    pub returned: f64,
    pub cause: Option<CodeNamePair>,
    pub returned_at: DateTime<Utc>,
    pub article_item_id: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct ReturnOrder {
    pub return_order_id: i64,
    pub return_order_number: String,
    pub order_id: i64,
    pub header: PostReturnOrderModel,
    pub status: i32,
    pub created: DateTime<Utc>,
    pub goods_returned: Option<DateTime<Utc>>,
    pub lines: Vec<ReturnOrderLine>,
    pub created_count: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct ReturnOrderLine {
    pub id: i64,
    pub row_number: String,
    pub order_line_id: i64,
    pub article_system_id: i64,
    pub to_be_returned: f64,
    pub returned: f64,
    pub return_cause: Option<CodeNamePair>,
    pub items: Vec<ReturnedItem>,
}

#[derive(Debug, Clone)]
pub(crate) struct ReturnedItem {
    pub number_of_items: f64,
    pub return_time: DateTime<Utc>,
    pub return_cause: Option<CodeNamePair>,
    pub comment: Option<String>,
}

/// Causes a fresh instance knows; `/_sim/returns` adds any other code it is given.
pub(crate) fn seed_return_causes(store: &mut Store) {
    for (code, name) in [
        ("SIZE", "Wrong size"),
        ("DAMAGED", "Damaged"),
        ("REGRET", "Changed mind"),
    ] {
        ensure_cause(store, code, name);
    }
}

/// The cause `code`, registered first if new.
pub(crate) fn ensure_cause(store: &mut Store, code: &str, name: &str) -> i64 {
    if let Some(cause) = store.return_causes.iter().find(|c| c.code == code) {
        return cause.id;
    }
    let id = next(&mut store.ids.return_cause);
    store.return_causes.push(ReturnCauseModel {
        id,
        code: code.to_owned(),
        name: name.to_owned(),
        is_remove_cause: false,
        is_change_cause: false,
        is_return_comment_mandatory: false,
    });
    id
}

impl ReturnOrder {
    pub(crate) fn to_model(&self, sim: &Sim, store: &Store) -> GetReturnOrderModel {
        let order = store.orders.get(&self.order_id);
        GetReturnOrderModel {
            return_order_info: GetReturnOrderInfoModel {
                return_order_id: self.return_order_id,
                return_order_number: self.return_order_number.clone(),
                return_order_status: status_of(&sim.config.return_order_statuses, self.status),
                in_date: self.header.in_date.as_deref().and_then(OngoingDate::parse),
                comment: self.header.comment.clone(),
                created_date: UtcTime(self.created),
                goods_returned_date: self.goods_returned.map(UtcTime),
                tracking: self.header.tracking.clone().unwrap_or_default(),
            },
            customer_order_info: CustomerOrderInfoModel {
                order_id: self.order_id,
                order_number: order.map(|o| o.order_number.clone()).unwrap_or_default(),
            },
            return_order_lines: self
                .lines
                .iter()
                .map(|line| GetReturnOrderLineModel {
                    return_order_line_id: line.id,
                    return_order_row_number: line.row_number.clone(),
                    customer_order_line: CustomerOrderLineRefModel {
                        order_line_id: Some(line.order_line_id),
                    },
                    article: store
                        .articles
                        .get(&line.article_system_id)
                        .map(crate::articles::Article::reference)
                        .unwrap_or_else(|| ArticleRefModel {
                            article_system_id: line.article_system_id,
                            article_number: String::new(),
                            article_name: String::new(),
                            product_code: String::new(),
                        }),
                    return_cause: line.return_cause.clone(),
                    returned_number_of_items: line.returned,
                    picked_number_of_items: order
                        .and_then(|o| o.lines.iter().find(|l| l.id == line.order_line_id))
                        .map(|l| l.picked)
                        .unwrap_or_default(),
                    to_be_returned_number_of_items: line.to_be_returned,
                    returned_removed_by_inventory_number_of_items: 0.0,
                    returned_article_items: line
                        .items
                        .iter()
                        .map(|item| ReturnedArticleItemModel {
                            number_of_items: item.number_of_items,
                            serial: String::new(),
                            batch: String::new(),
                            return_time: UtcTime(item.return_time),
                            return_comment: item.comment.clone(),
                            return_cause: item.return_cause.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
