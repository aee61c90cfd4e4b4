//! Change detection against the simulator: shipped orders (partial picks, several parcels,
//! tracking written late), received purchase orders, returns with per-item causes, stock, and
//! bad records going to the dead-letter list while the rest flows.

mod common;

use common::{TestApp, order_request, spawn_app};
use proto::events::v1::{
    WmsOrderShipped, WmsPurchaseOrderReceived, WmsReturnReceived, WmsStockChanged,
};
use proto::wms::v1::acknowledge_reported_request::Report;
use proto::wms::v1::wms_gateway_server::WmsGateway as _;
use proto::wms::v1::{
    AcknowledgeReportedRequest, PurchaseOrderLine, ReportedLine, ReturnedLinesReported,
    TransporterChoice, UpsertPurchaseOrderRequest,
};
use serde_json::json;
use tonic::Request;

const SHIPPED: &str = "wms.sandbox.order.shipped";

/// `(method, path, status)` of the calls kept under `record` (`ExternalCalls`).
async fn kept_calls(app: &TestApp, record: &str) -> Vec<(String, String, u32)> {
    app.kept_calls(record)
        .await
        .into_iter()
        .map(|c| (c.method, c.path, c.status))
        .collect()
}

async fn create_order(app: &TestApp, number: &str, lines: &[(&str, i64)]) -> i64 {
    app.gateway
        .commands()
        .upsert_order(Request::new(order_request(number, lines)))
        .await
        .expect("order created")
        .into_inner()
        .order_id
}

async fn stocked(app: &TestApp, articles: &[&str]) {
    app.seed_articles(articles).await;
    for article in articles {
        app.set_stock(article, 100).await;
    }
}

#[tokio::test]
async fn a_shipped_order_is_published_once_then_reported_back() {
    let app = spawn_app().await;
    stocked(&app, &["A", "B"]).await;
    let mut request = order_request("S-1", &[("A", 1), ("B", 2)]);
    request.transporter = Some(TransporterChoice {
        transporter_code: "PLAB".into(),
        transporter_service_code: "P83".into(),
    });
    let order_id = app
        .gateway
        .commands()
        .upsert_order(Request::new(request))
        .await
        .expect("created")
        .into_inner()
        .order_id;
    let detector = app.gateway.detector();

    detector.poll_once().await.expect("poll");
    assert!(
        app.events::<WmsOrderShipped>(SHIPPED).await.is_empty(),
        "nothing shipped yet"
    );

    app.control(
        "orders/S-1/ship",
        json!({
            "waybill": "WB-1",
            "trackingUrl": "https://track/WB-1",
            "parcels": [
                {"parcelNumber": "P-1", "trackingUrl": "https://track/P-1"},
                {"parcelNumber": "P-2", "trackingUrl": "https://track/P-2"}
            ]
        }),
    )
    .await;
    let report = detector.poll_once().await.expect("poll");
    assert_eq!(report.reported_lines, 2, "{report:?}");

    let events = app.events::<WmsOrderShipped>(SHIPPED).await;
    assert_eq!(events.len(), 1);
    let (id, event) = &events[0];
    assert!(id.starts_with("wms:sandbox:order:S-1:shipped:"), "{id}");
    assert_eq!(
        event.meta.as_ref().map(|m| m.event_id.as_str()),
        Some(id.as_str())
    );
    assert_eq!(event.order_id, order_id);
    assert_eq!(event.status_code, 450);
    let transporter = event.transporter.as_ref().expect("transporter");
    assert_eq!(
        (
            transporter.transporter_code.as_str(),
            transporter.service_code.as_str()
        ),
        ("PLAB", "P83")
    );
    let picked: Vec<(String, i64, String)> = event
        .lines
        .iter()
        .map(|l| {
            (
                l.article_number.clone(),
                l.picked_number_of_items,
                l.external_id.clone(),
            )
        })
        .collect();
    assert_eq!(
        picked,
        [
            ("A".to_owned(), 1, "centra-line-1".to_owned()),
            ("B".to_owned(), 2, "centra-line-2".to_owned())
        ]
    );
    let numbers: Vec<&str> = event.tracking.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(numbers, ["WB-1"]);
    let parcels: Vec<(&str, &str)> = event
        .parcels
        .iter()
        .map(|p| (p.parcel_number.as_str(), p.tracking_url.as_str()))
        .collect();
    assert_eq!(
        parcels,
        [("P-1", "https://track/P-1"), ("P-2", "https://track/P-2")]
    );

    let order = app.sim_order("S-1").await;
    let reported: Vec<f64> = order["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| l["reported"].as_f64().unwrap_or(-1.0))
        .collect();
    assert_eq!(
        reported,
        [1.0, 2.0],
        "reported only after the event was committed"
    );
    // The report-back calls show in the order's journey, with their status.
    let calls = kept_calls(&app, "order S-1").await;
    let reports = calls
        .iter()
        .filter(|(method, path, status)| {
            method == "PATCH" && path.ends_with("/reportedNumberOfItems") && *status < 300
        })
        .count();
    assert_eq!(
        reports, 2,
        "one report per line, kept under the order: {calls:?}"
    );

    let again = detector.poll_once().await.expect("poll");
    assert_eq!(again.published, 0, "{again:?}");
    assert_eq!(again.reported_lines, 0, "{again:?}");
    assert_eq!(app.events::<WmsOrderShipped>(SHIPPED).await.len(), 1);
}

#[tokio::test]
async fn picked_is_not_shipped_and_partial_picks_are_new_facts() {
    let app = spawn_app().await;
    stocked(&app, &["A"]).await;
    create_order(&app, "P-1", &[("A", 3)]).await;
    let detector = app.gateway.detector();

    app.control(
        "orders/P-1/ship",
        json!({"lines": [{"articleNumber": "A", "picked": 1}], "status": 400}),
    )
    .await;
    detector.poll_once().await.expect("poll");
    assert!(
        app.events::<WmsOrderShipped>(SHIPPED).await.is_empty(),
        "400 is picked, not shipped"
    );
    assert!(app.sim_order("P-1").await["lines"][0]["reported"].is_null());

    app.control(
        "orders/P-1/ship",
        json!({"lines": [], "waybill": "WB-P1", "status": 450}),
    )
    .await;
    detector.poll_once().await.expect("poll");
    app.control(
        "orders/P-1/ship",
        json!({"lines": [{"articleNumber": "A", "picked": 2}], "waybill": "WB-P2", "status": 450}),
    )
    .await;
    detector.poll_once().await.expect("poll");

    let events = app.events::<WmsOrderShipped>(SHIPPED).await;
    assert_eq!(
        events.len(),
        2,
        "{:?}",
        events.iter().map(|e| &e.0).collect::<Vec<_>>()
    );
    assert_ne!(events[0].0, events[1].0);
    assert_eq!(events[0].1.lines[0].picked_number_of_items, 1);
    assert_eq!(events[0].1.lines[0].ordered_number_of_items, 3);
    assert_eq!(events[1].1.lines[0].picked_number_of_items, 3);
    assert_eq!(events[1].1.lines[0].reported_number_of_items, 1);
    let numbers: Vec<&str> = events[1]
        .1
        .tracking
        .iter()
        .map(|t| t.number.as_str())
        .collect();
    assert!(numbers.contains(&"WB-P2"), "{numbers:?}");
    assert_eq!(app.sim_order("P-1").await["lines"][0]["reported"], 3.0);
}

/// A backlog of shipped orders is handled a page at a time: each page's orders are reported
/// before the next page is asked for, so the gateway holds one page, not the whole backlog
/// (10,000 shipped orders read whole took it from 26 to 98.5 MiB).
#[tokio::test]
async fn shipped_orders_are_handled_a_page_at_a_time() {
    let app = common::spawn_app_with(|s| s.client.page_size = 2).await;
    stocked(&app, &["A"]).await;
    for n in 1..=5 {
        create_order(&app, &format!("PG-{n}"), &[("A", 1)]).await;
        app.control(
            &format!("orders/PG-{n}/ship"),
            json!({"waybill": format!("WB-{n}"), "status": 450}),
        )
        .await;
    }

    let report = app.gateway.detector().poll_once().await.expect("poll");

    assert_eq!(report.reported_lines, 5, "every page handled: {report:?}");
    assert_eq!(app.events::<WmsOrderShipped>(SHIPPED).await.len(), 5);
    let calls: Vec<String> = app
        .requests()
        .await
        .iter()
        .map(|e| {
            format!(
                "{} {}?{}",
                e["method"].as_str().unwrap_or_default(),
                e["path"].as_str().unwrap_or_default(),
                e["query"].as_str().unwrap_or_default()
            )
        })
        .collect();
    let pages: Vec<usize> = calls
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.starts_with("GET ") && c.contains("onlyOrdersWithOrderLinesToReport=true")
        })
        .map(|(i, _)| i)
        .collect();
    let first_report = calls
        .iter()
        .position(|c| c.starts_with("PATCH ") && c.contains("reportedNumberOfItems"))
        .expect("a report");
    assert!(pages.len() >= 3, "5 orders, 2 a page: {calls:#?}");
    assert!(
        first_report < pages[1],
        "the first page reported before the second is read: {calls:#?}"
    );
}

#[tokio::test]
async fn tracking_written_after_the_report_is_caught_by_the_backstop() {
    let app = spawn_app().await;
    stocked(&app, &["A"]).await;
    create_order(&app, "T-1", &[("A", 1)]).await;
    let detector = app.gateway.detector();

    app.control("orders/T-1/ship", json!({"status": 450})).await;
    detector.poll_once().await.expect("poll");
    let events = app.events::<WmsOrderShipped>(SHIPPED).await;
    assert_eq!(events.len(), 1);
    assert!(events[0].1.tracking.is_empty(), "shipped before tracking");

    // The shipping platform writes the number later; nothing is left to report.
    app.control("orders/T-1/ship", json!({"lines": [], "waybill": "LATE-1"}))
        .await;
    detector.poll_once().await.expect("poll");
    let events = app.events::<WmsOrderShipped>(SHIPPED).await;
    assert_eq!(events.len(), 2);
    let numbers: Vec<&str> = events[1]
        .1
        .tracking
        .iter()
        .map(|t| t.number.as_str())
        .collect();
    assert_eq!(numbers, ["LATE-1"]);
}

#[tokio::test]
async fn received_purchase_orders_are_published_then_reported() {
    let app = spawn_app().await;
    app.seed_articles(&["A", "B"]).await;
    let line = |row: &str, article: &str, n: i64| PurchaseOrderLine {
        row_number: row.into(),
        article_number: article.into(),
        number_of_items: n,
        external_line_id: format!("ext-{row}"),
        comment: String::new(),
    };
    app.gateway
        .commands()
        .upsert_purchase_order(Request::new(UpsertPurchaseOrderRequest {
            warehouse: "sandbox".into(),
            purchase_order_number: "PO-9".into(),
            lines: vec![line("1", "A", 5), line("2", "B", 4)],
            ..UpsertPurchaseOrderRequest::default()
        }))
        .await
        .expect("created");
    let detector = app.gateway.detector();
    app.control(
        "purchase-orders/PO-9/receive",
        json!({"lines": [{"articleNumber": "A", "received": 5}, {"articleNumber": "B", "received": 3}], "status": 500}),
    )
    .await;
    let report = detector.poll_once().await.expect("poll");
    assert_eq!(report.reported_lines, 2, "{report:?}");

    let events = app
        .events::<WmsPurchaseOrderReceived>("wms.sandbox.purchase_order.received")
        .await;
    assert_eq!(events.len(), 1);
    let (id, event) = &events[0];
    assert!(
        id.starts_with("wms:sandbox:purchase_order:PO-9:received:"),
        "{id}"
    );
    let received: Vec<(i64, i64, &str)> = event
        .lines
        .iter()
        .map(|l| {
            (
                l.advised_number_of_items,
                l.received_number_of_items,
                l.external_line_id.as_str(),
            )
        })
        .collect();
    assert_eq!(received, [(5, 5, "ext-1"), (4, 3, "ext-2")]);
    let state = app.state().await;
    let reported: Vec<f64> = state["purchaseOrders"][0]["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| l["reported"].as_f64().unwrap_or(-1.0))
        .collect();
    assert_eq!(reported, [5.0, 3.0]);
    let calls = kept_calls(&app, "purchase order PO-9").await;
    assert_eq!(
        calls
            .iter()
            .filter(
                |(method, path, _)| method == "PATCH" && path.ends_with("/reportedNumberOfItems")
            )
            .count(),
        2,
        "the received quantities' reports, kept under the purchase order: {calls:?}"
    );
    detector.poll_once().await.expect("poll");
    assert_eq!(
        app.events::<WmsPurchaseOrderReceived>("wms.sandbox.purchase_order.received")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn returns_keep_a_cause_per_item() {
    let app = spawn_app().await;
    stocked(&app, &["A", "B"]).await;
    create_order(&app, "R-1", &[("A", 3), ("B", 1)]).await;
    app.control("orders/R-1/ship", json!({"waybill": "WB-R"}))
        .await;
    let detector = app.gateway.detector();
    detector.poll_once().await.expect("poll");

    app.control(
        "returns",
        json!({"orderNumber": "R-1", "lines": [
            {"articleNumber": "A", "returned": 1, "cause": {"code": "DAMAGED", "name": "Damaged"}},
            {"articleNumber": "A", "returned": 1, "cause": {"code": "SIZE", "name": "Wrong size"}}
        ]}),
    )
    .await;
    let report = detector.poll_once().await.expect("poll");
    assert_eq!(
        report.reported_lines, 0,
        "returns-sync reports returns, once Centra has them: {report:?}"
    );

    let events = app
        .events::<WmsReturnReceived>("wms.sandbox.return.received")
        .await;
    assert_eq!(events.len(), 1);
    let (id, event) = &events[0];
    assert!(id.starts_with("wms:sandbox:return:R-1:"), "{id}");
    assert_eq!(event.lines.len(), 1, "only the returned line");
    let line = &event.lines[0];
    assert_eq!(line.article_number, "A");
    assert_eq!(line.returned_number_of_items, 2);
    assert_eq!(line.external_id, "centra-line-1");
    let mut causes: Vec<(&str, i64)> = line
        .items
        .iter()
        .map(|i| (i.cause_code.as_str(), i.number_of_items))
        .collect();
    causes.sort_unstable();
    assert_eq!(causes, [("DAMAGED", 1), ("SIZE", 1)]);
    let reported = app.sim_order("R-1").await["lines"][0]["reportedReturned"].clone();
    assert!(
        reported.is_null() || reported == json!(0.0),
        "nothing reported before Centra has the return: {reported}"
    );

    // Unreported, the return is read again on every poll, under the same id (one event).
    detector.poll_once().await.expect("poll");
    assert_eq!(
        app.events::<WmsReturnReceived>("wms.sandbox.return.received")
            .await
            .len(),
        1
    );
    // returns-sync acknowledges once Centra has it; the return is no longer listed.
    let ack = app
        .gateway
        .commands()
        .acknowledge_reported(Request::new(AcknowledgeReportedRequest {
            idempotency_key: "ack-R-1".into(),
            warehouse: "sandbox".into(),
            report: Some(Report::Returned(ReturnedLinesReported {
                order_id: event.order_id,
                lines: vec![ReportedLine {
                    line_id: line.line_id,
                    reported_number_of_items: 2,
                }],
                return_id: String::new(),
            })),
        }))
        .await
        .expect("acknowledge")
        .into_inner();
    assert!(!ack.already_done);
    assert_eq!(
        app.sim_order("R-1").await["lines"][0]["reportedReturned"],
        2.0
    );

    // A second return on the same order carries only its own items.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    app.control(
        "returns",
        json!({"orderNumber": "R-1", "lines": [
            {"articleNumber": "A", "returned": 1, "cause": {"code": "LATE", "name": "Too late"}}
        ]}),
    )
    .await;
    detector.poll_once().await.expect("poll");
    let events = app
        .events::<WmsReturnReceived>("wms.sandbox.return.received")
        .await;
    assert_eq!(events.len(), 2);
    assert_ne!(events[0].0, events[1].0);
    assert_ne!(events[0].1.return_id, events[1].1.return_id);
    let line = &events[1].1.lines[0];
    assert_eq!(
        (
            line.returned_number_of_items,
            line.reported_returned_number_of_items
        ),
        (3, 2)
    );
    let causes: Vec<(&str, i64)> = line
        .items
        .iter()
        .map(|i| (i.cause_code.as_str(), i.number_of_items))
        .collect();
    assert_eq!(causes, [("LATE", 1)]);
    assert_eq!(
        app.sim_order("R-1").await["lines"][0]["reportedReturned"],
        2.0
    );
}

#[tokio::test]
async fn stock_changes_are_published_once_per_change() {
    let app = spawn_app().await;
    app.seed_articles(&["A", "B"]).await;
    app.set_stock("A", 2).await;
    let detector = app.gateway.detector();
    detector.poll_once().await.expect("poll");
    let subject = "wms.sandbox.stock.changed";
    let first = app.events::<WmsStockChanged>(subject).await;
    let a = first
        .iter()
        .find(|(_, e)| e.article_number == "A")
        .expect("A published");
    assert_eq!(a.1.number_of_items, 2);

    detector.poll_once().await.expect("poll");
    assert_eq!(
        app.events::<WmsStockChanged>(subject).await.len(),
        first.len(),
        "unchanged"
    );

    // An order for more than is in stock: physical stays, sellable goes negative.
    create_order(&app, "ST-1", &[("A", 5)]).await;
    detector.poll_once().await.expect("poll");
    let events = app.events::<WmsStockChanged>(subject).await;
    let last_a = events
        .iter()
        .rev()
        .find(|(_, e)| e.article_number == "A")
        .expect("A");
    assert_eq!(last_a.1.number_of_items, 2);
    assert_eq!(last_a.1.booked_number_of_items, 5);
    assert_eq!(last_a.1.sellable_number_of_items, -3);

    // Back to an earlier value is a new change with its own id.
    app.set_stock("A", 3).await;
    detector.poll_once().await.expect("poll");
    app.set_stock("A", 2).await;
    detector.poll_once().await.expect("poll");
    let ids: Vec<String> = app
        .events::<WmsStockChanged>(subject)
        .await
        .into_iter()
        .filter(|(_, e)| e.article_number == "A")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(ids.len(), 4, "{ids:?}");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 4, "{ids:?}");
}

#[tokio::test]
async fn a_bad_record_goes_to_the_dead_letters_and_the_rest_flows() {
    let app = spawn_app().await;
    stocked(&app, &["A"]).await;
    create_order(&app, "GOOD-1", &[("A", 1)]).await;
    // A fractional quantity cannot be sent through the commands; put it in directly.
    let response = app
        .http
        .put(format!("{}/orders", app.sim.api_url()))
        .basic_auth("sandbox", Some("sandbox"))
        .json(&json!({
            "goodsOwnerId": 1, "orderNumber": "BAD-1", "deliveryDate": "2026-12-01",
            "consignee": {"name": "X", "countryCode": "SE"},
            "orderLines": [{"rowNumber": "1", "articleNumber": "A", "numberOfItems": 1.5}]
        }))
        .send()
        .await
        .expect("put");
    assert!(response.status().is_success());
    app.control("orders/BAD-1/ship", json!({"waybill": "WB-BAD"}))
        .await;
    app.control("orders/GOOD-1/ship", json!({"waybill": "WB-GOOD"}))
        .await;

    let report = app.gateway.detector().poll_once().await.expect("poll");
    assert!(report.dead_lettered >= 1, "{report:?}");
    let events = app.events::<WmsOrderShipped>(SHIPPED).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].1.order_number, "GOOD-1");

    let letters = app.dead_letters().await;
    let bad = letters
        .iter()
        .find(|l| l.kind == "order")
        .expect("dead letter");
    assert_eq!(bad.record_key, "order BAD-1");
    assert!(
        bad.reason.contains("orderLines[0].orderedNumberOfItems")
            && bad.reason.contains("not a whole number"),
        "{}",
        bad.reason
    );
    assert!(
        app.sim_order("BAD-1").await["lines"][0]["reported"].is_null(),
        "not reported"
    );
}

#[tokio::test]
async fn flows_switched_off_are_not_polled() {
    let app = common::spawn_app_with(|s| {
        s.flows = ongoing_gateway::settings::Flows {
            purchase_orders: false,
            returns: false,
            stock: false,
        };
    })
    .await;
    app.gateway.detector().poll_once().await.expect("poll");
    let paths: Vec<String> = app
        .requests()
        .await
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["path"].as_str().unwrap_or_default(),
                e["query"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert!(!paths.is_empty());
    assert!(
        paths
            .iter()
            .all(|p| (p.starts_with("/sandbox/api/v1/orders ")
                || p.starts_with("/sandbox/api/v1/orders/statuses "))
                && !p.contains("Returned")),
        "{paths:?}"
    );
}
