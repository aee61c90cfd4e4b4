//! `spawn_sim()` and a plain reqwest client written for the tests (no product code), plus
//! fixture loading with `{{NAME}}` placeholders.

use std::path::PathBuf;
use std::time::Duration;

use centra_sim::{CentraSim, CentraSimBuilder, RunningSim};
use serde_json::Value;

pub const SECRET: &str = "test-secret";

/// A simulator on a free port and a client for it.
pub struct TestSim {
    pub sim: RunningSim,
    pub http: reqwest::Client,
}

pub async fn spawn_sim() -> TestSim {
    spawn_sim_with(CentraSim::builder()).await
}

pub async fn spawn_sim_with(builder: CentraSimBuilder) -> TestSim {
    let sim = builder
        .secret(SECRET)
        .spawn("127.0.0.1:0".parse().expect("loopback address"))
        .await
        .expect("simulator starts");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("http client");
    TestSim { sim, http }
}

impl TestSim {
    pub fn api_url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.base_url())
    }

    pub fn control_url(&self, path: &str) -> String {
        format!("{}/_sim{path}", self.sim.url())
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .request(method, self.api_url(path))
            .header("API-Authorization", SECRET);
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("api call answered")
    }

    /// An Order API call that must answer HTTP 200 with JSON; returns the JSON.
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Value {
        let response = self.send(method.clone(), path, body).await;
        assert_eq!(response.status(), 200, "{method} {path}");
        response.json().await.expect("json answer")
    }

    pub async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Value {
        self.call(reqwest::Method::PUT, path, Some(body)).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// A control call that must succeed (2xx); returns the JSON.
    pub async fn control(&self, path: &str, body: &Value) -> Value {
        let response = self
            .http
            .post(self.control_url(path))
            .json(body)
            .send()
            .await
            .expect("control call answered");
        let status = response.status();
        let text = response.text().await.expect("control body");
        assert!(status.is_success(), "POST /_sim{path}: {status} {text}");
        serde_json::from_str(&text).expect("control json")
    }

    pub async fn control_get(&self, path: &str) -> Value {
        self.http
            .get(self.control_url(path))
            .send()
            .await
            .expect("control call answered")
            .json()
            .await
            .expect("control json")
    }

    pub async fn state(&self) -> Value {
        self.control_get("/state").await
    }

    pub async fn seed_catalog(&self) {
        self.control("/products", &fixture("sim-products.json", &[]))
            .await;
    }

    /// Places the fixture order with `order_id`, changed by `edit`; answers the seed response.
    pub async fn seed_order_with(&self, order_id: u64, edit: impl FnOnce(&mut Value)) -> Seeded {
        let mut body = fixture("sim-order.json", &[("ORDER_ID", &order_id.to_string())]);
        edit(&mut body);
        let answer = self.control("/orders", &body).await;
        Seeded::from(&answer)
    }

    pub async fn seed_order(&self, order_id: u64) -> Seeded {
        self.seed_order_with(order_id, |_| {}).await
    }

    /// The `/_sim/state` entry of one shipment.
    pub async fn shipment_state(&self, shipment: &str) -> Value {
        let state = self.state().await;
        state["shipments"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["shipmentId"] == shipment))
            .cloned()
            .unwrap_or_else(|| panic!("shipment {shipment} in state: {state}"))
    }

    /// The `/_sim/state` stock entry of one joined SKU.
    pub async fn stock_state(&self, key: &str) -> Value {
        let state = self.state().await;
        state["stock"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["key"] == key))
            .cloned()
            .unwrap_or_else(|| panic!("stock {key} in state: {state}"))
    }
}

/// Ids `POST /_sim/orders` answered.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub order_id: String,
    pub shipment_id: String,
    pub order_lines: Vec<String>,
    pub shipment_lines: Vec<String>,
}

impl From<&Value> for Seeded {
    fn from(v: &Value) -> Self {
        let strings = |key: &str| -> Vec<String> {
            v[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        Self {
            order_id: v["orderId"].as_str().expect("orderId").to_owned(),
            shipment_id: v["shipmentId"].as_str().expect("shipmentId").to_owned(),
            order_lines: strings("orderLineIds"),
            shipment_lines: strings("shipmentLineIds"),
        }
    }
}

/// One of our own fixtures (`tests/fixtures/<name>`), placeholders filled in.
pub fn fixture(name: &str, values: &[(&str, &str)]) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let mut text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()));
    for (key, value) in values {
        text = text.replace(&format!("{{{{{key}}}}}"), value);
    }
    assert!(
        !text.contains("{{"),
        "fixture {name} has unfilled placeholders"
    );
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// True when running under CI, where nothing may be skipped.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The published Centra examples folder, or `None` (with a printed reason) outside CI.
pub fn published_examples(test: &str) -> Option<PathBuf> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/centra/order-api");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        !under_ci(),
        "{test}: {} is missing but CI is set; the shared fixtures must sit next to the checkout",
        dir.display()
    );
    eprintln!(
        "skipped {test}: {} not found (the shared fixtures sit next to the checkout; CI has them)",
        dir.display()
    );
    None
}
