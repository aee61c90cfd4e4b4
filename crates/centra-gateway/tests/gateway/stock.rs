//! Stock against the simulator: `ReadStock` of named products (every page of each) and of one
//! page of every size item, refused product ids, and `SetStock` reporting bundles.

use centra_gateway::commands::CommandError;
use proto::centra::v1::{ReadStockRequest, SetStockRequest, StockLevel, StockRow};
use serde_json::{Value, json};

use crate::harness::{ENDPOINT, TestApp, fast_options, spawn_app, spawn_app_with};

fn named(ids: &[&str]) -> ReadStockRequest {
    ReadStockRequest {
        endpoint: ENDPOINT.into(),
        product_ids: ids.iter().map(|id| (*id).to_owned()).collect(),
        ..ReadStockRequest::default()
    }
}

/// The `GET /stock` calls made so far, as their query strings.
async fn stock_reads(app: &TestApp) -> Vec<String> {
    app.requests()
        .await
        .iter()
        .filter(|r| r["method"] == json!("GET"))
        .filter(|r| r["path"].as_str().is_some_and(|p| p.ends_with("/stock")))
        .map(|r| match &r["query"] {
            Value::String(q) => q.clone(),
            other => other.to_string(),
        })
        .collect()
}

fn row<'a>(rows: &'a [StockRow], size_sku: &str) -> &'a StockRow {
    rows.iter()
        .find(|r| r.size_sku == size_sku)
        .unwrap_or_else(|| panic!("size {size_sku} in {rows:?}"))
}

#[tokio::test]
async fn named_products_are_read_page_by_page_with_their_allocated_stock() {
    // One row per page, so the jacket's two sizes need two calls.
    let mut options = fast_options();
    options.page_size = 1;
    let app = spawn_app_with(chrono_tz::Europe::Stockholm, options).await;
    app.seed_products().await;
    // The order's shipment allocates 2 × S and 1 × M.
    app.place_order(true, false, true).await;

    let response = app
        .commands
        .read_stock(named(&["7001", " 7002 ", "7001", "9999"]))
        .await
        .expect("read");
    assert_eq!(response.rows.len(), 3, "{:?}", response.rows);
    assert!(response.next_page_token.is_empty());
    let small = row(&response.rows, "S");
    assert_eq!(
        (
            small.product_id.as_str(),
            small.sku.as_str(),
            small.variant_sku.as_str(),
            small.ean.as_str()
        ),
        ("7001", "HJ100", "NVY", "7350000000011")
    );
    assert_eq!((small.physical, small.allocated), (10, 2));
    let medium = row(&response.rows, "M");
    assert_eq!((medium.physical, medium.allocated), (5, 1));
    let cap = row(&response.rows, "OS");
    assert_eq!(
        (cap.product_id.as_str(), cap.physical, cap.allocated),
        ("7002", 3, 0)
    );

    let reads = stock_reads(&app).await;
    let of = |id: &str| {
        reads
            .iter()
            .filter(|q| q.contains(&format!("productId={id}")))
            .count()
    };
    assert_eq!(
        of("7001"),
        2,
        "two pages, read once though named twice: {reads:?}"
    );
    assert_eq!(of("7002"), 1, "{reads:?}");
    assert_eq!(of("9999"), 1, "an unknown product has no rows: {reads:?}");
    assert_eq!(reads.len(), 4, "{reads:?}");
}

#[tokio::test]
async fn without_product_ids_one_page_of_every_size_item_is_read() {
    let app = spawn_app().await;
    app.seed_products().await;

    let mut rows = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let page = app
            .commands
            .read_stock(ReadStockRequest {
                endpoint: ENDPOINT.into(),
                page_size: 2,
                page_token: token.clone(),
                ..ReadStockRequest::default()
            })
            .await
            .expect("page");
        pages += 1;
        assert!(page.rows.len() <= 2, "{:?}", page.rows);
        rows.extend(page.rows);
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
        assert!(pages < 5, "paging does not end");
    }
    assert_eq!(pages, 2);
    let mut keys: Vec<String> = rows
        .iter()
        .map(|r| format!("{}{}{}", r.sku, r.variant_sku, r.size_sku))
        .collect();
    keys.sort();
    assert_eq!(keys, ["HJ100NVYM", "HJ100NVYS", "WC200GRYOS"]);
    assert!(rows.iter().all(|r| r.allocated == 0), "{rows:?}");

    // 0 lets the gateway choose its page size: everything at once here.
    let all = app
        .commands
        .read_stock(ReadStockRequest {
            endpoint: ENDPOINT.into(),
            ..ReadStockRequest::default()
        })
        .await
        .expect("one page");
    assert_eq!(all.rows.len(), 3);
    assert!(all.next_page_token.is_empty());
    let reads = stock_reads(&app).await;
    assert!(
        reads.last().is_some_and(|q| q.contains("limit=100")),
        "{reads:?}"
    );
}

#[tokio::test]
async fn product_ids_that_are_not_numbers_are_refused_naming_them() {
    let app = spawn_app().await;
    for (ids, field) in [
        (vec!["7001", "HJ100"], "product_ids[1]"),
        (vec![""], "product_ids[0]"),
        (vec!["7001", "7002", "-3"], "product_ids[2]"),
    ] {
        let error = app
            .commands
            .read_stock(named(&ids))
            .await
            .expect_err("refused");
        assert!(
            matches!(&error, CommandError::InvalidArgument { field: f, .. } if f == field),
            "{ids:?}: {error}"
        );
        assert_eq!(
            tonic::Status::from(error).code(),
            tonic::Code::InvalidArgument
        );
    }
    let unknown = app
        .commands
        .read_stock(ReadStockRequest {
            endpoint: "nope".into(),
            ..named(&["7001"])
        })
        .await
        .expect_err("unknown end-point");
    assert!(matches!(unknown, CommandError::NotFound(_)), "{unknown}");
    assert!(stock_reads(&app).await.is_empty(), "nothing was read");
}

#[tokio::test]
async fn reads_ride_out_server_errors_with_the_client_retries() {
    let app = spawn_app().await;
    app.seed_products().await;
    app.faults(json!({"error_rate": 1.0})).await;
    let error = app
        .commands
        .read_stock(named(&["7001"]))
        .await
        .expect_err("always 500");
    assert!(matches!(error, CommandError::Unavailable(_)), "{error}");
    assert_eq!(
        stock_reads(&app).await.len(),
        4,
        "first attempt and 3 retries"
    );
}

#[tokio::test]
async fn set_stock_reports_bundles_apart_from_unknown_products() {
    let app = spawn_app().await;
    app.seed_products().await;
    // A bundle is known to Centra from the order that sold it.
    app.control(
        "/orders",
        &json!({
            "order": {
                "paid": true,
                "delivery": {"name": "Astrid Lind", "address": "Hamngatan 4", "zipcode": "11147",
                             "city": "Stockholm", "country": "SE",
                             "email": "astrid@example.invalid"},
                "carrier": "PostNord", "service": "MyPack",
                "lines": [
                    {"sku": "GIFTSET", "name": "Jacket gift set", "qty": 1, "price": 249.0,
                     "bundle": [
                         {"sku": "HJ100", "variantSku": "NVY", "sizeSku": "M", "qty": 1, "price": 0},
                         {"ean": "7350000000035", "qty": 1, "price": 0}
                     ]}
                ]
            },
            "goodToGo": true
        }),
    )
    .await;

    let level = |product: &str, quantity: i64| StockLevel {
        product: product.into(),
        quantity,
    };
    let response = app
        .commands
        .set_stock(SetStockRequest {
            idempotency_key: "bundle".into(),
            endpoint: ENDPOINT.into(),
            levels: vec![
                level("GIFTSET", 4),
                level("HJ100NVYM", 8),
                level("UNKNOWN-1", 1),
            ],
        })
        .await
        .expect("set, partly");
    assert_eq!(response.products_are_bundles, ["GIFTSET"]);
    assert_eq!(response.products_not_found, ["UNKNOWN-1"]);
    let medium = app
        .commands
        .read_stock(named(&["7001"]))
        .await
        .expect("read")
        .rows
        .into_iter()
        .find(|r| r.size_sku == "M")
        .expect("size M");
    assert_eq!((medium.physical, medium.allocated), (8, 1));
}
