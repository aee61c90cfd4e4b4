//! Events on `wms.<warehouse>.*`: their subjects, their metadata and how they enter the
//! outbox (prost-encoded `proto::events::v1` messages with deterministic ids).

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

/// Reads an Ongoing UTC time (`2019-04-09T10:39:31.3Z`; a zone-less value is taken as UTC).
pub(crate) fn parse_utc(text: Option<&str>) -> Option<DateTime<Utc>> {
    let text = text?.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|naive| naive.and_utc())
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
    fn ongoing_times_are_utc() {
        let t = parse_utc(Some("2019-04-09T10:39:31.3Z")).expect("time");
        assert_eq!(t.to_rfc3339(), "2019-04-09T10:39:31.300+00:00");
        let zoneless = parse_utc(Some("2023-01-01T12:00:00.0000000")).expect("time");
        assert_eq!(zoneless.to_rfc3339(), "2023-01-01T12:00:00+00:00");
        assert_eq!(parse_utc(Some("nonsense")), None);
        assert_eq!(
            order_shipped_subject("sandbox"),
            "wms.sandbox.order.shipped"
        );
    }
}
