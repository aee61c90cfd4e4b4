//! The official Ongoing examples (tests/fixtures/ongoing, MIT, see NOTICE.md): their request
//! bodies are accepted unchanged, and the simulator's answers have the shape of the example
//! answers (member names and JSON kinds, recursively).

mod common;

use common::{TestSim, assert_same_shape, fixture, fixture_text, spawn_sim_with};
use ongoing_sim::OngoingSim;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The examples belong to Ongoing's demo goods owner 159.
async fn example_sim() -> TestSim {
    spawn_sim_with(OngoingSim::builder(), 159).await
}

#[tokio::test]
async fn article_examples_are_accepted_and_answered_in_the_example_shape() {
    let t = example_sim().await;

    let required = t
        .put(
            "articles",
            &fixture("articles/put-article-required-fields.request.json"),
        )
        .await;
    assert_eq!(required.status, StatusCode::OK);
    assert_same_shape(
        &fixture("articles/put-article-required-fields.response.json"),
        &required.body,
        "PUT /articles (required)",
    );

    let many = t
        .put(
            "articles",
            &fixture("articles/put-article-many-fields.request.json"),
        )
        .await;
    assert_eq!(many.status, StatusCode::OK, "{:?}", many.body);
    assert_same_shape(
        &fixture("articles/put-article-many-fields.response.json"),
        &many.body,
        "PUT /articles (many)",
    );
    let id = many.body["articleSystemId"]
        .as_i64()
        .expect("articleSystemId");
    assert_ne!(
        id,
        required.body["articleSystemId"].as_i64().expect("id"),
        "two articles, two ids"
    );

    let stocked = t
        .control_post(
            "stock",
            &json!({"articleNumber": "TestArticleNumber_ManyFields1", "delta": 11}),
        )
        .await;
    assert_eq!(stocked.status, StatusCode::OK);

    let read = t.get(&format!("articles/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_same_shape(
        &fixture("articles/get-article-many-fields.response.json"),
        &read.body,
        "GET /articles/{id}",
    );
    // Numbers sent as strings ("1.5") are read as numbers, as the real API does.
    assert_eq!(read.body["weight"], json!(1.5));
    assert_eq!(read.body["quantityPerPackage"], json!(10.0));
    assert_eq!(read.body["purcaseCurrencyCode"], "EUR");
    assert_eq!(read.body["barCodeInfo"]["barCode"], "700123456");
    assert_eq!(read.body["goodsOwner"]["id"], 159);
    assert_eq!(read.body["inventoryInfo"]["numberOfItems"], json!(11.0));
    assert_eq!(
        read.body["inventoryInfo"]["sellableNumberOfItems"],
        json!(11.0)
    );
}

#[tokio::test]
async fn order_examples_are_accepted_and_answered_in_the_example_shape() {
    let t = example_sim().await;
    t.article("1009", 10.0).await;
    t.article("1005", 10.0).await;

    let required_body = fixture("orders/put-order-required-fields.request.json");
    let created = t.put("orders", &required_body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_same_shape(
        &fixture("orders/put-order-required-fields.response.json"),
        &created.body,
        "PUT /orders (required)",
    );
    let again = t.put("orders", &required_body).await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "a PUT of a known order number updates it"
    );
    assert_eq!(again.body["orderId"], created.body["orderId"]);

    let many = t
        .put(
            "orders",
            &fixture("orders/put-order-many-fields.request.json"),
        )
        .await;
    assert_eq!(many.status, StatusCode::CREATED, "{:?}", many.body);
    assert_same_shape(
        &fixture("orders/put-order-many-fields.response.json"),
        &many.body,
        "PUT /orders (many)",
    );
    let order_id = many.body["orderId"].as_i64().expect("orderId");

    // The example order was picked, packed into a parcel, has a return parcel and is collected.
    let shipped = t
        .control_post(
            "orders/O1231234/ship",
            &json!({
                "waybill": "UA65456546",
                "trackingUrl": "https://tracking.example/UA65456546",
                "returnWaybill": "UE4534434",
                "parcels": [
                    {"parcelNumber": "00376546546"},
                    {"parcelNumber": "00371231232", "isReturnParcel": true}
                ],
                "status": 500
            }),
        )
        .await;
    assert_eq!(shipped.status, StatusCode::OK, "{:?}", shipped.body);

    let read = t.get(&format!("orders/{order_id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_same_shape(
        &fixture("orders/get-order-many-fields.response.json"),
        &read.body,
        "GET /orders/{id}",
    );
    let info = &read.body["orderInfo"];
    assert_eq!(info["orderNumber"], "O1231234");
    assert_eq!(info["deliveryDate"], "2019-10-10");
    assert_eq!(info["wayBill"], "UA65456546");
    assert_eq!(info["returnWayBill"], "UE4534434");
    assert_eq!(info["orderStatus"]["number"], 500);
    assert_eq!(
        info["emailNotification"],
        json!({"toBeNotified": true, "value": "a@b.com"})
    );
    assert_eq!(
        read.body["transporter"]["transporterName"],
        "PostNord Sweden AB"
    );
    assert_eq!(read.body["transporter"]["serviceCode"], "P18");
    assert_eq!(read.body["consignee"]["doorCode"], "1111");
    let line = &read.body["orderLines"][0];
    assert_eq!(line["pickedNumberOfItems"], json!(2.0));
    assert_eq!(line["serialNumber"], "SSN1");
    assert_eq!(line["lineTotalCustomsValue"], json!(3000.0));
    assert_eq!(line["reportedNumberOfItems"], Value::Null);

    let statuses = t.get("orders/statuses").await;
    assert_eq!(statuses.status, StatusCode::OK);
    assert_same_shape(
        &fixture("orders/get-order-statuses.response.json"),
        &statuses.body,
        "GET /orders/statuses",
    );
    let example_numbers: Vec<i64> =
        fixture("orders/get-order-statuses.response.json")["orderStatuses"]
            .as_array()
            .expect("statuses")
            .iter()
            .filter_map(|s| s["number"].as_i64())
            .collect();
    for number in example_numbers {
        assert!(
            statuses.body["orderStatuses"]
                .as_array()
                .expect("statuses")
                .iter()
                .any(|s| s["number"] == number),
            "status {number} is a default"
        );
    }
}

#[tokio::test]
async fn purchase_order_examples_are_accepted_and_answered_in_the_example_shape() {
    let t = example_sim().await;
    t.article("CK2", 0.0).await;
    t.article("CK5", 0.0).await;

    let required = t
        .put(
            "purchaseOrders",
            &fixture("purchase-orders/put-purchase-order-required-fields.request.json"),
        )
        .await;
    assert_eq!(required.status, StatusCode::OK, "{:?}", required.body);
    assert_same_shape(
        &fixture("purchase-orders/put-purchase-order-required-fields.response.json"),
        &required.body,
        "PUT /purchaseOrders (required)",
    );
    let many = t
        .put(
            "purchaseOrders",
            &fixture("purchase-orders/put-purchase-order-many-fields.request.json"),
        )
        .await;
    assert_eq!(many.status, StatusCode::OK, "{:?}", many.body);
    assert_same_shape(
        &fixture("purchase-orders/put-purchase-order-many-fields.response.json"),
        &many.body,
        "PUT /purchaseOrders (many)",
    );
    let id = many.body["purchaseOrderId"]
        .as_i64()
        .expect("purchaseOrderId");

    // As in the example: 2 of 2 and 7 of 10 arrive, which is a deviation (400).
    let received = t
        .control_post(
            "purchase-orders/PO1213534/receive",
            &json!({"lines": [{"articleNumber": "CK2", "received": 2}, {"articleNumber": "CK5", "received": 7}]}),
        )
        .await;
    assert_eq!(received.status, StatusCode::OK, "{:?}", received.body);

    let read = t.get(&format!("purchaseOrders/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_same_shape(
        &fixture("purchase-orders/get-purchase-order-many-fields.response.json"),
        &read.body,
        "GET /purchaseOrders/{id}",
    );
    assert_eq!(
        read.body["purchaseOrderInfo"]["purchaseOrderStatus"]["number"],
        400
    );
    assert_eq!(read.body["purchaseOrderInfo"]["inDate"], "2019-11-01");
    assert_eq!(
        read.body["supplierInfo"]["supplierName"],
        "Supplier No. 3, Inc"
    );
    assert_eq!(
        read.body["purchaseOrderLines"][1]["advisedNumberOfItems"],
        json!(10.0)
    );
    assert_eq!(
        read.body["purchaseOrderLines"][1]["receivedNumberOfItems"],
        json!(7.0)
    );

    let statuses = t.get("purchaseOrders/statuses").await;
    assert_eq!(
        statuses.body,
        fixture("purchase-orders/get-purchase-order-statuses.response.json")
    );
}

#[tokio::test]
async fn transporter_contracts_match_the_example() {
    let t = example_sim().await;
    let contracts = t.get("transporterContracts?goodsOwnerId=159").await;
    assert_eq!(contracts.status, StatusCode::OK);
    assert_eq!(
        contracts.body,
        fixture("transporter-contracts/get-transporter-contracts.response.json")
    );
}

#[tokio::test]
async fn the_postman_return_order_body_is_accepted() {
    let t = example_sim().await;
    t.article("1009", 5.0).await;
    let order_id = t.order("RET-1", &[("1009", 3.0)]).await;
    t.control_post("orders/RET-1/ship", &json!({"waybill": "W1"}))
        .await;
    let line_id = t.get(&format!("orders/{order_id}")).await.body["orderLines"][0]["id"]
        .as_i64()
        .expect("line id");

    let body = fixture_text("return-orders/put-return-order.request.json.tmpl")
        .replace("{{GoodsOwnerId}}", "159")
        .replace("{{ReturnOrderNumber}}", "RMA-1")
        .replace("{{OrderId}}", &order_id.to_string())
        .replace("{{OrderLineId}}", &line_id.to_string());
    let body: Value = serde_json::from_str(&body).expect("filled template is JSON");
    let put = t.put("returnOrders", &body).await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
    assert!(
        put.body["returnOrderId"].is_i64() && put.body["message"].is_string(),
        "{:?}",
        put.body
    );

    let listed = t
        .get("returnOrders?goodsOwnerId=159&customerOrderNumbers=RET-1")
        .await;
    let rows = listed.body.as_array().expect("bare array");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["customerOrderInfo"]["orderId"], order_id);
    let line = &rows[0]["returnOrderLines"][0];
    assert_eq!(
        line["returnCause"],
        json!({"code": "SIZE", "name": "Wrong size"})
    );
    assert_eq!(line["toBeReturnedNumberOfItems"], json!(3.0));
    assert_eq!(line["customerOrderLine"]["orderLineId"], line_id);
}

#[test]
fn the_shape_check_reports_missing_members_and_wrong_kinds() {
    let example = fixture("orders/get-order-many-fields.response.json");
    let mut changed = example.clone();
    changed["orderInfo"]
        .as_object_mut()
        .expect("object")
        .remove("wayBill");
    changed["orderLines"][0]["pickedNumberOfItems"] = json!("2");
    changed["parcels"] = json!([]);
    let mut problems = Vec::new();
    common::shape_problems(&example, &changed, "$", &mut problems);
    assert_eq!(problems.len(), 3, "{problems:?}");
    let mut none = Vec::new();
    common::shape_problems(&example, &example, "$", &mut none);
    assert!(none.is_empty(), "{none:?}");
}
