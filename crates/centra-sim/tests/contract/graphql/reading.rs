//! Queries: orders and shipments (lists with `limit`/`page`, by id, Relay connections),
//! products with sizes, EANs and SKUs, stock, returns, purchase orders and deliveries.

use serde_json::json;

use super::{gql, shipment_id};
use crate::harness::{TestSim, spawn_sim};

async fn seeded() -> TestSim {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    t
}

#[tokio::test]
async fn orders_and_shipments_page_and_read_by_id() {
    let t = seeded().await;
    for order in [8001, 8002, 8003] {
        t.seed_order(order).await;
    }
    let page2 = gql(
        &t,
        "{ shipments(limit: 2, page: 2) { number } orders(where: {number: 8002}) { number status lines { id quantity productSize { SKU GTIN } } shippingAddress { firstName lastName city country { code } } } }",
        json!({}),
    )
    .await;
    assert_eq!(page2.data("shipments"), &json!([{"number": "8003-1"}]));
    let order = &page2.body["data"]["orders"][0];
    assert_eq!(order["number"], 8002);
    assert_eq!(order["status"], "PROCESSING");
    assert_eq!(order["lines"][0]["quantity"], 2);
    assert_eq!(
        order["lines"][0]["productSize"],
        json!({"SKU": "HJ100NVYS", "GTIN": "7350000000011"})
    );
    assert_eq!(
        order["shippingAddress"],
        json!({"firstName": "Astrid", "lastName": "Lind", "city": "Stockholm", "country": {"code": "SE"}})
    );

    let id = shipment_id(&t, "8001-1").await;
    let one = gql(
        &t,
        "query($id: Int!) { shipment(id: $id) { id number isGoodToGo isPaid isShipped carrierInformation { carrierName serviceName } lines { quantity orderLine { id } } order { number } } }",
        json!({"id": id}),
    )
    .await;
    let shipment = one.data("shipment");
    assert_eq!(shipment["number"], "8001-1");
    assert_eq!(shipment["isGoodToGo"], true);
    assert_eq!(shipment["isPaid"], false);
    assert_eq!(shipment["isShipped"], false);
    assert_eq!(shipment["carrierInformation"]["carrierName"], "PostNord");
    assert_eq!(shipment["order"]["number"], 8001);
    assert_eq!(shipment["lines"].as_array().unwrap().len(), 2);

    // Filters take lists (a single value is a list of one): the gateway asks by number this way.
    let listed = gql(
        &t,
        "query($numbers: [String!]) { shipments(where: {number: $numbers}) { number } }",
        json!({"numbers": ["8001-1", "8003-1"]}),
    )
    .await;
    assert_eq!(
        listed.data("shipments"),
        &json!([{"number": "8001-1"}, {"number": "8003-1"}])
    );

    let bad_limit = gql(&t, "{ shipments(limit: 500) { id } }", json!({})).await;
    assert!(
        bad_limit.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("limit must be in range 1 - 200")
    );
}

#[tokio::test]
async fn connections_page_forwards_and_backwards() {
    let t = seeded().await;
    for order in [8101, 8102, 8103] {
        t.seed_order(order).await;
    }
    let first = gql(
        &t,
        "{ shipmentConnection(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { number } } } }",
        json!({}),
    )
    .await;
    let connection = first.data("shipmentConnection");
    assert_eq!(connection["totalCount"], 3);
    assert_eq!(connection["pageInfo"]["hasNextPage"], true);
    let cursor = connection["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let next = gql(
        &t,
        "query($after: String) { shipmentConnection(first: 2, after: $after) { pageInfo { hasNextPage } edges { node { number } } } }",
        json!({"after": cursor}),
    )
    .await;
    assert_eq!(
        next.data("shipmentConnection")["edges"],
        json!([{"node": {"number": "8103-1"}}])
    );
    let last = gql(
        &t,
        "{ orderConnection(last: 1) { pageInfo { hasPreviousPage } edges { node { number } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        last.data("orderConnection"),
        &json!({"pageInfo": {"hasPreviousPage": true}, "edges": [{"node": {"number": 8103}}]})
    );
}

#[tokio::test]
async fn products_show_variants_sizes_identifiers_and_stock() {
    let t = seeded().await;
    t.seed_order(8201).await;
    let answer = gql(
        &t,
        "{ products(where: {productNumber: \"HJ100\"}) { id name productNumber status brand { name } countryOfOrigin { code } harmonizedCommodityCode variants { id name variantNumber prices { pricelist { name } price { value currency { code } } } productSizes { id SKU GTIN EAN sizeNumber description weight { value unit } stockTotals { physicalQuantity allocatedQuantity availableNowQuantity } stock { warehouse { id } physicalQuantity } } } } }",
        json!({}),
    )
    .await;
    let products = answer.data("products").as_array().unwrap();
    assert_eq!(products.len(), 1);
    let product = &products[0];
    assert_eq!(product["id"], 7001);
    assert_eq!(product["productNumber"], "HJ100");
    assert_eq!(product["status"], "ACTIVE");
    assert_eq!(product["countryOfOrigin"]["code"], "PT");
    let variant = &product["variants"][0];
    assert_eq!(variant["variantNumber"], "NVY");
    assert_eq!(variant["prices"][0]["price"]["currency"]["code"], "EUR");
    let small = &variant["productSizes"][0];
    assert_eq!(small["SKU"], "HJ100NVYS");
    assert_eq!(small["EAN"], "7350000000011");
    assert_eq!(small["sizeNumber"], "S");
    assert_eq!(small["weight"], json!({"value": 0.85, "unit": "kg"}));
    // The seeded order allocates 2 of the 10 units of size S.
    assert_eq!(
        small["stockTotals"],
        json!({"physicalQuantity": 10, "allocatedQuantity": 2, "availableNowQuantity": 8})
    );
    assert_eq!(small["stock"][0]["warehouse"]["id"], 1);

    let by_gtin = gql(
        &t,
        "{ productSizes(where: {GTIN: \"7350000000028\"}) { id SKU } }",
        json!({}),
    )
    .await;
    assert_eq!(
        by_gtin.data("productSizes"),
        &json!([{"id": 9002, "SKU": "HJ100NVYM"}])
    );
}

#[tokio::test]
async fn returns_and_purchase_order_deliveries_are_listed() {
    let t = seeded().await;
    let s = t.seed_order(8301).await;
    t.put(
        "/shipment",
        &json!({"order": "8301", "shipment": s.shipment_id, "capture": true}),
    )
    .await;
    let line = t.shipment_state(&s.shipment_id).await["lines"][0]["lineId"].clone();
    t.post(
        "/return",
        &json!({"shipment": s.shipment_id, "products": {line.as_str().unwrap(): 1}, "returnStock": true}),
    )
    .await;
    let delivery = t
        .control(
            "/supplier-deliveries",
            &json!({"orderId": 951, "supplierName": "Sim Mill", "lines": [{"ean": "7350000000011", "quantity": 4}]}),
        )
        .await;

    let answer = gql(
        &t,
        "{ returns { id status lines { quantity shipmentLine { id } } shipment { number } } purchaseOrders { id status supplier { name } deliveries { number } } purchaseOrderDeliveries(where: {status: PENDING}) { id number status ETA supplier { name } purchaseOrder { id } lines { quantity productSize { SKU } } } }",
        json!({}),
    )
    .await;
    let returns = answer.data("returns");
    assert_eq!(returns[0]["status"], "IN_PROGRESS");
    assert_eq!(returns[0]["shipment"]["number"], s.shipment_id);
    assert_eq!(returns[0]["lines"][0]["quantity"], 1);
    assert_eq!(
        returns[0]["lines"][0]["shipmentLine"]["id"].to_string(),
        line.as_str().unwrap()
    );
    let orders = &answer.body["data"]["purchaseOrders"];
    assert_eq!(orders[0]["id"], 951);
    assert_eq!(orders[0]["status"], "CONFIRMED");
    assert_eq!(orders[0]["supplier"]["name"], "Sim Mill");
    let deliveries = &answer.body["data"]["purchaseOrderDeliveries"];
    assert_eq!(deliveries[0]["number"], delivery["deliveryId"]);
    assert_eq!(deliveries[0]["status"], "PENDING");
    assert_eq!(deliveries[0]["supplier"]["name"], "Sim Mill");
    assert_eq!(deliveries[0]["purchaseOrder"]["id"], 951);
    assert!(deliveries[0]["ETA"].is_string());
    let elsewhere = gql(
        &t,
        "{ here: purchaseOrderDeliveries(where: {warehouseId: [1]}) { id } elsewhere: purchaseOrderDeliveries(where: {warehouseId: [2]}) { id } accepted: purchaseOrderDeliveries(where: {status: ACCEPTED}) { id } }",
        json!({}),
    )
    .await;
    assert_eq!(elsewhere.data("here").as_array().map(Vec::len), Some(1));
    assert_eq!(elsewhere.data("elsewhere"), &json!([]));
    assert_eq!(elsewhere.data("accepted"), &json!([]));
    assert_eq!(
        deliveries[0]["lines"],
        json!([{"quantity": 4, "productSize": {"SKU": "HJ100NVYS"}}])
    );
}
