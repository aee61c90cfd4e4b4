//! The running simulator's shared state and the router that exposes it.
//!
//! Routes: the Order API under the configured base path and the Integration API at `/graphql`
//! (authenticated, logged, faulted; see `api`, `graphql` and `intake`) and the control API under
//! `/_sim` (open, never faulted; see `control`).
//!
//! Time: `Sim::now` is the wall clock moved forward by `POST /_sim/clock`, so a test can let a
//! rate-limit window or a capture request's settling time pass without sleeping.

use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use chrono::{DateTime, Duration, Utc};

use crate::clock::StoreClock;
use crate::config::SimConfig;
use crate::faults::Faults;
use crate::graphql::IntegrationApi;
use crate::plugin::AllowList;
use crate::request_log::RequestLog;
use crate::state::Store;
use crate::webhooks::Webhooks;
use crate::{api, control, graphql};

/// Everything one simulator instance knows.
#[derive(Debug)]
pub struct Sim {
    pub config: SimConfig,
    pub clock: StoreClock,
    store: Mutex<Store>,
    pub log: RequestLog,
    pub faults: Faults,
    pub webhooks: Webhooks,
    pub plugin: AllowList,
    /// The Integration API's own state: tokens, rate limits, event queues, capture requests.
    pub graphql: IntegrationApi,
    /// How far `POST /_sim/clock` moved time forward.
    clock_offset: Mutex<Duration>,
}

/// The handle handlers share.
pub type SharedSim = Arc<Sim>;

impl Sim {
    pub fn new(config: SimConfig) -> Self {
        Self {
            clock: StoreClock::new(config.time_zone),
            config,
            store: Mutex::new(Store::default()),
            log: RequestLog::default(),
            faults: Faults::default(),
            webhooks: Webhooks::default(),
            plugin: AllowList::default(),
            graphql: IntegrationApi::default(),
            clock_offset: Mutex::new(Duration::zero()),
        }
    }

    /// The simulator's time: the wall clock plus the offset set through `POST /_sim/clock`.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
            + *self
                .clock_offset
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the simulator's time forward (never back: buckets and queues assume it only grows).
    pub fn advance_clock(&self, by: Duration) -> Duration {
        let mut offset = self
            .clock_offset
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *offset += by.max(Duration::zero());
        *offset
    }

    /// Reads the store.
    pub fn read<T>(&self, f: impl FnOnce(&Store) -> T) -> T {
        f(&self.store.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Changes the store, then sends webhooks and queues Integration API events for what changed
    /// (after the lock is released).
    pub fn mutate<T>(&self, f: impl FnOnce(&mut Store, DateTime<Utc>) -> T) -> T {
        let now = self.now();
        let (out, changes) = {
            let mut store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
            let out = f(&mut store, now);
            (out, store.take_changes())
        };
        self.webhooks.publish(&self.clock, &changes, now);
        self.graphql.events.publish(&changes, now);
        out
    }

    /// Back to a freshly started simulator: empty store, empty request log, no faults, no
    /// webhook target, every end-point group allowed, the Integration API as configured at start
    /// (default token and quotas, no listeners), the clock back to the wall clock.
    pub fn reset(&self) {
        *self.store.lock().unwrap_or_else(PoisonError::into_inner) = Store::default();
        self.log.clear();
        self.faults.reset();
        self.webhooks.reset();
        self.plugin.reset();
        self.graphql.reset();
        *self
            .clock_offset
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Duration::zero();
    }
}

/// The full router: control API, the Integration API at `/graphql` and the Order API under the
/// base path.
pub fn router(sim: SharedSim) -> Router {
    control::router(Arc::clone(&sim))
        .merge(graphql::router(Arc::clone(&sim)))
        .merge(api::router(sim))
}
