//! The "one request in flight per goods owner" rule, in this process and across replicas.
//!
//! Ongoing processes a goods owner's calls one after the other and times out the ones that
//! queue up behind, so every client takes the same lock for the same `(base url, warehouse,
//! goods owner)` before it sends (goods owner ids are only unique within one warehouse
//! system). A throttle per client instance is not enough: two services (or two pollers and a
//! gRPC call) may each hold a client, and several replicas of ongoing-gateway may run.
//!
//! - A client of the gateway waits in its store's record locks ([`platform_store::Locks`]):
//!   FIFO in the process, and across every replica sharing the database (a PostgreSQL
//!   advisory lock). Every client the gateway makes is a clone sharing those locks.
//! - A client without a store (a CLI command's) waits in a process-wide lane instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use platform_store::{LockGuard, Locks};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

type Key = (String, String, i64);

fn registry() -> &'static Mutex<HashMap<Key, Arc<AsyncMutex<()>>>> {
    static REGISTRY: OnceLock<Mutex<HashMap<Key, Arc<AsyncMutex<()>>>>> = OnceLock::new();
    REGISTRY.get_or_init(Mutex::default)
}

/// The lane of one goods owner at one Ongoing host: a fair (FIFO) async mutex shared by the
/// whole process, or the store's lock of the same key shared by every replica.
#[derive(Debug, Clone)]
pub(crate) struct GoodsOwnerLane {
    lock: Arc<AsyncMutex<()>>,
    /// `ongoing-lane:<base url>:<warehouse>:<goods owner>`, as normalised for the registry.
    key: String,
    /// The store's locks, once the gateway gave its store.
    shared: Option<Locks>,
}

/// A held lane (one of the two kinds): the request is sent while it lives.
#[derive(Debug)]
pub(crate) struct LaneGuard {
    _process: Option<OwnedMutexGuard<()>>,
    _shared: Option<LockGuard>,
}

impl GoodsOwnerLane {
    /// The lane for `goods_owner_id` of `warehouse` at `base_url` (compared without a
    /// trailing slash and ignoring case).
    pub(crate) fn for_goods_owner(base_url: &str, warehouse: &str, goods_owner_id: i64) -> Self {
        let key = (
            base_url.trim_end_matches('/').to_ascii_lowercase(),
            warehouse.to_ascii_lowercase(),
            goods_owner_id,
        );
        let mut lanes = registry()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let name = format!("ongoing-lane:{}:{}:{}", key.0, key.1, key.2);
        let lock = lanes.entry(key).or_default().clone();
        Self {
            lock,
            key: name,
            shared: None,
        }
    }

    /// The same lane, held in `locks` (the gateway's store) so replicas share it.
    pub(crate) fn shared(self, locks: Locks) -> Self {
        Self {
            shared: Some(locks),
            ..self
        }
    }

    /// Waits for the lane; the request is sent while the guard lives.
    ///
    /// # Errors
    /// The store's [`platform_store::StoreError`] when the shared lane cannot be taken
    /// (retryable: nothing was sent).
    pub(crate) async fn enter(&self) -> Result<LaneGuard, platform_store::StoreError> {
        match &self.shared {
            Some(locks) => Ok(LaneGuard {
                _process: None,
                _shared: Some(locks.lock(&self.key).await?),
            }),
            None => Ok(LaneGuard {
                _process: Some(self.lock.clone().lock_owned().await),
                _shared: None,
            }),
        }
    }

    #[cfg(test)]
    fn same_as(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.lock, &other.lock)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_lane_per_host_and_goods_owner() {
        let a = GoodsOwnerLane::for_goods_owner("http://Host:1/", "Sandbox", 7);
        let b = GoodsOwnerLane::for_goods_owner("http://host:1", "sandbox", 7);
        let c = GoodsOwnerLane::for_goods_owner("http://host:1", "sandbox", 8);
        let d = GoodsOwnerLane::for_goods_owner("http://host:1", "other", 7);
        assert!(a.same_as(&b));
        assert!(!a.same_as(&c));
        assert!(!a.same_as(&d));
    }
}
