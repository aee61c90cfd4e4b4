//! Events on `wms.<warehouse>.*`: their subjects, their metadata and how they enter the
//! outbox (prost-encoded `proto::events::v1` messages with deterministic ids). The subjects
//! are the same as every WMS gateway's, so no sync service knows which WMS runs.

use chrono::{DateTime, Utc};
use domain::EventId;
use platform_store::{OutboxMessage, Store, StoreError, Transaction};
use prost::Message;
use proto::events::v1::EventMeta;

/// `wms.<warehouse>.order.shipped`: [`proto::events::v1::WmsOrderShipped`].
pub fn order_shipped_subject(warehouse: &str) -> String {
    format!("wms.{warehouse}.order.shipped")
}

/// `wms.<warehouse>.purchase_order.received`: [`proto::events::v1::WmsPurchaseOrderReceived`].
pub fn purchase_order_received_subject(warehouse: &str) -> String {
    format!("wms.{warehouse}.purchase_order.received")
}

/// `wms.<warehouse>.return.received`: [`proto::events::v1::WmsReturnReceived`].
pub fn return_received_subject(warehouse: &str) -> String {
    format!("wms.{warehouse}.return.received")
}

/// `wms.<warehouse>.stock.changed`: [`proto::events::v1::WmsStockChanged`].
pub fn stock_changed_subject(warehouse: &str) -> String {
    format!("wms.{warehouse}.stock.changed")
}

/// The header carried first by every event.
pub(crate) fn meta(id: &EventId, warehouse: &str, occurred_at: DateTime<Utc>) -> EventMeta {
    EventMeta {
        event_id: id.to_string(),
        occurred_at: Some(timestamp(occurred_at)),
        source: warehouse.to_owned(),
    }
}

pub(crate) fn timestamp(time: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: time.timestamp(),
        nanos: i32::try_from(time.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

/// Reads an OGOship date (ISO 8601 with an offset, `2018-10-20T11:11:11+01:00`; a zone-less
/// one is taken as UTC).
pub(crate) fn parse_time(text: Option<&str>) -> Option<DateTime<Utc>> {
    let text = text?.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|naive| naive.and_utc())
}

/// A time as OGOship's filters take it: `2019-04-09T08:00:00.000+00:00`.
pub(crate) fn format_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string()
}

/// Adds `event` to the outbox in `tx`. True when new; false when this fact was already there.
pub(crate) async fn enqueue<M: Message>(
    store: &Store,
    tx: &mut Transaction,
    id: &EventId,
    subject: String,
    event: &M,
) -> Result<bool, StoreError> {
    store
        .outbox()
        .enqueue(
            tx,
            OutboxMessage::new(id.to_string(), subject, event.encode_to_vec())
                .with_header("content-type", "application/protobuf"),
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ogoship_times_carry_offsets() {
        let t = parse_time(Some("2018-10-20T11:11:11+01:00")).expect("time");
        assert_eq!(t.to_rfc3339(), "2018-10-20T10:11:11+00:00");
        assert_eq!(format_time(t), "2018-10-20T10:11:11.000+00:00");
        assert_eq!(parse_time(Some("nonsense")), None);
        assert_eq!(order_shipped_subject("main"), "wms.main.order.shipped");
    }
}
