//! Transport and resource rules of the REST API: routing, auth, goods owner, pagination,
//! filters, upsert and validation answers.

mod common;

use common::{spawn_sim, spawn_sim_with};
use ongoing_sim::OngoingSim;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn calls_without_valid_basic_auth_are_refused() {
    let t = spawn_sim().await;
    let url = t.api("orders?goodsOwnerId=1");
    let none = t.client.get(&url).send().await.expect("answer");
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    assert!(none.headers().contains_key("www-authenticate"));
    let body: Value = none.json().await.expect("json");
    assert_eq!(
        body["Message"],
        "Authorization has been denied for this request."
    );

    let wrong = t
        .client
        .get(&url)
        .basic_auth("sandbox", Some("wrong"))
        .send()
        .await
        .expect("answer");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let ok = t
        .client
        .get(&url)
        .basic_auth("sandbox", Some("sandbox"))
        .send()
        .await
        .expect("answer");
    assert_eq!(ok.status(), StatusCode::OK);

    let custom = spawn_sim_with(
        OngoingSim::builder()
            .credentials("api-user", "s3cret")
            .warehouse("acme"),
        7,
    )
    .await;
    let url = format!("{}/orders?goodsOwnerId=7", custom.sim.api_url());
    assert!(url.contains("/acme/api/v1/"));
    let default_creds = custom
        .client
        .get(&url)
        .basic_auth("sandbox", Some("sandbox"))
        .send()
        .await
        .expect("answer");
    assert_eq!(default_creds.status(), StatusCode::UNAUTHORIZED);
    let right = custom
        .client
        .get(&url)
        .basic_auth("api-user", Some("s3cret"))
        .send()
        .await
        .expect("answer");
    assert_eq!(right.status(), StatusCode::OK);
    let other_warehouse = custom
        .client
        .get(format!(
            "{}/sandbox/api/v1/orders?goodsOwnerId=7",
            custom.sim.base_url()
        ))
        .basic_auth("api-user", Some("s3cret"))
        .send()
        .await
        .expect("answer");
    assert_eq!(other_warehouse.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_foreign_goods_owner_is_refused_on_reads_and_writes() {
    let t = spawn_sim().await;
    t.article("A1", 1.0).await;
    let read = t.get("articles?goodsOwnerId=2").await;
    assert_eq!(read.status, StatusCode::UNAUTHORIZED);
    assert!(
        read.body["Message"]
            .as_str()
            .expect("message")
            .contains('2')
    );
    let write = t
        .put(
            "articles",
            &json!({"goodsOwnerId": 2, "articleNumber": "X"}),
        )
        .await;
    assert_eq!(write.status, StatusCode::UNAUTHORIZED);
    let missing = t.get("orders").await;
    assert_eq!(
        missing.status,
        StatusCode::BAD_REQUEST,
        "goodsOwnerId is required on list calls"
    );
    let state = t.state().await;
    assert_eq!(
        state["articles"].as_array().expect("articles").len(),
        1,
        "the refused PUT created nothing"
    );

    let forbidding = spawn_sim_with(
        OngoingSim::builder().foreign_goods_owner_status(StatusCode::FORBIDDEN),
        1,
    )
    .await;
    assert_eq!(
        forbidding.get("orders?goodsOwnerId=5").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn lists_page_with_an_inclusive_id_cursor_in_ascending_order() {
    let t = spawn_sim().await;
    for n in 0..7 {
        t.article(&format!("P{n}"), 0.0).await;
    }
    let everything = t.get("articles?goodsOwnerId=1").await.body;
    let all_ids: Vec<i64> = everything
        .as_array()
        .expect("bare array")
        .iter()
        .map(|a| a["articleSystemId"].as_i64().expect("id"))
        .collect();
    assert_eq!(all_ids.len(), 7, "no max: everything");
    assert!(
        all_ids.windows(2).all(|w| w[0] < w[1]),
        "ascending ids: {all_ids:?}"
    );

    let mut seen = Vec::new();
    let mut from: Option<i64> = None;
    let mut pages = 0;
    loop {
        let path = match from {
            Some(from) => {
                format!("articles?goodsOwnerId=1&maxArticlesToGet=3&articleSystemIdFrom={from}")
            }
            None => "articles?goodsOwnerId=1&maxArticlesToGet=3".to_owned(),
        };
        let page = t.get(&path).await.body;
        let ids: Vec<i64> = page
            .as_array()
            .expect("bare array")
            .iter()
            .map(|a| a["articleSystemId"].as_i64().expect("id"))
            .collect();
        if ids.is_empty() {
            break;
        }
        assert!(ids.len() <= 3);
        pages += 1;
        from = Some(ids.last().copied().expect("last") + 1);
        seen.extend(ids);
    }
    assert_eq!(pages, 3, "3 + 3 + 1");
    assert_eq!(seen, all_ids, "each article once, in order");

    let inclusive = t
        .get(&format!(
            "articles?goodsOwnerId=1&articleSystemIdFrom={}&maxArticlesToGet=1",
            all_ids[2]
        ))
        .await
        .body;
    assert_eq!(
        inclusive[0]["articleSystemId"], all_ids[2],
        "idFrom is inclusive"
    );

    // Orders page the same way.
    t.article("OA", 100.0).await;
    for n in 0..5 {
        t.order(&format!("ORD-{n}"), &[("OA", 1.0)]).await;
    }
    let first = t.get("orders?goodsOwnerId=1&maxOrdersToGet=2").await.body;
    let first_ids: Vec<i64> = first
        .as_array()
        .expect("array")
        .iter()
        .map(|o| o["orderInfo"]["orderId"].as_i64().expect("id"))
        .collect();
    assert_eq!(first_ids.len(), 2);
    let rest = t
        .get(&format!(
            "orders?goodsOwnerId=1&orderIdFrom={}",
            first_ids[1] + 1
        ))
        .await
        .body;
    assert_eq!(rest.as_array().expect("array").len(), 3);
}

#[tokio::test]
async fn article_filters_take_repeated_keys_and_changed_since_times() {
    let t = spawn_sim().await;
    t.article("A", 0.0).await;
    t.article("B", 0.0).await;
    t.article("C", 0.0).await;
    let numbers = |body: &Value| -> Vec<String> {
        body.as_array()
            .expect("array")
            .iter()
            .map(|a| a["articleNumber"].as_str().expect("number").to_owned())
            .collect()
    };
    let repeated = t
        .get("articles?goodsOwnerId=1&articleNumbers=A&articleNumbers=C")
        .await
        .body;
    assert_eq!(numbers(&repeated), ["A", "C"]);
    let comma = t
        .get("articles?goodsOwnerId=1&articleNumbers=A,C")
        .await
        .body;
    assert!(
        numbers(&comma).is_empty(),
        "a comma-joined value is one article number"
    );
    let single = t.get("articles?goodsOwnerId=1&articleNumber=B").await.body;
    assert_eq!(numbers(&single), ["B"]);

    let before =
        t.get("articles?goodsOwnerId=1&articleNumber=B").await.body[0]["inventoryInfo"].clone();
    assert_eq!(before["numberOfItems"], json!(0.0));
    let cutoff = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, false);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    t.control_post("stock", &json!({"articleNumber": "B", "physical": 4}))
        .await;
    let changed = t
        .get(&format!(
            "articles?goodsOwnerId=1&stockInfoChangedFrom={}",
            urlencode(&cutoff)
        ))
        .await
        .body;
    assert_eq!(
        numbers(&changed),
        ["B"],
        "only B's stock changed after {cutoff}"
    );
    assert_eq!(changed[0]["inventoryInfo"]["numberOfItems"], json!(4.0));

    t.put(
        "articles",
        &json!({"goodsOwnerId": 1, "articleNumber": "C", "description": "new text"}),
    )
    .await;
    let updated = t
        .get(&format!(
            "articles?goodsOwnerId=1&articleDataLastUpdatedFrom={}",
            urlencode(&cutoff)
        ))
        .await
        .body;
    assert_eq!(numbers(&updated), ["C"]);
    assert_eq!(
        updated[0]["articleName"], "Article C",
        "fields not sent keep their value"
    );
    assert_eq!(updated[0]["description"], "new text");

    let bad = t
        .get("articles?goodsOwnerId=1&stockInfoChangedFrom=yesterday")
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

fn urlencode(text: &str) -> String {
    text.replace(':', "%3A").replace('+', "%2B")
}

#[tokio::test]
async fn order_upserts_validate_lines_and_refuse_changes_after_work_started() {
    let t = spawn_sim().await;
    t.article("SKU-1", 10.0).await;
    let unknown = t
        .put(
            "orders",
            &json!({"goodsOwnerId": 1, "orderNumber": "X1", "deliveryDate": "2030-01-01",
                    "consignee": {"name": "N"}, "orderLines": [{"rowNumber": "1", "articleNumber": "NOPE", "numberOfItems": 1}]}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let message = unknown.body["Message"].as_str().expect("Message");
    assert!(
        message.contains("NOPE") && message.contains("X1"),
        "names record and field: {message}"
    );
    let duplicate_rows = t
        .put(
            "orders",
            &json!({"goodsOwnerId": 1, "orderNumber": "X2", "deliveryDate": "2030-01-01", "consignee": {"name": "N"},
                    "orderLines": [{"rowNumber": "1", "articleNumber": "SKU-1"}, {"rowNumber": "1", "articleNumber": "SKU-1"}]}),
        )
        .await;
    assert_eq!(duplicate_rows.status, StatusCode::BAD_REQUEST);
    let no_consignee = t
        .put("orders", &json!({"goodsOwnerId": 1, "orderNumber": "X3", "deliveryDate": "2030-01-01", "orderLines": []}))
        .await;
    assert_eq!(no_consignee.status, StatusCode::BAD_REQUEST);
    let not_json = t
        .client
        .put(t.api("orders"))
        .basic_auth("sandbox", Some("sandbox"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("answer");
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    assert!(
        t.state().await["orders"]
            .as_array()
            .expect("orders")
            .is_empty(),
        "nothing half-created"
    );

    let id = t.order("O-1", &[("SKU-1", 2.0)]).await;
    assert_eq!(
        t.inventory("SKU-1").await["numberOfBookedItems"],
        json!(2.0)
    );
    // Still open (200): an update may change quantities and add lines.
    let grown = t
        .put(
            "orders",
            &json!({"goodsOwnerId": 1, "orderNumber": "O-1", "orderLines": [
                {"rowNumber": "1", "articleNumber": "SKU-1", "numberOfItems": 3},
                {"rowNumber": "2", "articleNumber": "SKU-1", "numberOfItems": 1}]}),
        )
        .await;
    assert_eq!(grown.status, StatusCode::OK);
    assert_eq!(grown.body["orderId"], id);
    assert_eq!(
        t.inventory("SKU-1").await["numberOfBookedItems"],
        json!(4.0)
    );
    let read = t.get(&format!("orders/{id}")).await.body;
    assert_eq!(
        read["consignee"]["city"], "Stockholm",
        "header fields not sent are kept"
    );
    assert_eq!(read["orderLines"].as_array().expect("lines").len(), 2);

    t.control_post("orders/O-1/status", &json!({"status": 300}))
        .await;
    let late = t
        .put(
            "orders",
            &json!({"goodsOwnerId": 1, "orderNumber": "O-1", "orderRemark": "too late"}),
        )
        .await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    assert!(
        late.body["Message"]
            .as_str()
            .expect("Message")
            .contains("O-1")
    );
    let state = t.order_state("O-1").await;
    assert_eq!(state["createdCount"], 1);
    assert_eq!(state["updateCount"], 1, "the refused update did not count");
}

#[tokio::test]
async fn orders_can_be_cancelled_only_before_work_started() {
    let t = spawn_sim().await;
    t.article("SKU", 5.0).await;
    let open = t.order("C-1", &[("SKU", 2.0)]).await;
    let started = t.order("C-2", &[("SKU", 1.0)]).await;
    assert_eq!(
        t.inventory("SKU").await["sellableNumberOfItems"],
        json!(2.0)
    );

    let cancelled = t.delete(&format!("orders/{open}")).await;
    assert_eq!(cancelled.status, StatusCode::OK);
    assert_eq!(cancelled.body["orderId"], open);
    assert_eq!(t.order_state("C-1").await["status"], 1000);
    assert_eq!(
        t.inventory("SKU").await["numberOfBookedItems"],
        json!(1.0),
        "cancelling releases the booking"
    );
    let twice = t.delete(&format!("orders/{open}")).await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST, "already cancelled");

    t.control_post("orders/C-2/status", &json!({"status": 320}))
        .await;
    let refused = t.delete(&format!("orders/{started}")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(t.order_state("C-2").await["status"], 320);

    let by_number = t
        .call(
            Method::DELETE,
            "orders?goodsOwnerId=1&orderNumber=C-2",
            None,
        )
        .await;
    assert_eq!(by_number.status, StatusCode::BAD_REQUEST);
    assert_eq!(t.get("orders/999999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(t.get("orders/abc").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn order_queries_filter_by_status_and_time() {
    let t = spawn_sim().await;
    t.article("S", 50.0).await;
    t.order("Q-1", &[("S", 1.0)]).await;
    t.order("Q-2", &[("S", 1.0)]).await;
    t.order("Q-3", &[("S", 1.0)]).await;
    let numbers = |body: &Value| -> Vec<String> {
        body.as_array()
            .expect("array")
            .iter()
            .map(|o| {
                o["orderInfo"]["orderNumber"]
                    .as_str()
                    .expect("number")
                    .to_owned()
            })
            .collect()
    };
    let cutoff = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    t.control_post("orders/Q-2/ship", &json!({"waybill": "W-2"}))
        .await;
    t.control_post("orders/Q-3/status", &json!({"status": 300}))
        .await;

    let sent = t
        .get("orders?goodsOwnerId=1&orderStatusFrom=450&orderStatusTo=450")
        .await
        .body;
    assert_eq!(numbers(&sent), ["Q-2"]);
    let changed = t
        .get(&format!(
            "orders?goodsOwnerId=1&orderStatusChangedTimeFrom={}",
            urlencode(&cutoff)
        ))
        .await
        .body;
    assert_eq!(numbers(&changed), ["Q-2", "Q-3"]);
    let shipped = t
        .get(&format!(
            "orders?goodsOwnerId=1&shippedTimeFrom={}",
            urlencode(&cutoff)
        ))
        .await
        .body;
    assert_eq!(numbers(&shipped), ["Q-2"]);
    let shipped_before = t
        .get(&format!(
            "orders?goodsOwnerId=1&shippedTimeTo={}",
            urlencode(&cutoff)
        ))
        .await
        .body;
    assert!(numbers(&shipped_before).is_empty());
    let by_number = t.get("orders?goodsOwnerId=1&orderNumber=Q-3").await.body;
    assert_eq!(numbers(&by_number), ["Q-3"]);
    let read = t.get("orders?goodsOwnerId=1&orderNumber=Q-2").await.body;
    let shipped_time = read[0]["orderInfo"]["shippedTime"]
        .as_str()
        .expect("shippedTime");
    assert!(shipped_time.ends_with('Z'), "UTC: {shipped_time}");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_like_asp_net() {
    let t = spawn_sim().await;
    let missing = t.get("nothingHere").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body["Message"].is_string());
    let wrong_method = t.call(Method::POST, "orders", Some(&json!({}))).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong_method.body["Message"].is_string());
    let health = t.control_get("health").await;
    assert_eq!(health, json!({"ok": true}));
}
