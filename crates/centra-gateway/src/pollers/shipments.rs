//! Good-to-go shipments. `GET /shipments` lists every good-to-go, unsent shipment on every call
//! (a snapshot, not a queue), so each shipment id is remembered when its event is enqueued and
//! published exactly once.

use platform_store::Store;

use super::memory::{self, kind};
use super::{PollError, PollReport, dead_letter};
use crate::client::{CentraClient, ShipmentStatusFilter};
use crate::events;

/// Dead-letter kind of unreadable shipments.
pub const DEAD_LETTER_KIND: &str = "centra.shipment";

/// Reads the good-to-go snapshot and enqueues a `ShipmentGoodToGo` for every shipment not
/// published before.
pub async fn poll_shipments(store: &Store, client: &CentraClient) -> Result<PollReport, PollError> {
    let endpoint = client.endpoint();
    let listed = client
        .shipments(ShipmentStatusFilter::GoodToGo, None)
        .await?;
    let mut report = PollReport::default();
    let mut tx = store.begin().await?;
    for entry in &listed {
        match entry {
            Ok(shipment) => {
                let (id, message) = events::shipment_good_to_go(endpoint, shipment);
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
    tx.commit().await?;
    Ok(report)
}
