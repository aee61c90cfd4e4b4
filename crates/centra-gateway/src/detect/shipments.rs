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
use super::memory::{self, kind};
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

/// Reads the good-to-go snapshot and enqueues a `ShipmentGoodToGo` for every shipment not
/// published before, then a `ShipmentCancelled` for every published one that left the snapshot
/// without completing. A failed read (any page) fails the poll before either.
pub async fn poll_shipments(
    store: &Store,
    client: &CentraConnection,
) -> Result<PollReport, PollError> {
    let endpoint = client.endpoint();
    let listed = client.good_to_go_shipments().await?;
    let mut report = PollReport::default();
    // Every id the snapshot holds, readable or not; `None` when a record had no readable id, so
    // that no absence can be concluded this round.
    let present: Option<HashSet<String>> = listed.iter().map(listed_id).collect();
    let mut tx = store.begin().await?;
    for entry in &listed {
        match entry {
            Ok(shipment) => {
                let (id, message) = publish::shipment_good_to_go(endpoint, shipment);
                let new = memory::remember(
                    &mut tx,
                    endpoint,
                    kind::SHIPMENT,
                    &shipment.id.to_string(),
                    "gtg",
                    id.as_str(),
                )
                .await?;
                if new {
                    store.outbox().enqueue(&mut tx, message).await?;
                    tracing::info!(endpoint = %endpoint, shipment_id = %shipment.id, event_id = %id, "shipment good to go");
                    report.published += 1;
                } else {
                    report.unchanged += 1;
                }
            }
            Err(bad) => {
                dead_letter(store, &mut tx, DEAD_LETTER_KIND, endpoint, bad).await?;
                report.dead_lettered += 1;
            }
        }
    }
    let readable: Vec<_> = listed.iter().filter_map(|e| e.as_ref().ok()).collect();
    report.dead_lettered += flag_reappeared(store, &mut tx, endpoint, &readable).await?;
    tx.commit().await?;
    match present {
        Some(ids) => detect_cancelled(store, client, &ids, &mut report).await?,
        None => tracing::warn!(
            endpoint = %endpoint,
            "a good-to-go record without a shipment id: cancellations are not checked this round"
        ),
    }
    Ok(report)
}
