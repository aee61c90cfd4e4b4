//! `POST /shipments` and `DELETE /shipments/{id}`: the partial-shipment flow.

use serde_json::json;

use crate::harness::{TestSim, fixture, spawn_sim};

async fn seeded() -> TestSim {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    t
}

#[tokio::test]
async fn a_shrunk_shipment_leaves_units_for_a_new_one() {
    let t = seeded().await;
    let s = t.seed_order(4001).await;
    let shrink = json!({"products": {s.order_lines[0].clone(): 1}});
    assert_eq!(
        t.put(&format!("/shipments/{}", s.shipment_id), &shrink)
            .await["status"],
        "ok"
    );
    assert_eq!(t.stock_state("HJ100NVYS").await["allocated"], 1);

    let body = fixture(
        "create-shipment.request.json",
        &[
            ("ORDER_ID", &s.order_id),
            ("ORDER_LINE_1", &s.order_lines[0]),
        ],
    );
    let answer = t.post("/shipments", &body).await;
    assert_eq!(answer["status"], "ok", "{answer}");
    assert_eq!(answer["order"], 4001);
    assert_eq!(answer["shipment"], "4001-2");
    assert!(answer["deliveryNote"].is_string());
    let second = t.shipment_state("4001-2").await;
    assert_eq!(second["captureCount"], 1, "capture defaults to true");
    assert_eq!(second["goodToGo"], true);
    assert_eq!(second["lines"][0]["orderLineId"], s.order_lines[0].as_str());
    assert_eq!(t.stock_state("HJ100NVYS").await["allocated"], 2);

    let nothing_left = t.post("/shipments", &body).await;
    assert_eq!(nothing_left["status"], "no");
    let order = &t.get("/orders?order=4001").await["orders"][0];
    assert_eq!(order["shipments"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn creating_refuses_unknown_orders_and_failed_captures() {
    let t = seeded().await;
    let unknown = t
        .post("/shipments", &json!({"order": 1337, "products": {"1": 1}}))
        .await;
    assert_eq!(
        unknown,
        json!({"status": "no", "msg": "order does not exist", "order": "1337"})
    );
    let s = t
        .seed_order_with(4002, |o| o["order"]["captureFails"] = json!(true))
        .await;
    t.put(
        &format!("/shipments/{}", s.shipment_id),
        &json!({"products": {s.order_lines[1].clone(): 0}}),
    )
    .await;
    let refused = t
        .post(
            "/shipments",
            &json!({"order": 4002, "products": {s.order_lines[1].clone(): 1}}),
        )
        .await;
    assert_eq!(refused["msg"], "can not capture order");
    assert_eq!(refused["order"], "4002");
    assert_eq!(t.state().await["shipments"].as_array().unwrap().len(), 1);
    let uncaptured = t
        .post(
            "/shipments",
            &json!({"order": 4002, "products": {s.order_lines[1].clone(): 1}, "capture": false}),
        )
        .await;
    assert_eq!(uncaptured["shipment"], "4002-2");
}

#[tokio::test]
async fn only_unpaid_shipments_can_be_deleted() {
    let t = seeded().await;
    let open = t.seed_order(4003).await;
    let answer = t
        .call(
            reqwest::Method::DELETE,
            &format!("/shipments/{}", open.shipment_id),
            None,
        )
        .await;
    assert_eq!(
        answer,
        json!({"status": "ok", "msg": "shipment removed", "order": 4003, "shipment": open.shipment_id})
    );
    assert_eq!(t.stock_state("HJ100NVYS").await["allocated"], 0);
    let paid = t
        .seed_order_with(4004, |o| o["order"]["paid"] = json!(true))
        .await;
    let refused = t
        .call(
            reqwest::Method::DELETE,
            &format!("/shipments/{}", paid.shipment_id),
            None,
        )
        .await;
    assert_eq!(
        refused["msg"],
        "shipment has invoices or creditnotes and could not be deleted."
    );
    // A new shipment after a deletion never reuses the deleted number.
    let again = t
        .post(
            "/shipments",
            &json!({"order": 4003, "products": {open.order_lines[0].clone(): 1}, "capture": false}),
        )
        .await;
    assert_eq!(again["shipment"], "4003-2");
}
