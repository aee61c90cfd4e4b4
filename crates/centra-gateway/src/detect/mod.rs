//! Reconciliation polls: each reads Centra, remembers what it published, and publishes what is
//! new through the outbox in the same transaction as that memory.
//!
//! Layout:
//! - `memory`: processed-record memory and cursors (own tables);
//! - `shipments`: good-to-go shipments (a snapshot, not a queue), through the end-point's
//!   connection (either API);
//! - `cancellations`: published shipments that left the snapshot without completing (either
//!   API);
//! - `orders`: orders ready for the warehouse (import `orders` or `both`), through either API;
//! - `products`: products changed since the cursor (Order API) or the whole catalogue each
//!   round (GraphQL), published per product version (either API);
//! - `deliveries`: supplier deliveries waiting to be received (either API; through GraphQL those
//!   into the one warehouse the token sees);
//!
//! There is no returns poll: returns flow from the WMS to Centra (returns-sync creates them
//! with `CreateReturn`). Returns registered in Centra by hand have no WMS counterpart to
//! update, and nothing consumed the events the former poll published.
//! - `schedule`: the loop that runs them all every interval, and the ones a change hint asks
//!   for (a webhook or a dead-letter retry: all of them; an event: those it concerns);
//! - `feed`: a GraphQL end-point's events queue, which wakes the polls its events concern (the
//!   change feed).
//!
//! A record Centra sends that cannot be read goes to the dead-letter list naming object and
//! field; the poll goes on with the others.

pub(crate) mod cancellations;
mod deliveries;
pub mod feed;
mod listing;
pub mod memory;
pub mod orders;
mod products;
mod schedule;
mod shipments;

use std::time::Duration;

use platform_store::{NewDeadLetter, Store, StoreError, Transaction};

use crate::client::{CentraError, record::BadRecord};
use crate::connection::ConnectionError;

pub use cancellations::{REAPPEARED_KIND, REASON_GONE, REASON_NOT_GOOD_TO_GO};
pub use deliveries::poll_deliveries;
pub use orders::poll_orders;
pub use products::poll_products;
pub use schedule::{Flows, PollSchedule, Wakers, poll_round};
pub use shipments::poll_shipments;

/// How far a cursor-based poll reaches back behind its cursor, so that clock skew or a record
/// committed during the last run is never skipped (duplicates are dropped by the memory).
pub const CURSOR_OVERLAP: Duration = Duration::from_secs(5 * 60);

/// Why a poll stopped (a single bad record never stops it).
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error(transparent)]
    Centra(#[from] CentraError),
    /// A poll that reads through the end-point's connection (either API).
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What one poll did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PollReport {
    /// Events enqueued.
    pub published: usize,
    /// Records already published before.
    pub unchanged: usize,
    /// Records kept in the dead-letter list.
    pub dead_lettered: usize,
}

/// Keeps an unreadable record for a person, naming object and field.
pub(crate) async fn dead_letter(
    store: &Store,
    tx: &mut Transaction,
    kind: &str,
    endpoint: &domain::EndpointName,
    bad: &BadRecord,
) -> Result<(), StoreError> {
    store
        .dead_letters()
        .record(
            tx,
            NewDeadLetter {
                kind: kind.to_owned(),
                record_key: format!("{endpoint}:{}", bad.key),
                reason: bad.error.to_string(),
                payload: bad.raw.clone(),
                attempts: 1,
            },
        )
        .await?;
    Ok(())
}
