//! `GET /orders` and the store's time zone in timestamps and filters.

use centra_sim::CentraSim;
use chrono::{Duration, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use crate::harness::{TestSim, spawn_sim, spawn_sim_with};

fn order_ids(answer: &Value) -> Vec<String> {
    answer["orders"]
        .as_array()
        .unwrap_or_else(|| panic!("orders in {answer}"))
        .iter()
        .map(|o| o["orderId"].as_str().unwrap().to_owned())
        .collect()
}

async fn seed_at(t: &TestSim, id: u64, local: &str) {
    t.seed_order_with(id, |o| o["order"]["orderDate"] = json!(local))
        .await;
}

#[tokio::test]
async fn orders_carry_lines_addresses_and_shipments() {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    let s = t.seed_order(5001).await;
    let answer = t.get("/orders").await;
    assert_eq!(order_ids(&answer), ["5001"]);
    let order = &answer["orders"][0];
    assert_eq!(order["deliveryCity"], "Stockholm");
    assert_eq!(
        order["billingName"], "Astrid Lind",
        "billing defaults to delivery"
    );
    assert_eq!(order["shippingList"], "postnord-parcel");
    assert_eq!(order["shipments"][0]["shipmentId"], s.shipment_id.as_str());
    assert_eq!(order["shipments"][0]["shippedDate"], "0000-00-00 00:00:00");
    assert_eq!(order["products"][0]["lineId"], s.order_lines[0].as_str());
    assert_eq!(order["products"][0]["qty"], 2);
    assert_eq!(order["products"][0]["ean"], "7350000000011");
    assert_eq!(order["products"][1]["sizeSku"], "M");
    assert_eq!(order["grandTotalValue"], 447.0);
}

#[tokio::test]
async fn orders_page_with_a_default_limit_of_20() {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    for id in 5101..=5122 {
        t.seed_order(id).await;
    }
    assert_eq!(order_ids(&t.get("/orders").await).len(), 20);
    let tail = order_ids(&t.get("/orders?offset=20").await);
    assert_eq!(tail, ["5121", "5122"]);
    assert_eq!(
        order_ids(&t.get("/orders?limit=3&offset=1").await),
        ["5102", "5103", "5104"]
    );
    assert_eq!(order_ids(&t.get("/orders?order=5110").await), ["5110"]);
}

#[tokio::test]
async fn timestamps_and_filters_are_store_local_without_offset() {
    let zone: Tz = chrono_tz::Asia::Tokyo;
    let t = spawn_sim_with(CentraSim::builder().time_zone(zone)).await;
    t.seed_catalog().await;
    seed_at(&t, 5201, "2024-06-01 09:00:00").await;
    seed_at(&t, 5202, "2024-06-01 10:00:00").await;
    t.seed_order(5203).await;

    let all = t.get("/orders").await;
    assert_eq!(all["orders"][0]["orderDate"], "2024-06-01 09:00:00");
    let now_local = all["orders"][2]["orderDate"].as_str().unwrap().to_owned();
    let expected = Utc::now().with_timezone(&zone).naive_local();
    let shown = chrono::NaiveDateTime::parse_from_str(&now_local, "%Y-%m-%d %H:%M:%S").unwrap();
    assert!(
        (expected - shown).num_seconds().abs() < 60,
        "{now_local} is Tokyo time"
    );

    let newer = t.get("/orders?newer_than=2024-06-01+10:00:00").await;
    assert_eq!(order_ids(&newer), ["5202", "5203"]);
    let older = t.get("/orders?older_than=2024-06-01+10:00:00").await;
    assert_eq!(order_ids(&older), ["5201"]);
    assert_eq!(
        order_ids(&t.get("/orders?newer_than=2024-06-02").await),
        ["5203"]
    );

    // A UTC cursor read as Tokyo time is nine hours off: a client that sends UTC misses orders.
    let utc_soon = (Utc::now() + Duration::minutes(30))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let local_soon = (Utc::now() + Duration::minutes(30))
        .with_timezone(&zone)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    assert!(
        !order_ids(&t.get(&format!("/orders?older_than={utc_soon}")).await)
            .contains(&"5203".to_owned())
    );
    assert!(
        order_ids(&t.get(&format!("/orders?older_than={local_soon}")).await)
            .contains(&"5203".to_owned())
    );

    let shipments = t.get("/shipments?newer_than=2024-06-01+09:30:00").await;
    let ids: Vec<&str> = shipments["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["shipmentId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["5202-1", "5203-1"]);
}
