//! Change detection against the simulator: a shipped order published once (and again only when
//! tracking changes), received stock updates, returns with causes, stock levels.

mod common;

use common::{TestApp, order_request, spawn_app};
use proto::events::v1::{
    WmsOrderShipped, WmsPurchaseOrderReceived, WmsReturnReceived, WmsStockChanged,
};
use proto::wms::v1::wms_gateway_server::WmsGateway as _;
use proto::wms::v1::{PurchaseOrderLine, ReadStockRequest, UpsertPurchaseOrderRequest};
use serde_json::json;
use tonic::Request;

const SHIPPED: &str = "wms.main.order.shipped";

async fn stocked_order(app: &TestApp, number: &str, lines: &[(&str, i64)]) -> i64 {
    let codes: Vec<&str> = lines.iter().map(|(c, _)| *c).collect();
    app.seed_products(&codes).await;
    for code in codes {
        app.set_stock(code, 100).await;
    }
    app.gateway
        .commands()
        .upsert_order(Request::new(order_request(number, lines)))
        .await
        .expect("order created")
        .into_inner()
        .order_id
}

#[tokio::test]
async fn a_shipped_order_is_published_once() {
    let app = spawn_app().await;
    let order_id = stocked_order(&app, "S-1", &[("A", 1), ("B", 2)]).await;
    let detector = app.gateway.detector();
    detector.poll_once().await.expect("poll");
    assert!(
        app.events::<WmsOrderShipped>(SHIPPED).await.is_empty(),
        "nothing shipped yet"
    );

    app.control(
        "orders/S-1/ship",
        json!({"trackingNumber": "JJFI1", "trackingUrl": "https://track/JJFI1"}),
    )
    .await;
    detector.poll_once().await.expect("poll");
    detector.poll_once().await.expect("poll again");
    let events = app.events::<WmsOrderShipped>(SHIPPED).await;
    assert_eq!(events.len(), 1, "published once");
    let (id, event) = &events[0];
    assert!(id.starts_with("wms:main:order:S-1:shipped:"), "{id}");
    assert_eq!(event.order_id, order_id);
    assert_eq!(event.order_number, "S-1");
    assert_eq!(event.tracking[0].number, "JJFI1");
    assert_eq!(event.tracking[0].url, "https://track/JJFI1");
    assert_eq!(
        event
            .transporter
            .as_ref()
            .map(|t| t.transporter_code.as_str()),
        Some("POSTI")
    );
    let lines: Vec<_> = event
        .lines
        .iter()
        .map(|l| {
            (
                l.line_id,
                l.row_number.as_str(),
                l.external_id.as_str(),
                l.article_number.as_str(),
                l.picked_number_of_items,
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (1, "1", "centra-line-1", "A", 1),
            (2, "2", "centra-line-2", "B", 2)
        ]
    );
}

#[tokio::test]
async fn received_stock_updates_returns_and_stock_are_published() {
    let app = spawn_app().await;
    stocked_order(&app, "R-1", &[("A", 2)]).await;
    app.gateway
        .commands()
        .upsert_purchase_order(Request::new(UpsertPurchaseOrderRequest {
            warehouse: "main".into(),
            purchase_order_number: "PO-1".into(),
            supplier_name: "Acme".into(),
            lines: vec![PurchaseOrderLine {
                row_number: "1".into(),
                article_number: "A".into(),
                number_of_items: 5,
                external_line_id: "d-1".into(),
                ..PurchaseOrderLine::default()
            }],
            ..UpsertPurchaseOrderRequest::default()
        }))
        .await
        .expect("stock update");
    let detector = app.gateway.detector();
    detector.poll_once().await.expect("poll");
    let stock = app
        .events::<WmsStockChanged>("wms.main.stock.changed")
        .await;
    let a = stock
        .iter()
        .rev()
        .find(|(_, e)| e.article_number == "A")
        .expect("A published");
    assert_eq!((a.1.number_of_items, a.1.booked_number_of_items), (100, 2));
    let before = stock.len();
    detector.poll_once().await.expect("poll");
    assert_eq!(
        app.events::<WmsStockChanged>("wms.main.stock.changed")
            .await
            .len(),
        before,
        "unchanged is not republished"
    );

    app.control(
        "stock-updates/PO-1/receive",
        json!({"products": [{"code": "A", "received": 3}]}),
    )
    .await;
    app.control("orders/R-1/ship", json!({"trackingNumber": "T1"}))
        .await;
    app.control(
        "returns",
        json!({"orderReference": "R-1", "products": [{"code": "A", "quantity": 1, "reason": {"code": "SIZE", "description": "Too small"}}]}),
    )
    .await;
    detector.poll_once().await.expect("poll");

    let received = app
        .events::<WmsPurchaseOrderReceived>("wms.main.purchase_order.received")
        .await;
    assert_eq!(received.len(), 1);
    let line = &received[0].1.lines[0];
    assert_eq!(
        (
            line.advised_number_of_items,
            line.received_number_of_items,
            line.external_line_id.as_str()
        ),
        (5, 3, "d-1")
    );

    let returns = app
        .events::<WmsReturnReceived>("wms.main.return.received")
        .await;
    assert_eq!(returns.len(), 1);
    let line = &returns[0].1.lines[0];
    assert_eq!(
        (line.returned_number_of_items, line.external_id.as_str()),
        (1, "centra-line-1")
    );
    assert_eq!(
        (
            line.items[0].cause_code.as_str(),
            line.items[0].cause_name.as_str()
        ),
        ("SIZE", "Too small")
    );

    let stock = app
        .events::<WmsStockChanged>("wms.main.stock.changed")
        .await;
    assert!(
        stock.len() > before,
        "receiving and shipping moved the stock"
    );
}

/// The returns poll reaches back ten minutes on every round; an order whose returns are all in
/// an event already is not read again (two calls per order per round, which made the stock poll
/// of the same round wait behind them), and a new return of the same order is.
#[tokio::test]
async fn an_order_is_read_again_only_for_a_new_return() {
    let app = spawn_app().await;
    stocked_order(&app, "R-2", &[("A", 3)]).await;
    app.control("orders/R-2/ship", json!({"trackingNumber": "T2"}))
        .await;
    let detector = app.gateway.detector();
    let return_of = |units: i64| {
        json!({"orderReference": "R-2", "products": [{"code": "A", "quantity": units,
               "reason": {"code": "DMG", "description": "Damaged"}}]})
    };
    app.control("returns", return_of(1)).await;
    detector.poll_once().await.expect("poll");
    let subject = "wms.main.return.received";
    assert_eq!(app.events::<WmsReturnReceived>(subject).await.len(), 1);

    let order_reads = |log: &[serde_json::Value]| {
        log.iter()
            .filter(|r| {
                let query = r["query"].as_str().unwrap_or_default();
                query.contains("reference=R-2") || query.contains("orderReference=R-2")
            })
            .count()
    };
    let before = order_reads(&app.requests().await);
    detector.poll_once().await.expect("poll");
    assert_eq!(
        order_reads(&app.requests().await),
        before,
        "a return already in an event is not read again"
    );

    app.control("returns", return_of(2)).await;
    detector.poll_once().await.expect("poll");
    assert!(
        order_reads(&app.requests().await) > before,
        "the new return is read"
    );
    let events = app.events::<WmsReturnReceived>(subject).await;
    assert_eq!(events.len(), 2, "the new return is published");
    assert_eq!(events[1].1.lines[0].returned_number_of_items, 3);
}

/// The stock of `code` in every `WmsStockChanged` in the outbox, oldest first.
async fn published_stock(app: &TestApp, code: &str) -> Vec<i64> {
    app.events::<WmsStockChanged>("wms.main.stock.changed")
        .await
        .into_iter()
        .filter(|(_, e)| e.article_number == code)
        .map(|(_, e)| e.number_of_items)
        .collect()
}

/// A change the poll missed because it came and went between two polls, but a check read, is
/// published by that read, so the poll after it sees the way back as a change too. Without it
/// the stock flow keeps the level it read (12 → 11 → 12: Centra stays at 11 for good, the
/// state a `stock_returns_e2e` run under faults ended in).
#[tokio::test]
async fn a_level_a_read_saw_first_is_published_and_so_is_the_way_back() {
    let app = spawn_app().await;
    app.seed_products(&["A", "B"]).await;
    app.set_stock("A", 12).await;
    app.set_stock("B", 3).await;
    let detector = app.gateway.detector();
    let commands = app.gateway.commands();
    let read = |names: &[&str]| {
        Request::new(ReadStockRequest {
            warehouse: "main".into(),
            article_numbers: names.iter().map(|n| (*n).to_owned()).collect(),
            ..ReadStockRequest::default()
        })
    };
    detector.poll_once().await.expect("poll");
    assert_eq!(published_stock(&app, "A").await, [12]);

    // A read of unchanged levels publishes nothing.
    commands.read_stock(read(&["A", "B"])).await.expect("read");
    assert_eq!(published_stock(&app, "A").await, [12]);
    assert_eq!(published_stock(&app, "B").await, [3]);

    // Between two polls: down to 11, read by a check, back to 12.
    app.set_stock("A", 11).await;
    let answer = commands
        .read_stock(read(&["A"]))
        .await
        .expect("read")
        .into_inner();
    assert_eq!(answer.articles[0].number_of_items, 11);
    assert_eq!(published_stock(&app, "A").await, [12, 11]);
    app.set_stock("A", 12).await;
    detector.poll_once().await.expect("poll");
    assert_eq!(
        published_stock(&app, "A").await,
        [12, 11, 12],
        "the way back is a change for whoever read 11"
    );
    detector.poll_once().await.expect("poll");
    assert_eq!(published_stock(&app, "A").await, [12, 11, 12]);

    // A page read (the reconcile's) follows the same rule.
    app.set_stock("A", 9).await;
    commands
        .read_stock(Request::new(ReadStockRequest {
            warehouse: "main".into(),
            max_articles: 10,
            ..ReadStockRequest::default()
        }))
        .await
        .expect("page");
    detector.poll_once().await.expect("poll");
    assert_eq!(published_stock(&app, "A").await, [12, 11, 12, 9]);
    assert_eq!(published_stock(&app, "B").await, [3]);
}
