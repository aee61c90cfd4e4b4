//! Good-to-go shipments that left the snapshot. `GET /shipments` lists what is good to go now;
//! a shipment the gateway published that is no longer listed was either completed (by
//! centra-wms's own `CompleteShipment` or in Centra) or deleted, cancelled or taken back from
//! good to go. Only the second is a `ShipmentCancelled`, so every candidate is read again one by
//! one (`GET /shipment/{id}`, or GraphQL `shipments(where: {number})`) before anything is
//! concluded; the listing alone never decides, as
//! `limit`+`offset` pages shift when a shipment completes during the read.
//!
//! Callers pass the ids of a complete, successful snapshot read (every page, no error); a read
//! that failed never gets here. How each published shipment ended is remembered
//! ([`kind::SHIPMENT_END`]), so it is checked and announced once. One announced cancelled that
//! is good to go again is kept for a person ([`REAPPEARED_KIND`]).

use std::collections::HashSet;

use chrono::Utc;
use domain::{EndpointName, ShipmentId};
use platform_store::{NewDeadLetter, Store, StoreError, Transaction};

use super::memory::{self, kind};
use super::{PollError, PollReport};
use crate::client::{CentraShipment, ShipmentStatusFilter};
use crate::connection::CentraConnection;
use crate::publish;

/// `ShipmentCancelled.reason` when Centra no longer has the shipment (deleted, or its order
/// cancelled and hidden by the plugin's status setting).
pub const REASON_GONE: &str = "shipment deleted or cancelled in centra";
/// `ShipmentCancelled.reason` when the shipment is back in progress (good to go withdrawn).
pub const REASON_NOT_GOOD_TO_GO: &str = "shipment no longer good to go in centra";

/// Most shipments read one by one in one round; the rest wait for the next round (the first
/// round after an upgrade finds every shipment ever published without a known ending).
pub const CHECKS_PER_ROUND: usize = 200;

/// Dead-letter kind of shipments good to go again after they were announced cancelled.
pub const REAPPEARED_KIND: &str = "centra.shipment.good-to-go-again";

/// Shipments of `listed` that were announced cancelled and are good to go again. Their
/// good-to-go event id is spent (every inbox already holds it), and the warehouse order may be
/// cancelled, so a person decides: each is kept once in the dead-letter list.
pub(super) async fn flag_reappeared(
    store: &Store,
    tx: &mut Transaction,
    endpoint: &EndpointName,
    listed: &[&CentraShipment],
) -> Result<usize, StoreError> {
    let cancelled: HashSet<String> = sqlx::query_scalar(
        "SELECT record_id FROM seen_records WHERE endpoint = $1 AND kind = $2 AND version = $3",
    )
    .bind(endpoint.as_str())
    .bind(kind::SHIPMENT_END)
    .bind(Ending::Cancelled("").version())
    .fetch_all(tx.conn())
    .await
    .map_err(StoreError::query(format!(
        "reading cancelled shipments of {endpoint}"
    )))?
    .into_iter()
    .collect();
    let mut flagged = 0;
    for shipment in listed {
        let id = shipment.id.to_string();
        if !cancelled.contains(&id)
            || !memory::remember(tx, endpoint, kind::SHIPMENT_END, &id, "reappeared", "").await?
        {
            continue;
        }
        store
            .dead_letters()
            .record(
                tx,
                NewDeadLetter {
                    kind: REAPPEARED_KIND.to_owned(),
                    record_key: format!("{endpoint}:{id}"),
                    reason: format!(
                        "shipment {id} is good to go again after it was announced cancelled; \
                         import it by hand if the warehouse should still ship it"
                    ),
                    payload: serde_json::json!({ "shipmentId": id, "orderId": shipment.order_id }),
                    attempts: 1,
                },
            )
            .await?;
        flagged += 1;
    }
    Ok(flagged)
}

/// How a published shipment ended, as read from Centra.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Completed,
    Cancelled(&'static str),
}

impl Ending {
    fn version(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Cancelled(_) => "cancelled",
        }
    }
}

/// Remembers that centra-wms completed shipment `id` itself (CompleteShipment answered, or
/// found it completed already): when it leaves the good-to-go list it is not read again to
/// learn how it ended (one read saved per completed shipment, both APIs). Nothing is published
/// for a completion, so this is the conclusion the read would have reached.
///
/// # Errors
/// The store's, when the memory cannot be written (the read then happens as before).
pub(crate) async fn remember_completed(
    store: &Store,
    endpoint: &EndpointName,
    id: &ShipmentId,
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    memory::remember(
        &mut tx,
        endpoint,
        kind::SHIPMENT_END,
        &id.to_string(),
        Ending::Completed.version(),
        "",
    )
    .await?;
    tx.commit().await
}

/// True when the gateway remembers shipment `id` as completed (its own completion, or the
/// good-to-go poll's read of how it ended): a read of it then asks for completed shipments
/// first (one call instead of two through the Order API, whose shipment read has no state and
/// tries the state filters in turn).
///
/// # Errors
/// The store's.
pub(crate) async fn known_completed(
    store: &Store,
    endpoint: &EndpointName,
    id: &ShipmentId,
) -> Result<bool, StoreError> {
    let mut tx = store.begin().await?;
    let version = memory::version(&mut tx, endpoint, kind::SHIPMENT_END, &id.to_string()).await?;
    tx.rollback().await?;
    Ok(version.as_deref() == Some(Ending::Completed.version()))
}

/// Checks every published, not yet ended shipment missing from `listed` (the ids of a complete
/// snapshot) and publishes one `ShipmentCancelled` for each that did not complete.
pub(super) async fn detect_cancelled(
    store: &Store,
    client: &CentraConnection,
    listed: &HashSet<String>,
    report: &mut PollReport,
) -> Result<(), PollError> {
    let endpoint = client.endpoint();
    let open = {
        let mut tx = store.begin().await?;
        let open = memory::open_shipments(&mut tx, endpoint).await?;
        tx.rollback().await?;
        open
    };
    let mut endings = Vec::new();
    for raw_id in open
        .iter()
        .filter(|id| !listed.contains(*id))
        .take(CHECKS_PER_ROUND)
    {
        let Ok(id) = ShipmentId::parse(raw_id) else {
            tracing::warn!(endpoint = %endpoint, shipment_id = %raw_id, "remembered shipment id does not parse: not checked");
            continue;
        };
        let ending = match client.shipment_state(&id).await {
            Ok(None) => Ending::Cancelled(REASON_GONE),
            Ok(Some(state)) => match state.status {
                ShipmentStatusFilter::Completed => Ending::Completed,
                ShipmentStatusFilter::InProgress => Ending::Cancelled(REASON_NOT_GOOD_TO_GO),
                // Still good to go: the listing moved under the pages; nothing ended.
                ShipmentStatusFilter::GoodToGo => continue,
            },
            Err(error) => {
                // Nothing is concluded from a failed read; the next round asks again.
                tracing::warn!(endpoint = %endpoint, shipment_id = %id, %error, "could not check a shipment that left the good-to-go list");
                continue;
            }
        };
        endings.push((id, ending));
    }
    if endings.is_empty() {
        return Ok(());
    }
    let seen_at = Utc::now();
    let mut tx = store.begin().await?;
    for (id, ending) in &endings {
        let message = match ending {
            Ending::Cancelled(reason) => {
                Some(publish::shipment_cancelled(endpoint, id, reason, seen_at))
            }
            Ending::Completed => None,
        };
        let event_id = message
            .as_ref()
            .map(|(event_id, _)| event_id.to_string())
            .unwrap_or_default();
        let new = memory::remember(
            &mut tx,
            endpoint,
            kind::SHIPMENT_END,
            &id.to_string(),
            ending.version(),
            &event_id,
        )
        .await?;
        match message {
            Some((event_id, message)) if new => {
                store.outbox().enqueue(&mut tx, message).await?;
                tracing::info!(endpoint = %endpoint, shipment_id = %id, event_id = %event_id, reason = ending_reason(*ending), "shipment cancelled in centra");
                report.published += 1;
            }
            _ => {
                tracing::debug!(endpoint = %endpoint, shipment_id = %id, ending = ending_reason(*ending), "shipment left the good-to-go list");
                report.unchanged += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

fn ending_reason(ending: Ending) -> &'static str {
    match ending {
        Ending::Cancelled(reason) => reason,
        Ending::Completed => "completed",
    }
}
