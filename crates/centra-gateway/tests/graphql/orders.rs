//! Orders through the GraphQL client (the order import): paged reads filtered by creation date,
//! one bad order named alone while the others are read on.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::server::{FakeCentra, Reply};

fn order(number: i64, quantity: &Value) -> Value {
    json!({
        "__typename": "DirectToConsumerOrder",
        "number": number,
        "status": "CONFIRMED",
        "isOnHold": false,
        "orderHoldReason": null,
        "currencyCode": "SEK",
        "orderDate": "2024-04-03T10:15:00+02:00",
        "shippingMethodName": "standard",
        "shippingAddress": null,
        "lines": [{
            "id": 70,
            "quantity": quantity,
            "productName": "Oxford shirt",
            "productVariantName": "Black",
            "unitPrice": {"value": 599.0},
            "productSize": null
        }]
    })
}

#[tokio::test]
async fn orders_are_read_page_after_page_since_an_instant_and_one_bad_order_is_named_alone() {
    let centra = FakeCentra::start().await;
    centra.reply(
        "OrdersPage",
        Reply::data(json!({"orders": [order(1001, &json!(2)), order(1002, &json!("two"))]})),
    );
    centra.reply(
        "OrdersPage",
        Reply::data(json!({"orders": [order(1003, &json!(1))]})),
    );
    let since: DateTime<Utc> = "2024-04-03T08:00:00Z".parse().expect("instant");
    let all = centra.client().orders(Some(since)).await.expect("read");
    assert_eq!(
        all.len(),
        3,
        "two pages: a full one (page size 2), then a short one"
    );
    let first = all[0].as_ref().expect("first");
    assert_eq!(first.id.get(), 1001);
    assert_eq!(first.lines[0].quantity, 2);
    assert_eq!(first.lines[0].unit_price, "599.00");
    assert_eq!(
        first.order_date.map(|d| d.to_rfc3339()).as_deref(),
        Some("2024-04-03T08:15:00+00:00")
    );
    let bad = all[1].as_ref().expect_err("a quantity in words");
    assert_eq!(bad.key, "1002", "keyed by its number, as the Order API's");
    assert_eq!(
        (bad.error.object.as_str(), bad.error.field.as_str()),
        ("order 1002", "lines[0].quantity")
    );
    assert_eq!(bad.raw["number"], json!(1002), "kept as Centra sent it");
    assert!(all[2].is_ok(), "the next page still read");

    let pages: Vec<_> = centra
        .seen()
        .into_iter()
        .filter(|s| s.operation == "OrdersPage")
        .collect();
    assert_eq!(pages.len(), 2);
    assert_eq!(
        pages[0].body["variables"],
        json!({"where": {"createdAt": {"from": "2024-04-03T08:00:00+00:00"}}, "limit": 2, "page": 1}),
        "the DTC examples' createdAt filter, the open end and the number left out"
    );
    assert_eq!(pages[1].body["variables"]["page"], json!(2));
}
