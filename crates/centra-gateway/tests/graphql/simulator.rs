//! The GraphQL client against the Centra simulator's Integration API (crates/centra-sim,
//! `src/graphql/`), which follows the same public docs on its own: the two share no schema, so
//! a misreading on either side fails here.

use std::time::Duration;

use centra_gateway::client_graphql::{
    BucketKind, Capture, ChangeType, Completion, GraphqlClient, GraphqlErrorKind, GraphqlOptions,
    ObjectType, ShipmentQuery, Window,
};
use centra_gateway::connection::{CentraConnection, ShipmentCompletion};
use centra_sim::{CentraSim, RunningSim};
use domain::{CentraApi, CentraEndpoint, EndpointName, EndpointRole, Secret, ShipmentId};
use serde_json::{Value, json};

struct Sim {
    sim: RunningSim,
    http: reqwest::Client,
}

impl Sim {
    async fn start() -> Self {
        let sim = CentraSim::builder()
            .secret("order-api-secret")
            .time_zone(chrono_tz::Europe::Stockholm)
            .spawn("127.0.0.1:0".parse().expect("loopback"))
            .await
            .expect("simulator starts");
        Self {
            sim,
            http: reqwest::Client::new(),
        }
    }

    async fn control(&self, path: &str, body: &Value) -> Value {
        let response = self
            .http
            .post(format!("{}/_sim{path}", self.sim.url()))
            .json(body)
            .send()
            .await
            .expect("control answered");
        assert!(
            response.status().is_success(),
            "POST /_sim{path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    async fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}/_sim{path}", self.sim.url()))
            .send()
            .await
            .expect("control answered")
            .json()
            .await
            .expect("json")
    }

    /// The `/graphql` calls the simulator logged: `(operationName, rateLimited)`.
    async fn graphql_calls(&self) -> Vec<(String, bool)> {
        let log = self.get("/requests?since=0").await;
        log.as_array()
            .or_else(|| log["requests"].as_array())
            .expect("request log")
            .iter()
            .filter_map(|entry| {
                let call = entry.get("graphql")?;
                Some((
                    call["operationName"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    call["rateLimited"].as_bool().unwrap_or(false),
                ))
            })
            .collect()
    }

    fn client(&self) -> GraphqlClient {
        self.client_with(centra_sim::graphql::DEFAULT_TOKEN)
    }

    fn client_with(&self, token: &str) -> GraphqlClient {
        let endpoint = CentraEndpoint {
            name: EndpointName::parse("shop1").expect("name"),
            api: CentraApi::Graphql,
            base_url: format!("{}/graphql", self.sim.url()),
            secret: Secret::new(""),
            token: Some(Secret::new(token)),
            token_expires_on: None,
            admin_user_id: None,
            webhook_secret: None,
            role: EndpointRole::Retail,
            order_number_prefix: None,
            requests_per_second: None,
        };
        let options = GraphqlOptions {
            retry: platform_http::RetryPolicy::quick(),
            request_timeout: Duration::from_secs(10),
            ..GraphqlOptions::default()
        };
        GraphqlClient::new(&endpoint, options).expect("client")
    }
}

fn products() -> Value {
    json!({"products": [
        {"productId": 7001, "product": "Harbour jacket", "name": "Harbour Jacket", "variantId": 7101,
         "variant": "Navy", "variantSku": "NVY", "sku": "HJ100", "stockItemId": 9001, "size": "S",
         "sizeSku": "S", "ean": "7350000000011", "active": true, "weight": 0.85, "weightUnit": "kg",
         "countryOfOrigin": "PT", "harmCode": "6201300000",
         "prices": [{"pricelist": "EUR Europe", "currency": "EUR", "price": 149.0}], "physicalStock": 10}
    ]})
}

fn order(paid: bool) -> Value {
    json!({
        "order": {
            "paid": paid, "shouldCapture": !paid, "captureFails": false,
            "delivery": {"name": "Astrid Lind", "company": "", "address": "Hamngatan 4", "coaddress": "",
                          "zipcode": "11147", "city": "Stockholm", "state": "", "country": "SE",
                          "email": "astrid@example.invalid", "cell": "+46700000000", "tele": ""},
            "shippingList": "postnord-parcel", "carrier": "PostNord", "service": "MyPack",
            "lines": [{"ean": "7350000000011", "sku": "HJ100", "variantSku": "NVY", "sizeSku": "S", "qty": 2, "price": 149.0}]
        },
        "goodToGo": true
    })
}

async fn seeded() -> Sim {
    let sim = Sim::start().await;
    sim.control("/products", &products()).await;
    sim
}

#[tokio::test]
async fn shipments_are_read_captured_and_completed_with_tracking() {
    let sim = seeded().await;
    sim.control("/orders", &order(false)).await;
    let client = sim.client();
    let query = ShipmentQuery {
        good_to_go: Some(true),
        shipped: Some(false),
        ..ShipmentQuery::default()
    };
    let shipments = client.shipments(&query).await.expect("read");
    assert_eq!(shipments.len(), 1, "{shipments:?}");
    let shipment = shipments[0].clone().expect("readable");
    assert_eq!(shipment.number, "1001-1");
    assert_eq!(shipment.order_number, 1001);
    assert_eq!(shipment.lines[0].quantity, 2);
    assert_eq!(shipment.lines[0].sku.as_deref(), Some("HJ100NVYS"));
    assert!(!shipment.paid);

    assert_eq!(
        client
            .capture_shipment(shipment.id)
            .await
            .expect("captured"),
        Capture::Captured
    );
    let completed = client
        .complete_shipment(
            shipment.id,
            &Completion {
                carrier: Some("PostNord".to_owned()),
                tracking_number: Some("00370712345".to_owned()),
                packages: Some(1),
                ..Completion::default()
            },
        )
        .await
        .expect("completed");
    assert!(completed.shipped);
    assert_eq!(completed.tracking_number.as_deref(), Some("00370712345"));
    let again = client
        .complete_shipment(shipment.id, &Completion::default())
        .await
        .expect_err("completed once");
    assert!(again.refusal().is_some(), "{again}");
}

/// A completion after the shipment was read (order-sync reads it just before: paid, not
/// completed) takes the id from that read and reads nothing more; an id remembered stale (a
/// shipment deleted and one numbered the same made since) is forgotten when Centra refuses
/// it, and the completion asked again with the id read fresh.
#[tokio::test]
async fn a_completion_uses_the_id_the_last_read_showed_and_a_stale_one_is_read_again() {
    let sim = seeded().await;
    sim.control("/orders", &order(true)).await;
    sim.control("/orders", &order(true)).await;
    let client = sim.client();
    let connection = CentraConnection::Graphql(client.clone());
    let completion = |number: &str| ShipmentCompletion {
        shipment_id: number.parse::<ShipmentId>().expect("shipment id"),
        order_id: String::new(),
        capture: false,
        carrier: "PostNord".to_owned(),
        service: String::new(),
        tracking_numbers: vec!["00370712345".to_owned()],
        packages: 1,
        return_slip_tracking: String::new(),
        send_email: None,
        internal_comment: String::new(),
    };
    let first: ShipmentId = "1001-1".parse().expect("shipment id");
    let state = connection
        .shipment_state(&first)
        .await
        .expect("read")
        .expect("known");
    assert!(state.shipment.paid);
    connection
        .complete_once(&completion("1001-1"))
        .await
        .expect("completed");
    assert_eq!(
        sim.graphql_calls().await,
        [
            ("RateLimits".to_owned(), false),
            ("ShipmentDetail".to_owned(), false),
            ("CompleteShipment".to_owned(), false)
        ],
        "the read before the completion showed the id"
    );

    client.shipment_ids().remember("1002-1", 999_999);
    connection
        .complete_once(&completion("1002-1"))
        .await
        .expect("completed with the id read fresh");
    let calls: Vec<String> = sim
        .graphql_calls()
        .await
        .into_iter()
        .skip(3)
        .map(|(operation, _)| operation)
        .collect();
    assert_eq!(
        calls,
        ["CompleteShipment", "ShipmentsPage", "CompleteShipment"],
        "refused with the stale id, read, completed"
    );
    let second = client
        .shipment_details("1002-1")
        .await
        .expect("read")
        .expect("known");
    assert!(second.shipped);
    assert_eq!(client.shipment_ids().get("1002-1"), Some(second.id));
}

#[tokio::test]
async fn a_token_without_the_permission_is_a_credentials_error() {
    let sim = seeded().await;
    sim.control(
        "/graphql/tokens",
        &json!({"token": "catalog-only", "permissions": ["Product:read", "ProductVariant:read", "ProductSize:read"]}),
    )
    .await;
    let client = sim.client_with("catalog-only");
    let products = client.products(&[]).await.expect("allowed");
    let size = &products[0].as_ref().expect("readable").variants[0].sizes[0];
    assert_eq!(size.ean.as_deref(), Some("7350000000011"));
    let error = client
        .capture_shipment(1)
        .await
        .expect_err("no Shipment:write");
    assert!(
        matches!(&error.kind, GraphqlErrorKind::NotAuthorized(m) if m.contains("Shipment")),
        "{error}"
    );
    let error = sim
        .client_with("unknown-token")
        .products(&[])
        .await
        .expect_err("unknown token");
    assert!(error.is_not_authorized(), "{error}");
}

#[tokio::test]
async fn the_events_queue_carries_shipment_changes_until_confirmed() {
    let sim = seeded().await;
    let client = sim.client();
    client
        .set_event_listeners(&[ObjectType::Shipment])
        .await
        .expect("listening");
    sim.control("/orders", &order(true)).await;
    let events: Vec<_> = client
        .events(&[ObjectType::Shipment])
        .await
        .expect("read")
        .into_iter()
        .map(|e| e.expect("readable"))
        .collect();
    let created = events
        .iter()
        .find(|e| e.change_type == ChangeType::Created)
        .expect("the new shipment");
    assert_eq!(created.object_type, ObjectType::Shipment);
    let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
    client.confirm_events(&ids).await.expect("confirmed");
    let left = client.events(&[ObjectType::Shipment]).await.expect("read");
    assert!(
        left.is_empty(),
        "confirmed events leave the queue: {left:?}"
    );
}

/// The governor reads the simulator's buckets and paces a burst under them: no call is ever
/// refused with a 429.
#[tokio::test]
async fn a_burst_of_mutations_is_paced_under_the_simulators_quota() {
    let sim = seeded().await;
    sim.control(
        "/graphql/rate-limits",
        &json!({"quotas": [{"type": "MUTATION_COUNT", "interval": "TEN_SECONDS", "quota": 4}], "refill": true}),
    )
    .await;
    let client = sim.client();
    let started = std::time::Instant::now();
    for _ in 0..6 {
        client
            .set_event_listeners(&[ObjectType::Shipment])
            .await
            .expect("never refused");
    }
    let budgets = client.budgets();
    let ten_seconds = budgets
        .iter()
        .find(|b| b.kind == BucketKind::Mutations && b.window == Window::TenSeconds)
        .expect("bucket");
    assert_eq!(ten_seconds.quota, 4, "the simulator's quota, read at start");
    assert!(
        started.elapsed() >= Duration::from_millis(4_500),
        "two mutations waited for the bucket to refill (2.5 s each): {:?}",
        started.elapsed()
    );
    let calls = sim.graphql_calls().await;
    assert_eq!(calls[0].0, "RateLimits", "{calls:?}");
    assert!(
        calls.iter().all(|(_, limited)| !limited),
        "no 429: {calls:?}"
    );
}

/// Another integration spends the shared bucket between the reading and the call: the 429's
/// Retry-After (a Unix timestamp here) holds the client, which reads the buckets again and sends
/// the mutation once more.
#[tokio::test]
async fn a_429_from_another_integrations_spending_is_held_read_and_resent() {
    let sim = seeded().await;
    sim.control(
        "/graphql/rate-limits",
        &json!({"quotas": [{"type": "MUTATION_COUNT", "interval": "TEN_SECONDS", "quota": 5}], "retryAfter": "unix-timestamp", "refill": true}),
    )
    .await;
    let ours = sim.client();
    ours.rate_limits_once().await.expect("read");
    let other = sim.client();
    for _ in 0..5 {
        other
            .set_event_listeners(&[ObjectType::Return])
            .await
            .expect("the other integration's calls");
    }
    ours.set_event_listeners(&[ObjectType::Shipment])
        .await
        .expect("sent again after the hold");
    let calls = sim.graphql_calls().await;
    let limited: Vec<_> = calls.iter().filter(|(_, limited)| *limited).collect();
    assert_eq!(limited.len(), 1, "one 429, no loop: {calls:?}");
    let after = calls
        .iter()
        .position(|(_, limited)| *limited)
        .expect("the 429");
    assert_eq!(
        calls[after + 1].0,
        "RateLimits",
        "the buckets are read again before the resend: {calls:?}"
    );
    assert_eq!(
        calls.last().map(|c| c.0.as_str()),
        Some("SetEventListeners")
    );
}
