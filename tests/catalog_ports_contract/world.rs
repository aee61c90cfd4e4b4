//! What a case needs of an implementation: the port, and the controls that set up the far
//! side's facts (the products Centra sells) and make it fail. One world per case, so the far
//! side holds the case's own facts only. The fakes' worlds are here; the gateways' in
//! `grpc.rs`.

use std::sync::Arc;

use catalog_sync::fakes::{FakeCatalog, FakeWms};
use catalog_sync::ports::{ArticleSink, CatalogSource};
use centra_wms_tests::e2e::{SIZES_PER_PRODUCT, ean};
use proto::events::v1 as pb;

/// The Centra end-point every world serves.
pub const ENDPOINT: &str = "shop1";

/// The warehouse every world serves.
pub const WAREHOUSE: &str = "sandbox";

/// The Centra product id of product `product` (as `size_row` makes it).
pub fn product_id(product: usize) -> String {
    (1000 + product).to_string()
}

/// The stock item id of a size item (as `size_row` makes it).
pub fn stock_item_id(product: usize, size: usize) -> String {
    (100_000 + product * SIZES_PER_PRODUCT + size).to_string()
}

/// The EAN of a size item (as `size_row` makes it).
pub fn size_ean(product: usize, size: usize) -> String {
    ean(product * SIZES_PER_PRODUCT + size)
}

/// A Centra side: the port plus its controls.
pub trait CatalogWorld {
    fn port(&self) -> Arc<dyn CatalogSource>;
    /// Centra sells these products `(product, sizes)`, each with `sizes` size items
    /// (`size_row(product, 0..sizes)`, at most `SIZES_PER_PRODUCT`); it sells none at first.
    async fn sell(&self, products: &[(usize, usize)]);
    /// The next call (at least) fails as if Centra were down.
    async fn go_down(&self);
    async fn stop(self);
}

/// A WMS side: the port plus its controls.
pub trait ArticleWorld {
    fn port(&self) -> Arc<dyn ArticleSink>;
    /// The next call (at least) fails as if the WMS were down.
    async fn go_down(&self);
    async fn stop(self);
}

/// The fake catalogue of `catalog_sync::fakes`.
#[derive(Debug, Default)]
pub struct FakeCatalogWorld {
    fake: Arc<FakeCatalog>,
}

/// A size item as the centra-gateway answers `size_row(product, size)`.
fn size(product: usize, size: usize) -> pb::ProductSize {
    pb::ProductSize {
        stock_item_id: stock_item_id(product, size),
        variant_id: (5000 + product).to_string(),
        variant_name: "Blue".into(),
        sku: format!("P{product}"),
        variant_sku: "-BL".into(),
        size_sku: format!("-{size}"),
        ean: size_ean(product, size),
        upc: String::new(),
        size_name: format!("S{size}"),
        active: true,
        weight: "0.25".into(),
        weight_unit: "kg".into(),
        country_of_origin: "PT".into(),
        harm_code: "6109100010".into(),
        harm_description: String::new(),
        prices: vec![pb::Price {
            pricelist: "EUR Europe".into(),
            currency: "EUR".into(),
            amount: "45.00".into(),
        }],
    }
}

impl CatalogWorld for FakeCatalogWorld {
    fn port(&self) -> Arc<dyn CatalogSource> {
        self.fake.clone()
    }

    async fn sell(&self, products: &[(usize, usize)]) {
        let mut held = self.fake.products.lock().expect("lock");
        for &(product, sizes) in products {
            let id = product_id(product);
            held.insert(
                id.clone(),
                pb::Product {
                    product_id: id,
                    name: format!("Shirt {product}"),
                    sizes: (0..sizes).map(|s| size(product, s)).collect(),
                    ..pb::Product::default()
                },
            );
        }
    }

    async fn go_down(&self) {
        *self.fake.down.lock().expect("lock") = true;
    }

    async fn stop(self) {}
}

/// The fake WMS of `catalog_sync::fakes`.
#[derive(Debug, Default)]
pub struct FakeArticleWorld {
    fake: Arc<FakeWms>,
}

impl ArticleWorld for FakeArticleWorld {
    fn port(&self) -> Arc<dyn ArticleSink> {
        self.fake.clone()
    }

    async fn go_down(&self) {
        *self.fake.down.lock().expect("lock") = true;
    }

    async fn stop(self) {}
}
