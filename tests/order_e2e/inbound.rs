//! Purchase orders: a Centra supplier delivery becomes a WMS purchase order; the received
//! quantities are reported by accepting the delivery exactly once.

use std::time::Duration;

use centra_wms_tests::e2e::{article_number, ean, wait_for};
use serde_json::{Value, json};

use crate::harness::{Shape, spawn_app_in, telemetry};

pub async fn supplier_deliveries_are_received_and_accepted_exactly_once(shape: Shape) {
    let _telemetry = telemetry();
    let app = spawn_app_in("purchase_orders = true", shape).await;
    let sims = &app.sims;
    let line = |size: usize, quantity: u32| {
        json!({"ean": ean(size), "sku": "P0", "variantSku": "-BL",
               "sizeSku": format!("-{size}"), "quantity": quantity})
    };
    let created = sims
        .post(
            format!("{}/_sim/supplier-deliveries", sims.centra.url()),
            &json!({"supplierName": "Weaver AB", "lines": [line(0, 10), line(1, 5)]}),
        )
        .await;
    let number = created["deliveryId"]
        .as_str()
        .map(str::to_owned)
        .expect("delivery number");
    wait_for(
        "purchase order in the wms",
        Duration::from_secs(120),
        || async {
            let state = sims.state(sims.ongoing.base_url().to_string()).await;
            state["purchaseOrders"].as_array().is_some_and(|all| {
                all.iter()
                    .any(|p| p["purchaseOrderNumber"] == number.as_str())
            })
        },
    )
    .await;
    // Under-delivered size 0, over-delivered size 1.
    sims.post(
        format!(
            "{}/_sim/purchase-orders/{number}/receive",
            sims.ongoing.base_url()
        ),
        &json!({"lines": [{"articleNumber": article_number(0, 0), "received": 8},
                          {"articleNumber": article_number(0, 1), "received": 6}],
                "status": 500}),
    )
    .await;
    let accepted = |state: Value| -> Option<Value> {
        state["supplierDeliveries"]
            .as_array()
            .and_then(|all| all.iter().find(|d| d["accepted"] == true).cloned())
    };
    wait_for("delivery accepted", Duration::from_secs(120), || async {
        accepted(sims.state(sims.centra.url().to_string()).await).is_some()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let delivery = accepted(sims.state(sims.centra.url().to_string()).await).expect("accepted");
    assert_eq!(delivery["acceptCount"], 1, "{delivery}");

    // Centra's rule for the 2 missing of size 0: a follow-up delivery, which reaches the
    // warehouse as a purchase order of its own.
    let centra = sims.state(sims.centra.url().to_string()).await;
    let follow_up = centra["supplierDeliveries"]
        .as_array()
        .and_then(|all| all.iter().find(|d| d["deliveryId"] != number.as_str()))
        .and_then(|d| d["deliveryId"].as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("a follow-up delivery: {centra}"));
    wait_for(
        "the follow-up delivery in the wms",
        Duration::from_secs(120),
        || async {
            let state = sims.state(sims.ongoing.base_url().to_string()).await;
            state["purchaseOrders"].as_array().is_some_and(|all| {
                all.iter()
                    .any(|p| p["purchaseOrderNumber"] == follow_up.as_str())
            })
        },
    )
    .await;
    app.stop().await;
}
