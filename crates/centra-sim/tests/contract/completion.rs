//! `PUT /capture` and `PUT /shipment` (complete): effects, refusals and counters.

use reqwest::Method;
use serde_json::json;

use crate::harness::{TestSim, fixture, spawn_sim};

async fn seeded() -> TestSim {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    t
}

#[tokio::test]
async fn capture_takes_the_money_once() {
    let t = seeded().await;
    let s = t.seed_order(7001).await;
    let body = fixture("capture.request.json", &[("SHIPMENT_ID", &s.shipment_id)]);
    let answer = t.put("/capture", &body).await;
    assert_eq!(
        answer,
        json!({"status": "ok", "order": 7001, "shipment": s.shipment_id})
    );
    let shipment = &t.get(&format!("/shipments/{}", s.shipment_id)).await["shipments"][0];
    assert_eq!(shipment["paid"], 1);
    assert_eq!(shipment["shouldCapture"], 0);

    let again = t.put("/capture", &body).await;
    assert_eq!(again["status"], "no");
    let state = t.shipment_state(&s.shipment_id).await;
    assert_eq!(state["captureCount"], 1);
    assert_eq!(state["captured"], true);
    // The refused attempt is in the request log all the same.
    let log = t.control_get("/requests").await;
    let captures = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["path"] == "/api/order-api/capture")
        .count();
    assert_eq!(captures, 2);
}

#[tokio::test]
async fn a_failing_capture_says_capture_failed_and_changes_nothing() {
    let t = seeded().await;
    let s = t
        .seed_order_with(7002, |o| o["order"]["captureFails"] = json!(true))
        .await;
    let answer = t.put("/capture", &json!({"shipment": s.shipment_id})).await;
    assert_eq!(
        answer,
        json!({"status": "no", "msg": "capture failed", "order": 7002, "shipment": s.shipment_id})
    );
    let completed = t
        .put(
            "/shipment",
            &json!({"order": "7002", "shipment": s.shipment_id}),
        )
        .await;
    assert_eq!(completed["msg"], "capture failed");
    let state = t.shipment_state(&s.shipment_id).await;
    assert_eq!(state["captureCount"], 0);
    assert_eq!(state["completeCount"], 0);
    assert_eq!(state["completed"], false);
    assert_eq!(
        t.get("/shipments").await["shipments"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn completing_captures_by_default_ships_and_moves_stock() {
    let t = seeded().await;
    let s = t.seed_order(7003).await;
    let body = fixture(
        "complete-shipment.request.json",
        &[("ORDER_ID", &s.order_id), ("SHIPMENT_ID", &s.shipment_id)],
    );
    let mut without_capture_flag = body.clone();
    without_capture_flag
        .as_object_mut()
        .unwrap()
        .remove("capture");
    let answer = t.put("/shipment", &without_capture_flag).await;
    assert_eq!(
        answer,
        json!({"status": "ok", "order": 7003, "shipment": s.shipment_id})
    );

    let state = t.shipment_state(&s.shipment_id).await;
    assert_eq!(state["captureCount"], 1, "capture defaults to true");
    assert_eq!(state["completeCount"], 1);
    assert_eq!(state["shipped"], true);
    assert_eq!(state["carrier"], "PostNord");
    assert_eq!(state["service"], "MyPack Collect");
    assert_eq!(state["tracking"], "00370712345678901234");
    assert_eq!(state["packages"], 2);
    assert_eq!(state["internalComment"], "shipped by the warehouse");
    // Allocation released, physical reduced.
    let s_size = t.stock_state("HJ100NVYS").await;
    assert_eq!(
        (s_size["physical"].clone(), s_size["allocated"].clone()),
        (json!(8), json!(0))
    );
    let m_size = t.stock_state("HJ100NVYM").await;
    assert_eq!(
        (m_size["physical"].clone(), m_size["available"].clone()),
        (json!(4), json!(4))
    );

    assert!(
        t.get("/shipments").await["shipments"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let completed = t.get("/shipments?status=completed&limit=10").await;
    assert_eq!(
        completed["shipments"][0]["trackingNumber"],
        "00370712345678901234"
    );
    let order = &t.get("/orders?order=7003").await["orders"][0];
    assert_eq!(order["shipments"][0]["carrier"], "PostNord");
    assert_eq!(order["shipments"][0]["trackingId"], "00370712345678901234");
    assert_ne!(order["shipments"][0]["shippedDate"], "0000-00-00 00:00:00");

    let again = t.put("/shipment", &body).await;
    assert_eq!(again["status"], "no");
    assert_eq!(t.shipment_state(&s.shipment_id).await["completeCount"], 1);
    assert_eq!(t.stock_state("HJ100NVYS").await["physical"], 8);
}

#[tokio::test]
async fn completing_without_capture_needs_a_paid_shipment() {
    let t = seeded().await;
    let unpaid = t.seed_order(7004).await;
    let answer = t
        .put(
            "/shipment",
            &json!({"order": 7004, "shipment": unpaid.shipment_id, "capture": false}),
        )
        .await;
    assert_eq!(answer["status"], "no");
    assert_eq!(
        t.shipment_state(&unpaid.shipment_id).await["completeCount"],
        0
    );

    let prepaid = t
        .seed_order_with(7005, |o| o["order"]["paid"] = json!(true))
        .await;
    let answer = t
        .put(
            "/shipment",
            &json!({"order": 7005, "shipment": prepaid.shipment_id, "capture": false}),
        )
        .await;
    assert_eq!(answer["status"], "ok", "{answer}");
    let state = t.shipment_state(&prepaid.shipment_id).await;
    assert_eq!(state["captureCount"], 0);
    assert_eq!(state["completeCount"], 1);
}

#[tokio::test]
async fn completing_needs_good_to_go_which_the_call_may_set() {
    let t = seeded().await;
    let s = t
        .seed_order_with(7006, |o| o["goodToGo"] = json!(false))
        .await;
    let refused = t
        .put(
            "/shipment",
            &json!({"order": "7006", "shipment": s.shipment_id}),
        )
        .await;
    assert_eq!(refused["status"], "no");
    assert_eq!(t.shipment_state(&s.shipment_id).await["captureCount"], 0);
    let answer = t
        .put(
            "/shipment",
            &json!({"order": "7006", "shipment": s.shipment_id, "gtg": 1, "shipped": true}),
        )
        .await;
    assert_eq!(answer["status"], "ok", "{answer}");
}

#[tokio::test]
async fn the_order_must_match_and_post_works_like_put() {
    let t = seeded().await;
    let s = t.seed_order(7007).await;
    let wrong = t
        .put(
            "/shipment",
            &json!({"order": "7008", "shipment": s.shipment_id}),
        )
        .await;
    assert_eq!(wrong["status"], "no");
    let missing = t
        .put("/shipment", &json!({"shipment": s.shipment_id}))
        .await;
    assert_eq!(missing["status"], "no");
    let posted = t
        .call(
            Method::POST,
            "/shipment",
            Some(&json!({"order": 7007, "shipment": s.shipment_id})),
        )
        .await;
    assert_eq!(posted["status"], "ok");
}
