//! The warehouse side, driven through the control API, as a client sees it through the REST
//! API: stock ledger, partial picks, several parcels, report-back of picked and returned items,
//! purchase-order receipts and returns with a cause per item.

mod common;

use common::spawn_sim;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn num(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("a number, got {value}"))
}

#[tokio::test]
async fn the_stock_ledger_books_on_order_and_takes_out_on_pick() {
    let t = spawn_sim().await;
    t.article("LEDGER", 3.0).await;
    t.order("L-1", &[("LEDGER", 2.0)]).await;
    t.order("L-2", &[("LEDGER", 4.0)]).await;
    let article = t
        .get("articles?goodsOwnerId=1&articleNumber=LEDGER")
        .await
        .body[0]["inventoryInfo"]
        .clone();
    assert_eq!(num(&article["numberOfItems"]), 3.0);
    assert_eq!(num(&article["numberOfBookedItems"]), 6.0);
    assert_eq!(
        num(&article["sellableNumberOfItems"]),
        -3.0,
        "sellable may go negative"
    );

    t.control_post("orders/L-1/ship", &json!({"waybill": "W"}))
        .await;
    let after = t
        .get("articles?goodsOwnerId=1&articleNumber=LEDGER")
        .await
        .body[0]["inventoryInfo"]
        .clone();
    assert_eq!(
        num(&after["numberOfItems"]),
        1.0,
        "picked items left the shelf"
    );
    assert_eq!(num(&after["numberOfBookedItems"]), 4.0);
    assert_eq!(
        num(&after["sellableNumberOfItems"]),
        -3.0,
        "a pick does not change sellable"
    );
    assert_eq!(
        num(&after["pickedToBeCollectedNumberOfItems"]),
        2.0,
        "sent (450) is below collected (500)"
    );
    assert_eq!(
        num(&after["reported"]["pickedToBeReportedNumberOfItems"]),
        2.0
    );

    t.control_post("orders/L-1/status", &json!({"status": 500}))
        .await;
    let collected = t.inventory("LEDGER").await;
    assert_eq!(num(&collected["pickedToBeCollectedNumberOfItems"]), 0.0);

    let refused = t
        .control_post("stock", &json!({"articleNumber": "LEDGER", "delta": -5}))
        .await;
    assert_eq!(
        refused.status,
        StatusCode::BAD_REQUEST,
        "physical stock never goes below 0"
    );
    let set = t
        .control_post("stock", &json!({"articleNumber": "LEDGER", "physical": 10}))
        .await;
    assert_eq!(num(&set.body["numberOfItems"]), 10.0);
    assert_eq!(num(&set.body["sellableNumberOfItems"]), 6.0);
}

#[tokio::test]
async fn partial_picks_report_back_with_reported_number_of_items() {
    let t = spawn_sim().await;
    t.article("RED", 10.0).await;
    t.article("BLUE", 10.0).await;
    let id = t.order("P-1", &[("RED", 3.0), ("BLUE", 2.0)]).await;
    let to_report = || async {
        t.get("orders?goodsOwnerId=1&onlyOrdersWithOrderLinesToReport=true")
            .await
            .body
    };
    assert!(
        to_report().await.as_array().expect("array").is_empty(),
        "nothing picked yet"
    );

    // First delivery: 1 red only, still "Picked" (400), no tracking yet.
    let first = t
        .control_post(
            "orders/P-1/ship",
            &json!({"lines": [{"articleNumber": "RED", "picked": 1}], "status": 400}),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    let listed = to_report().await;
    assert_eq!(listed.as_array().expect("array").len(), 1);
    let order = &listed[0];
    assert_eq!(order["orderInfo"]["orderStatus"]["number"], 400);
    assert_eq!(
        order["orderInfo"]["wayBill"],
        Value::Null,
        "picked is not shipped: no tracking yet"
    );
    assert!(order["tracking"].as_array().expect("tracking").is_empty());
    let red = &order["orderLines"][0];
    assert_eq!(num(&red["pickedNumberOfItems"]), 1.0);
    assert_eq!(red["reportedNumberOfItems"], Value::Null);
    let red_line = red["id"].as_i64().expect("line id");

    let reported = t
        .patch(
            &format!("orders/{id}/lines/{red_line}/reportedNumberOfItems"),
            Some(&json!({"reportedNumberOfItems": 1.0})),
        )
        .await;
    assert_eq!(reported.status, StatusCode::OK);
    assert_eq!(reported.body["orderId"], id);
    assert!(
        to_report().await.as_array().expect("array").is_empty(),
        "reported = picked: off the list"
    );

    // Second delivery: the rest; the order comes back.
    t.control_post(
        "orders/P-1/ship",
        &json!({"waybill": "SHIP-2", "trackingUrl": "https://t.example/SHIP-2"}),
    )
    .await;
    let again = to_report().await;
    assert_eq!(
        again.as_array().expect("array").len(),
        1,
        "more was picked: to report again"
    );
    assert_eq!(num(&again[0]["orderLines"][0]["pickedNumberOfItems"]), 3.0);
    assert_eq!(
        num(&again[0]["orderLines"][0]["reportedNumberOfItems"]),
        1.0
    );
    assert_eq!(again[0]["orderInfo"]["orderStatus"]["number"], 450);
    let all = t
        .patch(
            &format!("orders/{id}/setReportedNumberOfItemsToPickedNumberOfItems"),
            None,
        )
        .await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(to_report().await.as_array().expect("array").is_empty());

    let state = t.order_state("P-1").await;
    assert_eq!(state["lines"][0]["reported"], json!(3.0));
    assert_eq!(state["lines"][1]["reported"], json!(2.0));

    let too_many = t
        .control_post(
            "orders/P-1/ship",
            &json!({"lines": [{"articleNumber": "RED", "picked": 1}]}),
        )
        .await;
    assert_eq!(
        too_many.status,
        StatusCode::BAD_REQUEST,
        "nothing left to pick"
    );
    let bad_line = t
        .patch(
            &format!("orders/{id}/lines/999/reportedNumberOfItems"),
            Some(&json!({"reportedNumberOfItems": 1})),
        )
        .await;
    assert_eq!(bad_line.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn one_shipment_in_several_parcels_shows_every_tracking_place() {
    let t = spawn_sim().await;
    t.article("BIG", 10.0).await;
    t.article("SMALL", 10.0).await;
    let id = t.order("M-1", &[("BIG", 2.0), ("SMALL", 1.0)]).await;
    let shipped = t
        .control_post(
            "orders/M-1/ship",
            &json!({
                "waybill": "SHIPMENT-1",
                "trackingUrl": "https://track.example/SHIPMENT-1",
                "parcels": [
                    {"parcelNumber": "COLLI-1", "trackingUrl": "https://track.example/COLLI-1"},
                    {"parcelNumber": "COLLI-2", "trackingUrl": "https://track.example/COLLI-2"}
                ]
            }),
        )
        .await;
    assert_eq!(shipped.status, StatusCode::OK, "{:?}", shipped.body);
    let order = t.get(&format!("orders/{id}")).await.body;
    assert_eq!(order["orderInfo"]["wayBill"], "SHIPMENT-1");
    assert_eq!(
        order["orderInfo"]["orderStatus"]["number"], 450,
        "ship defaults to Sent"
    );
    assert!(order["orderInfo"]["shippedTime"].is_string());
    assert_eq!(
        order["tracking"],
        json!([{
            "trackingUrl": "https://track.example/SHIPMENT-1", "waybill": "SHIPMENT-1",
            "created": order["tracking"][0]["created"], "freightPrice": null
        }])
    );
    let parcels: Vec<(String, String)> = order["parcels"]
        .as_array()
        .expect("parcels")
        .iter()
        .map(|p| {
            (
                p["parcelNumber"].as_str().expect("n").to_owned(),
                p["tracking"]["trackingUrl"]
                    .as_str()
                    .expect("url")
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        parcels,
        [
            (
                "COLLI-1".to_owned(),
                "https://track.example/COLLI-1".to_owned()
            ),
            (
                "COLLI-2".to_owned(),
                "https://track.example/COLLI-2".to_owned()
            )
        ]
    );
    let item_parcels: Vec<&str> = order["orderLines"]
        .as_array()
        .expect("lines")
        .iter()
        .flat_map(|l| l["pickedArticleItems"].as_array().expect("items").iter())
        .map(|i| i["parcel"]["parcelNumber"].as_str().expect("parcel"))
        .collect();
    assert!(
        item_parcels.contains(&"COLLI-1") && item_parcels.contains(&"COLLI-2"),
        "{item_parcels:?}"
    );
}

#[tokio::test]
async fn returns_carry_a_cause_per_item_and_are_reported_back() {
    let t = spawn_sim().await;
    t.article("SHOE", 10.0).await;
    let id = t.order("R-1", &[("SHOE", 3.0)]).await;
    t.control_post("orders/R-1/ship", &json!({"waybill": "W-R1"}))
        .await;
    assert_eq!(t.inventory("SHOE").await["numberOfItems"], json!(7.0));

    let registered = t
        .control_post(
            "returns",
            &json!({"orderNumber": "R-1", "lines": [
                {"articleNumber": "SHOE", "returned": 1, "cause": {"code": "SIZE", "name": "Wrong size"}},
                {"articleNumber": "SHOE", "returned": 1, "cause": {"code": "DAMAGED", "name": "Damaged"}}
            ]}),
        )
        .await;
    assert_eq!(registered.status, StatusCode::OK, "{:?}", registered.body);
    assert_eq!(
        t.inventory("SHOE").await["numberOfItems"],
        json!(9.0),
        "returned goods are back in stock"
    );

    let listed = t
        .get("orders?goodsOwnerId=1&onlyOrdersWithOrderLinesToReportReturned=true")
        .await
        .body;
    assert_eq!(listed.as_array().expect("array").len(), 1);
    let line = &listed[0]["orderLines"][0];
    assert_eq!(num(&line["returnedNumberOfItems"]), 2.0);
    assert_eq!(line["reportedReturnedNumberOfItems"], Value::Null);
    let items = line["pickedArticleItems"].as_array().expect("items");
    let mut causes: Vec<&str> = items
        .iter()
        .filter(|i| i["isReturned"] == true)
        .map(|i| {
            assert!(i["returnDate"].is_string());
            i["returnCause"]["code"].as_str().expect("cause")
        })
        .collect();
    causes.sort_unstable();
    assert_eq!(causes, ["DAMAGED", "SIZE"]);
    let kept: f64 = items
        .iter()
        .filter(|i| i["isReturned"] == false)
        .map(|i| num(&i["numberOfItems"]))
        .sum();
    assert_eq!(kept, 1.0, "one shoe stayed with the customer");
    assert!(
        listed[0]["orderInfo"]["orderStatus"]["number"] == 450,
        "status unchanged unless asked"
    );

    let since = chrono::Utc::now() - chrono::Duration::minutes(1);
    let by_time = t
        .get(&format!(
            "orders?goodsOwnerId=1&lastReturnedFrom={}",
            since.format("%Y-%m-%dT%H:%M:%SZ")
        ))
        .await
        .body;
    assert_eq!(by_time.as_array().expect("array").len(), 1);

    let line_id = line["id"].as_i64().expect("line id");
    let reported = t
        .patch(
            &format!("orders/{id}/lines/{line_id}/reportedReturnedNumberOfItems"),
            Some(&json!({"reportedReturnedNumberOfItems": 2.0})),
        )
        .await;
    assert_eq!(reported.status, StatusCode::OK);
    assert!(
        t.get("orders?goodsOwnerId=1&onlyOrdersWithOrderLinesToReportReturned=true")
            .await
            .body
            .as_array()
            .expect("array")
            .is_empty()
    );

    let too_many = t
        .control_post(
            "returns",
            &json!({"orderNumber": "R-1", "lines": [{"articleNumber": "SHOE", "returned": 2}]}),
        )
        .await;
    assert_eq!(
        too_many.status,
        StatusCode::BAD_REQUEST,
        "only one picked shoe is left to return"
    );
    let last = t
        .control_post(
            "returns",
            &json!({"orderNumber": "R-1", "status": 800, "lines": [{"articleNumber": "SHOE", "returned": 1, "cause": {"code": "REGRET", "name": "Changed mind"}}]}),
        )
        .await;
    assert_eq!(last.status, StatusCode::OK);
    assert_eq!(t.order_state("R-1").await["status"], 800);
    let all = t
        .patch(
            &format!("orders/{id}/setReportedReturnedNumberOfItemsToReturnedNumberOfItems"),
            None,
        )
        .await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(
        t.order_state("R-1").await["lines"][0]["reportedReturned"],
        json!(3.0)
    );

    let state = t.state().await;
    let returns = state["returns"].as_array().expect("returns");
    assert_eq!(returns.len(), 3);
    assert!(returns.iter().all(|r| r["orderNumber"] == "R-1"));
    let causes = t.get("returnOrders/returnCauses?goodsOwnerId=1").await.body;
    assert!(
        causes["returnCauses"]
            .as_array()
            .expect("causes")
            .iter()
            .any(|c| c["code"] == "DAMAGED")
    );
}

#[tokio::test]
async fn a_return_fills_the_matching_return_order() {
    let t = spawn_sim().await;
    t.article("HAT", 5.0).await;
    let order_id = t.order("RO-1", &[("HAT", 2.0)]).await;
    t.control_post("orders/RO-1/ship", &json!({"waybill": "W"}))
        .await;
    let line_id = t.get(&format!("orders/{order_id}")).await.body["orderLines"][0]["id"]
        .as_i64()
        .expect("line");
    let put = t
        .put(
            "returnOrders",
            &json!({"goodsOwnerId": 1, "returnOrderNumber": "RMA-9", "customerOrder": {"orderId": order_id},
                    "returnOrderLines": [{"returnOrderRowNumber": "1", "customerOrderLine": {"orderLineId": line_id},
                                          "toBeReturnedNumberOfItems": 2, "returnCause": {"code": "SIZE", "name": "Wrong size"}}]}),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
    let return_order_id = put.body["returnOrderId"].as_i64().expect("id");
    let wrong_line = t
        .put(
            "returnOrders",
            &json!({"goodsOwnerId": 1, "returnOrderNumber": "RMA-X", "customerOrder": {"orderId": order_id},
                    "returnOrderLines": [{"returnOrderRowNumber": "1", "customerOrderLine": {"orderLineId": 1}, "toBeReturnedNumberOfItems": 1}]}),
        )
        .await;
    assert_eq!(wrong_line.status, StatusCode::BAD_REQUEST);

    t.control_post(
        "returns",
        &json!({"orderNumber": "RO-1", "lines": [{"articleNumber": "HAT", "returned": 2, "cause": {"code": "SIZE", "name": "Wrong size"}}]}),
    )
    .await;
    let read = t.get(&format!("returnOrders/{return_order_id}")).await.body;
    assert_eq!(read["returnOrderInfo"]["returnOrderStatus"]["number"], 500);
    let line = &read["returnOrderLines"][0];
    assert_eq!(num(&line["returnedNumberOfItems"]), 2.0);
    assert_eq!(
        line["returnedArticleItems"][0]["returnCause"]["code"],
        "SIZE"
    );
    let statuses = t.get("returnOrders/statuses").await.body;
    assert!(
        statuses["returnOrderStatuses"]
            .as_array()
            .expect("statuses")
            .iter()
            .any(|s| s["number"] == 500)
    );
}

#[tokio::test]
async fn purchase_orders_are_received_and_reported_back() {
    let t = spawn_sim().await;
    t.article("INB", 0.0).await;
    let put = t
        .put(
            "purchaseOrders",
            &json!({"goodsOwnerId": 1, "purchaseOrderNumber": "PO-1", "purchaseOrderLines": [{"rowNumber": "1", "articleNumber": "INB", "numberOfItems": 10}]}),
        )
        .await;
    let id = put.body["purchaseOrderId"].as_i64().expect("id");
    assert_eq!(
        t.inventory("INB").await["toReceiveNumberOfItems"],
        json!(10.0)
    );

    let cutoff = chrono::Utc::now() - chrono::Duration::seconds(1);
    let partial = t
        .control_post(
            "purchase-orders/PO-1/receive",
            &json!({"lines": [{"articleNumber": "INB", "received": 6}]}),
        )
        .await;
    assert_eq!(partial.status, StatusCode::OK);
    assert_eq!(partial.body["status"], 400, "short delivery: deviation");
    let inventory = t.inventory("INB").await;
    assert_eq!(inventory["numberOfItems"], json!(6.0));
    assert_eq!(inventory["toReceiveNumberOfItems"], json!(4.0));

    let to_report = t
        .get("purchaseOrders?goodsOwnerId=1&onlyPurchaseOrdersWithOrderLinesToReport=true")
        .await
        .body;
    assert_eq!(to_report.as_array().expect("array").len(), 1);
    let line = &to_report[0]["purchaseOrderLines"][0];
    assert_eq!(line["reportedNumberOfItems"], Value::Null);
    let line_id = line["id"].as_i64().expect("line");
    let changed = t
        .get(&format!(
            "purchaseOrders?goodsOwnerId=1&purchaseOrderStatusChangedTimeFrom={}",
            cutoff.format("%Y-%m-%dT%H:%M:%SZ")
        ))
        .await
        .body;
    assert_eq!(changed.as_array().expect("array").len(), 1);

    let reported = t
        .patch(
            &format!("purchaseOrders/{id}/lines/{line_id}/reportedNumberOfItems"),
            Some(&json!({"reportedNumberOfItems": 6.0})),
        )
        .await;
    assert_eq!(reported.status, StatusCode::OK);
    assert_eq!(reported.body["purchaseOrderId"], id);
    assert!(
        t.get("purchaseOrders?goodsOwnerId=1&onlyPurchaseOrdersWithOrderLinesToReport=true")
            .await
            .body
            .as_array()
            .expect("array")
            .is_empty()
    );

    let late = t
        .put("purchaseOrders", &json!({"goodsOwnerId": 1, "purchaseOrderNumber": "PO-1", "purchaseOrderRemark": "change"}))
        .await;
    assert_eq!(
        late.status,
        StatusCode::BAD_REQUEST,
        "received: no more updates"
    );

    let rest = t
        .control_post("purchase-orders/PO-1/receive", &json!({}))
        .await;
    assert_eq!(rest.body["status"], 500);
    t.patch(
        &format!("purchaseOrders/{id}/setReportedNumberOfItemsToReceivedNumberOfItems"),
        None,
    )
    .await;
    let po = t.get(&format!("purchaseOrders/{id}")).await.body;
    assert_eq!(
        num(&po["purchaseOrderLines"][0]["reportedNumberOfItems"]),
        10.0
    );
    assert_eq!(
        po["purchaseOrderInfo"]["purchaseOrderStatus"]["text"],
        "Received"
    );
    assert_eq!(
        t.inventory("INB").await["toReceiveNumberOfItems"],
        json!(0.0)
    );
}

#[tokio::test]
async fn reset_empties_everything() {
    let t = spawn_sim().await;
    t.article("GONE", 1.0).await;
    t.control_post("faults", &json!({"latency_ms": 5})).await;
    let reset = t.control_post("reset", &json!({})).await;
    assert_eq!(reset.status, StatusCode::OK);
    let state = t.state().await;
    assert!(state["articles"].as_array().expect("articles").is_empty());
    assert!(state["inventory"].as_array().expect("inventory").is_empty());
    assert!(t.requests(0).await.is_empty());
    assert_eq!(t.control_get("faults").await["latency_ms"], 0);
}
