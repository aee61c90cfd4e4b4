//! The Integration API (`POST /graphql`) over real HTTP with a plain reqwest client: auth and
//! permissions, queries, mutations against the same store as the Order API, rate limits (with
//! the simulator's clock instead of sleeping), the events queue, faults and the request log.

mod access;
mod events;
mod goods;
mod limits;
mod reading;
mod shipping;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::harness::TestSim;

/// The token a fresh simulator accepts.
pub const TOKEN: &str = "sandbox-graphql-token";

/// One answer of `/graphql`.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    /// `data.<field>`, asserting the call had no top-level errors.
    pub fn data(&self, field: &str) -> &Value {
        assert_eq!(self.status, 200, "{}", self.body);
        assert!(self.body.get("errors").is_none(), "errors: {}", self.body);
        &self.body["data"][field]
    }
}

pub fn graphql_url(t: &TestSim) -> String {
    format!("{}/graphql", t.sim.url())
}

/// A call with `token` (none: no Authorization header).
pub async fn gql_as(t: &TestSim, token: Option<&str>, query: &str, variables: Value) -> Answer {
    let mut request = t
        .http
        .post(graphql_url(t))
        .json(&json!({"query": query, "variables": variables}));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("graphql answered");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("graphql body");
    let body = serde_json::from_str(&text).unwrap_or_else(|_| json!({ "text": text }));
    Answer {
        status,
        headers,
        body,
    }
}

/// A call with the default token.
pub async fn gql(t: &TestSim, query: &str, variables: Value) -> Answer {
    gql_as(t, Some(TOKEN), query, variables).await
}

/// The internal id of a shipment (`Shipment.id`), from `/_sim/state`.
pub async fn shipment_id(t: &TestSim, number: &str) -> i64 {
    t.shipment_state(number).await["id"]
        .as_i64()
        .expect("shipment id in state")
}

/// A token with exactly these permissions (integration `tests`).
pub async fn token_with(t: &TestSim, token: &str, permissions: &[&str]) {
    t.control(
        "/graphql/tokens",
        &json!({"token": token, "permissions": permissions, "integration": "tests"}),
    )
    .await;
}
