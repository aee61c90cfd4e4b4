//! The gateway's memory of the shipment lines it asked Centra to change (table
//! `sent_shipment_lines`). The Order API docs do not say what a shipment line set to 0 becomes
//! (REF/108); the simulator drops it from the shipment, so after an update that zeroed a line
//! only this memory tells "a line of this shipment, now at 0" from "a line this shipment never
//! had".
//!
//! Written before the `PUT` leaves, in its own transaction: a process killed after Centra
//! applied the update, or an answer lost on the way back, still finds the lines when the same
//! update is sent again.

use std::collections::HashSet;

use domain::{EndpointName, ShipmentId};
use platform_store::{Store, StoreError, unix_millis};

/// One line about to be sent: the shipment line the caller named, the order line Centra keys
/// the update by, and the quantity asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentLine {
    pub line_id: String,
    pub order_line_id: String,
    pub quantity: i64,
}

/// Remembers `lines` of `shipment` as sent (again: the latest quantity wins).
pub async fn remember(
    store: &Store,
    endpoint: &EndpointName,
    shipment: &ShipmentId,
    lines: &[SentLine],
) -> Result<(), StoreError> {
    let action = format!("remembering the lines sent for shipment {shipment} of {endpoint}");
    let mut tx = store.begin().await?;
    let now = unix_millis();
    for line in lines {
        sqlx::query(
            "INSERT INTO sent_shipment_lines \
             (endpoint, shipment_id, line_id, order_line_id, quantity, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (endpoint, shipment_id, line_id) DO UPDATE SET \
             order_line_id = excluded.order_line_id, quantity = excluded.quantity, \
             sent_at = excluded.sent_at",
        )
        .bind(endpoint.as_str())
        .bind(shipment.to_string())
        .bind(&line.line_id)
        .bind(&line.order_line_id)
        .bind(line.quantity)
        .bind(now)
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(action.clone()))?;
    }
    tx.commit().await
}

/// The shipment line ids of `shipment` the gateway ever sent a quantity for.
pub async fn sent_line_ids(
    store: &Store,
    endpoint: &EndpointName,
    shipment: &ShipmentId,
) -> Result<HashSet<String>, StoreError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT line_id FROM sent_shipment_lines WHERE endpoint = $1 AND shipment_id = $2",
    )
    .bind(endpoint.as_str())
    .bind(shipment.to_string())
    .fetch_all(store.pool())
    .await
    .map_err(StoreError::query(format!(
        "reading the lines sent for shipment {shipment} of {endpoint}"
    )))?;
    Ok(ids.into_iter().collect())
}
