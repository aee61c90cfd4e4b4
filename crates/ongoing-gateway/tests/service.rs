//! The running gateway: gRPC over the wire, the webhook receiver's auth and wake-up, and the
//! whole `Service::run` publishing through the embedded bus.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{TestApp, WEBHOOK_TOKEN, order_request, spawn_app};
use ongoing_gateway::OngoingGateway;
use platform_bus::{Bus, ConsumerConfig, EmbeddedBus, EmbeddedBusConfig};
use platform_runtime::{AppConfig, CancellationToken, Service, ServiceContext, ServiceDirectory};
use prost::Message;
use proto::events::v1::WmsOrderShipped;
use proto::wms::v1::TestConnectionRequest;
use proto::wms::v1::wms_gateway_client::WmsGatewayClient;
use serde_json::json;
use tokio::net::TcpListener;

struct Serving {
    webhook: std::net::SocketAddr,
    directory: ServiceDirectory,
    stop: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// Serves the gateway as `Service::run` does: routes through an in-process directory, the
/// pollers and the webhook receiver on 127.0.0.1:0.
async fn serve(app: &TestApp) -> Serving {
    let webhook = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind webhook");
    let webhook_addr = webhook.local_addr().expect("addr");
    let directory = ServiceDirectory::in_process();
    let stop = CancellationToken::new();
    let watch = tokio::spawn({
        let (gateway, stop) = (app.gateway.clone(), stop.clone());
        async move {
            gateway
                .watch(webhook, stop)
                .await
                .expect("watch ends cleanly")
        }
    });
    let grpc = tokio::spawn({
        let (directory, routes, stop) = (directory.clone(), app.gateway.routes(), stop.clone());
        async move {
            directory
                .serve(ongoing_gateway::NAME, routes, stop)
                .await
                .expect("serves")
        }
    });
    Serving {
        webhook: webhook_addr,
        directory,
        stop,
        tasks: vec![watch, grpc],
    }
}

impl Serving {
    async fn stop(self) {
        self.stop.cancel();
        for task in self.tasks {
            task.await.expect("stops cleanly");
        }
    }
}

async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn create(app: &TestApp, number: &str) {
    use proto::wms::v1::wms_gateway_server::WmsGateway as _;
    app.gateway
        .commands()
        .upsert_order(tonic::Request::new(order_request(number, &[("A", 1)])))
        .await
        .expect("order created");
}

async fn first_poll_done(app: &TestApp) -> bool {
    sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM poll_cursors WHERE name = 'articles.stock_changed'",
    )
    .fetch_one(app.store.pool())
    .await
    .map(|n| n > 0)
    .unwrap_or(false)
}

#[tokio::test]
async fn grpc_answers_through_the_service_directory() {
    let app = spawn_app().await;
    app.seed_articles(&["A"]).await;
    let serving = serve(&app).await;
    let mut client = WmsGatewayClient::new(
        serving
            .directory
            .channel(ongoing_gateway::NAME)
            .expect("channel"),
    );
    let ok = loop {
        // The routes register asynchronously; UNAVAILABLE until then.
        match client
            .test_connection(TestConnectionRequest {
                warehouse: "sandbox".into(),
            })
            .await
        {
            Err(status) if status.code() == tonic::Code::Unavailable => {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            other => break other,
        }
    };
    let ok = ok.expect("answered").into_inner();
    assert!(ok.ok, "{}", ok.message);
    let created = client
        .upsert_order(order_request("G-1", &[("A", 1)]))
        .await
        .expect("created")
        .into_inner();
    assert!(created.created && created.order_id > 0);
    let refused = client
        .upsert_order(order_request("G-2", &[("A", -2)]))
        .await
        .expect_err("bad quantity");
    assert_eq!(refused.code(), tonic::Code::InvalidArgument);

    serving.stop().await;
}

#[tokio::test]
async fn webhooks_need_the_token_and_only_wake_the_pollers() {
    let app = spawn_app().await;
    app.seed_articles(&["A"]).await;
    app.set_stock("A", 5).await;
    create(&app, "W-1").await;
    let serving = serve(&app).await;
    wait_for("the first poll", async || first_poll_done(&app).await).await;

    let url = format!("http://{}/webhooks/ongoing", serving.webhook);
    let payload = json!({"orderId": 1, "orderNumber": "W-1", "goodsOwnerId": 1});
    let none = app
        .http
        .post(&url)
        .json(&payload)
        .send()
        .await
        .expect("answer");
    assert_eq!(none.status(), 401);
    let wrong = app
        .http
        .post(&url)
        .header("X-Auth-Token", "hook-secreT")
        .json(&payload)
        .send()
        .await
        .expect("answer");
    assert_eq!(wrong.status(), 401);

    // The poll interval is an hour: only the simulator's own webhook can bring the event now.
    app.control("webhooks", json!({"url": url, "secret": WEBHOOK_TOKEN}))
        .await;
    app.control("orders/W-1/ship", json!({"waybill": "WB-W1"}))
        .await;
    wait_for("the shipped event", async || {
        !app.events::<WmsOrderShipped>("wms.sandbox.order.shipped")
            .await
            .is_empty()
    })
    .await;

    serving.stop().await;
}

#[tokio::test]
async fn the_service_publishes_shipped_orders_on_the_bus() {
    let app = spawn_app().await;
    app.seed_articles(&["A"]).await;
    app.set_stock("A", 5).await;
    create(&app, "BUS-1").await;
    app.control("orders/BUS-1/ship", json!({"waybill": "WB-BUS"}))
        .await;

    let dir = tempfile::tempdir().expect("dir");
    let toml = format!(
        r#"
[settings]
centra_time_zone = "Europe/Stockholm"
[[settings.endpoints]]
name = "shop1"
base_url = "http://127.0.0.1:1/api/order-api"
secret = "s"
[runtime]
data_dir = "{data}"
ongoing_webhook_listen = "127.0.0.1:0"
[wms]
base_url = "{base}"
warehouse = "sandbox"
user = "sandbox"
password = "sandbox"
goods_owner_id = 1
"#,
        data = dir.path().display(),
        base = app.sim.base_url(),
    );
    let config = AppConfig::from_toml_str(&toml).expect("config");
    let bus = EmbeddedBus::open(
        &dir.path().join("bus.db").display().to_string(),
        EmbeddedBusConfig::default(),
    )
    .await
    .expect("bus");
    let bus: Arc<dyn Bus> = Arc::new(bus);
    let shutdown = CancellationToken::new();
    let directory = ServiceDirectory::in_process();
    let ctx = ServiceContext {
        config: Arc::new(config),
        bus: bus.clone(),
        store_url: format!(
            "sqlite://{}/ongoing-gateway.db?mode=rwc",
            dir.path().display()
        ),
        directory: directory.clone(),
        shutdown: shutdown.clone(),
        readiness: platform_runtime::Readiness::default(),
    };
    let mut service = tokio::spawn(async move { OngoingGateway.run(ctx).await });

    let mut consumer = bus
        .consumer(ConsumerConfig::new("test").with_filter("wms.sandbox.order.>"))
        .await
        .expect("consumer");
    // A service that stops early (a port it cannot bind, say) fails the test with its error
    // instead of a bare timeout.
    let delivery = tokio::select! {
        next = consumer.next(Duration::from_secs(30)) => {
            next.expect("bus").expect("a shipped event within 30 s")
        }
        ended = &mut service => panic!("the service stopped before publishing: {ended:?}"),
    };
    assert_eq!(delivery.subject, "wms.sandbox.order.shipped");
    let event = WmsOrderShipped::decode(delivery.payload.clone()).expect("decodes");
    assert_eq!(event.order_number, "BUS-1");
    assert_eq!(
        delivery.id.as_str(),
        event.meta.as_ref().map_or("", |m| m.event_id.as_str())
    );
    delivery.ack().await.expect("ack");

    // The service registered its command routes in the directory.
    let mut client =
        WmsGatewayClient::new(directory.channel(ongoing_gateway::NAME).expect("channel"));
    let deadline = Instant::now() + Duration::from_secs(15);
    let answer = loop {
        match client
            .test_connection(TestConnectionRequest::default())
            .await
        {
            Err(status) if status.code() == tonic::Code::Unavailable => {
                assert!(Instant::now() < deadline, "routes never registered");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            other => break other.expect("answered").into_inner(),
        }
    };
    assert!(answer.ok, "{}", answer.message);

    shutdown.cancel();
    service.await.expect("task").expect("service stops cleanly");
}
