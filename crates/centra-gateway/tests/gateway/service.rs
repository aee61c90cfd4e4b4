//! The whole service as the runtime runs it: store, outbox relay to the embedded bus, polls,
//! gRPC and the webhook receiver on the configured addresses.

use std::sync::Arc;
use std::time::Duration;

use centra_gateway::CentraGateway;
use platform_bus::{Bus, ConsumerConfig, EmbeddedBus, EmbeddedBusConfig};
use platform_config::AppConfig;
use platform_runtime::{CancellationToken, Service, ServiceContext, ServiceDirectory};
use prost::Message;
use proto::centra::v1::GetShipmentRequest;
use proto::centra::v1::centra_gateway_client::CentraGatewayClient;
use proto::events::v1 as pb;

use test_support::free_port;

use crate::harness::{ENDPOINT, SECRET, spawn_app};

#[tokio::test]
async fn the_service_publishes_good_to_go_shipments_and_serves_grpc() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (_, shipment_id) = app.place_order(true, false, true).await;

    let text = format!(
        r#"
[settings]
centra_time_zone = "Europe/Stockholm"

[[settings.endpoints]]
name = "{ENDPOINT}"
base_url = "{}"
secret = "{SECRET}"
webhook_secret = "{SECRET}"

[wms]
base_url = "https://api.ongoingsystems.se"
warehouse = "sandbox"
user = "api-user"
password = "wms-password-value"
goods_owner_id = 1
"#,
        app.sim.base_url()
    );
    let mut config = AppConfig::from_toml_str(&text).expect("config");
    let grpc_listen = free_port();
    config.runtime.centra_webhook_listen = free_port();
    let grpc_url = format!("http://{grpc_listen}");
    let webhook_url = format!(
        "http://{}/centra/{ENDPOINT}/webhook",
        config.runtime.centra_webhook_listen
    );

    let bus_path = app.dir.path().join("bus.db");
    let bus = EmbeddedBus::open(
        &bus_path.display().to_string(),
        EmbeddedBusConfig::default(),
    )
    .await
    .expect("bus opens");
    let mut consumer = bus
        .consumer(
            ConsumerConfig::new("test-observer")
                .with_filter(format!("centra.{ENDPOINT}.shipment.>")),
        )
        .await
        .expect("consumer");
    let shutdown = CancellationToken::new();
    let ctx = ServiceContext {
        config: Arc::new(config),
        bus: Arc::new(bus.clone()),
        store_url: format!("sqlite://{}/service.db?mode=rwc", app.dir.path().display()),
        directory: ServiceDirectory::network([(
            "centra-gateway".to_owned(),
            grpc_listen,
            grpc_url.clone(),
        )]),
        shutdown: shutdown.clone(),
        readiness: platform_runtime::Readiness::default(),
    };
    let service = tokio::spawn(async move { CentraGateway.run(ctx).await });

    let delivery = consumer
        .next(Duration::from_secs(20))
        .await
        .expect("bus read")
        .expect("an event within 20 s");
    assert_eq!(
        delivery.subject,
        format!("centra.{ENDPOINT}.shipment.good-to-go")
    );
    assert_eq!(
        delivery.id.as_str(),
        format!("centra:{ENDPOINT}:shipment:{shipment_id}:gtg")
    );
    let event = pb::ShipmentGoodToGo::decode(delivery.payload.clone()).expect("protobuf");
    assert_eq!(event.shipment_id, shipment_id);
    delivery.ack().await.expect("ack");

    // The next poll is 15 minutes away: only the webhook hint can make it run now.
    app.control(
        "/webhooks",
        &serde_json::json!({"url": webhook_url, "secret": SECRET}),
    )
    .await;
    let (_, second) = app.place_order(true, false, true).await;
    let hinted = consumer
        .next(Duration::from_secs(20))
        .await
        .expect("bus read")
        .expect("the webhook woke the poll within 20 s");
    assert_eq!(
        hinted.id.as_str(),
        format!("centra:{ENDPOINT}:shipment:{second}:gtg")
    );
    hinted.ack().await.expect("ack");

    let mut client = None;
    for _ in 0..50 {
        if let Ok(c) = CentraGatewayClient::connect(grpc_url.clone()).await {
            client = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut client = client.expect("grpc server up");
    let shipment = client
        .get_shipment(GetShipmentRequest {
            endpoint: ENDPOINT.into(),
            shipment_id: shipment_id.clone(),
        })
        .await
        .expect("grpc answer")
        .into_inner()
        .shipment
        .expect("shipment");
    assert_eq!(shipment.shipment_id, shipment_id);
    let missing = client
        .complete_shipment(crate::commands::complete_request(&shipment_id, None))
        .await
        .expect_err("capture is required");
    assert_eq!(missing.code(), tonic::Code::InvalidArgument);

    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(20), service)
        .await
        .expect("stops in time")
        .expect("task")
        .expect("clean stop");
}
