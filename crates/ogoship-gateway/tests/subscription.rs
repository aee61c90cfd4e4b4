//! Webhook registration against the simulator's `/api/v1/webhooks`: one hook of each type with
//! our url and key, whatever was there before, and a registered hook that really wakes the
//! pollers when OGOship calls it with its signature.

mod common;

use std::time::{Duration, Instant};

use common::{order_request, spawn_app, spawn_app_with};
use domain::Secret;
use ogoship_gateway::client::models::WebHookBody;
use ogoship_gateway::subscription::{Registered, Subscription, register};
use proto::events::v1::WmsOrderShipped;
use proto::wms::v1::wms_gateway_server::WmsGateway as _;
use serde_json::json;
use tokio_util::sync::CancellationToken;
use tonic::Request;

const OURS: &str = "https://centra-wms.example.com/webhooks/ogoship";

fn hook(url: &str, key: &str, hook_type: &str) -> WebHookBody {
    WebHookBody {
        url: url.to_owned(),
        key: key.to_owned(),
        hook_type: hook_type.to_owned(),
    }
}

#[tokio::test]
async fn registration_converges_on_one_hook_per_type_and_leaves_other_hooks_alone() {
    let app = spawn_app().await;
    let client = app.gateway.client();
    let foreign = hook("https://other.example.com/hook", "theirs", "OrderShipped");
    client.create_webhook(&foreign).await.expect("foreign hook");
    // Ours from an earlier start with an old key, twice (two replicas raced).
    for _ in 0..2 {
        client
            .create_webhook(&hook(OURS, "old-key", "OrderShipped"))
            .await
            .expect("stale hook");
    }
    let subscription = Subscription {
        url: OURS.to_owned(),
        key: Secret::new("new-key"),
    };

    let first = register(client, &subscription).await.expect("registered");
    assert_eq!(
        first,
        Registered {
            created: 1,
            updated: 1,
            deleted: 1,
            kept: 0
        }
    );
    let again = register(client, &subscription).await.expect("registered");
    assert_eq!(
        again,
        Registered {
            kept: 2,
            ..Registered::default()
        },
        "a second start changes nothing"
    );

    let hooks = client.list_webhooks().await.expect("list");
    let mut ours: Vec<(String, String)> = hooks
        .iter()
        .filter(|h| h.url.as_deref() == Some(OURS))
        .map(|h| {
            (
                h.hook_type
                    .as_ref()
                    .and_then(|t| t.as_str())
                    .unwrap_or_default()
                    .to_owned(),
                h.key.clone().unwrap_or_default(),
            )
        })
        .collect();
    ours.sort();
    assert_eq!(
        ours,
        [
            ("OrderShipped".to_owned(), "new-key".to_owned()),
            ("ProductStockLevelChanged".to_owned(), "new-key".to_owned()),
        ]
    );
    let theirs: Vec<_> = hooks
        .iter()
        .filter(|h| h.url.as_deref() == Some("https://other.example.com/hook"))
        .collect();
    assert_eq!(theirs.len(), 1, "another integration's hook stays");
    assert_eq!(theirs[0].key.as_deref(), Some("theirs"));
}

/// The gateway registers its receiver at start; OGOship's signed `OrderShipped` call then
/// wakes the pollers long before the (hour-long) poll interval.
#[tokio::test]
async fn a_registered_hook_wakes_the_gateway_when_an_order_ships() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("receiver port");
    let url = format!(
        "http://{}/webhooks/ogoship",
        listener.local_addr().expect("addr")
    );
    let app = spawn_app_with(|settings| {
        settings.webhook_key = Some(Secret::new("hook-key"));
        settings.subscription = Some(Subscription {
            url: url.clone(),
            key: Secret::new("hook-key"),
        });
    })
    .await;
    app.seed_products(&["A"]).await;
    app.set_stock("A", 10).await;
    app.gateway
        .commands()
        .upsert_order(Request::new(order_request("S-1", &[("A", 1)])))
        .await
        .expect("order created");
    let stop = CancellationToken::new();
    let watching = tokio::spawn(app.gateway.clone().watch(listener, stop.clone()));

    let deadline = Instant::now() + Duration::from_secs(20);
    while app.state().await["webhooks"].as_array().map_or(0, Vec::len) < 2 {
        assert!(Instant::now() < deadline, "hooks registered at start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.control("orders/S-1/ship", json!({"trackingNumber": "JJFI1"}))
        .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while app
        .events::<WmsOrderShipped>("wms.main.order.shipped")
        .await
        .is_empty()
    {
        assert!(
            Instant::now() < deadline,
            "the webhook woke the poller: {}",
            app.http
                .get(format!("{}/_sim/webhooks", app.sim.base_url()))
                .send()
                .await
                .expect("deliveries")
                .text()
                .await
                .unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.cancel();
    watching.await.expect("task").expect("stopped cleanly");
}
