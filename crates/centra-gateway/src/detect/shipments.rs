//! Good-to-go shipments, through the end-point's connection (`GET /shipments?status=good_to_go`
//! or GraphQL `shipments(where: {isGoodToGo: true, isShipped: false})`). The list holds every
//! good-to-go, unsent shipment on every call
//! (a snapshot, not a queue), so each shipment id is remembered when its event is enqueued and
//! published exactly once. A published shipment that leaves the snapshot without completing is
//! announced as cancelled (see `cancellations`).

use std::collections::HashSet;

use platform_store::Store;
use serde_json::Value;

use super::cancellations::{detect_cancelled, flag_reappeared};
use super::memory::{self, Remembered, kind};
use super::{PollError, PollReport, dead_letter};
use crate::client::CentraShipment;
use crate::client::record::Parsed;
use crate::connection::CentraConnection;
use crate::publish;

/// Dead-letter kind of unreadable shipments.
pub const DEAD_LETTER_KIND: &str = "centra.shipment";

/// The shipment id of a listed record, read or kept aside as bad.
fn listed_id(entry: &Parsed<CentraShipment>) -> Option<String> {
    match entry {
        Ok(shipment) => Some(shipment.id.to_string()),
        // `shipmentId` in the Order API's list, `number` in the Integration API's.
        Err(bad) => match bad.raw.get("shipmentId").or_else(|| bad.raw.get("number")) {
            Some(Value::String(id)) if !id.trim().is_empty() => Some(id.trim().to_owned()),
            Some(Value::Number(id)) => Some(id.to_string()),
            _ => None,
        },
    }
}

/// Reads the good-to-go snapshot a page at a time and enqueues a `ShipmentGoodToGo` for every
/// shipment not published before, each page in its own transaction as it comes (so the first
/// orders of a long list are on their way while the rest is read); then, with the whole
/// snapshot read, a `ShipmentCancelled` for every published one that left it without
/// completing. A failed page fails the poll: what the pages before it held is published (each
/// is good to go), and no cancellation is concluded from a snapshot not read to the end.
pub async fn poll_shipments(
    store: &Store,
    client: &CentraConnection,
) -> Result<PollReport, PollError> {
    let endpoint = client.endpoint();
    let mut report = PollReport::default();
    // Every id the snapshot holds, readable or not; `None` when a record had no readable id, so
    // that no absence can be concluded this round.
    let mut present: Option<HashSet<String>> = Some(HashSet::new());
    for index in 0_u32.. {
        let page = client.good_to_go_page(index).await?;
        for entry in &page.entries {
            match listed_id(entry) {
                Some(id) => {
                    if let Some(ids) = present.as_mut() {
                        ids.insert(id);
                    }
                }
                None => present = None,
            }
        }
        let mut tx = store.begin().await?;
        let readable: Vec<_> = page
            .entries
            .iter()
            .filter_map(|e| e.as_ref().ok())
            .collect();
        // The page's shipments remembered together; each new one's event enqueued.
        let events: Vec<_> = readable
            .iter()
            .map(|shipment| {
                let (id, message) = publish::shipment_good_to_go(endpoint, shipment);
                (shipment.id.to_string(), id, message)
            })
            .collect();
        let remembered: Vec<_> = events
            .iter()
            .map(|(shipment_id, id, _)| Remembered {
                record_id: shipment_id,
                version: "gtg",
                event_id: id.as_str(),
            })
            .collect();
        let new = memory::remember_all(&mut tx, endpoint, kind::SHIPMENT, &remembered).await?;
        for ((shipment_id, id, message), new) in events.into_iter().zip(new) {
            if new {
                store.outbox().enqueue(&mut tx, message).await?;
                tracing::info!(endpoint = %endpoint, shipment_id = %shipment_id, event_id = %id, "shipment good to go");
                report.published += 1;
            } else {
                report.unchanged += 1;
            }
        }
        for bad in page.entries.iter().filter_map(|e| e.as_ref().err()) {
            dead_letter(store, &mut tx, DEAD_LETTER_KIND, endpoint, bad).await?;
            report.dead_lettered += 1;
        }
        report.dead_lettered += flag_reappeared(store, &mut tx, endpoint, &readable).await?;
        tx.commit().await?;
        if page.last {
            break;
        }
    }
    match present {
        Some(ids) => detect_cancelled(store, client, &ids, &mut report).await?,
        None => tracing::warn!(
            endpoint = %endpoint,
            "a good-to-go record without a shipment id: cancellations are not checked this round"
        ),
    }
    Ok(report)
}
