//! `GET /products`, `GET /stock`, `POST /stock`: filters, pagination, stock rules.

use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{TestSim, fixture, spawn_sim};

async fn seeded() -> TestSim {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    t
}

fn skus(answer: &Value) -> Vec<String> {
    answer["products"]
        .as_array()
        .unwrap_or_else(|| panic!("products in {answer}"))
        .iter()
        .map(|p| {
            format!(
                "{}{}{}",
                p["sku"].as_str().unwrap(),
                p["variantSku"].as_str().unwrap(),
                p["sizeSku"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn products_are_size_rows_with_their_identity_and_prices() {
    let t = seeded().await;
    let answer = t.get("/products").await;
    assert_eq!(answer["status"], "ok");
    assert_eq!(skus(&answer), ["HJ100NVYS", "HJ100NVYM", "WC200"]);
    let first = &answer["products"][0];
    assert_eq!(first["productId"], 7001);
    assert_eq!(first["stockItemId"], 9001);
    assert_eq!(first["active"], 1);
    assert_eq!(first["prices"][0]["price"], "149.00");
    assert_eq!(first["prices"][0]["pricelist"], "EUR Europe");
    assert!(first["prices"][0]["id"].is_string());
    assert!(answer.get("next").is_none());
    // Sizes of one product share ids; the cap got ids of its own.
    assert_eq!(answer["products"][1]["productId"], 7001);
    assert_ne!(answer["products"][2]["productId"], 7001);
    assert_eq!(skus(&t.get("/products?ean=7350000000035").await), ["WC200"]);
    assert_eq!(skus(&t.get("/products?sku=HJ100").await).len(), 2);
    assert_eq!(
        skus(&t.get("/products?stockItemId=9002").await),
        ["HJ100NVYM"]
    );
}

#[tokio::test]
async fn pages_link_to_each_other_with_relative_query_strings() {
    let t = seeded().await;
    for path in ["/products", "/stock"] {
        let first = t.get(&format!("{path}?limit=2")).await;
        assert_eq!(skus(&first), ["HJ100NVYS", "HJ100NVYM"]);
        assert!(first.get("previous").is_none());
        let next = first["next"].as_str().unwrap();
        assert_eq!(next, "?limit=2&page=2");
        let second = t.get(&format!("{path}{next}")).await;
        assert_eq!(skus(&second), ["WC200"]);
        assert_eq!(second["previous"], "?limit=2&page=1");
        assert!(second.get("next").is_none());
    }
}

#[tokio::test]
async fn modified_filters_on_store_local_time() {
    let t = seeded().await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let cursor = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    t.control(
        "/products",
        &json!({"products": [{"stockItemId": 9002, "sku": "HJ100", "variantSku": "NVY", "sizeSku": "M", "ean": "7350000000028", "name": "Harbour Jacket v2"}]}),
    )
    .await;
    let changed = t
        .get(&format!("/products?modified={}", cursor.replace(' ', "+")))
        .await;
    assert_eq!(skus(&changed), ["HJ100NVYM"]);
    assert_eq!(changed["products"][0]["name"], "Harbour Jacket v2");
    let stock = t.get(&format!("/stock?modified={cursor}")).await;
    assert_eq!(skus(&stock), ["HJ100NVYM"]);
    assert_eq!(
        stock["products"][0]["physicalStock"], 5,
        "an upsert without physicalStock keeps it"
    );
    assert_eq!(skus(&t.get("/products?modified=2000-01-01").await).len(), 3);
}

#[tokio::test]
async fn physical_stock_is_allocated_plus_available() {
    let t = seeded().await;
    t.seed_order(8001).await;
    let stock = t.get("/stock?ean=7350000000011").await;
    let row = &stock["products"][0];
    assert_eq!(
        (
            row["physicalStock"].clone(),
            row["allocatedStock"].clone(),
            row["availableStock"].clone()
        ),
        (json!(10), json!(2), json!(8))
    );
    let lean = t
        .get("/stock?ean=7350000000011&exclude=physicalStock")
        .await;
    assert!(lean["products"][0].get("physicalStock").is_none());
    assert_eq!(lean["products"][0]["availableStock"], 8);
}

#[tokio::test]
async fn stock_updates_are_absolute_partial_and_clamped_to_allocated() {
    let t = seeded().await;
    let answer = t
        .post("/stock", &fixture("update-stock.request.json", &[]))
        .await;
    assert_eq!(
        answer,
        json!({"status": "no", "msg": "Some of the products were not updated", "errors": {"productsNotFound": ["0000000000000"]}})
    );
    assert_eq!(t.stock_state("HJ100NVYS").await["physical"], 42);
    let m = t.stock_state("HJ100NVYM").await;
    assert_eq!(m["physical"], 7);
    assert_eq!(m["costPrice"], 41.5);

    t.seed_order(8002).await;
    let clamped = t
        .post(
            "/stock",
            &json!({"products": [{"product": "HJ100NVYS", "quantity": 0}]}),
        )
        .await;
    assert_eq!(clamped, json!({"status": "ok"}));
    let s = t.stock_state("HJ100NVYS").await;
    assert_eq!(
        (
            s["physical"].clone(),
            s["allocated"].clone(),
            s["available"].clone()
        ),
        (json!(2), json!(2), json!(0))
    );
    // A UPC names the item too.
    let by_upc = t
        .post(
            "/stock",
            &json!({"products": [{"product": "735000000028", "quantity": "9"}]}),
        )
        .await;
    assert_eq!(by_upc["status"], "ok");
    assert_eq!(t.stock_state("HJ100NVYM").await["physical"], 9);
}
