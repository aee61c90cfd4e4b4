//! Centra's **Integration API** (GraphQL) at `POST /graphql`, over the same store as the Order
//! API: a shipment created through one is seen, completed or returned through the other, and
//! both feed the same webhooks and the events queue. Built with `async-graphql`; the schema is in
//! Centra's names (`Shipment.isGoodToGo`, `completeShipment(id, input: {shipmentInfo})`, …) as the
//! public guides show them (`centrahq/api-documentation`: GraphQL authorization, rate limits,
//! events system, DTC examples; the ERP GQL integration guide). Where those pages are silent the
//! code says `Doc gap:` and what it does instead.
//!
//! ## Contract (what a client and a test can rely on)
//!
//! | topic | behaviour |
//! | --- | --- |
//! | auth | `Authorization: Bearer <token>` or cookie `graphql-access=<token>`; missing, unknown or expired → HTTP 401. A fresh simulator accepts `sandbox-graphql-token` (every permission, integration `centra-wms`). |
//! | permissions | a field the token may not read → `data.<field>: null` plus a top-level `errors[]` entry `"You need Order:read permission to access orders."` with `extensions.category = "authorization"` |
//! | extensions | every answer (401 and 429 included) carries `extensions{complexity, permissionsUsed, appVersion}` |
//! | mutations | refusals are `userErrors[{message, path}]` next to a `null` (or unchanged) result; `userWarnings` say what was done differently |
//! | lists | `limit` (1-200, default 20) and 1-based `page`; `orderConnection`/`shipmentConnection` are Relay connections |
//! | rate limits | six token buckets (`REQUEST_COUNT`, `QUERY_COMPLEXITY`, `MUTATION_COUNT` × `TEN_SECONDS`, `ONE_HOUR`), example quotas by default; over quota → HTTP 429 with `Retry-After`; `rateLimits` needs no permission and is itself charged |
//! | events | `setEventListeners`, `events(where, limit)`, `confirmEvents` per token integration; `object` is the current state |
//! | faults | `POST /_sim/faults` applies to `/graphql` as to the Order API (500, 429, lost responses, latency) |
//! | request log | `GET /_sim/requests` lists `/graphql` calls with `graphql{operationType, operationName, fields, complexity, rateLimited}` |
//!
//! Control routes (all under `/_sim`, see `control::graphql`): `graphql/tokens`,
//! `graphql/rate-limits`, `graphql/payments`, `graphql/capture-requests/settle`,
//! `graphql/schema` (the SDL, also printed by `centra-sim graphql-schema`) and `clock` (moves the
//! simulator's time forward, so a rate-limit window passes without sleeping).
//!
//! ## Layout
//! - `schema`: the schema roots and what resolvers share (dates, pages, money, user errors);
//! - `auth`: tokens and permission checks; `limits`: the token buckets; `operation`: the
//!   extension that charges the buckets and the per-call record;
//! - `types` (orders, shipments, returns), `purchasing` (purchase orders, deliveries) and
//!   `catalog` (products, sizes, stock): the object types;
//! - `queries`; mutations by concept: `shipping`, `stock` (stock and deliveries), `returns`,
//!   `events` (also its queries and the queue); `payments`: capture requests that settle later.

mod auth;
mod catalog;
mod events;
mod limits;
mod operation;
mod payments;
mod purchasing;
mod queries;
mod returns;
mod schema;
mod shipping;
mod stock;
mod types;

use std::sync::Arc;

use async_graphql_axum::GraphQLRequest;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

pub use auth::{DEFAULT_INTEGRATION, DEFAULT_TOKEN, PERMISSIONS, Token, TokenBook};
pub use events::EventQueues;
pub use limits::{RateLimitInterval, RateLimitType, RateLimiter, RetryAfterFormat};
pub use operation::OperationSummary;
pub use payments::{PaymentSettings, Payments};
pub use schema::sdl;

use crate::app::SharedSim;
use operation::{CallRecord, OperationName};

/// Where the Integration API answers.
pub const GRAPHQL_PATH: &str = "/graphql";

/// `extensions.appVersion` of every answer.
pub const APP_VERSION: &str = concat!("v", env!("CARGO_PKG_VERSION"), "-centra-sim");

/// The Integration API's own state.
#[derive(Debug, Default)]
pub struct IntegrationApi {
    pub tokens: TokenBook,
    pub limits: RateLimiter,
    pub events: EventQueues,
    pub payments: Payments,
}

impl IntegrationApi {
    /// As at start: the default token only, example quotas, no listeners or capture requests.
    pub fn reset(&self) {
        self.tokens.reset();
        self.limits.reset();
        self.events.reset();
        self.payments.reset();
    }
}

#[derive(Clone)]
struct Endpoint {
    sim: SharedSim,
    schema: schema::CentraSchema,
}

/// `POST /graphql`, behind the same intake (log, latency, faults) as the Order API.
pub fn router(sim: SharedSim) -> Router {
    let endpoint = Endpoint {
        sim: Arc::clone(&sim),
        schema: schema::build(),
    };
    Router::new()
        .route(GRAPHQL_PATH, post(serve))
        .with_state(endpoint)
        .layer(from_fn_with_state(sim, crate::intake::intake))
}

async fn serve(
    State(endpoint): State<Endpoint>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> Response {
    let request = request.into_inner();
    let sim = endpoint.sim;
    sim.graphql.payments.settle_due(&sim);
    let grant = match sim.graphql.tokens.grant(&headers, sim.now()) {
        Ok(grant) => grant,
        Err(rejection) => {
            let body = json!({
                "errors": [{
                    "message": rejection.message(),
                    "extensions": {"category": "authentication"},
                }],
                "extensions": extensions(0, &[]),
            });
            return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
        }
    };
    let call = Arc::new(CallRecord::default());
    let operation_name = OperationName(request.operation_name.clone());
    let request = request
        .data(Arc::clone(&sim))
        .data(grant)
        .data(Arc::clone(&call))
        .data(operation_name);
    let answer = endpoint.schema.execute(request).await;
    if !call.charged() {
        // Parsing or validation failed before the buckets were charged: still a request.
        let _ = call.charge_request_only(&sim);
    }
    let mut response = match call.refused() {
        Some(limits::Refused::Later { at, bucket }) => {
            let now = sim.now();
            let format = sim.graphql.limits.retry_after_format();
            let body = json!({
                "errors": [{
                    "message": format!("Too many requests: the {bucket} quota is used up"),
                    "extensions": {"category": "rate_limit"},
                }],
                "extensions": extensions(call.complexity(), &call.permissions_used()),
            });
            let mut response = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
            if let Ok(value) = HeaderValue::from_str(&limits::retry_after(format, at, now)) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        _ => {
            let mut body = serde_json::to_value(&answer).unwrap_or_else(|_| json!({}));
            if let Value::Object(map) = &mut body {
                map.insert(
                    "extensions".into(),
                    extensions(call.complexity(), &call.permissions_used()),
                );
            }
            axum::Json(body).into_response()
        }
    };
    response.extensions_mut().insert(call.summary());
    response
}

fn extensions(complexity: u64, permissions: &[String]) -> Value {
    json!({
        "complexity": complexity,
        "permissionsUsed": permissions,
        "appVersion": APP_VERSION,
    })
}
