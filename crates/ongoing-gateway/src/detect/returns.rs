//! Customer returns registered on the original order lines: `WmsReturnReceived` with the lines
//! that have unreported returned units and, per line, the items of THIS return with their own
//! cause. Runs only with `settings.returns_to_centra`.
//!
//! Nothing is reported back here. `reportedReturnedNumberOfItems` is set by returns-sync through
//! `AcknowledgeReported` only once Centra has the return; until then every poll builds the same
//! event again (same id: the returned quantities did not change) and the outbox ignores it, so
//! a return is never lost between the two systems and the re-publishing costs one insert.
//!
//! Return orders (`/returnOrders`) are not a second source. A pre-advised return order is only a
//! notice; when the warehouse receives the goods they are registered on the original order
//! lines (`isReturned`, `returnedNumberOfItems`, per-item `returnCause`), which is what this
//! detector reads (ongoing-sim's `/_sim/returns` does the same and fills the matching return
//! order). Reading both would report the same units twice, so the order-line mechanism is the
//! only one, and every unit is counted once by `reportedReturnedNumberOfItems`.
//!
//! Ongoing counts reported returns per line, not per item, so the items of this return are the
//! returned items beyond the reported quantity, oldest return first. The id's fingerprint covers
//! the returned quantity per (line, cause), so a second return on the same order is a new fact.

use chrono::{DateTime, Utc};
use domain::{EventId, quantities_fingerprint};
use proto::events::v1::{ReturnedItem, ReturnedOrderLine, WmsReturnReceived};
use serde_json::json;

use super::report_back::{Found, Published};
use super::shipped::{check_order_status, order_number, order_record};
use super::statuses::StatusTable;
use super::{DetectError, Detector, PollReport};
use crate::client::OngoingError;
use crate::client::models::OrderModel;
use crate::publish::{self, meta, parse_utc, timestamp};
use crate::quantity::items;

/// The returned items beyond the first `reported` units, oldest return first (items without a
/// return date count as oldest); an item straddling the boundary is cut.
fn unreported(mut all: Vec<ReturnedItem>, reported: i64) -> Vec<ReturnedItem> {
    all.sort_by_key(|i| i.returned_at.as_ref().map(|t| (t.seconds, t.nanos)));
    let mut skip = reported;
    let mut out = Vec::new();
    for mut item in all {
        if skip >= item.number_of_items {
            skip -= item.number_of_items;
            continue;
        }
        item.number_of_items -= skip;
        skip = 0;
        out.push(item);
    }
    out
}

/// The return event of `order`, or `None` when no line has unreported returned units.
pub fn return_event(
    warehouse: &str,
    order: &OrderModel,
    now: DateTime<Utc>,
) -> Result<Option<(EventId, WmsReturnReceived)>, OngoingError> {
    let record = order_record(order);
    let number = order_number(order)?;
    let mut lines = Vec::new();
    let mut keys: Vec<(String, u64)> = Vec::new();
    let mut latest: Option<DateTime<Utc>> = None;
    for (index, line) in order.order_lines.iter().enumerate() {
        let field = |n: &str| format!("orderLines[{index}].{n}");
        let returned = items(
            &record,
            &field("returnedNumberOfItems"),
            line.returned_number_of_items,
        )?;
        if returned == 0 {
            // Not in this return's event, so the line cannot make the return incomplete,
            // whatever its article. A returned line without one fails the whole return.
            continue;
        }
        let article_number = line
            .article
            .as_ref()
            .and_then(|a| a.article_number.clone())
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| {
                OngoingError::invalid(&record, field("article.articleNumber"), "missing")
            })?;
        let reported = items(
            &record,
            &field("reportedReturnedNumberOfItems"),
            line.reported_returned_number_of_items,
        )?;
        let mut all_items = Vec::new();
        for (item_index, item) in line
            .picked_article_items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.is_returned)
        {
            let quantity = items(
                &record,
                &field(&format!("pickedArticleItems[{item_index}].numberOfItems")),
                item.number_of_items,
            )?;
            let cause = item.return_cause.clone().unwrap_or_default();
            keys.push((
                format!(
                    "line:{}:cause:{}",
                    line.id,
                    cause.code.clone().unwrap_or_default()
                ),
                u64::try_from(quantity).unwrap_or(0),
            ));
            all_items.push(ReturnedItem {
                number_of_items: quantity,
                cause_code: cause.code.unwrap_or_default(),
                cause_name: cause.name.unwrap_or_default(),
                comment: item.comment.clone().unwrap_or_default(),
                returned_at: parse_utc(item.return_date.as_deref()).map(timestamp),
            });
        }
        if all_items.is_empty() {
            // Returned without item detail: key the quantity by the line alone.
            keys.push((
                format!("line:{}", line.id),
                u64::try_from(returned).unwrap_or(0),
            ));
        }
        if returned <= reported {
            continue;
        }
        let new_items = unreported(all_items, reported);
        for item in &new_items {
            let at = item
                .returned_at
                .as_ref()
                .and_then(|t| DateTime::from_timestamp(t.seconds, 0));
            latest = latest.max(at);
        }
        lines.push(ReturnedOrderLine {
            line_id: line.id,
            row_number: line.row_number.clone().unwrap_or_default(),
            article_number,
            external_id: line.external_id.clone().unwrap_or_default(),
            returned_number_of_items: returned,
            reported_returned_number_of_items: reported,
            items: new_items,
        });
    }
    if lines.is_empty() {
        return Ok(None);
    }
    let pairs = || keys.iter().map(|(k, q)| (k.as_str(), *q));
    let id = EventId::wms_return(warehouse, &number, pairs());
    let returned_at = latest.unwrap_or(now);
    let event = WmsReturnReceived {
        meta: Some(meta(&id, warehouse, returned_at)),
        warehouse: warehouse.to_owned(),
        return_id: format!(
            "{}:{}",
            order.order_info.order_id,
            quantities_fingerprint(pairs())
        ),
        order_id: order.order_info.order_id,
        order_number: number,
        return_order_id: 0,
        returned_at: Some(timestamp(returned_at)),
        lines,
    };
    Ok(Some((id, event)))
}

impl Detector {
    /// Orders with returned lines to report (no clock involved, so no backstop cursor).
    pub(super) async fn returned_items(
        &self,
        table: &StatusTable,
    ) -> Result<PollReport, DetectError> {
        let mut report = PollReport::default();
        // A page at a time, as the shipped orders (see `shipped_orders`).
        let filter = [(
            "onlyOrdersWithOrderLinesToReportReturned",
            "true".to_owned(),
        )];
        let mut orders = self.client.order_pages(&filter);
        while let Some(page) = orders.next().await? {
            report.dead_lettered += self.reject(&page.rejected).await?;
            for order in &page.records {
                report.add(self.handle_return(order, table).await?);
            }
        }
        Ok(report)
    }

    async fn handle_return(
        &self,
        order: &OrderModel,
        table: &StatusTable,
    ) -> Result<PollReport, DetectError> {
        let warehouse = &self.settings.warehouse;
        let event = check_order_status(table, order)
            .and_then(|()| return_event(warehouse, order, Utc::now()));
        let (report, _) = self
            .publish_found(Found {
                kind: "return",
                record: order_record(order),
                payload: json!({"orderId": order.order_info.order_id,
                            "orderNumber": order.order_info.order_number}),
                subject: publish::return_received_subject(warehouse),
                event,
            })
            .await?;
        Ok(report)
    }
}

impl Published for WmsReturnReceived {
    const PUBLISHED: &'static str = "return received";

    fn record(&self) -> String {
        format!("order {}", self.order_number)
    }
}
