//! `POST /return`, `GET /returns`, `PUT /returns/{id}`.

use serde_json::{Value, json};

use crate::harness::{Seeded, TestSim, fixture, spawn_sim};

async fn shipped(t: &TestSim, order_id: u64) -> Seeded {
    let s = t.seed_order(order_id).await;
    let done = t
        .put(
            "/shipment",
            &json!({"order": s.order_id, "shipment": s.shipment_id}),
        )
        .await;
    assert_eq!(done["status"], "ok", "{done}");
    s
}

async fn seeded() -> TestSim {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    t
}

fn return_ids(answer: &Value) -> Vec<u64> {
    answer["returns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["returnId"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_return_uses_shipment_line_ids_and_can_restock() {
    let t = seeded().await;
    let s = shipped(&t, 9001).await;
    assert_eq!(t.stock_state("HJ100NVYS").await["physical"], 8);
    let body = fixture(
        "create-return.request.json",
        &[
            ("SHIPMENT_ID", &s.shipment_id),
            ("SHIPMENT_LINE_1", &s.shipment_lines[0]),
        ],
    );
    let answer = t.post("/return", &body).await;
    assert_eq!(answer["status"], "ok", "{answer}");
    assert!(answer["return"].is_u64());
    assert_eq!(answer["returnCompleted"], false);
    assert_eq!(answer["returnedItems"], json!([s.shipment_lines[0]]));
    assert_eq!(t.stock_state("HJ100NVYS").await["physical"], 9);

    let list = t.get("/returns").await;
    let r = &list["returns"][0];
    assert_eq!(r["shipment"], s.shipment_id.as_str());
    assert_eq!(r["orderId"], 9001);
    assert_eq!(r["returnToStock"], true);
    assert_eq!(r["comment"], "damaged seam (cause: DAMAGED)");
    assert_eq!(r["createdFrom"], "Order API");
    assert_eq!(
        r["products"][0]["shipmentLineId"].to_string(),
        s.shipment_lines[0]
    );
    assert_eq!(
        r["products"][0]["orderLineId"].to_string(),
        s.order_lines[0]
    );
    assert_eq!(r["products"][0]["quantity"], 1);
}

#[tokio::test]
async fn returns_are_refused_for_unshipped_shipments_and_order_line_ids() {
    let t = seeded().await;
    let open = t.seed_order(9002).await;
    let refused = t
        .post(
            "/return",
            &json!({"shipment": open.shipment_id, "products": {open.shipment_lines[0].clone(): 1}}),
        )
        .await;
    assert_eq!(
        refused,
        json!({"status": "no", "msg": "return could not be created."})
    );
    let s = shipped(&t, 9003).await;
    let by_order_line = t
        .post(
            "/return",
            &json!({"shipment": s.shipment_id, "products": {s.order_lines[0].clone(): 1}}),
        )
        .await;
    assert_eq!(by_order_line["msg"], "return could not be created.");
    assert!(t.state().await["returns"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn only_returnable_units_are_returned() {
    let t = seeded().await;
    let s = shipped(&t, 9004).await;
    let first = t
        .post("/return", &json!({"shipment": s.shipment_id, "products": {s.shipment_lines[0].clone(): 5, "999999": 1}}))
        .await;
    assert_eq!(first["returnedItems"], json!([s.shipment_lines[0]]));
    let state = t.state().await;
    assert_eq!(
        state["returns"][0]["lines"][0]["qty"], 2,
        "capped at the shipped quantity"
    );
    let nothing_left = t
        .post(
            "/return",
            &json!({"shipment": s.shipment_id, "products": {s.shipment_lines[0].clone(): 1}}),
        )
        .await;
    assert_eq!(nothing_left["status"], "no");
    // Without products everything still returnable comes back.
    let rest = t.post("/return", &json!({"shipment": s.shipment_id})).await;
    assert_eq!(rest["returnedItems"], json!([s.shipment_lines[1]]));
}

#[tokio::test]
async fn returns_list_newest_first_with_pages_and_filters() {
    let t = seeded().await;
    let a = shipped(&t, 9010).await;
    let b = shipped(&t, 9011).await;
    let mut created = Vec::new();
    for (s, at) in [
        (&a, "2024-05-01 10:00:00"),
        (&b, "2024-05-03 10:00:00"),
        (&a, "2024-05-02 10:00:00"),
    ] {
        let answer = t
            .post("/return", &json!({"shipment": s.shipment_id, "products": {s.shipment_lines[0].clone(): 1}, "createdAt": at}))
            .await;
        created.push(answer["return"].as_u64().unwrap());
    }
    let all = t.get("/returns").await;
    assert_eq!(return_ids(&all), [created[1], created[2], created[0]]);
    assert_eq!(
        return_ids(&t.get("/returns?limit=2&page=2").await),
        [created[0]]
    );
    assert_eq!(
        return_ids(&t.get(&format!("/returns?shipment={}", a.shipment_id)).await),
        [created[2], created[0]]
    );
    assert_eq!(
        return_ids(&t.get("/returns?order=9011").await),
        [created[1]]
    );
    // newer_than is inclusive, older_than exclusive.
    assert_eq!(
        return_ids(
            &t.get("/returns?newer_than=2024-05-02+10:00:00&older_than=2024-05-03+10:00:00")
                .await
        ),
        [created[2]]
    );
    assert_eq!(all["returns"][0]["date"], "2024-05-03 10:00:00");
}

#[tokio::test]
async fn a_return_can_be_completed_and_refunded() {
    let t = seeded().await;
    let s = shipped(&t, 9020).await;
    let created = t
        .post(
            "/return",
            &json!({"shipment": s.shipment_id, "products": {s.shipment_lines[0].clone(): 1}}),
        )
        .await;
    let id = created["return"].as_u64().unwrap();
    let answer = t
        .put(
            &format!("/returns/{id}"),
            &fixture("update-return.request.json", &[]),
        )
        .await;
    assert_eq!(answer["status"], "ok");
    assert_eq!(answer["return"]["returnId"], id);
    assert_eq!(answer["return"]["completed"], true);
    let missing = t.put("/returns/100500", &json!({"completed": true})).await;
    assert_eq!(
        missing,
        json!({"status": "no", "msg": "Return with id=100500 does not exist"})
    );

    let refunded = t
        .post(
            "/return",
            &json!({"shipment": s.shipment_id, "products": {s.shipment_lines[1].clone(): 1}, "refund": {"refundPayment": true}}),
        )
        .await;
    assert_eq!(refunded["returnCompleted"], true);
    assert_eq!(refunded["refund"], json!({"status": "ok"}));
}
