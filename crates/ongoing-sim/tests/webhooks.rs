//! Webhooks as Ongoing sends them, received by a tiny axum server in the test: one JSON object
//! per event, the static auth header, the documented members, and the retry policies.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use axum::{Json, Router};
use common::{TestSim, spawn_sim, spawn_sim_with};
use ongoing_sim::OngoingSim;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// One webhook as received.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: Value,
}

struct Receiver {
    url: String,
    inbox: mpsc::UnboundedReceiver<Received>,
    calls: Arc<AtomicUsize>,
}

#[derive(Clone)]
struct ReceiverState {
    inbox: mpsc::UnboundedSender<Received>,
    calls: Arc<AtomicUsize>,
    fail_first: usize,
}

async fn receive(
    State(state): State<ReceiverState>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> AxumStatus {
    let call = state.calls.fetch_add(1, Ordering::SeqCst);
    if call < state.fail_first {
        return AxumStatus::INTERNAL_SERVER_ERROR;
    }
    let _ = state.inbox.send(Received { headers, body });
    AxumStatus::OK
}

/// A receiver on a free port that answers 500 to its first `fail_first` calls.
async fn receiver(fail_first: usize) -> Receiver {
    let (sender, inbox) = mpsc::unbounded_channel();
    let calls = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route("/hooks", post(receive))
        .with_state(ReceiverState {
            inbox: sender,
            calls: calls.clone(),
            fail_first,
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind receiver");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver {
        url: format!("http://{addr}/hooks"),
        inbox,
        calls,
    }
}

impl Receiver {
    /// Waits for the next webhook with `template`, skipping others.
    async fn next(&mut self, template: &str) -> Received {
        let wait = async {
            loop {
                let received = self.inbox.recv().await.expect("receiver open");
                if received.body["webhookTemplate"] == template {
                    return received;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .unwrap_or_else(|_| panic!("no {template} webhook within 10 s"))
    }
}

async fn configure(t: &TestSim, settings: Value) {
    let set = t.control_post("webhooks", &settings).await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
}

fn assert_zoneless_timestamp(body: &Value) {
    let timestamp = body["timestamp"].as_str().expect("timestamp");
    let (_, fraction) = timestamp.split_once('.').expect("fraction");
    assert_eq!(fraction.len(), 7, "seven digits: {timestamp}");
    assert!(
        fraction.chars().all(|c| c.is_ascii_digit()),
        "no zone: {timestamp}"
    );
    assert!(
        chrono::NaiveDateTime::parse_from_str(timestamp, "%Y-%m-%dT%H:%M:%S%.f").is_ok(),
        "{timestamp}"
    );
}

#[tokio::test]
async fn order_webhooks_carry_the_auth_header_and_the_documented_members() {
    let t = spawn_sim().await;
    let mut hooks = receiver(0).await;
    configure(&t, json!({"url": hooks.url, "secret": "s3cret"})).await;
    t.article("HOOK", 5.0).await;
    let order_id = t.order("H-1", &[("HOOK", 2.0)]).await;

    let created = hooks.next("OrderCreated").await;
    assert_eq!(
        created
            .headers
            .get("x-auth-token")
            .and_then(|v| v.to_str().ok()),
        Some("s3cret")
    );
    let body = &created.body;
    for member in [
        "webhookOrdersId",
        "webhookEventId",
        "system",
        "timestamp",
        "orderId",
        "orderNumber",
        "goodsOwnerId",
        "path",
        "byUser",
        "byComputer",
        "orderStatus",
        "currentShipmentId",
        "webhookTemplate",
        "goodsOwnerName",
        "goodsOwnerClasses",
        "tracking",
        "parcels",
    ] {
        assert!(body.get(member).is_some(), "member {member} in {body}");
    }
    assert_eq!(body["orderId"], order_id);
    assert_eq!(body["orderNumber"], "H-1");
    assert_eq!(body["goodsOwnerId"], 1);
    assert_eq!(body["system"], "sandbox");
    assert_eq!(body["orderStatus"]["number"], 200);
    assert_zoneless_timestamp(body);

    // The payload only identifies the change: its path leads to the order.
    let path = body["path"].as_str().expect("path");
    let read = t
        .client
        .get(format!("{}{path}", t.sim.base_url()))
        .basic_auth("sandbox", Some("sandbox"))
        .send()
        .await
        .expect("answer");
    assert_eq!(read.status(), StatusCode::OK);
    let read: Value = read.json().await.expect("json");
    assert_eq!(read["orderInfo"]["orderId"], order_id);

    t.control_post(
        "orders/H-1/ship",
        &json!({"waybill": "WB-H1", "trackingUrl": "https://t.example/WB-H1", "parcels": [{"parcelNumber": "P-1"}]}),
    )
    .await;
    let picked_item = hooks.next("ArticlePicked").await.body;
    assert_eq!(picked_item["isPicked"], true);
    assert_eq!(picked_item["article"]["articleNumber"], "HOOK");
    assert_eq!(picked_item["order"]["orderNumber"], "H-1");
    assert_eq!(picked_item["articleItem"]["numberOfItems"], json!(2.0));
    let changed = hooks.next("OrderStatusChanged").await.body;
    assert_eq!(changed["orderStatus"]["number"], 450);
    assert_eq!(changed["tracking"][0]["waybill"], "WB-H1");
    assert_eq!(changed["tracking"][0]["isReturn"], false);
    assert_eq!(changed["parcels"][0]["parcelNumber"], "P-1");
    assert_eq!(
        changed["parcels"][0]["tracking"]["trackingUrl"],
        "https://t.example/WB-H1"
    );
    let picked = hooks.next("OrderPicked").await.body;
    assert!(
        picked["webhookEventId"].as_i64() > created.body["webhookEventId"].as_i64(),
        "event ids grow"
    );

    let deliveries = t.control_get("webhooks").await;
    let deliveries = deliveries["deliveries"].as_array().expect("deliveries");
    assert!(
        deliveries
            .iter()
            .all(|d| d["delivered"] == true && d["attempts"] == 1),
        "{deliveries:?}"
    );
}

#[tokio::test]
async fn purchase_order_picking_return_and_inventory_webhooks() {
    let t = spawn_sim_with(OngoingSim::builder().webhook_auth_header("X-Api-Key"), 1).await;
    let mut hooks = receiver(0).await;
    configure(&t, json!({"url": hooks.url, "secret": "k3y"})).await;
    t.article("PO-ART", 0.0).await;
    t.control_post("stock", &json!({"articleNumber": "PO-ART", "delta": 2}))
        .await;
    let inventory = hooks.next("InventoryTransaction").await;
    assert_eq!(
        inventory
            .headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok()),
        Some("k3y"),
        "the instance's header name"
    );
    assert!(inventory.headers.get("x-auth-token").is_none());
    assert_eq!(
        inventory.body["transaction"]["transactionNumberOfItems"],
        json!(2.0)
    );
    assert_eq!(inventory.body["article"]["articleNumber"], "PO-ART");

    t.put(
        "purchaseOrders",
        &json!({"goodsOwnerId": 1, "purchaseOrderNumber": "PO-H", "goodsOwnerReference": "REF-9",
                "purchaseOrderLines": [{"rowNumber": "1", "articleNumber": "PO-ART", "numberOfItems": 3}]}),
    )
    .await;
    let created = hooks.next("PurchaseOrderCreated").await.body;
    assert_eq!(created["purchaseOrderNumber"], "PO-H");
    assert_eq!(created["goodsOwnerPurchaseOrderId"], "REF-9");
    t.control_post(
        "purchase-orders/PO-H/receive",
        &json!({"lines": [{"articleNumber": "PO-ART", "received": 3}]}),
    )
    .await;
    let received = hooks.next("PurchaseOrderReceived").await.body;
    assert_eq!(received["purchaseOrderStatus"]["number"], 500);
    assert!(
        received["path"]
            .as_str()
            .expect("path")
            .ends_with(&format!("/purchaseOrders/{}", received["purchaseOrderId"]))
    );
    assert_zoneless_timestamp(&received);

    t.order("H-2", &[("PO-ART", 1.0)]).await;
    t.control_post("orders/H-2/ship", &json!({"waybill": "W"}))
        .await;
    t.control_post(
        "returns",
        &json!({"orderNumber": "H-2", "lines": [{"articleNumber": "PO-ART", "returned": 1, "cause": {"code": "DAMAGED", "name": "Damaged"}}]}),
    )
    .await;
    let returned = hooks.next("ArticleReturned").await.body;
    assert_eq!(returned["isReturned"], true);
    assert_eq!(
        returned["articleItem"]["returnCause"]["returnCauseCode"],
        "DAMAGED"
    );
    assert!(returned["articleItem"]["returnCause"]["returnCauseId"].is_i64());

    let adjusted = t
        .control_post("stock", &json!({"articleNumber": "PO-ART", "delta": -5}))
        .await;
    assert_eq!(adjusted.status, StatusCode::OK);
    let body = hooks.next("InventoryTransaction").await.body;
    assert_eq!(body["transaction"]["transactionNumberOfItems"], json!(-5.0));
}

#[tokio::test]
async fn retry_policy_one_day_retries_and_none_does_not() {
    let builder = OngoingSim::builder().webhook_retry_delays(vec![Duration::from_millis(50); 3]);
    let t = spawn_sim_with(builder, 1).await;
    t.article("RETRY", 0.0).await;

    let mut flaky = receiver(2).await;
    configure(&t, json!({"url": flaky.url, "secret": "x", "retryPolicy": "oneDay", "events": ["OrderCreated"]})).await;
    t.order("RT-1", &[("RETRY", 1.0)]).await;
    let delivered = flaky.next("OrderCreated").await;
    assert_eq!(delivered.body["orderNumber"], "RT-1");
    assert_eq!(
        flaky.calls.load(Ordering::SeqCst),
        3,
        "two failures, then success"
    );
    let deliveries = t.control_get("webhooks").await["deliveries"].clone();
    assert_eq!(
        deliveries.as_array().expect("deliveries").len(),
        1,
        "only the chosen template is sent"
    );
    assert_eq!(deliveries[0]["attempts"], 3);
    assert_eq!(deliveries[0]["delivered"], true);

    let failing = receiver(usize::MAX).await;
    configure(&t, json!({"url": failing.url, "secret": "x", "retryPolicy": "none", "events": ["OrderCreated"]})).await;
    t.order("RT-2", &[("RETRY", 1.0)]).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while failing.calls.load(Ordering::SeqCst) == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no attempt within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        failing.calls.load(Ordering::SeqCst),
        1,
        "no retries under the none policy"
    );
    let deliveries = t.control_get("webhooks").await["deliveries"].clone();
    let last = deliveries
        .as_array()
        .expect("deliveries")
        .last()
        .cloned()
        .expect("a delivery");
    assert_eq!(last["delivered"], false);
    assert_eq!(last["lastStatus"], 500);
}
