//! The orders poll: each ready order published once across polls and pages, the cursor written
//! in Centra's zone, unreadable orders dead-lettered while the rest flows.

use centra_gateway::client::CentraClient;
use centra_gateway::detect::poll_orders;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use platform_store::{DeadLetterFilter, MessageId};
use prost::Message;
use proto::events::v1 as pb;
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{ENDPOINT, SECRET, TestApp, endpoint, fast_options, spawn_app_with};

/// Outbox ids of `OrderReady` events.
async fn ready_ids(app: &TestApp) -> Vec<String> {
    app.outbox_rows()
        .await
        .into_iter()
        .filter(|(_, subject)| *subject == format!("centra.{ENDPOINT}.order.ready"))
        .map(|(id, _)| id)
        .collect()
}

fn ready_prefix(order_id: &str) -> String {
    format!("centra:{ENDPOINT}:order:{order_id}:ready-")
}

/// Query strings of the `GET /orders` calls the simulator received.
async fn order_queries(app: &TestApp) -> Vec<String> {
    app.requests()
        .await
        .iter()
        .filter(|r| r["method"] == json!("GET"))
        .filter(|r| r["path"].as_str().is_some_and(|p| p.ends_with("/orders")))
        .map(|r| r["query"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn query_value(query: &str, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Places an order dated `local` (store-local text) and returns its id.
async fn order_dated(app: &TestApp, local: &str) -> String {
    let mut order = crate::harness::order();
    order["order"]["orderDate"] = json!(local);
    order["order"]["paid"] = json!(true);
    let answer = app.control("/orders", &order).await;
    answer["orderId"].as_str().expect("order id").to_owned()
}

/// An order with no shipment (`Confirmed`): placed, then its only shipment deleted.
async fn confirmed_order(app: &TestApp) -> String {
    let (order_id, shipment_id) = app.place_order(false, true, false).await;
    let answer = app
        .centra_call(
            Method::DELETE,
            &format!("shipments/{shipment_id}"),
            &json!({}),
        )
        .await;
    assert_eq!(answer["status"], json!("ok"), "{answer}");
    order_id
}

#[tokio::test]
async fn publishes_each_ready_order_once_across_polls_and_pages() {
    let mut options = fast_options();
    options.page_size = 2;
    let app = spawn_app_with(chrono_tz::Europe::Stockholm, options).await;
    app.seed_products().await;
    let confirmed = confirmed_order(&app).await;
    let mut processing = Vec::new();
    for _ in 0..4 {
        processing.push(app.place_order(true, false, true).await.0);
    }
    let (completed_shipment, _) = crate::commands::completed_shipment(&app).await;
    let completed = completed_shipment
        .split('-')
        .next()
        .expect("order id")
        .to_owned();

    let report = poll_orders(&app.store, &app.client.clone().into())
        .await
        .expect("polled");
    assert_eq!(report.published, 5, "{report:?}");
    assert_eq!(report.dead_lettered, 0);
    let offsets: Vec<String> = order_queries(&app)
        .await
        .iter()
        .filter_map(|q| query_value(q, "offset"))
        .collect();
    assert_eq!(offsets, ["0", "2", "4", "6"], "six orders, two per page");

    for _ in 0..2 {
        let again = poll_orders(&app.store, &app.client.clone().into())
            .await
            .expect("polled again");
        assert_eq!(again.published, 0, "{again:?}");
        assert_eq!(again.unchanged, 6);
    }
    let ids = ready_ids(&app).await;
    assert_eq!(ids.len(), 5);
    for order_id in processing.iter().chain([&confirmed]) {
        assert_eq!(
            ids.iter()
                .filter(|id| id.starts_with(&ready_prefix(order_id)))
                .count(),
            1,
            "order {order_id} once in {ids:?}"
        );
    }
    assert!(
        !ids.iter()
            .any(|id| id.starts_with(&ready_prefix(&completed))),
        "a completed order is not for the warehouse"
    );

    let id = ids
        .iter()
        .find(|id| id.starts_with(&ready_prefix(&confirmed)))
        .expect("confirmed order published");
    let entry = app
        .store
        .outbox()
        .get(&MessageId::new(id.clone()))
        .await
        .expect("read")
        .expect("event");
    let event = pb::OrderReady::decode(entry.message.payload.as_ref()).expect("protobuf");
    assert_eq!(event.order_id, confirmed);
    assert_eq!(event.endpoint, ENDPOINT);
    assert_eq!(event.order_status, "Confirmed");
    assert_eq!(event.lines.len(), 2);
    assert_eq!(event.lines[0].quantity, 2);
    assert_eq!(event.delivery_address.expect("address").name, "Astrid Lind");
    assert_eq!(event.meta.expect("meta").event_id, *id);

    let (late, _) = app.place_order(true, false, true).await;
    let report = poll_orders(&app.store, &app.client.clone().into())
        .await
        .expect("polled");
    assert_eq!(report.published, 1, "{report:?}");
    assert!(
        ready_ids(&app)
            .await
            .iter()
            .any(|id| id.starts_with(&ready_prefix(&late)))
    );
}

fn local(at: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    at.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

#[tokio::test]
async fn the_cursor_is_sent_in_centra_local_time() {
    // Behind UTC: a cursor sent as UTC wall time would lie hours in Centra's future and skip
    // every new order; one ahead of UTC would re-read hours of old ones.
    let zone = chrono_tz::America::New_York;
    let app = spawn_app_with(zone, fast_options()).await;
    app.seed_products().await;
    let first = order_dated(&app, &local(Utc::now(), zone)).await;
    assert_eq!(
        poll_orders(&app.store, &app.client.clone().into())
            .await
            .expect("polled")
            .published,
        1
    );
    let cursor = orders_cursor(&app).await;

    // Dated before the cursor's overlap: not read again. Dated inside it: read.
    let old = order_dated(&app, &local(cursor - chrono::Duration::hours(1), zone)).await;
    let recent = order_dated(&app, &local(cursor - chrono::Duration::minutes(1), zone)).await;
    let report = poll_orders(&app.store, &app.client.clone().into())
        .await
        .expect("polled");
    assert_eq!(report.published, 1, "{report:?}");
    assert_eq!(report.unchanged, 1, "the first order, inside the overlap");
    let ids = ready_ids(&app).await;
    assert!(ids.iter().any(|id| id.starts_with(&ready_prefix(&recent))));
    assert!(!ids.iter().any(|id| id.starts_with(&ready_prefix(&old))));
    assert!(ids.iter().any(|id| id.starts_with(&ready_prefix(&first))));

    let queries = order_queries(&app).await;
    let sent = query_value(queries.last().expect("second poll"), "newer_than").expect("filter");
    let naive = NaiveDateTime::parse_from_str(&sent, "%Y-%m-%d %H:%M:%S").expect("centra time");
    let sent_at = zone
        .from_local_datetime(&naive)
        .single()
        .expect("unambiguous")
        .with_timezone(&Utc);
    let expected = cursor - chrono::Duration::minutes(5);
    assert!(
        (sent_at - expected).num_seconds().abs() <= 1,
        "newer_than {sent} is {sent_at}, expected {expected} (cursor minus the overlap)"
    );
}

async fn stand_in_orders(body: Value) -> String {
    let app = axum::Router::new().route(
        "/api/order-api/orders",
        axum::routing::get(move || {
            let body = body.clone();
            async move { axum::Json(body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/api/order-api")
}

#[tokio::test]
async fn unreadable_orders_go_to_dead_letters_and_the_rest_flows() {
    let app = spawn_app_with(chrono_tz::Europe::Stockholm, fast_options()).await;
    let line = json!({"lineId": "1", "sku": "A", "qty": 1});
    let base = stand_in_orders(json!({"status": "ok", "orders": [
        {"orderId": "200", "orderStatus": "confirmed", "products": [line]},
        {"orderId": "201", "orderStatus": "Confirmed", "products": [{"lineId": "2", "qty": "lots"}]},
        {"orderId": "202", "orderStatus": "Confirmed", "hold": "perhaps", "products": [line]},
        {"orderStatus": "Confirmed", "products": [line]},
        {"orderId": "204", "orderStatus": "Pending", "products": [line]},
        {"orderId": "205", "orderStatus": "Cancelled", "products": [line]}
    ]}))
    .await;
    let client =
        CentraClient::new(&endpoint(&base, SECRET), app.zone, fast_options()).expect("client");
    let report = poll_orders(&app.store, &client.clone().into())
        .await
        .expect("polled");
    assert_eq!(report.published, 1, "{report:?}");
    assert_eq!(report.dead_lettered, 3);
    let ids = ready_ids(&app).await;
    assert_eq!(ids.len(), 1);
    assert!(ids[0].starts_with(&ready_prefix("200")), "{ids:?}");

    let letters = app
        .store
        .dead_letters()
        .list(&DeadLetterFilter {
            kind: Some("centra.order".into()),
            status: None,
            limit: 10,
        })
        .await
        .expect("listed");
    let reason = |key: &str| {
        letters
            .iter()
            .find(|l| l.record_key == format!("{ENDPOINT}:{key}"))
            .map(|l| l.reason.clone())
            .unwrap_or_else(|| panic!("dead letter {key} in {letters:?}"))
    };
    assert!(
        reason("201").contains("order 201 products[0]") && reason("201").contains("\"qty\""),
        "{}",
        reason("201")
    );
    assert!(reason("202").contains("\"hold\""), "{}", reason("202"));
    assert!(
        reason("orders[3]").contains("\"orderId\""),
        "{}",
        reason("orders[3]")
    );
}

async fn orders_cursor(app: &TestApp) -> DateTime<Utc> {
    let cursor_ms: i64 =
        sqlx::query_scalar("SELECT cursor_ms FROM poll_cursors WHERE flow = 'orders'")
            .fetch_one(app.store.pool())
            .await
            .expect("cursor stored");
    Utc.timestamp_millis_opt(cursor_ms)
        .single()
        .expect("cursor time")
}

#[tokio::test]
async fn the_cursor_waits_for_orders_that_may_still_change() {
    let zone = chrono_tz::Europe::Stockholm;
    let app = spawn_app_with(zone, fast_options()).await;
    app.seed_products().await;
    // Neither paid nor to be captured: Centra shows it waiting for payment.
    let dated = Utc::now() - chrono::Duration::hours(3);
    let mut order = crate::harness::order();
    order["order"]["orderDate"] = json!(local(dated, zone));
    order["order"]["paid"] = json!(false);
    order["order"]["shouldCapture"] = json!(false);
    let waiting = app.control("/orders", &order).await["orderId"]
        .as_str()
        .expect("order id")
        .to_owned();

    let before = Utc::now();
    assert_eq!(
        poll_orders(&app.store, &app.client.clone().into())
            .await
            .expect("polled")
            .published,
        1
    );
    let ids = ready_ids(&app).await;
    let entry = app
        .store
        .outbox()
        .get(&MessageId::new(ids[0].clone()))
        .await
        .expect("read")
        .expect("event");
    let event = pb::OrderReady::decode(entry.message.payload.as_ref()).expect("protobuf");
    assert_eq!(event.order_id, waiting);
    assert!(event.waiting_for_payment, "published with its flag");
    let cursor = orders_cursor(&app).await;
    assert!(
        (cursor - dated).num_seconds().abs() <= 1,
        "cursor {cursor} held at the waiting order's date {dated}"
    );
    assert!(cursor < before - chrono::Duration::hours(2));
    let again = poll_orders(&app.store, &app.client.clone().into())
        .await
        .expect("polled");
    assert_eq!(
        (again.published, again.unchanged),
        (0, 1),
        "read again, not published again"
    );

    // An order waiting for days holds the cursor back at most the unsettled lookback.
    let mut order = crate::harness::order();
    order["order"]["orderDate"] = json!(local(Utc::now() - chrono::Duration::days(3), zone));
    order["order"]["paid"] = json!(false);
    order["order"]["shouldCapture"] = json!(false);
    app.control("/orders", &order).await;
    // As on a first run: the three-day-old order is inside the first run's reach.
    sqlx::query("DELETE FROM poll_cursors WHERE flow = 'orders'")
        .execute(app.store.pool())
        .await
        .expect("cursor reset");
    let started = Utc::now();
    poll_orders(&app.store, &app.client.clone().into())
        .await
        .expect("polled");
    let cursor = orders_cursor(&app).await;
    let floor = started - chrono::Duration::days(2);
    assert!(
        cursor >= floor - chrono::Duration::seconds(1)
            && cursor < floor + chrono::Duration::minutes(1),
        "cursor {cursor} capped near {floor}"
    );
}
