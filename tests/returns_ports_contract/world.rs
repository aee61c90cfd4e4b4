//! What a case needs of an implementation: the port, and the controls that set up the far
//! side's facts (completed shipments, WMS orders) and read back its effects (returns, reported
//! returned units). One world per case,
//! so counts are the case's own. The fakes' world is here; the gateways' in `grpc.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use returns_sync::fakes::{FakeCentra, FakeWms, Fault};
use returns_sync::ports::{CentraReturns, WmsReturns};

/// The Centra end-point every world serves.
pub const ENDPOINT: &str = "shop1";

/// The warehouse every world serves.
pub const WAREHOUSE: &str = "sandbox";

/// A Centra side: the port plus its controls.
pub trait CentraWorld {
    fn port(&self) -> Arc<dyn CentraReturns>;
    /// A new completed (shipped) shipment of one line of `units`; its id.
    async fn shipment(&self, units: i64) -> String;
    /// The returns Centra holds of the shipment.
    async fn returns(&self, shipment_id: &str) -> usize;
    /// The next call (at least) fails as if Centra were down.
    async fn go_down(&self);
    async fn stop(self);
}

/// The fake Centra of `returns_sync::fakes`.
#[derive(Debug, Default)]
pub struct FakeCentraWorld {
    fake: Arc<FakeCentra>,
    next_order: AtomicU64,
}

impl CentraWorld for FakeCentraWorld {
    fn port(&self) -> Arc<dyn CentraReturns> {
        self.fake.clone()
    }

    async fn shipment(&self, units: i64) -> String {
        let order = self.next_order.fetch_add(1, Ordering::Relaxed) + 1;
        let id = format!("{order}-1");
        self.fake.with(|s| {
            s.shipments.insert(
                format!("{ENDPOINT}/{id}"),
                BTreeMap::from([(format!("{order}01"), units)]),
            )
        });
        id
    }

    async fn returns(&self, shipment_id: &str) -> usize {
        self.fake.with(|s| {
            s.returns
                .values()
                .filter(|r| r.shipment_id == shipment_id)
                .count()
        })
    }

    async fn go_down(&self) {
        self.fake.with(|s| s.next_fault = Fault::Down);
    }

    async fn stop(self) {}
}

/// A WMS side: the port plus its controls.
pub trait WmsWorld {
    fn port(&self) -> Arc<dyn WmsReturns>;
    /// A new WMS order of one line; its order id and line id.
    async fn order(&self) -> (i64, i64);
    /// The returned units reported on the line.
    async fn reported_returned(&self, order_id: i64, line_id: i64) -> i64;
    /// The next call (at least) fails as if the WMS were down.
    async fn go_down(&self);
    async fn stop(self);
}

/// The fake WMS of `returns_sync::fakes`, holding no order at first.
#[derive(Debug)]
pub struct FakeWmsWorld {
    fake: Arc<FakeWms>,
    next_order: AtomicU64,
}

impl Default for FakeWmsWorld {
    fn default() -> Self {
        let fake = FakeWms::default();
        fake.with(|s| s.orders = Some(BTreeMap::new()));
        Self {
            fake: Arc::new(fake),
            next_order: AtomicU64::new(0),
        }
    }
}

impl WmsWorld for FakeWmsWorld {
    fn port(&self) -> Arc<dyn WmsReturns> {
        self.fake.clone()
    }

    async fn order(&self) -> (i64, i64) {
        let order =
            i64::try_from(self.next_order.fetch_add(1, Ordering::Relaxed) + 1).expect("order id");
        let line = order * 100 + 1;
        self.fake.with(|s| {
            s.orders
                .get_or_insert_with(BTreeMap::new)
                .insert(order, BTreeSet::from([line]))
        });
        (order, line)
    }

    async fn reported_returned(&self, order_id: i64, line_id: i64) -> i64 {
        self.fake
            .with(|s| s.reported.get(&(order_id, line_id)).copied().unwrap_or(0))
    }

    async fn go_down(&self) {
        self.fake.with(|s| s.next_fault = Fault::Down);
    }

    async fn stop(self) {}
}
