//! Supplier deliveries: list unaccepted, read by id or deliveryId, accept once.

use serde_json::{Value, json};

use crate::harness::{TestSim, fixture, spawn_sim};

async fn seeded() -> (TestSim, String, String) {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    let answer = t
        .control(
            "/supplier-deliveries",
            &fixture("sim-supplier-delivery.json", &[]),
        )
        .await;
    let id = answer["id"].as_str().expect("id is a string").to_owned();
    let delivery_id = answer["deliveryId"]
        .as_str()
        .expect("deliveryId")
        .to_owned();
    (t, id, delivery_id)
}

fn delivery_ids(list: &Value) -> Vec<String> {
    list["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["deliveryId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn deliveries_are_listed_and_read_by_either_id() {
    let (t, id, delivery_id) = seeded().await;
    assert_eq!(delivery_id, "4401-1");
    let list = t.get("/supplier-deliveries").await;
    assert_eq!(delivery_ids(&list), ["4401-1"]);
    let d = &list["deliveries"][0];
    assert_eq!(d["id"], id.as_str());
    assert_eq!(d["orderId"], "4401");
    assert_eq!(d["productsQty"], 30);
    assert_eq!(d["supplierName"], "Nordic Textiles");
    assert_eq!(
        d["created"].as_str().unwrap().len(),
        "2019-01-28 01:15".len()
    );
    let by_id = t.get(&format!("/supplier-deliveries/{id}")).await;
    let by_delivery_id = t.get(&format!("/supplier-deliveries/{delivery_id}")).await;
    assert_eq!(by_id, by_delivery_id);
    assert_eq!(by_id["delivery"]["products"][0]["ean"], "7350000000011");
    assert_eq!(by_id["delivery"]["products"][0]["quantity"], 20);
    assert_eq!(by_id["delivery"]["products"][0]["cost"], "41.50");
    assert_eq!(t.get("/supplier-deliveries/nope").await["status"], "no");
}

#[tokio::test]
async fn accepting_by_ean_once_inserts_stock_and_splits_the_remainder() {
    let (t, id, _) = seeded().await;
    let body = fixture("accept-supplier-delivery.request.json", &[]);
    let answer = t.post(&format!("/supplier-deliveries/{id}"), &body).await;
    assert_eq!(answer["status"], "ok", "{answer}");
    let additional = &answer["additionalDelivery"];
    assert_eq!(additional["deliveryId"], "4401-2");
    assert_eq!(additional["orderId"], "4401");
    assert_eq!(additional["productsQty"], 2);
    assert!(additional["id"].is_string());

    assert_eq!(t.stock_state("HJ100NVYS").await["physical"], 28);
    assert_eq!(t.stock_state("HJ100NVYM").await["physical"], 15);
    assert_eq!(
        delivery_ids(&t.get("/supplier-deliveries").await),
        ["4401-2"]
    );

    let again = t.post(&format!("/supplier-deliveries/{id}"), &body).await;
    assert_eq!(again["status"], "no");
    let state = t.state().await;
    let first = &state["supplierDeliveries"][0];
    assert_eq!(first["acceptCount"], 1);
    assert_eq!(first["accepted"], true);
    assert_eq!(
        first["received"],
        json!({"7350000000011": 18, "7350000000028": 10})
    );
    assert_eq!(t.stock_state("HJ100NVYS").await["physical"], 28);
}

#[tokio::test]
async fn accepting_by_joined_sku_without_inserting_stock() {
    let (t, _, delivery_id) = seeded().await;
    let body = fixture("accept-supplier-delivery-by-sku.request.json", &[]);
    let answer = t
        .post(&format!("/supplier-deliveries/{delivery_id}/sku"), &body)
        .await;
    // Over-delivery is allowed and leaves nothing to follow up.
    assert_eq!(answer, json!({"status": "ok"}));
    assert_eq!(t.stock_state("HJ100NVYS").await["physical"], 10);
    assert!(delivery_ids(&t.get("/supplier-deliveries").await).is_empty());
    let by_ean_key = t
        .post(
            &format!("/supplier-deliveries/{delivery_id}/sku"),
            &json!({"products": {"7350000000011": 1}}),
        )
        .await;
    assert_eq!(by_ean_key["status"], "no");
}

#[tokio::test]
async fn an_ean_keyed_accept_refuses_sku_keys_and_changes_nothing() {
    let (t, id, _) = seeded().await;
    let answer = t
        .post(
            &format!("/supplier-deliveries/{id}"),
            &json!({"products": {"HJ100NVYS": 20}}),
        )
        .await;
    assert_eq!(answer["status"], "no");
    assert_eq!(t.state().await["supplierDeliveries"][0]["acceptCount"], 0);
    assert_eq!(t.stock_state("HJ100NVYS").await["physical"], 10);
}
