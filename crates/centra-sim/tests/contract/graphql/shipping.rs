//! Shipment mutations over the same store as the Order API: create, update (quantities, paid),
//! capture (immediate or a pending capture request), complete (good to go and paid, `shippedAt`
//! not in the future); REST and GraphQL see each other's shipments.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use super::{gql, shipment_id};
use crate::harness::{TestSim, spawn_sim};

const COMPLETE: &str = "mutation($id: Int!, $input: ShipmentCompleteInput) { completeShipment(id: $id, input: $input) { shipment { id isShipped shippedAt trackingNumber carrierInformation { carrierName serviceName } numberOfPackages } userErrors { message path } } }";
const CAPTURE: &str = "mutation($id: Int!) { captureShipment(id: $id) { shipment { isCaptured isPaid } paymentHistoryEntry { status entryType } userErrors { message path } } }";

async fn seeded() -> TestSim {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    t
}

/// Places order `id` with one line of `qty` units and deletes its first shipment (REST), so the
/// line is free for a new shipment. Answers the order line id.
async fn order_without_shipment(t: &TestSim, id: u64, qty: i64) -> i64 {
    let placed = t
        .control(
            "/orders",
            &json!({"order": {"orderId": id.to_string(), "paid": false, "shouldCapture": true, "lines": [{"sku": "HJ100", "variantSku": "NVY", "sizeSku": "S", "qty": qty, "price": 149.0}]}, "goodToGo": false}),
        )
        .await;
    let shipment = placed["shipmentId"].as_str().unwrap();
    let deleted = t
        .call(Method::DELETE, &format!("/shipments/{shipment}"), None)
        .await;
    assert_eq!(deleted["status"], "ok", "{deleted}");
    placed["orderLineIds"][0].as_str().unwrap().parse().unwrap()
}

fn ship_input() -> Value {
    json!({"shipmentInfo": {"carrier": "DHL", "service": "Express", "packagesNumber": 2, "trackingNumber": "JJD0001"}})
}

#[tokio::test]
async fn a_shipment_created_over_rest_is_completed_over_graphql_and_read_back_over_rest() {
    let t = seeded().await;
    // REST creates the shipment (capturing), GraphQL ships it, REST reads it back.
    let line = order_without_shipment(&t, 8401, 1).await.to_string();
    let created = t
        .post(
            "/shipments",
            &json!({"order": 8401, "products": {line: 1}, "gtg": true, "capture": true}),
        )
        .await;
    assert_eq!(created["status"], "ok", "{created}");
    let number = created["shipment"].as_str().unwrap().to_owned();
    let id = shipment_id(&t, &number).await;

    let done = gql(&t, COMPLETE, json!({"id": id, "input": ship_input()})).await;
    let payload = done.data("completeShipment");
    assert_eq!(payload["userErrors"], json!([]));
    assert_eq!(payload["shipment"]["isShipped"], true);
    assert_eq!(payload["shipment"]["trackingNumber"], "JJD0001");
    assert_eq!(payload["shipment"]["numberOfPackages"], 2);

    let rest = t
        .get("/shipments?status=completed&limit=10&order=8401")
        .await;
    let shipment = &rest["shipments"][0];
    assert_eq!(shipment["shipmentId"], number);
    assert_eq!(shipment["trackingNumber"], "JJD0001");
    let state = t.shipment_state(&number).await;
    assert_eq!(state["completeCount"], 1);
    assert_eq!(state["carrier"], "DHL");

    // A second completion is refused, through either API.
    let again = gql(&t, COMPLETE, json!({"id": id, "input": ship_input()})).await;
    assert_eq!(
        again.data("completeShipment")["userErrors"][0]["message"],
        "shipment is already completed"
    );
    let rest_again = t
        .put("/shipment", &json!({"order": "8401", "shipment": number}))
        .await;
    assert_eq!(rest_again["status"], "no");
}

#[tokio::test]
async fn complete_needs_good_to_go_and_paid_and_no_future_shipped_at() {
    let t = seeded().await;
    let s = t.seed_order(8402).await;
    let id = shipment_id(&t, &s.shipment_id).await;
    let unpaid = gql(&t, COMPLETE, json!({"id": id})).await;
    assert_eq!(
        unpaid.data("completeShipment")["userErrors"][0]["message"],
        "shipment is not paid"
    );
    let future = (Utc::now() + Duration::hours(2)).to_rfc3339();
    let later = gql(
        &t,
        COMPLETE,
        json!({"id": id, "input": {"shippedAt": future}}),
    )
    .await;
    assert_eq!(
        later.data("completeShipment")["userErrors"][0],
        json!({"message": "shippedAt can not be in the future", "path": ["input", "shippedAt"]})
    );
    let state = t.shipment_state(&s.shipment_id).await;
    assert_eq!(state["completed"], false);
    assert_eq!(state["captureCount"], 0, "completion never captures");

    let captured = gql(&t, CAPTURE, json!({"id": id})).await;
    let payload = captured.data("captureShipment");
    assert_eq!(
        payload["paymentHistoryEntry"],
        json!({"status": "SUCCESS", "entryType": "CAPTURE"})
    );
    assert_eq!(
        payload["shipment"],
        json!({"isCaptured": true, "isPaid": true})
    );
    let yesterday = (Utc::now() - Duration::days(1)).to_rfc3339();
    let done = gql(
        &t,
        COMPLETE,
        json!({"id": id, "input": {"shippedAt": yesterday}}),
    )
    .await;
    assert_eq!(done.data("completeShipment")["userErrors"], json!([]));
    assert!(done.data("completeShipment")["shipment"]["shippedAt"].is_string());
}

#[tokio::test]
async fn create_update_and_mark_paid_through_graphql_are_seen_over_rest() {
    let t = seeded().await;
    let line = order_without_shipment(&t, 8403, 3).await;
    // Too many units: refused, nothing created.
    let refused = gql(
        &t,
        "mutation($input: ShipmentCreateInput!) { createShipment(input: $input) { shipment { id } userErrors { message path } } }",
        json!({"input": {"order": {"number": 8403}, "lines": [{"orderLine": {"id": line}, "quantity": 9}]}}),
    )
    .await;
    let payload = refused.data("createShipment");
    assert_eq!(payload["shipment"], json!(null));
    assert!(
        payload["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("exceeds")
    );

    let created = gql(
        &t,
        "mutation($input: ShipmentCreateInput!) { createShipment(input: $input) { shipment { id number isGoodToGo isPaid lines { quantity } } userErrors { message } } }",
        json!({"input": {"order": {"number": 8403}, "lines": [{"orderLine": {"id": line}, "quantity": 3}], "isGoodToGo": false}}),
    )
    .await;
    let shipment = created.data("createShipment")["shipment"].clone();
    let number = shipment["number"].as_str().unwrap().to_owned();
    assert_eq!(shipment["lines"], json!([{"quantity": 3}]));

    let updated = gql(
        &t,
        "mutation($id: Int!, $input: ShipmentUpdateInput!) { updateShipment(id: $id, input: $input) { shipment { isGoodToGo isPaid lines { quantity } } userErrors { message } } }",
        json!({"id": shipment["id"], "input": {"isGoodToGo": true, "lines": [{"orderLine": {"id": line}, "quantity": 2}]}}),
    )
    .await;
    assert_eq!(
        updated.data("updateShipment")["shipment"],
        json!({"isGoodToGo": true, "isPaid": false, "lines": [{"quantity": 2}]})
    );
    let rest = t.get(&format!("/shipments/{number}")).await;
    assert_eq!(
        rest["shipments"][0]["products"][0]["qty"]
            .to_string()
            .trim_matches('"'),
        "2"
    );

    let paid = gql(
        &t,
        "mutation($id: Int!) { updateShipment(id: $id, input: {isPaid: true}) { shipment { isPaid isCaptured } userErrors { message } } }",
        json!({"id": shipment["id"]}),
    )
    .await;
    assert_eq!(
        paid.data("updateShipment")["shipment"],
        json!({"isPaid": true, "isCaptured": false})
    );
    let state = t.shipment_state(&number).await;
    assert_eq!(
        (state["paid"].clone(), state["captureCount"].clone()),
        (json!(true), json!(0))
    );
}

#[tokio::test]
async fn capture_requests_answer_pending_and_settle_later() {
    let t = seeded().await;
    t.control(
        "/graphql/payments",
        &json!({"captureRequestMethods": ["adyen-drop-in"], "settleAfterSeconds": 60}),
    )
    .await;
    let s = t
        .seed_order_with(8404, |o| {
            o["order"]["paymentMethod"] = json!("adyen-drop-in")
        })
        .await;
    let id = shipment_id(&t, &s.shipment_id).await;
    let pending = gql(&t, CAPTURE, json!({"id": id})).await;
    let payload = pending.data("captureShipment");
    assert_eq!(
        payload["paymentHistoryEntry"],
        json!({"status": "PENDING", "entryType": "CAPTURE_REQUEST"})
    );
    assert_eq!(
        payload["shipment"],
        json!({"isCaptured": false, "isPaid": false})
    );
    // Not paid yet: completion is refused; a second request too.
    let early = gql(&t, COMPLETE, json!({"id": id})).await;
    assert_eq!(
        early.data("completeShipment")["userErrors"][0]["message"],
        "shipment is not paid"
    );
    let twice = gql(&t, CAPTURE, json!({"id": id})).await;
    assert_eq!(
        twice.data("captureShipment")["userErrors"][0]["message"],
        "shipment has a pending capture request"
    );
    assert_eq!(
        t.shipment_state(&s.shipment_id).await["capturePending"],
        true
    );
    // The typed signal of a request out: the shipment's payment history, not the message.
    const HISTORY: &str =
        "query($id: Int!) { shipment(id: $id) { paymentHistory { status entryType } } }";
    let history = gql(&t, HISTORY, json!({"id": id})).await;
    assert_eq!(
        history.data("shipment")["paymentHistory"],
        json!([{"status": "PENDING", "entryType": "CAPTURE_REQUEST"}])
    );

    // A minute later (the simulator's clock) the provider has settled it.
    t.control("/clock", &json!({"advanceSeconds": 61})).await;
    let read = gql(
        &t,
        "query($id: Int!) { shipment(id: $id) { isCaptured isPaid } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(
        read.data("shipment"),
        &json!({"isCaptured": true, "isPaid": true})
    );
    assert_eq!(t.shipment_state(&s.shipment_id).await["captureCount"], 1);
    let history = gql(&t, HISTORY, json!({"id": id})).await;
    assert_eq!(
        history.data("shipment")["paymentHistory"],
        json!([{"status": "SUCCESS", "entryType": "CAPTURE"}])
    );

    // A request can also fail when it settles; the shipment stays unpaid.
    let failing = t
        .seed_order_with(8405, |o| {
            o["order"]["paymentMethod"] = json!("adyen-drop-in")
        })
        .await;
    let failing_id = shipment_id(&t, &failing.shipment_id).await;
    gql(&t, CAPTURE, json!({"id": failing_id})).await;
    let settled = t
        .control(
            "/graphql/capture-requests/settle",
            &json!({"shipmentId": failing.shipment_id, "outcome": "FAILED"}),
        )
        .await;
    assert_eq!(settled["settled"], 1);
    let state = t.shipment_state(&failing.shipment_id).await;
    assert_eq!(
        (state["paid"].clone(), state["capturePending"].clone()),
        (json!(false), json!(false))
    );
    // REST capture while pending is refused too (the same rule).
    let other = t
        .seed_order_with(8406, |o| {
            o["order"]["paymentMethod"] = json!("adyen-drop-in")
        })
        .await;
    gql(
        &t,
        CAPTURE,
        json!({"id": shipment_id(&t, &other.shipment_id).await}),
    )
    .await;
    let rest = t
        .call(
            Method::PUT,
            "/capture",
            Some(&json!({"shipment": other.shipment_id})),
        )
        .await;
    assert_eq!(rest["msg"], "shipment has a pending capture request");
}
