//! Bundles as the published `GET /orders` and `GET /shipments` examples show them (REF/104,
//! REF/107): the bundle is a line with `isBundle: true` and its parts under `bundle[]`; each
//! part is also a line of its own with `isPartOfBundle` naming the bundle (a string, `"217"`
//! in the examples). The bundle holds no stock: only its parts are allocated, and `POST /stock`
//! refuses it under `productsAreBundles` (REF/303).

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::harness::{TestSim, fixture, published_examples, spawn_sim};
use crate::published::{Shape, load};

async fn seed_bundle_order(t: &TestSim, order_id: u64) -> String {
    t.seed_catalog().await;
    let body = fixture(
        "sim-bundle-order.json",
        &[("ORDER_ID", &order_id.to_string())],
    );
    let answer = t.control("/orders", &body).await;
    answer["shipmentId"]
        .as_str()
        .expect("shipment id")
        .to_owned()
}

/// Checks one `products[]` list: a plain line, the bundle line with both parts under
/// `bundle[]`, and both parts as lines of their own pointing at the bundle.
fn check_lines(products: &Value, what: &str) {
    let lines = products
        .as_array()
        .unwrap_or_else(|| panic!("{what}: {products}"));
    assert_eq!(
        lines.len(),
        4,
        "{what}: plain, bundle, two parts: {products}"
    );
    let bundles: Vec<&Value> = lines.iter().filter(|l| l["isBundle"] == true).collect();
    assert_eq!(bundles.len(), 1, "{what}: one bundle line: {products}");
    let bundle = bundles[0];
    assert_eq!(bundle["sku"], "GIFTSET", "{what}");
    assert_eq!(bundle["name"], "Jacket gift set", "{what}");
    assert!(bundle.get("isPartOfBundle").is_none(), "{what}: {bundle}");
    let parts: Vec<&Value> = lines
        .iter()
        .filter(|l| l.get("isPartOfBundle").is_some())
        .collect();
    assert_eq!(parts.len(), 2, "{what}: two part lines: {products}");
    let id = parts[0]["isPartOfBundle"].clone();
    assert!(
        id.as_str().is_some_and(|s| !s.is_empty()),
        "{what}: a string id: {id}"
    );
    assert!(
        parts
            .iter()
            .all(|p| p["isPartOfBundle"] == id && p["isBundle"] == false)
    );
    let nested = bundle["bundle"].as_array().expect("bundle[]");
    let nested_ids: BTreeSet<&str> = nested.iter().filter_map(|p| p["lineId"].as_str()).collect();
    let part_ids: BTreeSet<&str> = parts.iter().filter_map(|p| p["lineId"].as_str()).collect();
    assert_eq!(
        nested_ids, part_ids,
        "{what}: bundle[] repeats the part lines"
    );
    assert!(nested.iter().all(|p| p["isPartOfBundle"] == id), "{what}");
    let plain: Vec<&Value> = lines
        .iter()
        .filter(|l| l["isBundle"] == false && l.get("isPartOfBundle").is_none())
        .collect();
    assert_eq!(plain.len(), 1, "{what}: {products}");
    assert!(plain[0].get("bundle").is_none(), "{what}");
}

#[tokio::test]
async fn bundle_lines_carry_the_published_bundle_fields() {
    let t = spawn_sim().await;
    let shipment = seed_bundle_order(&t, 8201).await;

    let listed = t.get("/shipments").await;
    let found = listed["shipments"]
        .as_array()
        .and_then(|all| all.iter().find(|s| s["shipmentId"] == shipment.as_str()))
        .unwrap_or_else(|| panic!("{shipment} listed: {listed}"))
        .clone();
    check_lines(&found["products"], "GET /shipments");
    let one = t.get(&format!("/shipment/{shipment}")).await;
    check_lines(&one["shipments"][0]["products"], "GET /shipment/{id}");
    let orders = t.get("/orders?order=8201").await;
    check_lines(&orders["orders"][0]["products"], "GET /orders");

    // Only the parts are allocated: HJ100 NVY M once, HJ100 NVY S for the plain line and the
    // part (EAN 7350000000011); the bundle has no stock row.
    assert_eq!(t.stock_state("HJ100NVYM").await["allocated"], 1);
    assert_eq!(t.stock_state("HJ100NVYS").await["allocated"], 2);

    // The same fields with the same kinds as the published examples (strings vs numbers).
    let Some(dir) = published_examples("bundle_lines_carry_the_published_bundle_fields") else {
        return;
    };
    for (example, ours) in [
        ("get-shipments.response.txt", &listed),
        ("get-orders.response.txt", &orders),
    ] {
        let mut errors = Vec::new();
        let extra: BTreeSet<String> = ["orderStatus".to_owned()].into();
        Shape::of(&load(&dir, example)).check(ours, "$", &extra, &mut errors);
        assert!(errors.is_empty(), "{example}: {errors:#?}");
    }
}

#[tokio::test]
async fn a_bundle_seed_names_what_is_wrong() {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    let mut body = fixture("sim-bundle-order.json", &[("ORDER_ID", "8202")]);
    body["order"]["lines"][1]["bundle"][0]["sku"] = json!("NOSUCH");
    body["order"]["lines"][1]["bundle"][0]["variantSku"] = json!("");
    body["order"]["lines"][1]["bundle"][0]["sizeSku"] = json!("");
    let response = t
        .http
        .post(t.control_url("/orders"))
        .json(&body)
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), 422);
    let text = response.text().await.expect("body");
    assert!(text.contains("order.lines[1].bundle[0]"), "{text}");
}

#[tokio::test]
async fn stock_for_a_bundle_is_refused_as_a_bundle_and_the_others_are_set() {
    let t = spawn_sim().await;
    seed_bundle_order(&t, 8203).await;
    let answer = t
        .post(
            "/stock",
            &json!({"products": [
                {"product": "GIFTSET", "quantity": 5},
                {"product": "HJ100NVYM", "quantity": 6},
                {"product": "0000000000000", "quantity": 1}
            ]}),
        )
        .await;
    assert_eq!(
        answer,
        json!({"status": "no", "msg": "Some of the products were not updated", "errors": {
            "productsNotFound": ["0000000000000"],
            "productsAreBundles": ["GIFTSET"]
        }})
    );
    // The part named in the same call was set; the bundle got no stock row.
    assert_eq!(t.stock_state("HJ100NVYM").await["physical"], 6);
    let rows = t.get("/stock?sku=GIFTSET").await;
    assert_eq!(rows["products"], json!([]), "{rows}");

    // A bundle alone: nothing was updated, still a partial-success answer naming it.
    let alone = t
        .post(
            "/stock",
            &json!({"products": [{"product": "GIFTSET", "quantity": 1}]}),
        )
        .await;
    assert_eq!(alone["status"], "no");
    assert_eq!(alone["errors"]["productsAreBundles"], json!(["GIFTSET"]));
    assert!(alone["errors"].get("productsNotFound").is_none(), "{alone}");
}
