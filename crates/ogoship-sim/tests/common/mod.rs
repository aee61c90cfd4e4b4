//! Test harness shared by the contract tests: `spawn_sim()` starts a simulator on a free port,
//! gets a token the way any OGOship client would, and gives a plain reqwest client. Nothing
//! here uses the simulator's own types: requests and answers are raw JSON.

#![allow(dead_code)]

use ogoship_sim::{OgoshipSim, OgoshipSimBuilder, RunningSim};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const CLIENT_ID: &str = "123456";
pub const CLIENT_SECRET: &str = "abcdef";
pub const MERCHANT_ID: &str = "sandbox-merchant";
pub const MERCHANT_SECRET: &str = "sandbox-secret";

/// A running simulator, a client and a live access token.
pub struct TestSim {
    pub sim: RunningSim,
    pub client: reqwest::Client,
    pub token: String,
}

/// An answer: status, headers and the body as JSON (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
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

/// The default simulator with a password-grant token.
pub async fn spawn_sim() -> TestSim {
    spawn_sim_with(OgoshipSim::builder()).await
}

pub async fn spawn_sim_with(builder: OgoshipSimBuilder) -> TestSim {
    let sim = builder
        .build()
        .spawn("127.0.0.1:0")
        .await
        .expect("simulator starts");
    let client = reqwest::Client::new();
    let granted = password_grant(&client, &sim.token_url()).await;
    assert_eq!(granted.status, StatusCode::OK, "{:?}", granted.body);
    let token = granted.body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned();
    TestSim { sim, client, token }
}

/// `grant_type=password` with the default credentials.
pub async fn password_grant(client: &reqwest::Client, url: &str) -> Answer {
    let form = [
        ("grant_type", "password"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("username", MERCHANT_ID),
        ("password", MERCHANT_SECRET),
        ("scope", "read:order write:order read:product write:product"),
    ];
    answer(
        client
            .post(url)
            .form(&form)
            .send()
            .await
            .expect("token answer"),
    )
    .await
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

    /// A REST API call with `token`.
    pub async fn call_with(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Answer {
        let mut request = self
            .client
            .request(method, self.api(path))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        answer(request.send().await.expect("the simulator answers")).await
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Answer {
        self.call_with(&self.token, method, path, body).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Answer {
        self.call(Method::PUT, path, Some(body)).await
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

    /// Creates product `code` and puts `stock` items on the shelf.
    pub async fn product(&self, code: &str, stock: i64) -> Value {
        let created = self
            .post(
                "products",
                &json!({ "code": code, "name": format!("Product {code}"), "languageCode": "en" }),
            )
            .await;
        assert_eq!(
            created.status,
            StatusCode::OK,
            "product {code}: {:?}",
            created.body
        );
        if stock != 0 {
            let moved = self
                .control_post("stock", &json!({ "productCode": code, "delta": stock }))
                .await;
            assert_eq!(
                moved.status,
                StatusCode::OK,
                "stock {code}: {:?}",
                moved.body
            );
        }
        created.body
    }

    /// An order body with a valid customer and shipping method.
    pub fn order_body(reference: &str, lines: &[(&str, i64)]) -> Value {
        let order_lines: Vec<Value> = lines
            .iter()
            .map(
                |(code, quantity)| json!({ "code": code, "quantity": quantity, "unitPrice": 10.0 }),
            )
            .collect();
        json!({
            "reference": reference,
            "shippingCode": "POSTI",
            "customer": {
                "name": "Test Person", "address1": "Street 1", "zip": "00100",
                "city": "Helsinki", "countryCode": "FI", "phone": "+358401234567",
                "email": "test@example.com"
            },
            "orderLines": order_lines,
        })
    }

    /// Creates a valid order; returns the `OrderResponse`.
    pub async fn order(&self, reference: &str, lines: &[(&str, i64)]) -> Value {
        let created = self
            .post("orders", &Self::order_body(reference, lines))
            .await;
        assert_eq!(
            created.status,
            StatusCode::OK,
            "order {reference}: {:?}",
            created.body
        );
        created.body
    }

    /// The `/_sim/state` row of an order.
    pub async fn order_state(&self, reference: &str) -> Value {
        let state = self.state().await;
        state["orders"]
            .as_array()
            .and_then(|orders| orders.iter().find(|o| o["reference"] == reference))
            .cloned()
            .unwrap_or_else(|| panic!("order {reference} in /_sim/state"))
    }

    /// The `GET /stock` row of a product.
    pub async fn stock(&self, code: &str) -> Value {
        let rows = self.get(&format!("stock?productCode={code}")).await;
        assert_eq!(rows.status, StatusCode::OK, "{:?}", rows.body);
        rows.body[0].clone()
    }
}
