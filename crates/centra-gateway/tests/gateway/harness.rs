//! `spawn_app()`: a simulator, a client of it, the gateway's store and its commands.

use std::time::Duration;

use centra_gateway::client::{CentraClient, ClientOptions, RetryPolicy};
use centra_gateway::commands::Commands;
use centra_sim::{CentraSim, RunningSim};
use chrono_tz::Tz;
use domain::{CentraEndpoint, EndpointName, EndpointRole, Secret};
use platform_store::{Store, StoreOptions};
use serde_json::{Value, json};
use tempfile::TempDir;

pub const SECRET: &str = "gateway-test-secret";
pub const ENDPOINT: &str = "shop1";

pub struct TestApp {
    pub sim: RunningSim,
    pub http: reqwest::Client,
    pub store: Store,
    pub client: CentraClient,
    pub commands: Commands,
    pub zone: Tz,
    pub dir: TempDir,
}

/// Short timeouts and delays so fault tests stay fast.
pub fn fast_options() -> ClientOptions {
    ClientOptions {
        request_timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(2),
        retry: RetryPolicy {
            max_retries: 3,
            min_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(3),
        },
        requests_per_second: 1000,
        burst: 1000,
        page_size: 100,
        max_response_bytes: 1024 * 1024,
    }
}

pub fn endpoint(base_url: &str, secret: &str) -> CentraEndpoint {
    CentraEndpoint {
        name: EndpointName::parse(ENDPOINT).expect("name"),
        base_url: base_url.to_owned(),
        secret: Secret::new(secret),
        role: EndpointRole::Retail,
        order_number_prefix: None,
        requests_per_second: None,
        webhook_secret: Some(Secret::new(secret)),
        api: domain::CentraApi::OrderApi,
        token: None,
        token_expires_on: None,
        admin_user_id: None,
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(chrono_tz::Europe::Stockholm, fast_options()).await
}

pub async fn spawn_app_with(zone: Tz, options: ClientOptions) -> TestApp {
    let sim = CentraSim::builder()
        .secret(SECRET)
        .time_zone(zone)
        .spawn("127.0.0.1:0".parse().expect("loopback"))
        .await
        .expect("simulator starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!(
        "sqlite://{}/centra-gateway.db?mode=rwc",
        dir.path().display()
    );
    let store = Store::open(
        StoreOptions::new(centra_gateway::NAME, url),
        &centra_gateway::MIGRATIONS,
    )
    .await
    .expect("store opens");
    let client =
        CentraClient::new(&endpoint(&sim.base_url(), SECRET), zone, options).expect("client");
    let commands = Commands::new([client.clone()], store.clone());
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("http client");
    TestApp {
        sim,
        http,
        store,
        client,
        commands,
        zone,
        dir,
    }
}

impl TestApp {
    /// A control call that must succeed; returns its JSON.
    pub async fn control(&self, path: &str, body: &Value) -> Value {
        let response = self
            .http
            .post(format!("{}/_sim{path}", self.sim.url()))
            .json(body)
            .send()
            .await
            .expect("control call answered");
        assert!(
            response.status().is_success(),
            "POST /_sim{path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    pub async fn state(&self) -> Value {
        self.http
            .get(format!("{}/_sim/state", self.sim.url()))
            .send()
            .await
            .expect("state answered")
            .json()
            .await
            .expect("state json")
    }

    pub async fn requests(&self) -> Vec<Value> {
        let value: Value = self
            .http
            .get(format!("{}/_sim/requests?since=0", self.sim.url()))
            .send()
            .await
            .expect("requests answered")
            .json()
            .await
            .expect("requests json");
        match value {
            Value::Array(items) => items,
            other => other
                .get("requests")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        }
    }

    pub async fn faults(&self, faults: Value) {
        self.control("/faults", &faults).await;
    }

    pub async fn clear_faults(&self) {
        self.faults(json!({"error_rate": 0.0, "throttle_rate": 0.0, "latency_ms": 0, "lost_response_rate": 0.0}))
            .await;
    }

    pub async fn seed_products(&self) {
        self.control("/products", &products()).await;
    }

    /// Places an order (good to go unless told) and returns (order id, shipment id).
    pub async fn place_order(
        &self,
        paid: bool,
        should_capture: bool,
        good_to_go: bool,
    ) -> (String, String) {
        let mut order = order();
        order["order"]["paid"] = json!(paid);
        order["order"]["shouldCapture"] = json!(should_capture);
        order["goodToGo"] = json!(good_to_go);
        let answer = self.control("/orders", &order).await;
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        (text(&answer["orderId"]), text(&answer["shipmentId"]))
    }

    /// A call to the simulated Order API itself (as a person or another integration would make
    /// it), answered with Centra's envelope.
    pub async fn centra_call(&self, method: reqwest::Method, path: &str, body: &Value) -> Value {
        self.http
            .request(method, format!("{}/{path}", self.sim.base_url()))
            .header("API-Authorization", SECRET)
            .json(body)
            .send()
            .await
            .expect("order api answered")
            .json()
            .await
            .expect("order api json")
    }

    /// `(message id, subject)` of every outbox row, oldest first.
    pub async fn outbox_rows(&self) -> Vec<(String, String)> {
        sqlx::query_as::<_, (String, String)>("SELECT message_id, subject FROM outbox ORDER BY seq")
            .fetch_all(self.store.pool())
            .await
            .expect("outbox rows")
    }

    /// The simulator's view of one shipment.
    pub async fn sim_shipment(&self, shipment_id: &str) -> Value {
        let state = self.state().await;
        state["shipments"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["shipmentId"] == json!(shipment_id)))
            .cloned()
            .unwrap_or_else(|| panic!("simulator has shipment {shipment_id}: {state}"))
    }
}

pub fn products() -> Value {
    json!({"products": [
        {"productId": 7001, "product": "Harbour jacket", "name": "Harbour Jacket", "variantId": 7101,
         "variant": "Navy", "variantSku": "NVY", "sku": "HJ100", "stockItemId": 9001, "size": "S",
         "sizeSku": "S", "ean": "7350000000011", "active": true, "weight": 0.85, "weightUnit": "kg",
         "countryOfOrigin": "PT", "harmCode": "6201300000",
         "prices": [{"pricelist": "EUR Europe", "currency": "EUR", "price": 149.0}], "physicalStock": 10},
        {"productId": 7001, "product": "Harbour jacket", "name": "Harbour Jacket", "variantId": 7101,
         "variant": "Navy", "variantSku": "NVY", "sku": "HJ100", "stockItemId": 9002, "size": "M",
         "sizeSku": "M", "ean": "7350000000028", "active": 1, "weight": 0.9, "weightUnit": "kg",
         "countryOfOrigin": "PT", "harmCode": "6201300000",
         "prices": [{"pricelist": "EUR Europe", "currency": "EUR", "price": 149.0}], "physicalStock": 5},
        {"productId": 7002, "product": "Wool cap", "name": "Wool Cap", "variantId": 7201, "variant": "Grey",
         "variantSku": "GRY", "sku": "WC200", "stockItemId": 9003, "size": "One size", "sizeSku": "OS",
         "ean": "7350000000035", "active": true, "weight": 0.1, "weightUnit": "kg",
         "countryOfOrigin": "SE", "harmCode": "6505003000",
         "prices": [{"pricelist": "EUR Europe", "currency": "EUR", "price": "29.00"}], "physicalStock": 3}
    ]})
}

pub fn order() -> Value {
    json!({
        "order": {
            "paid": false, "shouldCapture": true, "captureFails": false,
            "delivery": {"name": "Astrid Lind", "company": "", "address": "Hamngatan 4", "coaddress": "",
                          "zipcode": "11147", "city": "Stockholm", "state": "", "country": "SE",
                          "email": "astrid@example.invalid", "cell": "+46700000000", "tele": ""},
            "shippingList": "postnord-parcel", "carrier": "PostNord", "service": "MyPack",
            "lines": [
                {"ean": "7350000000011", "sku": "HJ100", "variantSku": "NVY", "sizeSku": "S", "qty": 2, "price": 149.0},
                {"ean": "7350000000028", "sku": "HJ100", "variantSku": "NVY", "sizeSku": "M", "qty": 1, "price": 149.0}
            ]
        },
        "goodToGo": true
    })
}
