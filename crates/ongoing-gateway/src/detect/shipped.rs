//! Shipped orders: `WmsOrderShipped` once an order's status is in the configured shipped (or
//! delivered) set, with per-line picked quantities, every tracking number and parcel, and the
//! transporter.
//!
//! The event id is the domain's `wms:<warehouse>:order:<number>:shipped:<fingerprint>`, the
//! fingerprint taken over the picked quantity of every line AND every tracking and parcel
//! number: a further partial pick, or tracking the shipping platform writes after the order
//! was reported, is a new fact with a new id; the same state read twice is the same id.

use chrono::{DateTime, Utc};
use domain::EventId;
use domain::settings::WmsStatusMapping;
use proto::events::v1::{Parcel, ShippedLine, Tracking, Transporter, WmsOrderShipped};
use serde_json::json;

use super::report_back::{Found, Published, ReportedBack};
use super::statuses::{ORDER_STATUS_FIELD, StatusTable};
use super::{DetectError, Detector, FIRST_LOOKBACK, PollReport, cursor};
use crate::client::models::OrderModel;
use crate::client::{OngoingClient, OngoingError};
use crate::publish::{self, meta, parse_utc, timestamp};
use crate::quantity::line_items;

const CURSOR: &str = "orders.updated";

/// How an order is named in errors: its number, else its id.
pub(crate) fn order_record(order: &OrderModel) -> String {
    match order.order_info.order_number.as_deref() {
        Some(number) if !number.trim().is_empty() => format!("order {number}"),
        _ => format!("order id {}", order.order_info.order_id),
    }
}

pub(crate) fn order_number(order: &OrderModel) -> Result<String, OngoingError> {
    order
        .order_info
        .order_number
        .clone()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| {
            OngoingError::invalid(order_record(order), "orderInfo.orderNumber", "missing")
        })
}

pub(crate) fn status_number(order: &OrderModel) -> Result<u32, OngoingError> {
    let number = order
        .order_info
        .order_status
        .as_ref()
        .and_then(|s| s.number)
        .ok_or_else(|| {
            OngoingError::invalid(
                order_record(order),
                "orderInfo.orderStatus.number",
                "missing",
            )
        })?;
    u32::try_from(number).map_err(|_| {
        OngoingError::invalid(
            order_record(order),
            "orderInfo.orderStatus.number",
            format!("{number} is not a status number"),
        )
    })
}

fn present(value: Option<&String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Every shipment number: `orderInfo.wayBill` first, then `tracking[]`, then the return ones,
/// without duplicates.
fn tracking_numbers(order: &OrderModel) -> Vec<Tracking> {
    let mut out: Vec<Tracking> = Vec::new();
    let mut push = |number: Option<String>, url: Option<String>, is_return: bool| {
        let Some(number) = number else { return };
        if let Some(existing) = out.iter_mut().find(|t| t.number == number) {
            if existing.url.is_empty() {
                existing.url = url.unwrap_or_default();
            }
            return;
        }
        out.push(Tracking {
            number,
            url: url.unwrap_or_default(),
            is_return,
        });
    };
    push(present(order.order_info.way_bill.as_ref()), None, false);
    for entry in &order.tracking {
        push(
            present(entry.waybill.as_ref()),
            present(entry.tracking_url.as_ref()),
            false,
        );
    }
    push(
        present(order.order_info.return_way_bill.as_ref()),
        None,
        true,
    );
    for entry in &order.return_tracking {
        push(
            present(entry.waybill.as_ref()),
            present(entry.tracking_url.as_ref()),
            true,
        );
    }
    out
}

/// The shipped event of `order`, or `None` while its status is not shipped. Bad input (no
/// order number or status, a line without article, a negative quantity) is an error naming
/// the record and the field.
pub fn shipped_event(
    warehouse: &str,
    order: &OrderModel,
    statuses: &WmsStatusMapping,
    now: DateTime<Utc>,
) -> Result<Option<(EventId, WmsOrderShipped)>, OngoingError> {
    let record = order_record(order);
    let status = status_number(order)?;
    if !statuses.is_shipped(status) {
        return Ok(None);
    }
    let number = order_number(order)?;
    let mut lines = Vec::with_capacity(order.order_lines.len());
    // One bad line (no article, a negative or fractional quantity) fails the WHOLE order: a
    // shipped event without that line would tell Centra the order shipped short, and the
    // reported quantities of the good lines would stop Ongoing listing it. The order stays
    // unreported and dead-lettered until someone fixes it; the other orders flow.
    for (index, line) in order.order_lines.iter().enumerate() {
        let field = |name: &str| format!("orderLines[{index}].{name}");
        let article_number = line
            .article
            .as_ref()
            .and_then(|a| present(a.article_number.as_ref()))
            .ok_or_else(|| {
                OngoingError::invalid(&record, field("article.articleNumber"), "missing")
            })?;
        lines.push(ShippedLine {
            line_id: line.id,
            row_number: line.row_number.clone().unwrap_or_default(),
            article_number,
            external_id: line.external_id.clone().unwrap_or_default(),
            ordered_number_of_items: line_items(
                &record,
                &field("orderedNumberOfItems"),
                line.ordered_number_of_items,
            )?,
            picked_number_of_items: line_items(
                &record,
                &field("pickedNumberOfItems"),
                line.picked_number_of_items,
            )?,
            reported_number_of_items: line_items(
                &record,
                &field("reportedNumberOfItems"),
                line.reported_number_of_items,
            )?,
        });
    }
    let tracking = tracking_numbers(order);
    let parcels: Vec<Parcel> = order
        .parcels
        .iter()
        .map(|p| Parcel {
            parcel_number: p.parcel_number.clone().unwrap_or_default(),
            tracking_url: p
                .tracking
                .as_ref()
                .and_then(|t| t.tracking_url.clone())
                .unwrap_or_default(),
            is_return: p.is_return_parcel,
        })
        .collect();

    let line_keys: Vec<(String, u64)> = lines
        .iter()
        .map(|l| {
            (
                format!("line:{}", l.line_id),
                u64::try_from(l.picked_number_of_items).unwrap_or(0),
            )
        })
        .chain(
            tracking
                .iter()
                .map(|t| (format!("tracking:{}", t.number), 1)),
        )
        .chain(
            parcels
                .iter()
                .map(|p| (format!("parcel:{}", p.parcel_number), 1)),
        )
        .collect();
    let id = EventId::wms_order_shipped(
        warehouse,
        &number,
        line_keys.iter().map(|(k, q)| (k.as_str(), *q)),
    );
    let shipped_at = parse_utc(order.order_info.shipped_time.as_deref()).unwrap_or(now);
    let event = WmsOrderShipped {
        meta: Some(meta(&id, warehouse, shipped_at)),
        warehouse: warehouse.to_owned(),
        order_id: order.order_info.order_id,
        order_number: number,
        status_code: i32::try_from(status).unwrap_or(i32::MAX),
        shipped_at: Some(timestamp(shipped_at)),
        transporter: order.transporter.as_ref().map(|t| Transporter {
            transporter_code: t.code.clone().unwrap_or_default(),
            service_code: t.service_code.clone().unwrap_or_default(),
        }),
        tracking,
        parcels,
        lines,
    };
    Ok(Some((id, event)))
}

impl Detector {
    /// Orders with lines to report, then the backstop over recently updated orders.
    pub(super) async fn shipped_orders(
        &self,
        started: DateTime<Utc>,
        table: &StatusTable,
    ) -> Result<PollReport, DetectError> {
        let mut report = PollReport::default();
        // A page at a time: reporting an order takes it off this list, but the id cursor
        // does not move back, so no order is skipped.
        let filter = [("onlyOrdersWithOrderLinesToReport", "true".to_owned())];
        let mut to_report = self.client.order_pages(&filter);
        while let Some(page) = to_report.next().await? {
            report.dead_lettered += self.reject(&page.rejected).await?;
            for order in &page.records {
                report.add(self.handle_shipped(order, table).await?);
            }
        }

        let since = cursor::load(&self.store, CURSOR)
            .await?
            .unwrap_or_else(|| started - FIRST_LOOKBACK);
        let lowest_shipped = self
            .settings
            .statuses
            .order_shipped
            .iter()
            .chain(&self.settings.statuses.order_delivered)
            .min()
            .copied()
            .unwrap_or(0);
        let filter = [
            ("orderUpdatedTimeFrom", self.since(since)),
            ("orderStatusFrom", lowest_shipped.to_string()),
        ];
        let mut updated = self.client.order_pages(&filter);
        while let Some(page) = updated.next().await? {
            report.dead_lettered += self.reject(&page.rejected).await?;
            for order in &page.records {
                report.add(self.handle_shipped(order, table).await?);
            }
        }
        cursor::save(&self.store, CURSOR, started).await?;
        Ok(report)
    }

    /// Publishes the order's shipped event (commit first), then reports its picked quantities.
    async fn handle_shipped(
        &self,
        order: &OrderModel,
        table: &StatusTable,
    ) -> Result<PollReport, DetectError> {
        let warehouse = &self.settings.warehouse;
        let record = order_record(order);
        let event = check_order_status(table, order)
            .and_then(|()| shipped_event(warehouse, order, &self.settings.statuses, Utc::now()));
        self.publish_then_report(Found {
            kind: "order",
            record,
            payload: json!({"orderId": order.order_info.order_id,
                            "orderNumber": order.order_info.order_number}),
            subject: publish::order_shipped_subject(warehouse),
            event,
        })
        .await
    }
}

/// Refuses an order whose status number this warehouse does not have.
pub(crate) fn check_order_status(
    table: &StatusTable,
    order: &OrderModel,
) -> Result<(), OngoingError> {
    table.check(
        &order_record(order),
        ORDER_STATUS_FIELD,
        order
            .order_info
            .order_status
            .as_ref()
            .and_then(|s| s.number),
    )
}

impl Published for WmsOrderShipped {
    const PUBLISHED: &'static str = "order shipped";

    fn record(&self) -> String {
        format!("order {}", self.order_number)
    }
}

impl ReportedBack for WmsOrderShipped {
    const QUANTITY: &'static str = "picked";

    fn call_record(&self) -> String {
        platform_http::calls::record::order(&self.order_number)
    }

    fn lines_to_report(&self) -> Vec<(i64, i64)> {
        self.lines
            .iter()
            .filter(|l| l.picked_number_of_items != l.reported_number_of_items)
            .map(|l| (l.line_id, l.picked_number_of_items))
            .collect()
    }

    async fn report(
        &self,
        client: &OngoingClient,
        line_id: i64,
        quantity: i64,
    ) -> Result<(), OngoingError> {
        client
            .report_order_line(self.order_id, line_id, quantity)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(value: serde_json::Value) -> OrderModel {
        serde_json::from_value(value).expect("order model")
    }

    fn shipped_with_lines(lines: &serde_json::Value) -> OrderModel {
        order(json!({
            "orderInfo": {"orderId": 7, "orderNumber": "O-7", "orderStatus": {"number": 450},
                          "wayBill": "W1"},
            "orderLines": lines,
            "tracking": [{"waybill": "W1", "trackingUrl": "https://t/W1"}, {"waybill": "W2"}],
            "returnTracking": [{"waybill": "R1"}]
        }))
    }

    #[test]
    fn bad_records_name_the_field() {
        let statuses = WmsStatusMapping::default();
        let no_status = order(json!({"orderInfo": {"orderId": 7, "orderNumber": "O-7"}}));
        let err = shipped_event("sandbox", &no_status, &statuses, Utc::now()).expect_err("bad");
        assert_eq!(
            err.to_string(),
            "order O-7: field orderInfo.orderStatus.number: missing"
        );

        let no_article = shipped_with_lines(&json!([{"id": 1, "pickedNumberOfItems": 1}]));
        let err = shipped_event("sandbox", &no_article, &statuses, Utc::now()).expect_err("bad");
        assert_eq!(
            err.to_string(),
            "order O-7: field orderLines[0].article.articleNumber: missing"
        );

        let negative = shipped_with_lines(&json!([
            {"id": 1, "article": {"articleNumber": "A"}, "pickedNumberOfItems": -2}
        ]));
        let err = shipped_event("sandbox", &negative, &statuses, Utc::now()).expect_err("bad");
        assert_eq!(
            err.to_string(),
            "order O-7: field orderLines[0].pickedNumberOfItems: negative quantity -2"
        );
    }

    #[test]
    fn statuses_are_matched_by_number_through_the_mapping() {
        let picked = order(json!({"orderInfo": {"orderId": 7, "orderNumber": "O-7",
            "orderStatus": {"number": 400, "text": "Skickad"}}}));
        let default = WmsStatusMapping::default();
        assert!(
            shipped_event("sandbox", &picked, &default, Utc::now())
                .expect("ok")
                .is_none()
        );
        let picked_is_shipped_here = WmsStatusMapping {
            order_shipped: vec![400],
            ..WmsStatusMapping::default()
        };
        assert!(
            shipped_event("sandbox", &picked, &picked_is_shipped_here, Utc::now())
                .expect("ok")
                .is_some()
        );
    }

    #[test]
    fn every_tracking_number_once_outbound_first() {
        let shipped = shipped_with_lines(&json!([
            {"id": 1, "article": {"articleNumber": "A"}, "pickedNumberOfItems": 1}
        ]));
        let (_, event) = shipped_event(
            "sandbox",
            &shipped,
            &WmsStatusMapping::default(),
            Utc::now(),
        )
        .expect("ok")
        .expect("shipped");
        let numbers: Vec<(&str, &str, bool)> = event
            .tracking
            .iter()
            .map(|t| (t.number.as_str(), t.url.as_str(), t.is_return))
            .collect();
        assert_eq!(
            numbers,
            [
                ("W1", "https://t/W1", false),
                ("W2", "", false),
                ("R1", "", true)
            ]
        );
    }
}
