//! The article mapping (a Centra size row to a WMS article, [`catalog_sync::rules::map_size`])
//! under the default rules: a first import of 100,000 sizes maps each once, and every catalogue
//! poll maps the changed ones. `cargo bench -p catalog-sync --bench mapping`; `make bench` runs
//! it with a short measurement and prints the median per call.

use std::hint::black_box;

use catalog_sync::convert::{CentraPrice, CentraProduct, CentraSize};
use catalog_sync::rules::{CatalogRules, map_product, map_size};
use criterion::{Criterion, criterion_group, criterion_main};

/// Size `n` of a shirt as the gateway contract carries it: three SKUs, a valid EAN, a weight in
/// grams, two prices.
fn size(n: usize) -> CentraSize {
    CentraSize {
        stock_item_id: (100_000 + n).to_string(),
        variant_id: "5000".into(),
        variant_name: "Blue".into(),
        sku: "M411".into(),
        variant_sku: "-740".into(),
        size_sku: format!("-{n}"),
        ean: "4006381333931".into(),
        upc: String::new(),
        size_name: format!("S{n}"),
        active: true,
        weight: "500".into(),
        weight_unit: "g".into(),
        country_of_origin: "PT".into(),
        harm_code: "61091000".into(),
        harm_description: String::new(),
        prices: vec![
            CentraPrice {
                pricelist: "SEK".into(),
                currency: "SEK".into(),
                amount: "499".into(),
            },
            CentraPrice {
                pricelist: "EU".into(),
                currency: "EUR".into(),
                amount: "45.50".into(),
            },
        ],
    }
}

/// A product of ten sizes.
fn product() -> CentraProduct {
    CentraProduct {
        product_id: "1000".into(),
        name: "Shirt".into(),
        brand: "Brand".into(),
        collection: "SS26".into(),
        description: "A shirt".into(),
        sizes: (0..10).map(size).collect(),
    }
}

fn mapping(c: &mut Criterion) {
    let rules = CatalogRules::default();
    let product = product();
    c.bench_function("catalog-sync/map_size, one size row", |b| {
        b.iter(|| map_size(black_box(&product), black_box(&product.sizes[3]), &rules));
    });
    c.bench_function("catalog-sync/map_product, 10 sizes", |b| {
        b.iter(|| map_product(black_box(&product), &rules));
    });
}

criterion_group!(benches, mapping);
criterion_main!(benches);
