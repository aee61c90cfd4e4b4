//! Orders ready for the warehouse (`settings.import` = `orders` or `both`), through either API
//! ([`CentraConnection::orders`]). Both filter by order date only (`GET /orders?newer_than=`, and
//! GraphQL `orders(where: {createdAt: {from}})`, `createdAt` being "Same as orderDate"), so the
//! poll reads everything newer than its cursor minus an overlap, and the memory publishes one
//! `OrderReady` per order and [`publish::order_version`].
//!
//! The cursor is the start of the last complete run (UTC in the store, Centra-local on the wire),
//! held back to the oldest order that may still change in a way the warehouse cares about
//! (pending, on hold, waiting for payment), at most [`UNSETTLED_LOOKBACK`] back: `newer_than`
//! compares the order date, not the last change, so a hold released hours later would otherwise
//! never be read again.

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::CentraOrderStatus;
use platform_store::Store;

use super::memory::{self, kind};
use super::{CURSOR_OVERLAP, PollError, PollReport, dead_letter};
use crate::client::CentraOrder;
use crate::connection::CentraConnection;
use crate::publish;

/// Dead-letter kind of unreadable orders.
pub const DEAD_LETTER_KIND: &str = "centra.order";
const FLOW: &str = "orders";

/// How far back the very first run reads: the gateway does not import a shop's whole history
/// (old confirmed orders nobody shipped would flood the warehouse).
pub const FIRST_RUN_LOOKBACK: Duration = Duration::from_secs(7 * 24 * 3600);

/// Longest the cursor waits for an unsettled order (pending, on hold, waiting for payment).
pub const UNSETTLED_LOOKBACK: Duration = Duration::from_secs(2 * 24 * 3600);

/// Whether an order in `status` goes to the warehouse.
///
/// Doubts (REF/104 lists no `orderStatus` values; these are the plugin setting names, matched
/// case-insensitively): `Confirmed` (no shipments yet) is the import case. `Processing` (has
/// shipments) is published too, because in `orders` mode an order first seen after someone
/// created a shipment in Centra would otherwise never reach the warehouse; under `both`,
/// order-sync must skip orders that go by shipment (the payload carries `order_status`).
/// `Pending` is not confirmed yet; `Completed`, `Archived` and `Cancelled` must not be sent;
/// an unknown status is not guessed at (logged, and read again while in the overlap).
/// centra-sim answers `Confirmed` (no shipments), `Processing` or `Completed`. A plugin that
/// does not return `Pending` orders hides them until confirmed; an order confirmed more than the
/// overlap after its order date is then never seen by a date cursor (REF/104 does not say
/// whether `newer_than` compares the order date or the last change; the simulator compares the
/// order date).
pub fn goes_to_warehouse(status: &CentraOrderStatus) -> bool {
    matches!(
        status,
        CentraOrderStatus::Confirmed | CentraOrderStatus::Processing
    )
}

/// True while an order may still become ready or change what the warehouse is told.
fn unsettled(order: &CentraOrder) -> bool {
    match order.status {
        CentraOrderStatus::Pending => true,
        ref status if goes_to_warehouse(status) => order.on_hold || order.waiting_for_payment,
        _ => false,
    }
}

fn std_to_chrono(d: Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(d).unwrap_or(chrono::TimeDelta::MAX)
}

/// Publishes an `OrderReady` for every order in a warehouse status whose current version was
/// not published before.
///
/// # Errors
/// [`PollError::Connection`] when the list cannot be read (nothing is published and the cursor
/// stays); [`PollError::Store`] when the memory, outbox or cursor cannot be written.
pub async fn poll_orders(
    store: &Store,
    connection: &CentraConnection,
) -> Result<PollReport, PollError> {
    let endpoint = connection.endpoint();
    let started = Utc::now();
    let previous = {
        let mut tx = store.begin().await?;
        let cursor = memory::cursor(&mut tx, endpoint, FLOW).await?;
        tx.rollback().await?;
        cursor
    };
    let since = match previous {
        Some(cursor) => cursor - CURSOR_OVERLAP,
        None => started - std_to_chrono(FIRST_RUN_LOOKBACK),
    };
    let listed = connection.orders(Some(since)).await?;
    let mut report = PollReport::default();
    let mut next_cursor: DateTime<Utc> = started;
    let floor = started - std_to_chrono(UNSETTLED_LOOKBACK);
    let mut tx = store.begin().await?;
    for entry in &listed {
        let order = match entry {
            Ok(order) => order,
            Err(bad) => {
                dead_letter(store, &mut tx, DEAD_LETTER_KIND, endpoint, bad).await?;
                report.dead_lettered += 1;
                continue;
            }
        };
        if unsettled(order)
            && let Some(date) = order.order_date
        {
            next_cursor = next_cursor.min(date.max(floor));
        }
        if !goes_to_warehouse(&order.status) {
            if let CentraOrderStatus::Other(status) = &order.status {
                tracing::warn!(endpoint = %endpoint, order_id = %order.id, status = %status, "unknown order status: not sent to the warehouse");
            }
            report.unchanged += 1;
            continue;
        }
        let version = publish::order_version(endpoint, order);
        let (id, message) = publish::order_ready(endpoint, order, &version);
        if memory::remember(
            &mut tx,
            endpoint,
            kind::ORDER,
            &order.id.to_string(),
            &version,
            id.as_str(),
        )
        .await?
        {
            store.outbox().enqueue(&mut tx, message).await?;
            tracing::info!(endpoint = %endpoint, order_id = %order.id, status = %order.status_text, event_id = %id, "order ready");
            report.published += 1;
        } else {
            report.unchanged += 1;
        }
    }
    // The cursor never moves back: an order held back for is at or after `previous` minus the
    // overlap, which the next run reads again anyway.
    let next_cursor = next_cursor.max(previous.unwrap_or(since)).min(started);
    memory::set_cursor(&mut tx, endpoint, FLOW, next_cursor).await?;
    tx.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_confirmed_and_processing_orders_go_to_the_warehouse() {
        for (text, goes) in [
            ("Confirmed", true),
            ("processing", true),
            ("Pending", false),
            ("Completed", false),
            ("Archived", false),
            ("CANCELLED", false),
            ("Held", false),
        ] {
            assert_eq!(
                goes_to_warehouse(&CentraOrderStatus::parse(text)),
                goes,
                "{text}"
            );
        }
    }
}
