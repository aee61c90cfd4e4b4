//! The control API: reset, state shape, request log, strict seeding.

use serde_json::{Value, json};

use crate::harness::spawn_sim;

fn keys(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn state_has_the_documented_shape() {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    let s = t.seed_order(1001).await;
    t.control(
        "/supplier-deliveries",
        &crate::harness::fixture("sim-supplier-delivery.json", &[]),
    )
    .await;
    let state = t.state().await;
    for key in [
        "orders",
        "shipments",
        "stock",
        "returns",
        "supplierDeliveries",
    ] {
        assert!(state[key].is_array(), "{key} in {state}");
    }
    let shipment = &state["shipments"][0];
    for key in [
        "shipmentId",
        "orderId",
        "goodToGo",
        "paid",
        "captured",
        "captureCount",
        "shipped",
        "completed",
        "completeCount",
        "carrier",
        "service",
        "tracking",
        "lines",
    ] {
        assert!(shipment.get(key).is_some(), "{key} in {shipment}");
    }
    assert_eq!(shipment["shipmentId"], s.shipment_id.as_str());
    assert!(keys(&shipment["lines"][0]).contains(&"lineId".to_owned()));
    assert_eq!(shipment["lines"][0]["qty"], 2);
    let stock = &state["stock"][0];
    for key in ["key", "physical", "allocated", "available"] {
        assert!(stock.get(key).is_some(), "{key} in {stock}");
    }
    let delivery = &state["supplierDeliveries"][0];
    for key in ["id", "accepted", "acceptCount", "received"] {
        assert!(delivery.get(key).is_some(), "{key} in {delivery}");
    }
}

#[tokio::test]
async fn reset_empties_everything() {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    t.seed_order(1002).await;
    t.get("/orders").await;
    assert_eq!(t.control("/reset", &json!({})).await, json!({"ok": true}));
    let state = t.state().await;
    for key in [
        "orders",
        "shipments",
        "stock",
        "returns",
        "supplierDeliveries",
    ] {
        assert_eq!(state[key], json!([]), "{key}");
    }
    assert_eq!(t.control_get("/requests").await, json!([]));
    // The old order is gone: its id can be seeded again.
    t.seed_catalog().await;
    assert_eq!(t.seed_order(1002).await.shipment_id, "1002-1");
}

#[tokio::test]
async fn the_request_log_reads_from_a_sequence_number() {
    let t = spawn_sim().await;
    t.get("/orders?limit=1").await;
    t.post(
        "/stock",
        &json!({"products": [{"product": "x", "quantity": 1}]}),
    )
    .await;
    t.get("/returns").await;
    let all = t.control_get("/requests?since=0").await;
    let entries = all.as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["method"], "GET");
    assert_eq!(entries[0]["query"], "limit=1");
    assert_eq!(
        entries[1]["body"],
        json!({"products": [{"product": "x", "quantity": 1}]})
    );
    assert_eq!(entries[1]["status"], 200);
    let seq = entries[1]["seq"].as_u64().unwrap();
    let later = t.control_get(&format!("/requests?since={seq}")).await;
    assert_eq!(later.as_array().unwrap().len(), 1);
    assert_eq!(later[0]["path"], "/api/order-api/returns");
}

#[tokio::test]
async fn seeding_is_strict_and_names_the_field() {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    let unknown = t
        .http
        .post(t.control_url("/orders"))
        .json(&json!({"order": {"lines": [{"sku": "NOPE", "qty": 1, "price": 1}]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 422);
    let message = unknown.json::<Value>().await.unwrap()["error"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("order.lines[0]"), "{message}");
    t.seed_order(1003).await;
    let duplicate = t
        .http
        .post(t.control_url("/orders"))
        .json(&crate::harness::fixture(
            "sim-order.json",
            &[("ORDER_ID", "1003")],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(duplicate.status(), 422);
    let typo = t
        .http
        .post(t.control_url("/products"))
        .json(&json!({"products": [{"sku": "A", "eans": "1"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(typo.status(), 400);
}

/// A person takes a shipment back from good to go (and releases it again): the Order API's
/// good-to-go list follows; a completed shipment cannot change; an unknown one is 404.
#[tokio::test]
async fn a_shipment_is_taken_back_from_good_to_go_and_released_again() {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    let s = t.seed_order(1001).await;
    let listed = |shipments: &Value| {
        shipments["shipments"].as_array().map_or(0, |all| {
            all.iter()
                .filter(|x| x["shipmentId"] == s.shipment_id.as_str())
                .count()
        })
    };
    assert_eq!(listed(&t.get("/shipments").await), 1);

    let path = format!("/shipments/{}/good-to-go", s.shipment_id);
    let answer = t.control(&path, &json!({"goodToGo": false})).await;
    assert_eq!(answer["goodToGo"], false, "{answer}");
    assert_eq!(t.shipment_state(&s.shipment_id).await["goodToGo"], false);
    assert_eq!(
        listed(&t.get("/shipments").await),
        0,
        "no longer good to go"
    );
    let in_progress = t.get("/shipments?status=inprogress&limit=100").await;
    assert_eq!(listed(&in_progress), 1, "{in_progress}");

    t.control(&path, &json!({"goodToGo": true})).await;
    assert_eq!(listed(&t.get("/shipments").await), 1, "good to go again");

    let unknown = t
        .http
        .post(t.control_url("/shipments/9999-1/good-to-go"))
        .json(&json!({"goodToGo": false}))
        .send()
        .await
        .expect("answered");
    assert_eq!(unknown.status(), 404);
}
