//! What a case needs of an implementation: the port, and the controls that set up the far
//! side's facts (articles and their stock, size items) and make it fail. One world per case, so
//! the far side holds the case's own facts only. The fakes' worlds are here; the gateways' in
//! `grpc.rs`.

use std::sync::Arc;

use centra_wms_tests::e2e::{SIZES_PER_PRODUCT, ean};
use domain::WmsStock;
use stock_sync::fakes::{FakeCentra, FakeWms, Fault, Item};
use stock_sync::ports::{CentraStockTarget, WmsStockSource};

/// The Centra end-point every world serves.
pub const ENDPOINT: &str = "shop1";

/// The warehouse every world serves.
pub const WAREHOUSE: &str = "sandbox";

/// The Centra product id of product `product` (as `size_row` makes it).
pub fn product_id(product: usize) -> String {
    (1000 + product).to_string()
}

/// The joined SKU (`sku + variantSku + sizeSku`) of a size item (as `size_row` makes it).
pub fn joined_sku(product: usize, size: usize) -> String {
    format!("P{product}-BL-{size}")
}

/// The EAN of a size item (as `size_row` makes it).
pub fn size_ean(product: usize, size: usize) -> String {
    ean(product * SIZES_PER_PRODUCT + size)
}

/// A WMS side: the port plus its controls.
pub trait WmsWorld {
    fn port(&self) -> Arc<dyn WmsStockSource>;
    /// The WMS holds these articles with this physical stock (nothing booked) from now on; it
    /// holds none at first.
    async fn hold(&self, articles: &[(String, i64)]);
    /// The next call (at least) fails as if the WMS were down.
    async fn go_down(&self);
    async fn stop(self);
}

/// A Centra side: the port plus its controls.
pub trait CentraWorld {
    fn port(&self) -> Arc<dyn CentraStockTarget>;
    /// Centra sells these size items `(product, size)` with this physical stock and nothing
    /// allocated; it sells none at first.
    async fn sell(&self, items: &[(usize, usize)], physical: i64);
    /// The next call (at least) fails as if Centra were down.
    async fn go_down(&self);
    async fn stop(self);
}

/// The fake WMS of `stock_sync::fakes`.
#[derive(Debug, Default)]
pub struct FakeWmsWorld {
    fake: Arc<FakeWms>,
}

impl WmsWorld for FakeWmsWorld {
    fn port(&self) -> Arc<dyn WmsStockSource> {
        self.fake.clone()
    }

    async fn hold(&self, articles: &[(String, i64)]) {
        self.fake.with(|w| {
            for (number, physical) in articles {
                w.levels.insert(
                    number.clone(),
                    WmsStock {
                        physical: *physical,
                        sellable: *physical,
                    },
                );
            }
        });
    }

    async fn go_down(&self) {
        self.fake.with(|w| w.next_fault = Fault::Down);
    }

    async fn stop(self) {}
}

/// The fake Centra of `stock_sync::fakes`.
#[derive(Debug, Default)]
pub struct FakeCentraWorld {
    fake: Arc<FakeCentra>,
}

impl CentraWorld for FakeCentraWorld {
    fn port(&self) -> Arc<dyn CentraStockTarget> {
        self.fake.clone()
    }

    async fn sell(&self, items: &[(usize, usize)], physical: i64) {
        self.fake.with(|c| {
            for (product, size) in items {
                c.items.push(Item {
                    product_id: product_id(*product),
                    joined_sku: joined_sku(*product, *size),
                    ean: size_ean(*product, *size),
                    physical,
                    allocated: 0,
                    bundle: false,
                });
            }
        });
    }

    async fn go_down(&self) {
        self.fake.with(|c| c.next_fault = Fault::Down);
    }

    async fn stop(self) {}
}
