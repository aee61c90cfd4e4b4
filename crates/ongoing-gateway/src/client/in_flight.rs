//! The process-wide "one request in flight per goods owner" rule.
//!
//! Ongoing processes a goods owner's calls one after the other and times out the ones that
//! queue up behind, so every client in the process, whoever created it, takes the same lock for
//! the same `(base url, warehouse, goods owner)` before it sends (goods owner ids are only
//! unique within one warehouse system). A throttle per client instance is not
//! enough: two services (or two pollers and a gRPC call) may each hold a client.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

type Key = (String, String, i64);

fn registry() -> &'static Mutex<HashMap<Key, Arc<AsyncMutex<()>>>> {
    static REGISTRY: OnceLock<Mutex<HashMap<Key, Arc<AsyncMutex<()>>>>> = OnceLock::new();
    REGISTRY.get_or_init(Mutex::default)
}

/// The lane of one goods owner at one Ongoing host: a fair (FIFO) async mutex shared by the
/// whole process.
#[derive(Debug, Clone)]
pub(crate) struct GoodsOwnerLane {
    lock: Arc<AsyncMutex<()>>,
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
        let lock = lanes.entry(key).or_default().clone();
        Self { lock }
    }

    /// Waits for the lane; the request is sent while the guard lives.
    pub(crate) async fn enter(&self) -> OwnedMutexGuard<()> {
        self.lock.clone().lock_owned().await
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
