//! `GET /shipments`, `GET /shipment(s)/{id}`, `PUT /shipments/{id}` and allocation.

use serde_json::{Value, json};

use crate::harness::{TestSim, fixture, spawn_sim};

fn ids(list: &Value) -> Vec<String> {
    list["shipments"]
        .as_array()
        .unwrap_or_else(|| panic!("shipments in {list}"))
        .iter()
        .map(|s| s["shipmentId"].as_str().unwrap().to_owned())
        .collect()
}

async fn seeded() -> TestSim {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    t
}

#[tokio::test]
async fn good_to_go_shipments_are_a_snapshot_oldest_first() {
    let t = seeded().await;
    for id in [6003, 6001, 6002] {
        t.seed_order(id).await;
    }
    t.seed_order_with(6004, |o| o["goodToGo"] = json!(false))
        .await;
    let first = t.get("/shipments").await;
    assert_eq!(first["status"], "ok");
    // Oldest first is creation order, not id order.
    assert_eq!(ids(&first), ["6003-1", "6001-1", "6002-1"]);
    // Not a queue: the same shipments come back on every call.
    assert_eq!(ids(&t.get("/shipments").await), ids(&first));
    assert_eq!(
        ids(&t.get("/shipments?status=goodtogo&order=6001").await),
        ["6001-1"]
    );
}

#[tokio::test]
async fn limit_and_offset_page_through_shipments() {
    let t = seeded().await;
    for id in 6101..=6105 {
        t.seed_order(id).await;
    }
    let mut seen = Vec::new();
    for offset in [0, 2, 4] {
        let page = t.get(&format!("/shipments?limit=2&offset={offset}")).await;
        let page_ids = ids(&page);
        assert!(page_ids.len() <= 2);
        seen.extend(page_ids);
    }
    assert_eq!(seen, ["6101-1", "6102-1", "6103-1", "6104-1", "6105-1"]);
    assert!(ids(&t.get("/shipments?limit=2&offset=6").await).is_empty());
}

#[tokio::test]
async fn in_progress_and_completed_need_a_limit_between_1_and_100() {
    let t = seeded().await;
    t.seed_order_with(6201, |o| o["goodToGo"] = json!(false))
        .await;
    let refused = t.get("/shipments?status=inprogress").await;
    assert_eq!(refused["status"], "no");
    assert_eq!(
        t.get("/shipments?status=completed&limit=101").await["status"],
        "no"
    );
    assert_eq!(
        ids(&t.get("/shipments?status=inprogress&limit=10").await),
        ["6201-1"]
    );
    assert!(ids(&t.get("/shipments").await).is_empty());
    assert!(ids(&t.get("/shipments?status=completed&limit=10").await).is_empty());
    assert_eq!(t.get("/shipments?status=shipped").await["status"], "no");
}

#[tokio::test]
async fn one_shipment_is_served_on_both_the_singular_and_the_plural_path() {
    let t = seeded().await;
    let seeded = t.seed_order(6301).await;
    let plural = t.get(&format!("/shipments/{}", seeded.shipment_id)).await;
    let singular = t.get(&format!("/shipment/{}", seeded.shipment_id)).await;
    assert_eq!(plural, singular);
    assert_eq!(ids(&plural), std::slice::from_ref(&seeded.shipment_id));
    let shipment = &plural["shipments"][0];
    assert_eq!(shipment["orderId"], "6301");
    assert_eq!(shipment["shouldCapture"], 1);
    assert_eq!(shipment["paid"], 0);
    assert_eq!(shipment["deliveryName"], "Astrid Lind");
    assert_eq!(shipment["shippingList"], "postnord-parcel");
    // Shipment lines carry shipment line ids, which differ from order line ids.
    let line_ids: Vec<&str> = shipment["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["lineId"].as_str().unwrap())
        .collect();
    assert_eq!(
        line_ids,
        seeded
            .shipment_lines
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    assert!(
        seeded
            .order_lines
            .iter()
            .all(|l| !line_ids.contains(&l.as_str()))
    );
    assert!(ids(&t.get("/shipments/9999-1").await).is_empty());
}

#[tokio::test]
async fn updating_quantities_moves_the_allocation() {
    let t = seeded().await;
    let s = t
        .seed_order_with(6401, |o| o["goodToGo"] = json!(false))
        .await;
    assert_eq!(t.stock_state("HJ100NVYS").await["allocated"], 2);
    let body = fixture(
        "update-shipment.request.json",
        &[
            ("ORDER_LINE_1", &s.order_lines[0]),
            ("ORDER_LINE_2", &s.order_lines[1]),
        ],
    );
    let answer = t.put(&format!("/shipments/{}", s.shipment_id), &body).await;
    assert_eq!(answer["status"], "ok", "{answer}");
    assert_eq!(answer["shipment"]["shipmentId"], s.shipment_id.as_str());
    let qty: Vec<i64> = answer["shipment"]["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["qty"].as_i64().unwrap())
        .collect();
    assert_eq!(qty, [1, 1]);
    let stock = t.stock_state("HJ100NVYS").await;
    assert_eq!(stock["allocated"], 1);
    assert_eq!(stock["physical"], 10);
    assert_eq!(stock["available"], 9);
    let state = t.shipment_state(&s.shipment_id).await;
    assert_eq!(state["goodToGo"], true);
    assert_eq!(state["lines"][1]["serialNumber"], "SN-0001");
    assert_eq!(
        ids(&t.get("/shipments").await),
        std::slice::from_ref(&s.shipment_id)
    );
}

#[tokio::test]
async fn quantities_are_keyed_by_order_line_ids() {
    let t = seeded().await;
    let s = t.seed_order(6501).await;
    let by_shipment_line = json!({"products": {s.shipment_lines[0].clone(): 1}});
    let answer = t
        .put(&format!("/shipments/{}", s.shipment_id), &by_shipment_line)
        .await;
    assert_eq!(answer["status"], "no", "{answer}");
    assert_eq!(answer["shipment"], s.shipment_id.as_str());
    let too_many = json!({"products": {s.order_lines[0].clone(): 3}});
    assert_eq!(
        t.put(&format!("/shipments/{}", s.shipment_id), &too_many)
            .await["status"],
        "no"
    );
}

#[tokio::test]
async fn paid_captured_and_sent_shipments_refuse_quantity_changes() {
    let t = seeded().await;
    let paid = t
        .seed_order_with(6601, |o| o["order"]["paid"] = json!(true))
        .await;
    let change = |s: &crate::harness::Seeded| json!({"products": {s.order_lines[0].clone(): 1}});
    let answer = t
        .put(&format!("/shipments/{}", paid.shipment_id), &change(&paid))
        .await;
    assert_eq!(answer["msg"], "shipment is paid and can not be updated");
    assert_eq!(answer["shipment"], paid.shipment_id.as_str());
    // Good to go and serial numbers can always be set.
    let serial = json!({"gtg": true, "products": {paid.order_lines[0].clone(): {"serialNumber": "SN-9", "qty": 2}}});
    assert_eq!(
        t.put(&format!("/shipments/{}", paid.shipment_id), &serial)
            .await["status"],
        "ok"
    );

    let captured = t.seed_order(6602).await;
    t.put("/capture", &json!({"shipment": captured.shipment_id}))
        .await;
    let answer = t
        .put(
            &format!("/shipments/{}", captured.shipment_id),
            &change(&captured),
        )
        .await;
    assert_eq!(answer["msg"], "shipment is captured and can not be updated");

    let sent = t.seed_order(6603).await;
    let done = t
        .put(
            "/shipment",
            &json!({"order": sent.order_id, "shipment": sent.shipment_id}),
        )
        .await;
    assert_eq!(done["status"], "ok", "{done}");
    let answer = t
        .put(&format!("/shipments/{}", sent.shipment_id), &change(&sent))
        .await;
    assert_eq!(answer["msg"], "shipment is sent and can not be updated");
    // Nothing changed on refusal.
    assert_eq!(
        t.shipment_state(&sent.shipment_id).await["lines"][0]["qty"],
        2
    );
}
