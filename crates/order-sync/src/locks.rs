//! One change at a time per Centra order (or supplier delivery), in this process and in every
//! other replica of order-sync.
//!
//! The consumers handle several deliveries at once, the admin service runs beside them, and
//! several replicas may run, so two handlers may reach the same record: a redelivery and an
//! operator's retry, or a shipment's good-to-go and its order's `order.ready` under
//! `import = both` (the rule that an order is never imported twice is a read-then-write).
//! Everything that reads and writes a record first takes the lock of its Centra order;
//! unrelated orders go on in parallel.
//!
//! ```text
//! RecordLocks::order(endpoint, order)        shipments (by their order) and orders
//! RecordLocks::shipment(endpoint, "83651-1")  the same lock, from a shipment id as text
//! RecordLocks::inbound()                      supplier deliveries (few: one at a time)
//! ```
//!
//! The locks are the store's ([`platform_store::Locks`]): FIFO in the process, a PostgreSQL
//! advisory lock across replicas, released when the guard is dropped or its process dies.

use domain::{CentraOrderId, ShipmentId};
use platform_store::{LockGuard, Locks, StoreError};

/// The held lock of one record; released on drop.
#[derive(Debug)]
pub struct RecordGuard {
    _held: LockGuard,
}

/// The per-record locks of one `OrderFlow` (shared by its clones and by every replica on the
/// same database).
#[derive(Debug, Clone)]
pub struct RecordLocks {
    locks: Locks,
}

impl RecordLocks {
    pub fn new(locks: Locks) -> Self {
        Self { locks }
    }

    /// Waits for the lock of Centra order `order` of `endpoint`.
    ///
    /// # Errors
    /// The store's error when the lock cannot be taken (another holder past the wait bound, or
    /// the database is down): retryable, the handler runs again later.
    pub async fn order(
        &self,
        endpoint: &str,
        order: CentraOrderId,
    ) -> Result<RecordGuard, StoreError> {
        self.lock(&format!("order:{endpoint}:{order}")).await
    }

    /// Waits for the lock of the order of shipment `shipment_id` (text, as an operator typed
    /// it); text that is no shipment id gets a lock of its own (nothing else can find it).
    ///
    /// # Errors
    /// As [`RecordLocks::order`].
    pub async fn shipment(
        &self,
        endpoint: &str,
        shipment_id: &str,
    ) -> Result<RecordGuard, StoreError> {
        match ShipmentId::parse(shipment_id.trim()) {
            Ok(id) => self.order(endpoint, id.order_id()).await,
            Err(_) => {
                self.lock(&format!("shipment:{endpoint}:{shipment_id}"))
                    .await
            }
        }
    }

    /// Waits for the lock of the inbound flow (supplier deliveries and their receipts).
    ///
    /// # Errors
    /// As [`RecordLocks::order`].
    pub async fn inbound(&self) -> Result<RecordGuard, StoreError> {
        self.lock("inbound").await
    }

    async fn lock(&self, key: &str) -> Result<RecordGuard, StoreError> {
        Ok(RecordGuard {
            _held: self.locks.lock(key).await?,
        })
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.locks.in_use()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use platform_store::{Migrations, Store, StoreOptions};

    use super::*;

    fn order(id: &str) -> CentraOrderId {
        CentraOrderId::parse(id).expect("order id")
    }

    async fn locks() -> RecordLocks {
        let store = Store::open(
            StoreOptions::new("order-sync", "sqlite::memory:"),
            &Migrations::none(),
        )
        .await
        .expect("store");
        RecordLocks::new(store.locks().clone())
    }

    #[tokio::test]
    async fn the_same_order_waits_other_orders_do_not() {
        let locks = locks().await;
        let first = locks.order("shop1", order("100")).await.expect("lock");
        // Another order is free.
        let other = tokio::time::timeout(
            Duration::from_millis(100),
            locks.order("shop1", order("101")),
        )
        .await
        .expect("another order is not blocked")
        .expect("lock");
        // The same order of another end-point is another record.
        let elsewhere = tokio::time::timeout(
            Duration::from_millis(100),
            locks.order("shop2", order("100")),
        )
        .await
        .expect("another end-point is not blocked")
        .expect("lock");
        // A shipment of the same order waits until the first guard is gone.
        let waiting = tokio::spawn({
            let locks = locks.clone();
            async move { locks.shipment("shop1", "100-2").await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "the second holder waits");
        drop(first);
        let second = waiting.await.expect("joins").expect("lock");
        drop((second, other, elsewhere));
        assert_eq!(locks.len(), 0, "no lock is kept once nobody holds it");
    }

    #[tokio::test]
    async fn inbound_and_text_that_is_no_shipment_id_do_not_block_orders() {
        let locks = locks().await;
        let _order = locks.order("shop1", order("7")).await.expect("lock");
        tokio::time::timeout(Duration::from_millis(100), locks.inbound())
            .await
            .expect("not blocked by the order")
            .expect("lock");
        tokio::time::timeout(Duration::from_millis(100), locks.shipment("shop1", "seven"))
            .await
            .expect("not blocked by the order")
            .expect("lock");
    }
}
