//! The `GET /orders` query (ongoing-rest-api.md §4.1): status range, changed-since times,
//! report-back flags and the ID cursor. Time filters are inclusive (`>= from`, `<= to`).

use chrono::{DateTime, Utc};

use super::Order;
use crate::error::ApiError;
use crate::query::{Cursor, QueryParams};
use crate::state::Store;

#[derive(Debug, Clone, Default)]
pub(crate) struct OrderQuery {
    pub cursor: Cursor,
    order_numbers: Vec<String>,
    reference_numbers: Vec<String>,
    article_numbers: Vec<String>,
    goods_owner_order_id: Option<String>,
    status_from: Option<i64>,
    status_to: Option<i64>,
    status_changed_from: Option<DateTime<Utc>>,
    updated_from: Option<DateTime<Utc>>,
    created_from: Option<DateTime<Utc>>,
    created_to: Option<DateTime<Utc>>,
    shipped_from: Option<DateTime<Utc>>,
    shipped_to: Option<DateTime<Utc>>,
    last_returned_from: Option<DateTime<Utc>>,
    last_picking_from: Option<DateTime<Utc>>,
    only_to_report: bool,
    only_to_report_returned: bool,
}

fn within(
    time: Option<DateTime<Utc>>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> bool {
    if from.is_none() && to.is_none() {
        return true;
    }
    time.is_some_and(|t| from.is_none_or(|from| t >= from) && to.is_none_or(|to| t <= to))
}

impl OrderQuery {
    pub(crate) fn read(query: &QueryParams) -> Result<Self, ApiError> {
        let owned = |values: Vec<&str>| values.into_iter().map(str::to_owned).collect::<Vec<_>>();
        let mut order_numbers = owned(query.all("orderNumbers"));
        order_numbers.extend(query.first("orderNumber").map(str::to_owned));
        Ok(Self {
            cursor: Cursor::read(query, "orderIdFrom", "maxOrdersToGet")?,
            order_numbers,
            reference_numbers: owned(query.all("referenceNumbers")),
            article_numbers: owned(query.all("articleNumbers")),
            goods_owner_order_id: query.first("goodsOwnerOrderId").map(str::to_owned),
            status_from: query.int("orderStatusFrom")?,
            status_to: query.int("orderStatusTo")?,
            status_changed_from: query.time("orderStatusChangedTimeFrom")?,
            updated_from: query.time("orderUpdatedTimeFrom")?,
            created_from: query.time("orderCreatedTimeFrom")?,
            created_to: query.time("orderCreatedTimeTo")?,
            shipped_from: query.time("shippedTimeFrom")?,
            shipped_to: query.time("shippedTimeTo")?,
            last_returned_from: query.time("lastReturnedFrom")?,
            last_picking_from: query.time("lastPickingTimeFrom")?,
            only_to_report: query.flag("onlyOrdersWithOrderLinesToReport")?,
            only_to_report_returned: query.flag("onlyOrdersWithOrderLinesToReportReturned")?,
        })
    }

    pub(crate) fn matches(&self, order: &Order, store: &Store) -> bool {
        let status = i64::from(order.status);
        (self.order_numbers.is_empty() || self.order_numbers.contains(&order.order_number))
            && (self.reference_numbers.is_empty()
                || order
                    .header
                    .reference_number
                    .as_ref()
                    .is_some_and(|r| self.reference_numbers.contains(r)))
            && (self.article_numbers.is_empty()
                || order.lines.iter().any(|line| {
                    store
                        .articles
                        .get(&line.article_system_id)
                        .is_some_and(|a| self.article_numbers.iter().any(|n| n == a.number()))
                }))
            && self
                .goods_owner_order_id
                .as_ref()
                .is_none_or(|id| order.header.goods_owner_order_id.as_ref() == Some(id))
            && self.status_from.is_none_or(|from| status >= from)
            && self.status_to.is_none_or(|to| status <= to)
            && within(Some(order.status_changed), self.status_changed_from, None)
            && within(Some(order.updated), self.updated_from, None)
            && within(Some(order.created), self.created_from, self.created_to)
            && within(order.shipped, self.shipped_from, self.shipped_to)
            && within(order.last_returned, self.last_returned_from, None)
            && within(order.last_picked, self.last_picking_from, None)
            && (!self.only_to_report || order.has_lines_to_report())
            && (!self.only_to_report_returned || order.has_returned_lines_to_report())
    }
}
