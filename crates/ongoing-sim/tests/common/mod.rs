//! Test harness shared by the contract tests: `spawn_sim()` starts a simulator on a free port
//! and gives a plain reqwest client that talks to it the way any Ongoing client would.
//! Nothing here uses the simulator's own types: requests and answers are raw JSON.

#![allow(dead_code)]

use std::path::PathBuf;

use ongoing_sim::{OngoingSim, OngoingSimBuilder, RunningSim};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const USER: &str = "sandbox";
pub const PASSWORD: &str = "sandbox";

/// A running simulator and a client for it.
pub struct TestSim {
    pub sim: RunningSim,
    pub client: reqwest::Client,
    pub goods_owner_id: i64,
}

/// The default simulator (warehouse `sandbox`, `sandbox`/`sandbox`, goods owner 1).
pub async fn spawn_sim() -> TestSim {
    spawn_sim_with(OngoingSim::builder(), 1).await
}

/// A simulator built from `builder`; `goods_owner_id` must match what the builder sets.
pub async fn spawn_sim_with(builder: OngoingSimBuilder, goods_owner_id: i64) -> TestSim {
    let sim = builder
        .goods_owner_id(goods_owner_id)
        .build()
        .spawn("127.0.0.1:0")
        .await
        .expect("simulator starts");
    TestSim {
        sim,
        client: reqwest::Client::new(),
        goods_owner_id,
    }
}

/// An answer: status, headers and the body as JSON (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl TestSim {
    pub fn api(&self, path: &str) -> String {
        format!("{}/{}", self.sim.api_url(), path.trim_start_matches('/'))
    }

    pub fn control(&self, path: &str) -> String {
        format!(
            "{}/_sim/{}",
            self.sim.base_url(),
            path.trim_start_matches('/')
        )
    }

    /// An authenticated REST API call.
    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Answer {
        let mut request = self
            .client
            .request(method, self.api(path))
            .basic_auth(USER, Some(PASSWORD));
        if let Some(body) = body {
            request = request.json(body);
        }
        answer(request.send().await.expect("the simulator answers")).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Answer {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Option<&Value>) -> Answer {
        self.call(Method::PATCH, path, body).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, None).await
    }

    /// A control call (`/_sim/...`): no credentials.
    pub async fn control_post(&self, path: &str, body: &Value) -> Answer {
        let response = self
            .client
            .post(self.control(path))
            .json(body)
            .send()
            .await
            .expect("control API answers");
        answer(response).await
    }

    pub async fn control_get(&self, path: &str) -> Value {
        let response = self
            .client
            .get(self.control(path))
            .send()
            .await
            .expect("control API answers");
        assert_eq!(response.status(), StatusCode::OK, "GET /_sim/{path}");
        response.json().await.expect("control JSON")
    }

    pub async fn state(&self) -> Value {
        self.control_get("state").await
    }

    pub async fn requests(&self, since: u64) -> Vec<Value> {
        let log = self.control_get(&format!("requests?since={since}")).await;
        log.as_array().cloned().expect("request log is an array")
    }

    /// Creates an article and puts `stock` items on the shelf.
    pub async fn article(&self, number: &str, stock: f64) -> i64 {
        let created = self
            .put(
                "articles",
                &json!({ "goodsOwnerId": self.goods_owner_id, "articleNumber": number, "articleName": format!("Article {number}") }),
            )
            .await;
        assert_eq!(
            created.status,
            StatusCode::OK,
            "article {number}: {:?}",
            created.body
        );
        if stock > 0.0 {
            let moved = self
                .control_post("stock", &json!({ "articleNumber": number, "delta": stock }))
                .await;
            assert_eq!(
                moved.status,
                StatusCode::OK,
                "stock for {number}: {:?}",
                moved.body
            );
        }
        created.body["articleSystemId"]
            .as_i64()
            .expect("articleSystemId")
    }

    /// Creates an order `number` with `lines` of `(articleNumber, quantity)`; returns its id.
    pub async fn order(&self, number: &str, lines: &[(&str, f64)]) -> i64 {
        let order_lines: Vec<Value> = lines
            .iter()
            .enumerate()
            .map(|(i, (article, qty))| json!({ "rowNumber": (i + 1).to_string(), "articleNumber": article, "numberOfItems": qty }))
            .collect();
        let created = self
            .put(
                "orders",
                &json!({
                    "goodsOwnerId": self.goods_owner_id,
                    "orderNumber": number,
                    "deliveryDate": "2030-01-01",
                    "consignee": { "name": "Test Person", "address1": "Street 1", "postCode": "11122", "city": "Stockholm", "countryCode": "SE" },
                    "orderLines": order_lines,
                }),
            )
            .await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "order {number}: {:?}",
            created.body
        );
        created.body["orderId"].as_i64().expect("orderId")
    }

    /// The `/_sim/state` row of an order.
    pub async fn order_state(&self, number: &str) -> Value {
        let state = self.state().await;
        state["orders"]
            .as_array()
            .and_then(|orders| orders.iter().find(|o| o["orderNumber"] == number))
            .cloned()
            .unwrap_or_else(|| panic!("order {number} in /_sim/state"))
    }

    /// The `/_sim/state` inventory row of an article.
    pub async fn inventory(&self, number: &str) -> Value {
        let state = self.state().await;
        state["inventory"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["articleNumber"] == number))
            .cloned()
            .unwrap_or_else(|| panic!("article {number} in /_sim/state inventory"))
    }
}

pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

/// An official example from `tests/fixtures/ongoing/`.
pub fn fixture(path: &str) -> Value {
    let text = fixture_text(path);
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("fixture {path}: {err}"))
}

pub fn fixture_text(path: &str) -> String {
    let file: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "fixtures",
        "ongoing",
        path,
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&file).unwrap_or_else(|err| panic!("fixture {}: {err}", file.display()))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every member of `example` must be in `actual` with the same JSON kind (null on either side
/// matches anything; extra members in `actual` are allowed: the simulator follows a newer spec
/// than the examples). Array elements of `actual` are compared with the example's first one;
/// an empty array where the example has elements is reported, so a test must produce data.
pub fn shape_problems(example: &Value, actual: &Value, at: &str, problems: &mut Vec<String>) {
    match (example, actual) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(expected), Value::Object(got)) => {
            for (key, expected_value) in expected {
                let here = format!("{at}.{key}");
                match got.get(key) {
                    Some(got_value) => shape_problems(expected_value, got_value, &here, problems),
                    None => problems.push(format!("{here}: missing")),
                }
            }
        }
        (Value::Array(expected), Value::Array(got)) => {
            if let Some(first) = expected.first() {
                if got.is_empty() {
                    problems.push(format!("{at}: empty array where the example has elements"));
                }
                for (index, element) in got.iter().enumerate() {
                    shape_problems(first, element, &format!("{at}[{index}]"), problems);
                }
            }
        }
        (e, a) if kind(e) == kind(a) => {}
        (e, a) => problems.push(format!(
            "{at}: example has {}, simulator has {}",
            kind(e),
            kind(a)
        )),
    }
}

pub fn assert_same_shape(example: &Value, actual: &Value, what: &str) {
    let mut problems = Vec::new();
    shape_problems(example, actual, "$", &mut problems);
    assert!(
        problems.is_empty(),
        "{what} differs from the official example:\n{}\nsimulator answered: {actual:#}",
        problems.join("\n")
    );
}
