//! Orders (ogoship-api.md §5): status on create (new / pending / reserved), unknown codes,
//! lines replaced on update, cancel rules, shipping through the control API, counters.

mod common;

use common::{TestSim, spawn_sim};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_valid_order_with_stock_is_new_and_reserves_stock() {
    let t = spawn_sim().await;
    t.product("A", 5).await;
    let order = t.order("R1", &[("A", 2)]).await;
    assert_eq!(order["status"], "new");
    assert_eq!(order["reference"], "R1");
    assert_eq!(order["id"].as_str().unwrap().len(), 36);
    assert_eq!(order["orderLines"][0]["code"], "A");
    assert!(order["trackingNumber"].is_null());
    let stock = t.stock("A").await;
    assert_eq!(
        (
            stock["stock"].as_i64(),
            stock["reserved"].as_i64(),
            stock["stockAvailable"].as_i64()
        ),
        (Some(5), Some(2), Some(3))
    );
    let found = t.get("orders?reference=R1").await;
    assert_eq!(found.body.as_array().unwrap().len(), 1);
    assert_eq!(t.get("orders?reference=R9").await.body, json!([]));
}

#[tokio::test]
async fn short_stock_gives_pending_which_turns_new_when_stock_arrives() {
    let t = spawn_sim().await;
    t.product("A", 3).await;
    assert_eq!(t.order("R1", &[("A", 2)]).await["status"], "new");
    assert_eq!(
        t.order("R2", &[("A", 2)]).await["status"],
        "pending",
        "earlier order holds 2 of 3"
    );
    assert_eq!(t.stock("A").await["reserved"], 4, "pending reserves too");
    assert_eq!(t.stock("A").await["stockAvailable"], -1);
    t.control_post("stock", &json!({ "productCode": "A", "delta": 1 }))
        .await;
    assert_eq!(t.order_state("R2").await["status"], "new");
}

#[tokio::test]
async fn failed_validation_gives_reserved_with_the_reason() {
    let t = spawn_sim().await;
    t.product("A", 10).await;
    let mut no_phone = TestSim::order_body("NOPHONE", &[("A", 1)]);
    no_phone["customer"]["phone"] = json!(null);
    let stored = t.post("orders", &no_phone).await;
    assert_eq!(stored.status, StatusCode::OK);
    assert_eq!(stored.body["status"], "reserved");
    assert!(
        stored.body["warehouseComments"]
            .as_str()
            .unwrap()
            .contains("phone")
    );

    let mut wrong_method = TestSim::order_body("BADSHIP", &[("A", 1)]);
    wrong_method["shippingCode"] = json!("PIGEON");
    assert_eq!(
        t.post("orders", &wrong_method).await.body["status"],
        "reserved"
    );
    assert_eq!(
        t.stock("A").await["reserved"],
        2,
        "reserved orders hold stock"
    );

    // Fixing the order through an update re-validates it.
    let fixed = t
        .put("orders/NOPHONE", &json!({ "customer": { "name": "T", "address1": "S", "city": "C", "countryCode": "FI", "phone": "1" } }))
        .await;
    assert_eq!(fixed.status, StatusCode::OK, "{:?}", fixed.body);
    assert_eq!(fixed.body["status"], "new");
}

#[tokio::test]
async fn unknown_product_codes_and_duplicates_are_refused() {
    let t = spawn_sim().await;
    t.product("A", 1).await;
    let refused = t
        .post(
            "orders",
            &TestSim::order_body("R1", &[("A", 1), ("GHOST-1", 1), ("GHOST-2", 2)]),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let message = refused.body["message"].as_str().unwrap();
    assert!(
        message.contains("GHOST-1") && message.contains("GHOST-2"),
        "{message}"
    );
    assert!(t.state().await["orders"].as_array().unwrap().is_empty());
    t.order("R1", &[("A", 1)]).await;
    let duplicate = t
        .post("orders", &TestSim::order_body("R1", &[("A", 1)]))
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert_eq!(t.order_state("R1").await["createdCount"], 1);
}

#[tokio::test]
async fn order_lines_are_replaced_on_update() {
    let t = spawn_sim().await;
    t.product("A", 10).await;
    t.product("B", 10).await;
    t.order("R1", &[("A", 2), ("B", 1)]).await;
    let updated = t
        .put(
            "orders/R1",
            &json!({ "orderLines": [{ "code": "B", "quantity": 4 }] }),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{:?}", updated.body);
    let lines = updated.body["orderLines"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["code"], "B");
    assert_eq!(t.stock("A").await["reserved"], 0);
    assert_eq!(t.stock("B").await["reserved"], 4);
    assert_eq!(
        updated.body["customer"]["city"], "Helsinki",
        "other fields kept"
    );
    assert_eq!(t.order_state("R1").await["updateCount"], 1);
    // The same update again changes nothing and is not counted.
    t.put(
        "orders/R1",
        &json!({ "orderLines": [{ "code": "B", "quantity": 4 }] }),
    )
    .await;
    assert_eq!(t.order_state("R1").await["updateCount"], 1);
    let unknown = t.put("orders/NOPE", &json!({ "comments": "x" })).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cancel_is_allowed_before_collecting_and_refused_after() {
    let t = spawn_sim().await;
    t.product("A", 10).await;
    t.order("EARLY", &[("A", 3)]).await;
    let cancelled = t
        .put("orders/EARLY", &json!({ "status": "Cancelled" }))
        .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    assert_eq!(
        cancelled.body["status"], "cancelled",
        "lower case on the wire"
    );
    assert_eq!(t.stock("A").await["reserved"], 0, "released on cancel");

    t.order("LATE", &[("A", 3)]).await;
    let collecting = t
        .control_post("orders/LATE/status", &json!({ "status": "collecting" }))
        .await;
    assert_eq!(collecting.status, StatusCode::OK);
    let stock = t.stock("A").await;
    assert_eq!(
        (stock["stock"].as_i64(), stock["reserved"].as_i64()),
        (Some(7), Some(0)),
        "deducted at collecting"
    );
    let refused = t
        .put("orders/LATE", &json!({ "status": "cancelled" }))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.body["statusCode"], 400);
    let edit = t
        .put("orders/LATE", &json!({ "comments": "late edit" }))
        .await;
    assert_eq!(edit.status, StatusCode::BAD_REQUEST);
    assert_eq!(t.order_state("LATE").await["status"], "collecting");
    let warehouse_only = t.put("orders/EARLY", &json!({ "status": "shipped" })).await;
    assert_eq!(warehouse_only.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn shipping_through_the_control_api_sets_tracking_and_deducts_stock() {
    let t = spawn_sim().await;
    t.product("A", 10).await;
    t.product("B", 10).await;
    t.order("R1", &[("A", 2), ("B", 3)]).await;
    let shipped = t
        .control_post(
            "orders/R1/ship",
            &json!({ "lines": [{ "code": "A", "picked": 2 }, { "code": "B", "picked": 1 }], "trackingNumber": "JJFI123", "trackingUrl": "https://track/JJFI123" }),
        )
        .await;
    assert_eq!(shipped.status, StatusCode::OK, "{:?}", shipped.body);
    assert_eq!(shipped.body["status"], "shipped");
    assert_eq!(shipped.body["lines"][1]["picked"], 1);
    let order = &t.get("orders?reference=R1").await.body[0];
    assert_eq!(order["status"], "shipped");
    assert_eq!(order["trackingNumber"], "JJFI123");
    assert_eq!(order["trackingUrl"], "https://track/JJFI123");
    let a = t.stock("A").await;
    let b = t.stock("B").await;
    assert_eq!(
        (a["stock"].as_i64(), a["reserved"].as_i64()),
        (Some(8), Some(0))
    );
    assert_eq!(
        (b["stock"].as_i64(), b["stockAvailable"].as_i64()),
        (Some(9), Some(9)),
        "only picked items leave"
    );
    let again = t
        .control_post("orders/R1/ship", &json!({ "trackingNumber": "X" }))
        .await;
    assert_eq!(
        again.status,
        StatusCode::BAD_REQUEST,
        "shipping twice is refused"
    );
    let missing = t.control_post("orders/NOPE/ship", &json!({})).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn orders_page_and_filter_by_modified_after() {
    let t = spawn_sim().await;
    t.product("A", 100).await;
    let first = t.order("R1", &[("A", 1)]).await;
    t.control_post("clock", &json!({ "advance_s": 5 })).await;
    t.order("R2", &[("A", 1)]).await;
    t.order("R3", &[("A", 1)]).await;
    let cursor = first["editTime"].as_str().unwrap().replace('+', "%2B");
    let later = t.get(&format!("orders?modifiedAfter={cursor}")).await;
    let refs: Vec<&str> = later
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["reference"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["R2", "R3"]);
    let page2 = t.get("orders?limit=2&page=2").await;
    assert_eq!(page2.body.as_array().unwrap().len(), 1);
    assert_eq!(page2.body[0]["reference"], "R3");
}
