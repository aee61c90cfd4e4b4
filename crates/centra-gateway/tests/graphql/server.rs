//! A small in-test HTTP server answering the Integration API's documented JSON, scripted per
//! operation, recording every request (until the Centra simulator speaks GraphQL).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use centra_gateway::client_graphql::{GraphqlClient, GraphqlOptions};
use domain::{CentraApi, CentraEndpoint, EndpointName, EndpointRole, Secret};
use serde_json::{Value, json};

pub const TOKEN: &str = "gql-t0ken-never-printed";

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Value,
}

impl Reply {
    /// HTTP 200 with `data` and Centra's `extensions`.
    pub fn data(data: Value) -> Self {
        let mut body = json!({
            "extensions": {"complexity": 120, "permissionsUsed": [], "appVersion": "test"}
        });
        body["data"] = data;
        Self {
            status: 200,
            headers: Vec::new(),
            body,
        }
    }

    pub fn status(status: u16, body: Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body,
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// One request the server saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub operation: String,
    pub authorization: Option<String>,
    pub body: Value,
    pub at: Instant,
}

#[derive(Default)]
struct Script {
    replies: HashMap<String, VecDeque<Reply>>,
    seen: Vec<Seen>,
}

/// The running server.
#[derive(Clone)]
pub struct FakeCentra {
    pub url: String,
    script: Arc<Mutex<Script>>,
}

/// What `rateLimits` answers unless scripted: the documented example quotas, all left.
pub fn documented_rate_limits() -> Value {
    let bucket = |kind: &str, interval: &str, quota: u64| json!({"type": kind, "intervalSeconds": interval, "quota": quota, "usedQuota": 0, "remainingQuota": quota});
    json!({"rateLimits": [
        bucket("REQUEST_COUNT", "TEN_SECONDS", 20),
        bucket("REQUEST_COUNT", "ONE_HOUR", 10_000),
        bucket("QUERY_COMPLEXITY", "TEN_SECONDS", 150_000),
        bucket("QUERY_COMPLEXITY", "ONE_HOUR", 20_000_000),
        bucket("MUTATION_COUNT", "TEN_SECONDS", 100),
        bucket("MUTATION_COUNT", "ONE_HOUR", 1_000),
    ]})
}

async fn answer(
    State(script): State<Arc<Mutex<Script>>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let operation = body
        .get("operationName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let reply = {
        let mut script = script.lock().expect("script");
        script.seen.push(Seen {
            operation: operation.clone(),
            authorization: headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body,
            at: Instant::now(),
        });
        script
            .replies
            .get_mut(&operation)
            .and_then(VecDeque::pop_front)
    };
    let reply = reply.unwrap_or_else(|| match operation.as_str() {
        "RateLimits" => Reply::data(documented_rate_limits()),
        other => Reply::status(
            500,
            json!({"errors": [{"message": format!("no reply scripted for {other}")}]}),
        ),
    });
    let mut response = (
        StatusCode::from_u16(reply.status).expect("status"),
        axum::Json(reply.body),
    )
        .into_response();
    for (name, value) in reply.headers {
        response
            .headers_mut()
            .insert(name, value.parse().expect("header value"));
    }
    response
}

impl FakeCentra {
    pub async fn start() -> Self {
        let script = Arc::new(Mutex::new(Script::default()));
        let app = Router::new()
            .route("/graphql", post(answer))
            .with_state(script.clone());
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://{addr}/graphql"),
            script,
        }
    }

    /// Queues `reply` for the next request of `operation` (its `operationName`).
    pub fn reply(&self, operation: &str, reply: Reply) {
        self.script
            .lock()
            .expect("script")
            .replies
            .entry(operation.to_owned())
            .or_default()
            .push_back(reply);
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.script.lock().expect("script").seen.clone()
    }

    /// The operations requested so far, in order.
    pub fn operations(&self) -> Vec<String> {
        self.seen().into_iter().map(|s| s.operation).collect()
    }

    pub fn endpoint(&self) -> CentraEndpoint {
        CentraEndpoint {
            name: EndpointName::parse("shop1").expect("name"),
            api: CentraApi::Graphql,
            base_url: self.url.clone(),
            secret: Secret::new(""),
            token: Some(Secret::new(TOKEN)),
            token_expires_on: None,
            admin_user_id: None,
            webhook_secret: None,
            role: EndpointRole::Retail,
            order_number_prefix: None,
            requests_per_second: None,
        }
    }

    /// A client with quick retries (a `Retry-After` up to 2 s is honoured).
    pub fn client(&self) -> GraphqlClient {
        let options = GraphqlOptions {
            retry: platform_http::RetryPolicy::quick(),
            request_timeout: Duration::from_secs(5),
            page_size: 2,
            ..GraphqlOptions::default()
        };
        GraphqlClient::new(&self.endpoint(), options).expect("client")
    }
}
