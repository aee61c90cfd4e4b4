//! The catalogue in the contract suite, through the adapter under test (see the parent module):
//! the products poll publishes one `ProductChanged` per product with every field catalog-sync
//! reads, publishes nothing for an unchanged catalogue (and then makes only listing calls),
//! publishes a changed product again, and dead-letters an unreadable product naming it and
//! its field while the others go on; ListProducts pages through the catalogue and filters by
//! product number.

use std::collections::BTreeMap;

use centra_gateway::detect::poll_products;
use prost::Message;
use proto::centra::v1::ListProductsRequest;
use proto::events::v1::{Product, ProductChanged};
use serde_json::json;

use super::{CentraApi, ENDPOINT, Harness, harness, products};

/// The products of the `ProductChanged` events in the outbox, oldest first.
async fn published(h: &Harness) -> Vec<Product> {
    sqlx::query_as::<_, (String, Vec<u8>)>("SELECT subject, payload FROM outbox ORDER BY seq")
        .fetch_all(h.store.pool())
        .await
        .expect("outbox rows")
        .into_iter()
        .filter(|(subject, _)| subject.ends_with(".product.changed"))
        .map(|(_, payload)| {
            ProductChanged::decode(payload.as_slice())
                .expect("a ProductChanged")
                .product
                .expect("its product")
        })
        .collect()
}

/// A size as `(stock item, sku, variant sku, size sku, ean, size, active)`.
type SizeKeys = (String, String, String, String, String, String, bool);

fn size_keys(product: &Product) -> Vec<SizeKeys> {
    let mut sizes: Vec<SizeKeys> = product
        .sizes
        .iter()
        .map(|s| {
            (
                s.stock_item_id.clone(),
                s.sku.clone(),
                s.variant_sku.clone(),
                s.size_sku.clone(),
                s.ean.clone(),
                s.size_name.clone(),
                s.active,
            )
        })
        .collect();
    sizes.sort();
    sizes
}

fn size(item: &str, sku: &str, variant: &str, size: &str, ean: &str, name: &str) -> SizeKeys {
    (
        item.to_owned(),
        sku.to_owned(),
        variant.to_owned(),
        size.to_owned(),
        ean.to_owned(),
        name.to_owned(),
        true,
    )
}

/// The calls the simulator logged after the first `skip`.
async fn calls_after(h: &Harness, skip: usize) -> Vec<String> {
    h.calls().await.into_iter().skip(skip).collect()
}

pub(super) async fn the_products_poll_publishes_each_product_version_once(api: CentraApi) {
    let h = harness(api).await;
    h.control("/products", &products()).await;
    let connection = h.connection.clone();
    let report = poll_products(&h.store, &connection).await.expect("polled");
    assert_eq!(
        (report.published, report.dead_lettered),
        (2, 0),
        "{report:?}"
    );
    let by_id: BTreeMap<String, Product> = published(&h)
        .await
        .into_iter()
        .map(|p| (p.product_id.clone(), p))
        .collect();
    let jacket = by_id.get("7001").expect("the jacket published");
    // The Order API's row `name` and the Integration API's `Product.name` (the simulator answers
    // the product's `product` text there) differ only in case here.
    assert!(
        jacket.name.eq_ignore_ascii_case("Harbour jacket"),
        "{}",
        jacket.name
    );
    assert_eq!(
        size_keys(jacket),
        [
            size("9001", "HJ100", "NVY", "S", "7350000000011", "S"),
            size("9002", "HJ100", "NVY", "M", "7350000000028", "M"),
        ]
    );
    let small = jacket
        .sizes
        .iter()
        .find(|s| s.stock_item_id == "9001")
        .expect("size S");
    assert_eq!(small.variant_id, "7101");
    assert_eq!(small.variant_name, "Navy");
    assert_eq!(small.weight.parse::<f64>().ok(), Some(0.85));
    assert_eq!(small.weight_unit, "kg");
    assert_eq!(small.country_of_origin, "PT");
    assert_eq!(small.harm_code, "6201300000");
    let prices: Vec<(&str, &str, Option<f64>)> = small
        .prices
        .iter()
        .map(|p| {
            (
                p.pricelist.as_str(),
                p.currency.as_str(),
                p.amount.parse().ok(),
            )
        })
        .collect();
    assert_eq!(prices, [("EUR Europe", "EUR", Some(149.0))]);
    let cap = by_id.get("7002").expect("the cap published");
    assert_eq!(
        size_keys(cap),
        [size(
            "9003",
            "WC200",
            "GRY",
            "OS",
            "7350000000035",
            "One size"
        )]
    );

    // Nothing changed: nothing published, and only the listing is read.
    let before = h.calls().await.len();
    let again = poll_products(&h.store, &connection)
        .await
        .expect("polled again");
    assert_eq!((again.published, again.dead_lettered), (0, 0), "{again:?}");
    // The Order API's poll leaves out rows whose fingerprint it remembers before grouping them;
    // the GraphQL poll lists every product and finds each version already published.
    let unchanged = match api {
        CentraApi::OrderApi => 0,
        CentraApi::Graphql => 2,
    };
    assert_eq!(again.unchanged, unchanged, "{again:?}");
    let calls = calls_after(&h, before).await;
    assert!(!calls.is_empty(), "the catalogue was read");
    for call in &calls {
        let listing = match api {
            CentraApi::OrderApi => call.starts_with("GET ") && call.contains("/products"),
            CentraApi::Graphql => call == "POST /graphql CatalogPage",
        };
        assert!(listing, "only listing calls: {calls:?}");
    }

    // A renamed product is published again, once; the other is not.
    let mut renamed = products();
    for row in renamed["products"].as_array_mut().expect("rows") {
        if row["productId"] == json!(7002) {
            row["product"] = json!("Wool beanie");
            row["name"] = json!("Wool beanie");
        }
    }
    h.control("/products", &renamed).await;
    let changed = poll_products(&h.store, &connection)
        .await
        .expect("polled after the change");
    assert_eq!(changed.published, 1, "{changed:?}");
    let last = published(&h).await.pop().expect("an event");
    assert_eq!(
        (last.product_id.as_str(), last.name.as_str()),
        ("7002", "Wool beanie")
    );
}

pub(super) async fn an_unreadable_product_is_dead_lettered_and_the_others_published(
    api: CentraApi,
) {
    let h = harness(api).await;
    let mut catalogue = products();
    catalogue["products"]
        .as_array_mut()
        .expect("rows")
        .push(json!(
            {"productId": 7003, "product": "Rain boot", "name": "Rain Boot", "variantId": 7301,
             "variant": "Black", "variantSku": "BLK", "sku": "RB300", "stockItemId": 9004,
             "size": "42", "sizeSku": "42", "ean": "7350000000042", "active": true,
             "weight": 1.2, "weightUnit": "stone", "countryOfOrigin": "IT",
             "harmCode": "6401920000",
             "prices": [{"pricelist": "EUR Europe", "currency": "EUR", "price": 89.0}],
             "physicalStock": 4}
        ));
    h.control("/products", &catalogue).await;
    let report = poll_products(&h.store, &h.connection)
        .await
        .expect("polled");
    assert_eq!(
        (report.published, report.dead_lettered),
        (2, 1),
        "{report:?}"
    );
    let ids: Vec<String> = published(&h)
        .await
        .into_iter()
        .map(|p| p.product_id)
        .collect();
    assert!(!ids.contains(&"7003".to_owned()), "{ids:?}");
    let (key, reason): (String, String) =
        sqlx::query_as("SELECT record_key, reason FROM dead_letters WHERE kind = 'centra.product'")
            .fetch_one(h.store.pool())
            .await
            .expect("one dead letter");
    assert!(key.starts_with(&format!("{ENDPOINT}:")), "{key}");
    assert!(reason.contains("7003"), "names the product: {reason}");
    assert!(
        reason.to_lowercase().contains("unit") && reason.contains("stone"),
        "names the field and its value: {reason}"
    );
}

pub(super) async fn list_products_pages_through_the_catalogue(api: CentraApi) {
    let h = harness(api).await;
    h.control("/products", &products()).await;
    let mut sizes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let page = h
            .commands
            .list_products(ListProductsRequest {
                endpoint: ENDPOINT.to_owned(),
                page_size: 1,
                page_token: token.clone(),
                ..ListProductsRequest::default()
            })
            .await
            .expect("a page");
        pages += 1;
        assert!(pages <= 10, "the pages end");
        for product in page.products {
            sizes
                .entry(product.product_id)
                .or_default()
                .extend(product.sizes.into_iter().map(|s| s.ean));
        }
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert!(pages >= 2, "a page of one is not the whole catalogue");
    for eans in sizes.values_mut() {
        eans.sort();
    }
    assert_eq!(
        sizes,
        BTreeMap::from([
            (
                "7001".to_owned(),
                vec!["7350000000011".to_owned(), "7350000000028".to_owned()]
            ),
            ("7002".to_owned(), vec!["7350000000035".to_owned()]),
        ])
    );
    let cap = h
        .commands
        .list_products(ListProductsRequest {
            endpoint: ENDPOINT.to_owned(),
            page_size: 10,
            sku: "WC200".to_owned(),
            ..ListProductsRequest::default()
        })
        .await
        .expect("the product number's page");
    let ids: Vec<&str> = cap.products.iter().map(|p| p.product_id.as_str()).collect();
    assert_eq!(ids, ["7002"]);
}
