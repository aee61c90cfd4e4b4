//! One change at a time per Centra order (or supplier delivery) in this process.
//!
//! The consumers handle several deliveries at once, and the admin service runs beside them, so
//! two handlers may reach the same record: a redelivery and an operator's retry, or a
//! shipment's good-to-go and its order's `order.ready` under `import = both` (the rule that an
//! order is never imported twice is a read-then-write). Everything that reads and writes a
//! record first takes the lock of its Centra order; unrelated orders go on in parallel.
//!
//! ```text
//! RecordLocks::order(endpoint, order)        shipments (by their order) and orders
//! RecordLocks::shipment(endpoint, "83651-1")  the same lock, from a shipment id as text
//! RecordLocks::inbound()                      supplier deliveries (few: one at a time)
//! ```
//!
//! A lock lives only while someone holds or waits for it, so the map stays as small as the
//! work in flight.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use domain::{CentraOrderId, ShipmentId};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// The held lock of one record; released on drop.
#[derive(Debug)]
pub struct RecordGuard {
    key: String,
    guard: Option<OwnedMutexGuard<()>>,
    locks: RecordLocks,
}

impl Drop for RecordGuard {
    fn drop(&mut self) {
        drop(self.guard.take());
        self.locks.forget_if_unused(&self.key);
    }
}

/// The per-record locks of one `OrderFlow` (shared by its clones).
#[derive(Debug, Clone, Default)]
pub struct RecordLocks {
    held: Arc<Mutex<HashMap<String, Arc<AsyncMutex<()>>>>>,
}

impl RecordLocks {
    /// Waits for the lock of Centra order `order` of `endpoint`.
    pub async fn order(&self, endpoint: &str, order: CentraOrderId) -> RecordGuard {
        self.lock(format!("order:{endpoint}:{order}")).await
    }

    /// Waits for the lock of the order of shipment `shipment_id` (text, as an operator typed
    /// it); text that is no shipment id gets a lock of its own (nothing else can find it).
    pub async fn shipment(&self, endpoint: &str, shipment_id: &str) -> RecordGuard {
        match ShipmentId::parse(shipment_id.trim()) {
            Ok(id) => self.order(endpoint, id.order_id()).await,
            Err(_) => {
                self.lock(format!("shipment:{endpoint}:{shipment_id}"))
                    .await
            }
        }
    }

    /// Waits for the lock of the inbound flow (supplier deliveries and their receipts).
    pub async fn inbound(&self) -> RecordGuard {
        self.lock("inbound".to_owned()).await
    }

    async fn lock(&self, key: String) -> RecordGuard {
        let lock = self
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key.clone())
            .or_default()
            .clone();
        let guard = lock.lock_owned().await;
        RecordGuard {
            key,
            guard: Some(guard),
            locks: self.clone(),
        }
    }

    /// Drops the entry when nobody else holds or waits for it (the map's `Arc` is the last).
    fn forget_if_unused(&self, key: &str) {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if held
            .get(key)
            .is_some_and(|lock| Arc::strong_count(lock) == 1)
        {
            held.remove(key);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn order(id: &str) -> CentraOrderId {
        CentraOrderId::parse(id).expect("order id")
    }

    #[tokio::test]
    async fn the_same_order_waits_other_orders_do_not() {
        let locks = RecordLocks::default();
        let first = locks.order("shop1", order("100")).await;
        // Another order is free.
        let other = tokio::time::timeout(
            Duration::from_millis(100),
            locks.order("shop1", order("101")),
        )
        .await
        .expect("another order is not blocked");
        // The same order of another end-point is another record.
        let elsewhere = tokio::time::timeout(
            Duration::from_millis(100),
            locks.order("shop2", order("100")),
        )
        .await
        .expect("another end-point is not blocked");
        // A shipment of the same order waits until the first guard is gone.
        let waiting = tokio::spawn({
            let locks = locks.clone();
            async move { locks.shipment("shop1", "100-2").await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "the second holder waits");
        drop(first);
        let second = waiting.await.expect("joins");
        drop((second, other, elsewhere));
        assert_eq!(locks.len(), 0, "no lock is kept once nobody holds it");
    }

    #[tokio::test]
    async fn inbound_and_text_that_is_no_shipment_id_do_not_block_orders() {
        let locks = RecordLocks::default();
        let _order = locks.order("shop1", order("7")).await;
        tokio::time::timeout(Duration::from_millis(100), locks.inbound())
            .await
            .expect("not blocked by the order");
        tokio::time::timeout(Duration::from_millis(100), locks.shipment("shop1", "seven"))
            .await
            .expect("not blocked by the order");
    }
}
