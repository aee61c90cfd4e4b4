//! Stock (§6), stock updates (§7) and returns (§8, assumed model).

mod common;

use common::spawn_sim;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn stock_rows_show_physical_reserved_and_available() {
    let t = spawn_sim().await;
    t.product("A", 0).await;
    t.product("B", 0).await;
    let set = t
        .control_post("stock", &json!({ "productCode": "A", "stock": 10 }))
        .await;
    assert_eq!(set.status, StatusCode::OK);
    assert_eq!(set.body["stock"], 10);
    t.order("R1", &[("A", 4)]).await;
    let row = t.stock("A").await;
    assert_eq!(row["productCode"], "A");
    assert_eq!(row["stock"], 10);
    assert_eq!(row["reserved"], 4);
    assert_eq!(row["stockAvailable"], 6);
    assert!(row["modified"].is_string());
    let product = &t.get("products?code=A").await.body[0];
    assert_eq!(
        (
            product["stock"].as_i64(),
            product["reserved"].as_i64(),
            product["stockAvailable"].as_i64()
        ),
        (Some(10), Some(4), Some(6))
    );
    let all = t.get("stock?limit=1&page=2").await;
    assert_eq!(all.body.as_array().unwrap().len(), 1);
    assert_eq!(all.body[0]["productCode"], "B");
    let state = t.state().await;
    assert_eq!(
        state["stock"][0],
        json!({ "productCode": "A", "stock": 10, "stockAvailable": 6, "reserved": 4 })
    );
    let bad = t
        .control_post("stock", &json!({ "productCode": "NOPE", "delta": 1 }))
        .await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn stock_modified_after_lists_only_products_whose_level_changed() {
    let t = spawn_sim().await;
    t.product("A", 1).await;
    t.product("B", 1).await;
    let cursor = t.stock("B").await["modified"]
        .as_str()
        .unwrap()
        .replace('+', "%2B");
    t.control_post("clock", &json!({ "advance_s": 5 })).await;
    t.control_post("stock", &json!({ "productCode": "A", "delta": 2 }))
        .await;
    let changed = t.get(&format!("stock?modifiedAfter={cursor}")).await;
    assert_eq!(
        changed.body.as_array().unwrap().len(),
        1,
        "{:?}",
        changed.body
    );
    assert_eq!(changed.body[0]["productCode"], "A");
    assert_eq!(changed.body[0]["stock"], 3);
}

fn stock_update(reference: &str) -> Value {
    json!({
        "reference": reference,
        "supplier": "Acme",
        "receiveDate": "2030-01-15T10:00:00+02:00",
        "products": [
            { "code": "A", "expectedQuantity": 10, "countryOfOrigin": "FI", "hsCode": "61091000" },
            { "code": "B", "expectedQuantity": 5, "countryOfOrigin": "SE" }
        ]
    })
}

#[tokio::test]
async fn a_stock_update_is_created_new_and_receiving_adds_stock() {
    let t = spawn_sim().await;
    t.product("A", 0).await;
    t.product("B", 0).await;
    let created = t.post("StockUpdate", &stock_update("PO-1")).await;
    assert_eq!(created.status, StatusCode::OK, "{:?}", created.body);
    assert_eq!(created.body["status"], "NEW");
    assert_eq!(created.body["products"][0]["receivedQuantity"], 0);
    let auto = created.body["autoReference"].as_str().unwrap().to_owned();
    assert!(created.body["created"].is_string() && created.body["modified"].is_string());
    assert_eq!(
        t.get("products?code=A").await.body[0]["stockUpdate"],
        10,
        "incoming"
    );

    let by_auto = t.get(&format!("stockupdate?autoreference={auto}")).await;
    assert_eq!(by_auto.body[0]["reference"], "PO-1");
    assert_eq!(t.get("StockUpdate?reference=PO-2").await.body, json!([]));

    let partial = t
        .control_post("stock-updates/PO-1/receive", &json!({ "products": [{ "code": "A", "received": 10 }, { "code": "B", "received": 2 }] }))
        .await;
    assert_eq!(partial.status, StatusCode::OK, "{:?}", partial.body);
    assert_eq!(partial.body["status"], "PARTIALLY_RECEIVED");
    assert_eq!(t.stock("A").await["stock"], 10);
    assert_eq!(t.stock("B").await["stock"], 2);
    let done = t
        .control_post(
            "stock-updates/PO-1/receive",
            &json!({ "products": [{ "code": "B", "received": 3 }], "status": "RECEIVED" }),
        )
        .await;
    assert_eq!(done.body["status"], "RECEIVED");
    let listed = &t.get("StockUpdate?reference=PO-1").await.body[0];
    assert_eq!(listed["products"][1]["receivedQuantity"], 5);
    assert!(listed["arrivalDate"].is_string());
    assert_eq!(t.get("products?code=B").await.body[0]["stockUpdate"], 0);
    assert_eq!(
        t.state().await["stockUpdates"][0]["products"][1]["receivedQuantity"],
        5
    );
}

#[tokio::test]
async fn stock_update_validation_follows_the_documented_rules() {
    let t = spawn_sim().await;
    t.product("A", 0).await;
    t.product("B", 0).await;
    let mut no_supplier = stock_update("X1");
    no_supplier.as_object_mut().unwrap().remove("supplier");
    assert_eq!(
        t.post("StockUpdate", &no_supplier).await.status,
        StatusCode::BAD_REQUEST
    );
    let mut too_many = stock_update("X2");
    too_many["products"][0]["expectedQuantity"] = json!(1_000_001);
    assert_eq!(
        t.post("StockUpdate", &too_many).await.status,
        StatusCode::BAD_REQUEST
    );
    let mut no_origin = stock_update("X3");
    no_origin["products"][1]
        .as_object_mut()
        .unwrap()
        .remove("countryOfOrigin");
    assert_eq!(
        t.post("StockUpdate", &no_origin).await.status,
        StatusCode::BAD_REQUEST
    );
    let mut bad_hs = stock_update("X4");
    bad_hs["products"][0]["hsCode"] = json!("6109");
    assert_eq!(
        t.post("StockUpdate", &bad_hs).await.status,
        StatusCode::BAD_REQUEST
    );
    let mut ghost = stock_update("X5");
    ghost["products"][0]["code"] = json!("GHOST");
    let refused = t.post("StockUpdate", &ghost).await;
    assert!(refused.body["message"].as_str().unwrap().contains("GHOST"));
    assert_eq!(
        t.post("StockUpdate", &stock_update("OK")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        t.post("StockUpdate", &stock_update("OK")).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(t.state().await["stockUpdates"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_return_puts_items_back_and_is_listed_with_reasons() {
    let t = spawn_sim().await;
    t.product("A", 5).await;
    t.order("R1", &[("A", 2)]).await;
    let early = t
        .control_post(
            "returns",
            &json!({ "orderReference": "R1", "products": [{ "code": "A", "quantity": 1 }] }),
        )
        .await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST, "nothing shipped yet");
    t.control_post("orders/R1/ship", &json!({ "trackingNumber": "T1" }))
        .await;
    assert_eq!(t.stock("A").await["stock"], 3);
    let returned = t
        .control_post(
            "returns",
            &json!({ "orderReference": "R1", "products": [{ "code": "A", "quantity": 1, "reason": { "code": "SIZE", "description": "Too small" } }] }),
        )
        .await;
    assert_eq!(returned.status, StatusCode::OK, "{:?}", returned.body);
    assert_eq!(t.stock("A").await["stock"], 4);
    let listed = t.get("returns?orderReference=R1").await;
    assert_eq!(listed.status, StatusCode::OK);
    let row = &listed.body[0];
    assert_eq!(row["orderReference"], "R1");
    assert_eq!(row["products"][0]["returnReason"]["code"], "SIZE");
    assert_eq!(row["products"][0]["quantity"], 1);
    assert!(row["id"].is_string() && row["created"].is_string());
    let too_many = t
        .control_post(
            "returns",
            &json!({ "orderReference": "R1", "products": [{ "code": "A", "quantity": 2 }] }),
        )
        .await;
    assert_eq!(
        too_many.status,
        StatusCode::BAD_REQUEST,
        "only 1 more can come back"
    );
    assert_eq!(t.get("returns?orderReference=R2").await.body, json!([]));
    assert_eq!(t.state().await["returns"].as_array().unwrap().len(), 1);
}
