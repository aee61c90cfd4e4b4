//! Received stock updates: `WmsPurchaseOrderReceived` for every stock update modified since
//! the cursor with received quantities, one line per product line (line id = 1-based position
//! we sent). The id fingerprints the received quantities: a further delivery is a new event.

use chrono::Utc;
use domain::EventId;
use proto::events::v1::{ReceivedLine, WmsPurchaseOrderReceived};
use serde_json::json;

use super::{DetectError, Detector, FIRST_LOOKBACK, PollReport, count};
use crate::client::OgoshipError;
use crate::client::models::StockUpdateResponse;
use crate::client::resources::STOCK_UPDATES;
use crate::handles::{self, REPORTED_RECEIVED, STOCK_UPDATE, SentLine};
use crate::publish::{self, meta, parse_time, timestamp};

const CURSOR: &str = "stock_updates.modified";

/// Stock update statuses as numbers (§7 documents only `NEW`; the rest as seen).
fn status_code(status: &str) -> i32 {
    match status.trim().to_ascii_uppercase().as_str() {
        "NEW" => 1,
        "PARTIALLY_RECEIVED" => 2,
        "RECEIVED" => 3,
        "CLOSED" => 4,
        "CANCELLED" => 5,
        _ => 0,
    }
}

/// The event of `update`, `None` when nothing was received yet.
pub fn received_event(
    warehouse: &str,
    update: &StockUpdateResponse,
    purchase_order_id: i64,
    sent: &[SentLine],
    reported: &[(i64, i64)],
) -> Result<Option<(EventId, WmsPurchaseOrderReceived)>, OgoshipError> {
    let number = update
        .reference
        .clone()
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| OgoshipError::invalid("stock update", "reference", "missing"))?;
    let record = format!("stock update {number}");
    let mut lines = Vec::with_capacity(update.products.len());
    for (index, line) in update.products.iter().enumerate() {
        let field = |n: &str| format!("products[{index}].{n}");
        let code = line
            .code
            .clone()
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| OgoshipError::invalid(&record, field("code"), "missing"))?;
        let line_id = i64::try_from(index).unwrap_or(i64::MAX - 1) + 1;
        let ours = sent
            .iter()
            .find(|s| s.line_id == line_id && s.article_number == code);
        lines.push(ReceivedLine {
            line_id,
            row_number: ours.map_or_else(|| line_id.to_string(), |s| s.row_number.clone()),
            article_number: code,
            external_line_id: ours.map(|s| s.external_id.clone()).unwrap_or_default(),
            advised_number_of_items: count(
                &record,
                &field("expectedQuantity"),
                line.expected_quantity.or(Some(0)),
            )?,
            received_number_of_items: count(
                &record,
                &field("receivedQuantity"),
                line.received_quantity.or(Some(0)),
            )?,
            reported_number_of_items: reported
                .iter()
                .find(|(id, _)| *id == line_id)
                .map_or(0, |(_, q)| *q),
        });
    }
    if lines.iter().all(|l| l.received_number_of_items == 0) {
        return Ok(None);
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
    let at = parse_time(update.arrival_date.as_deref())
        .or_else(|| parse_time(update.modified.as_deref()))
        .unwrap_or_else(Utc::now);
    Ok(Some((
        id.clone(),
        WmsPurchaseOrderReceived {
            meta: Some(meta(&id, warehouse, at)),
            warehouse: warehouse.to_owned(),
            purchase_order_id,
            purchase_order_number: number,
            status_code: status_code(update.status.as_deref().unwrap_or_default()),
            received_at: Some(timestamp(at)),
            lines,
        },
    )))
}

impl Detector {
    pub(super) async fn received_stock_updates(&self) -> Result<PollReport, DetectError> {
        let mut report = PollReport::default();
        let first = chrono::Duration::from_std(FIRST_LOOKBACK)
            .ok()
            .map(|back| Utc::now() - back);
        let (_, filters) = self.since(CURSOR, first).await?;
        let updates = self
            .client
            .all::<StockUpdateResponse>(STOCK_UPDATES, &filters)
            .await?;
        report.dead_lettered += self.reject(&updates.rejected).await?;
        let warehouse = &self.settings.warehouse;
        for update in &updates.records {
            let reference = update.reference.clone().unwrap_or_default();
            let key = update
                .auto_reference
                .clone()
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| reference.clone());
            let id = handles::handle(&self.store, STOCK_UPDATE, &key, &reference).await?;
            let sent = handles::lines(&self.store, STOCK_UPDATE, &reference).await?;
            let reported = handles::reported(&self.store, REPORTED_RECEIVED, id).await?;
            match received_event(warehouse, update, id, &sent, &reported) {
                Ok(Some((event_id, event))) => {
                    let subject = publish::purchase_order_received_subject(warehouse);
                    if self.publish(&event_id, subject, &event).await? {
                        report.published += 1;
                    }
                }
                Ok(None) => {}
                Err(error) => {
                    self.dead_letter(
                        "purchase_order",
                        &format!("stock update {reference}"),
                        &error,
                        json!({"reference": reference, "autoReference": update.auto_reference}),
                    )
                    .await?;
                    report.dead_lettered += 1;
                }
            }
        }
        self.advance(
            CURSOR,
            updates.records.iter().map(|u| u.modified.as_deref()),
        )
        .await?;
        Ok(report)
    }
}
