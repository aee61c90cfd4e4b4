//! Received purchase orders: `WmsPurchaseOrderReceived` once the status is in the configured
//! received set, with per-line received quantities; then the received quantities are reported
//! back. The id's fingerprint covers every line's received quantity, so a further receipt on
//! the same purchase order is a new fact.

use chrono::{DateTime, Utc};
use domain::EventId;
use domain::settings::WmsStatusMapping;
use proto::events::v1::{ReceivedLine, WmsPurchaseOrderReceived};
use serde_json::json;

use super::report_back::{Found, Published, ReportedBack};
use super::statuses::{PURCHASE_ORDER_STATUS_FIELD, StatusTable};
use super::{DetectError, Detector, FIRST_LOOKBACK, PollReport, cursor};
use crate::client::models::PurchaseOrderModel;
use crate::client::{OngoingClient, OngoingError};
use crate::publish::{self, meta, timestamp};
use crate::quantity::line_items;

const CURSOR: &str = "purchase_orders.status_changed";

fn record(po: &PurchaseOrderModel) -> String {
    match po.purchase_order_info.purchase_order_number.as_deref() {
        Some(number) if !number.trim().is_empty() => format!("purchase order {number}"),
        _ => format!(
            "purchase order id {}",
            po.purchase_order_info.purchase_order_id
        ),
    }
}

/// The received event of `po`, or `None` while its status is not a received one.
pub fn received_event(
    warehouse: &str,
    po: &PurchaseOrderModel,
    statuses: &WmsStatusMapping,
    now: DateTime<Utc>,
) -> Result<Option<(EventId, WmsPurchaseOrderReceived)>, OngoingError> {
    let name = record(po);
    let info = &po.purchase_order_info;
    let status = info
        .purchase_order_status
        .as_ref()
        .and_then(|s| s.number)
        .ok_or_else(|| {
            OngoingError::invalid(
                &name,
                "purchaseOrderInfo.purchaseOrderStatus.number",
                "missing",
            )
        })?;
    let status = u32::try_from(status).map_err(|_| {
        OngoingError::invalid(
            &name,
            "purchaseOrderInfo.purchaseOrderStatus.number",
            format!("{status} is not a status number"),
        )
    })?;
    if !statuses.is_purchase_order_received(status) {
        return Ok(None);
    }
    let number = info
        .purchase_order_number
        .clone()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| {
            OngoingError::invalid(&name, "purchaseOrderInfo.purchaseOrderNumber", "missing")
        })?;
    let mut lines = Vec::new();
    // As for shipped orders, one bad line fails the whole purchase order: no half receipt.
    for (index, line) in po.purchase_order_lines.iter().enumerate() {
        let field = |n: &str| format!("purchaseOrderLines[{index}].{n}");
        let article_number = line
            .article
            .as_ref()
            .and_then(|a| a.article_number.clone())
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| {
                OngoingError::invalid(&name, field("article.articleNumber"), "missing")
            })?;
        lines.push(ReceivedLine {
            line_id: line.id,
            row_number: line.row_number.clone().unwrap_or_default(),
            article_number,
            external_line_id: line.external_order_line_id.clone().unwrap_or_default(),
            advised_number_of_items: line_items(
                &name,
                &field("advisedNumberOfItems"),
                line.advised_number_of_items,
            )?,
            received_number_of_items: line_items(
                &name,
                &field("receivedNumberOfItems"),
                line.received_number_of_items,
            )?,
            reported_number_of_items: line_items(
                &name,
                &field("reportedNumberOfItems"),
                line.reported_number_of_items,
            )?,
        });
    }
    let keys: Vec<(String, u64)> = lines
        .iter()
        .map(|l| {
            (
                format!("line:{}", l.line_id),
                u64::try_from(l.received_number_of_items).unwrap_or(0),
            )
        })
        .collect();
    let id = EventId::wms_purchase_order_received(
        warehouse,
        &number,
        keys.iter().map(|(k, q)| (k.as_str(), *q)),
    );
    let event = WmsPurchaseOrderReceived {
        meta: Some(meta(&id, warehouse, now)),
        warehouse: warehouse.to_owned(),
        purchase_order_id: info.purchase_order_id,
        purchase_order_number: number,
        status_code: i32::try_from(status).unwrap_or(i32::MAX),
        received_at: Some(timestamp(now)),
        lines,
    };
    Ok(Some((id, event)))
}

impl Detector {
    /// Purchase orders with lines to report, then the backstop over recent status changes.
    pub(super) async fn received_purchase_orders(
        &self,
        started: DateTime<Utc>,
        table: &StatusTable,
    ) -> Result<PollReport, DetectError> {
        let mut report = PollReport::default();
        // A page at a time, as the shipped orders (see `shipped_orders`).
        let filter = [(
            "onlyPurchaseOrdersWithOrderLinesToReport",
            "true".to_owned(),
        )];
        let mut to_report = self.client.purchase_order_pages(&filter);
        while let Some(page) = to_report.next().await? {
            report.dead_lettered += self.reject(&page.rejected).await?;
            for po in &page.records {
                report.add(self.handle_received(po, table).await?);
            }
        }
        let since = cursor::load(&self.store, CURSOR)
            .await?
            .unwrap_or_else(|| started - FIRST_LOOKBACK);
        let filter = [("purchaseOrderStatusChangedTimeFrom", self.since(since))];
        let mut changed = self.client.purchase_order_pages(&filter);
        while let Some(page) = changed.next().await? {
            report.dead_lettered += self.reject(&page.rejected).await?;
            for po in &page.records {
                report.add(self.handle_received(po, table).await?);
            }
        }
        cursor::save(&self.store, CURSOR, started).await?;
        Ok(report)
    }

    async fn handle_received(
        &self,
        po: &PurchaseOrderModel,
        table: &StatusTable,
    ) -> Result<PollReport, DetectError> {
        let warehouse = &self.settings.warehouse;
        let name = record(po);
        let info = &po.purchase_order_info;
        let event = table
            .check(
                &name,
                PURCHASE_ORDER_STATUS_FIELD,
                info.purchase_order_status.as_ref().and_then(|s| s.number),
            )
            .and_then(|()| received_event(warehouse, po, &self.settings.statuses, Utc::now()));
        self.publish_then_report(Found {
            kind: "purchase_order",
            record: name,
            payload: json!({"purchaseOrderId": info.purchase_order_id,
                            "purchaseOrderNumber": info.purchase_order_number}),
            subject: publish::purchase_order_received_subject(warehouse),
            event,
        })
        .await
    }
}

impl Published for WmsPurchaseOrderReceived {
    const PUBLISHED: &'static str = "purchase order received";

    fn record(&self) -> String {
        format!("purchase order {}", self.purchase_order_number)
    }
}

impl ReportedBack for WmsPurchaseOrderReceived {
    const QUANTITY: &'static str = "received";

    fn call_record(&self) -> String {
        platform_http::calls::record::purchase_order(&self.purchase_order_number)
    }

    fn lines_to_report(&self) -> Vec<(i64, i64)> {
        self.lines
            .iter()
            .filter(|l| l.received_number_of_items != l.reported_number_of_items)
            .map(|l| (l.line_id, l.received_number_of_items))
            .collect()
    }

    async fn report(
        &self,
        client: &OngoingClient,
        line_id: i64,
        quantity: i64,
    ) -> Result<(), OngoingError> {
        client
            .report_purchase_order_line(self.purchase_order_id, line_id, quantity)
            .await
    }
}
