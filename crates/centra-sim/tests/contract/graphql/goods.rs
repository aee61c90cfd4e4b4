//! Stock (`setStock` PHYSICAL/AVAILABLE, `changeStock`), returns (`createReturn`) and purchase
//! order deliveries (`acceptPurchaseOrderDelivery`), checked against the Order API's view.

use serde_json::json;

use super::{gql, shipment_id};
use crate::harness::{TestSim, spawn_sim};

const SET_STOCK: &str = "mutation($input: StockSetInput!) { setStock(input: $input) { stockChanges { id } userErrors { message path } userWarnings { message path } } }";
const CHANGE_STOCK: &str = "mutation($input: StockChangeInput!) { changeStock(input: $input) { stockChange { id } userErrors { message path } } }";

async fn seeded() -> TestSim {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    t
}

#[tokio::test]
async fn set_stock_is_absolute_physical_stock_clamped_to_the_allocated_units() {
    let t = seeded().await;
    t.seed_order(8501).await; // allocates 2 × S, 1 × M
    let answer = gql(
        &t,
        SET_STOCK,
        json!({"input": {"warehouse": {"id": 1}, "stockQuantityType": "PHYSICAL", "productVariants": [
            {"productVariant": {"id": 7101}, "sizeStockLevels": [{"size": {"name": "S"}, "quantity": 7}, {"size": {"name": "M"}, "quantity": 0}]}
        ]}}),
    )
    .await;
    let payload = answer.data("setStock");
    assert_eq!(payload["userErrors"], json!([]));
    assert_eq!(payload["stockChanges"].as_array().unwrap().len(), 2);
    assert_eq!(
        payload["userWarnings"][0]["path"],
        json!(["input", "productVariants", "0", "sizeStockLevels", "1"])
    );
    let rest = t.get("/stock?sku=HJ100").await;
    let small = rest["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["sizeSku"] == "S")
        .unwrap();
    assert_eq!(small["physicalStock"].to_string().trim_matches('"'), "7");
    assert_eq!(t.stock_state("HJ100NVYM").await["physical"], 1);

    // AVAILABLE: physical = available + allocated.
    gql(
        &t,
        SET_STOCK,
        json!({"input": {"warehouse": {"id": 1}, "stockQuantityType": "AVAILABLE", "productVariants": [
            {"productVariant": {"id": 7101}, "sizeStockLevels": [{"size": {"name": "S"}, "quantity": 5}]}
        ]}}),
    )
    .await;
    assert_eq!(t.stock_state("HJ100NVYS").await["physical"], 7);

    // One unknown size refuses the whole call.
    let refused = gql(
        &t,
        SET_STOCK,
        json!({"input": {"warehouse": {"id": 1}, "stockQuantityType": "PHYSICAL", "productVariants": [
            {"productVariant": {"id": 7101}, "sizeStockLevels": [{"size": {"name": "S"}, "quantity": 1}, {"size": {"name": "XXL"}, "quantity": 1}]}
        ]}}),
    )
    .await;
    let error = &refused.data("setStock")["userErrors"][0];
    assert_eq!(
        error["path"],
        json!(["input", "productVariants", "0", "sizeStockLevels", "1"])
    );
    assert_eq!(t.stock_state("HJ100NVYS").await["physical"], 7);
    let wrong_warehouse = gql(
        &t,
        SET_STOCK,
        json!({"input": {"warehouse": {"id": 2}, "stockQuantityType": "PHYSICAL", "productVariants": []}}),
    )
    .await;
    assert_eq!(
        wrong_warehouse.data("setStock")["userErrors"][0]["path"],
        json!(["input", "warehouse"])
    );
}

#[tokio::test]
async fn change_stock_moves_units_in_and_out_but_never_below_allocated() {
    let t = seeded().await;
    t.seed_order(8502).await; // 2 of 10 × S allocated
    let into = gql(
        &t,
        CHANGE_STOCK,
        json!({"input": {"intoWarehouse": {"id": 1}, "description": "delivery", "productVariants": [
            {"productVariant": {"id": 7101}, "unitCost": {"value": 41, "currencyIsoCode": "EUR"}, "sizeChanges": [{"size": {"name": "S"}, "deliveredQuantity": 3}]}
        ]}}),
    )
    .await;
    assert!(into.data("changeStock")["stockChange"]["id"].is_number());
    assert_eq!(t.stock_state("HJ100NVYS").await["physical"], 13);
    let too_many = gql(
        &t,
        CHANGE_STOCK,
        json!({"input": {"outFromWarehouse": {"id": 1}, "productVariants": [
            {"productVariant": {"id": 7101}, "sizeChanges": [{"size": {"name": "S"}, "deliveredQuantity": 12}]}
        ]}}),
    )
    .await;
    let payload = too_many.data("changeStock");
    assert_eq!(payload["stockChange"], json!(null));
    assert!(
        payload["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("allocated")
    );
    assert_eq!(t.stock_state("HJ100NVYS").await["physical"], 13);
}

#[tokio::test]
async fn create_return_takes_shipment_lines_and_restocks() {
    let t = seeded().await;
    let s = t.seed_order(8503).await;
    t.put(
        "/shipment",
        &json!({"order": "8503", "shipment": s.shipment_id, "capture": true}),
    )
    .await;
    let id = shipment_id(&t, &s.shipment_id).await;
    let line: i64 = s.shipment_lines[0].parse().unwrap();
    let physical_before = t.stock_state("HJ100NVYS").await["physical"]
        .as_i64()
        .unwrap();
    let create = "mutation($input: ReturnCreateInput!) { createReturn(input: $input) { return { id status lines { quantity } } userErrors { message path } } }";
    let too_many = gql(
        &t,
        create,
        json!({"input": {"shipment": {"id": id}, "lines": [{"shipmentLine": {"id": line}, "quantity": 3}], "returnStockActionPolicy": {"releaseItemsBackToWarehouse": true}}}),
    )
    .await;
    assert_eq!(
        too_many.data("createReturn")["userErrors"][0]["path"],
        json!(["input", "lines", "0", "quantity"])
    );
    let created = gql(
        &t,
        create,
        json!({"input": {"shipment": {"id": id}, "lines": [{"shipmentLine": {"id": line}, "quantity": 1}], "returnStockActionPolicy": {"releaseItemsBackToWarehouse": true}, "comment": "damaged"}}),
    )
    .await;
    let payload = created.data("createReturn");
    assert_eq!(payload["return"]["status"], "IN_PROGRESS");
    assert_eq!(payload["return"]["lines"], json!([{"quantity": 1}]));
    assert_eq!(
        t.stock_state("HJ100NVYS").await["physical"]
            .as_i64()
            .unwrap(),
        physical_before + 1
    );
    let rest = t.get(&format!("/returns?shipment={}", s.shipment_id)).await;
    assert_eq!(rest["returns"][0]["comment"], "damaged");
}

#[tokio::test]
async fn accepting_a_delivery_receives_its_own_quantities_once() {
    let t = seeded().await;
    let announced = t
        .control(
            "/supplier-deliveries",
            &json!({"supplierName": "Sim Mill", "lines": [{"ean": "7350000000011", "quantity": 4}, {"ean": "7350000000028", "quantity": 2}]}),
        )
        .await;
    let id: i64 = announced["id"].as_str().unwrap().parse().unwrap();
    let accept = "mutation($id: Int!, $input: PurchaseOrderDeliveryAcceptInput!) { acceptPurchaseOrderDelivery(id: $id, input: $input) { purchaseOrderDelivery { status } userErrors { message path } userWarnings { message } } }";

    let no_user = gql(
        &t,
        accept,
        json!({"id": id, "input": {"adminUser": {"id": 0}, "stockInsertType": "INSERT"}}),
    )
    .await;
    let refused = no_user.data("acceptPurchaseOrderDelivery");
    assert_eq!(
        refused["userErrors"][0]["path"],
        json!(["input", "adminUser"])
    );
    assert_eq!(refused["purchaseOrderDelivery"]["status"], "PENDING");

    let answer = gql(
        &t,
        accept,
        json!({"id": id, "input": {"adminUser": {"id": 7}, "warehouse": {"id": 1}, "stockInsertType": "INSERT"}}),
    )
    .await;
    let payload = answer.data("acceptPurchaseOrderDelivery");
    assert_eq!(payload["purchaseOrderDelivery"]["status"], "ACCEPTED");
    assert_eq!(payload["userErrors"], json!([]));
    assert_eq!(payload["userWarnings"], json!([]));
    assert_eq!(t.stock_state("HJ100NVYS").await["physical"], 14);
    assert_eq!(t.stock_state("HJ100NVYM").await["physical"], 7);
    let state = t.state().await;
    let delivery = state["supplierDeliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["deliveryId"] == announced["deliveryId"])
        .unwrap()
        .clone();
    assert_eq!(delivery["acceptCount"], 1);
    assert!(delivery["additionalDelivery"].is_null());

    let again = gql(
        &t,
        accept,
        json!({"id": id, "input": {"adminUser": {"id": 7}, "stockInsertType": "INSERT"}}),
    )
    .await;
    assert_eq!(
        again.data("acceptPurchaseOrderDelivery")["userErrors"][0]["message"],
        "supplier delivery is already accepted"
    );
}

#[tokio::test]
async fn the_accept_input_takes_no_received_quantities() {
    let t = seeded().await;
    let announced = t
        .control(
            "/supplier-deliveries",
            &json!({"supplierName": "Sim Mill", "lines": [{"ean": "7350000000011", "quantity": 4}]}),
        )
        .await;
    let id: i64 = announced["id"].as_str().unwrap().parse().unwrap();
    let answer = gql(
        &t,
        "mutation($id: Int!, $input: PurchaseOrderDeliveryAcceptInput!) { acceptPurchaseOrderDelivery(id: $id, input: $input) { userErrors { message } } }",
        json!({"id": id, "input": {"adminUser": {"id": 7}, "stockInsertType": "INSERT", "lines": [{"productSize": {"id": 9001}, "quantity": 1}]}}),
    )
    .await;
    assert!(
        answer.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("lines")
    );
    assert_eq!(t.stock_state("HJ100NVYS").await["physical"], 10);
}
