//! Shipped orders: `WmsOrderShipped` for every order whose status is `shipped` (or later
//! `returned`), with its lines, tracking number and URL, and its shipping code.
//!
//! OGOship v1 reports no picked quantity per line: a shipped order's lines count as picked in
//! full. Line ids are the 1-based positions we sent; row number and external id come from what
//! we sent (`handles::lines`). The event id is the domain's
//! `wms:<warehouse>:order:<reference>:shipped:<fingerprint>` over the picked quantities AND
//! the tracking number and URL: tracking written later is a new fact with a new id; the same
//! state read twice is the same id.

use chrono::Utc;
use domain::EventId;
use proto::events::v1::{ShippedLine, Tracking, Transporter, WmsOrderShipped};
use serde_json::json;

use super::{DetectError, Detector, FIRST_LOOKBACK, PollReport, count};
use crate::client::OgoshipError;
use crate::client::models::OrderResponse;
use crate::client::resources::ORDERS;
use crate::handles::{self, ORDER, REPORTED_PICKED, SentLine};
use crate::publish::{self, meta, parse_time, timestamp};

const CURSOR: &str = "orders.modified";

/// OGOship statuses as numbers for `status_code`: their place in the documented enum (§5),
/// 0 for a status not in it.
pub fn status_code(status: &str) -> i32 {
    const ORDER: [&str; 9] = [
        "draft",
        "new",
        "pending",
        "reserved",
        "locked",
        "collecting",
        "shipped",
        "cancelled",
        "returned",
    ];
    ORDER
        .iter()
        .position(|s| s.eq_ignore_ascii_case(status.trim()))
        .and_then(|p| i32::try_from(p + 1).ok())
        .unwrap_or(0)
}

fn is_shipped(order: &OrderResponse) -> bool {
    let status = order.status.as_deref().unwrap_or_default().trim();
    status.eq_ignore_ascii_case("shipped") || status.eq_ignore_ascii_case("returned")
}

pub(crate) fn reference(order: &OrderResponse) -> Result<String, OgoshipError> {
    order
        .reference
        .clone()
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| {
            OgoshipError::invalid(
                format!("order id {}", order.id.as_deref().unwrap_or("?")),
                "reference",
                "missing",
            )
        })
}

/// The event of shipped `order` (`order_id` its handle, `sent` the lines as we sent them,
/// `reported` the acknowledged quantities per line id).
pub fn shipped_event(
    warehouse: &str,
    order: &OrderResponse,
    order_id: i64,
    sent: &[SentLine],
    reported: &[(i64, i64)],
) -> Result<(EventId, WmsOrderShipped), OgoshipError> {
    let number = reference(order)?;
    let record = format!("order {number}");
    let mut lines = Vec::with_capacity(order.order_lines.len());
    for (index, line) in order.order_lines.iter().enumerate() {
        let field = |n: &str| format!("orderLines[{index}].{n}");
        let code = line
            .code
            .clone()
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| OgoshipError::invalid(&record, field("code"), "missing"))?;
        let quantity = count(&record, &field("quantity"), line.quantity)?;
        let line_id = i64::try_from(index).unwrap_or(i64::MAX - 1) + 1;
        let ours = sent
            .iter()
            .find(|s| s.line_id == line_id && s.article_number == code);
        lines.push(ShippedLine {
            line_id,
            row_number: ours.map_or_else(|| line_id.to_string(), |s| s.row_number.clone()),
            article_number: code,
            external_id: ours.map(|s| s.external_id.clone()).unwrap_or_default(),
            ordered_number_of_items: quantity,
            picked_number_of_items: quantity,
            reported_number_of_items: reported
                .iter()
                .find(|(id, _)| *id == line_id)
                .map_or(0, |(_, q)| *q),
        });
    }
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_owned();
    let tracking_number = text(&order.tracking_number);
    let tracking_url = text(&order.tracking_url);
    let tracking: Vec<Tracking> = (!tracking_number.is_empty() || !tracking_url.is_empty())
        .then(|| Tracking {
            number: tracking_number.clone(),
            url: tracking_url.clone(),
            is_return: false,
        })
        .into_iter()
        .collect();
    let keys: Vec<(String, u64)> = lines
        .iter()
        .map(|l| {
            (
                format!("line:{}", l.line_id),
                u64::try_from(l.picked_number_of_items).unwrap_or(0),
            )
        })
        .chain((!tracking_number.is_empty()).then(|| (format!("tracking:{tracking_number}"), 1)))
        .chain((!tracking_url.is_empty()).then(|| (format!("url:{tracking_url}"), 1)))
        .collect();
    let id = EventId::wms_order_shipped(
        warehouse,
        &number,
        keys.iter().map(|(k, q)| (k.as_str(), *q)),
    );
    let shipped_at = parse_time(order.edit_time.as_deref()).unwrap_or_else(Utc::now);
    let event = WmsOrderShipped {
        meta: Some(meta(&id, warehouse, shipped_at)),
        warehouse: warehouse.to_owned(),
        order_id,
        order_number: number,
        status_code: status_code(order.status.as_deref().unwrap_or_default()),
        shipped_at: Some(timestamp(shipped_at)),
        transporter: order
            .shipping_code
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .map(|code| Transporter {
                transporter_code: code.trim().to_owned(),
                service_code: String::new(),
            }),
        tracking,
        parcels: Vec::new(),
        lines,
    };
    Ok((id, event))
}

impl Detector {
    /// Orders modified since the cursor; the shipped ones are published.
    pub(super) async fn shipped_orders(&self) -> Result<PollReport, DetectError> {
        let mut report = PollReport::default();
        let first = chrono::Duration::from_std(FIRST_LOOKBACK)
            .ok()
            .map(|back| Utc::now() - back);
        let (_, filters) = self.since(CURSOR, first).await?;
        let orders = self.client.all::<OrderResponse>(ORDERS, &filters).await?;
        report.dead_lettered += self.reject(&orders.rejected).await?;
        for order in orders.records.iter().filter(|o| is_shipped(o)) {
            report.add(self.handle_shipped(order).await?);
        }
        self.advance(
            CURSOR,
            orders.records.iter().map(|o| o.edit_time.as_deref()),
        )
        .await?;
        Ok(report)
    }

    async fn handle_shipped(&self, order: &OrderResponse) -> Result<PollReport, DetectError> {
        let warehouse = &self.settings.warehouse;
        let built = match reference(order) {
            Ok(number) => {
                let guid = order
                    .id
                    .as_deref()
                    .filter(|g| !g.is_empty())
                    .unwrap_or(&number);
                let order_id = handles::handle(&self.store, ORDER, guid, &number).await?;
                let sent = handles::lines(&self.store, ORDER, &number).await?;
                let reported = handles::reported(&self.store, REPORTED_PICKED, order_id).await?;
                shipped_event(warehouse, order, order_id, &sent, &reported)
            }
            Err(error) => Err(error),
        };
        match built {
            Ok((id, event)) => {
                let new = self
                    .publish(&id, publish::order_shipped_subject(warehouse), &event)
                    .await?;
                if new {
                    tracing::info!(%warehouse, order_number = %event.order_number, "order shipped");
                }
                Ok(PollReport {
                    published: usize::from(new),
                    dead_lettered: 0,
                })
            }
            Err(error) => {
                let key = format!("order {}", order.reference.as_deref().unwrap_or("?"));
                self.dead_letter(
                    "order",
                    &key,
                    &error,
                    json!({"id": order.id, "reference": order.reference}),
                )
                .await?;
                Ok(PollReport {
                    published: 0,
                    dead_lettered: 1,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(value: serde_json::Value) -> OrderResponse {
        serde_json::from_value(value).expect("order")
    }

    #[test]
    fn tracking_changes_the_id_and_lines_keep_what_we_sent() {
        let sent = vec![SentLine {
            line_id: 1,
            row_number: "10".into(),
            external_id: "centra-1".into(),
            article_number: "A".into(),
        }];
        let shipped = json!({"id": "g", "reference": "R-1", "status": "Shipped",
            "orderLines": [{"code": "A", "quantity": 2}, {"code": "B", "quantity": 1}]});
        let (first, event) =
            shipped_event("main", &order(shipped.clone()), 7, &sent, &[(1, 2)]).expect("event");
        assert_eq!(event.status_code, 7);
        assert_eq!(event.lines[0].external_id, "centra-1");
        assert_eq!(event.lines[0].row_number, "10");
        assert_eq!(event.lines[0].reported_number_of_items, 2);
        assert_eq!(event.lines[1].row_number, "2");
        assert!(event.tracking.is_empty());
        let mut tracked = shipped;
        tracked["trackingNumber"] = json!("JJ1");
        let (second, event) = shipped_event("main", &order(tracked), 7, &sent, &[]).expect("event");
        assert_ne!(first, second);
        assert_eq!(event.tracking[0].number, "JJ1");
    }

    #[test]
    fn a_line_without_a_code_names_the_field() {
        let bad = order(json!({"reference": "R-2", "status": "shipped",
            "orderLines": [{"quantity": 1}]}));
        let error = shipped_event("main", &bad, 1, &[], &[]).expect_err("bad");
        assert_eq!(
            error.to_string(),
            "order R-2: field orderLines[0].code: missing"
        );
    }
}
