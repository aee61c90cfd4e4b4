//! The running simulator's shared state and the router that exposes it.
//!
//! Routes: the Order API under the configured base path (authenticated, logged, faulted; see
//! `api` and `intake`) and the control API under `/_sim` (open, never faulted; see `control`).

use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use chrono::{DateTime, Utc};

use crate::clock::StoreClock;
use crate::config::SimConfig;
use crate::faults::Faults;
use crate::plugin::AllowList;
use crate::request_log::RequestLog;
use crate::state::Store;
use crate::webhooks::Webhooks;
use crate::{api, control};

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
        }
    }

    /// Reads the store.
    pub fn read<T>(&self, f: impl FnOnce(&Store) -> T) -> T {
        f(&self.store.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Changes the store, then sends webhooks for what changed (after the lock is released).
    pub fn mutate<T>(&self, f: impl FnOnce(&mut Store, DateTime<Utc>) -> T) -> T {
        let now = Utc::now();
        let (out, changes) = {
            let mut store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
            let out = f(&mut store, now);
            (out, store.take_changes())
        };
        self.webhooks.publish(&self.clock, &changes, now);
        out
    }

    /// Back to a freshly started simulator: empty store, empty request log, no faults, no
    /// webhook target, every end-point group allowed.
    pub fn reset(&self) {
        *self.store.lock().unwrap_or_else(PoisonError::into_inner) = Store::default();
        self.log.clear();
        self.faults.reset();
        self.webhooks.reset();
        self.plugin.reset();
    }
}

/// The full router: control API plus the Order API under the base path.
pub fn router(sim: SharedSim) -> Router {
    control::router(Arc::clone(&sim)).merge(api::router(sim))
}
