//! Pruning by age (`[runtime.retention]`): every service deletes from its own store the inbox
//! entries, published outbox rows and resolved dead letters older than their retention, at
//! start and then every `prune_every`; the embedded process prunes its bus on the same beat
//! (NATS removes messages past the stream's `max_age` itself).
//!
//! Several replicas of a service prune the same schema: each deletes by age, so a row goes
//! once and a second delete finds nothing. A round that fails (the database away) is logged
//! and the next one tries again; nothing else depends on it.
//!
//! Layout:
//! - [`prune_store`]: one round over a store, and what it removed ([`Pruned`]);
//! - `spawn_store_pruning`, `spawn_bus_pruning`: the timers [`ServiceBase`](crate::ServiceBase)
//!   and [`Runtime`](crate::Runtime) start.

use std::time::Duration;

use platform_bus::EmbeddedBus;
use platform_config::Retention;
use platform_store::{Store, StoreError};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// What one round removed from a store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub inbox: u64,
    pub published_outbox: u64,
    pub resolved_dead_letters: u64,
}

/// Deletes from `store` what `retention` no longer keeps: inbox entries older than `inbox`,
/// outbox rows published longer than `published_outbox` ago, dead letters resolved longer than
/// `resolved_dead_letters` ago (open ones stay).
///
/// # Errors
/// The first delete the store refused ([`StoreError`], retryable: the next round tries again).
pub async fn prune_store(store: &Store, retention: &Retention) -> Result<Pruned, StoreError> {
    Ok(Pruned {
        inbox: store.inbox().prune_older_than(retention.inbox).await?,
        published_outbox: store
            .outbox()
            .prune_published_older_than(retention.published_outbox)
            .await?,
        resolved_dead_letters: store
            .dead_letters()
            .prune_resolved_older_than(retention.resolved_dead_letters)
            .await?,
    })
}

/// Prunes `store` now and every `retention.prune_every` until `stop`.
pub(crate) fn spawn_store_pruning(
    store: Store,
    retention: Retention,
    stop: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        every(retention.prune_every, &stop, || async {
            match prune_store(&store, &retention).await {
                Ok(pruned) if pruned != Pruned::default() => {
                    tracing::info!(service = store.service(), ?pruned, "store pruned");
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(service = store.service(), %error, "pruning the store failed; the next round tries again");
                }
            }
        })
        .await;
    })
}

/// Prunes the embedded `bus` now and every `interval` until `stop`.
pub(crate) fn spawn_bus_pruning(
    bus: EmbeddedBus,
    interval: Duration,
    stop: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        every(interval, &stop, || async {
            if let Err(error) = bus.prune().await {
                tracing::warn!(%error, "pruning the embedded bus failed; the next round tries again");
            }
        })
        .await;
    })
}

/// Runs `round` at once and then every `interval` until `stop`; a round is never cut short.
async fn every<F, Fut>(interval: Duration, stop: &CancellationToken, mut round: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut ticks = tokio::time::interval(interval.max(Duration::from_millis(1)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = ticks.tick() => {}
        }
        round().await;
    }
}
