//! The control API under `/_sim` (contract: `shared/docs/simulators.md`; change it only by
//! adding). Open to everyone, never faulted, never in the request log.
//!
//! Layout: this file holds the shared routes (health, reset, state, requests, faults,
//! webhooks, plugin allow-list); `products`, `orders` and `deliveries` turn seed JSON into store drafts;
//! `shipments` releases a shipment to the warehouse or takes it back, as a person in the admin;
//! `graphql` holds the Integration API's routes (tokens, rate limits, payments, schema) and the
//! clock.

mod deliveries;
mod graphql;
mod orders;
mod products;
mod shipments;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::app::SharedSim;
use crate::faults::FaultConfig;
use crate::plugin::Group;
use crate::webhooks::WebhookTarget;

pub fn router(sim: SharedSim) -> Router {
    Router::new()
        .route("/_sim/health", get(health))
        .route("/_sim/reset", post(reset))
        .route("/_sim/state", get(state))
        .route("/_sim/requests", get(requests))
        .route("/_sim/faults", get(get_faults).post(set_faults))
        .route("/_sim/webhooks", get(get_webhooks).post(set_webhooks))
        .route("/_sim/plugin", get(get_plugin).post(set_plugin))
        .route("/_sim/products", post(products::upsert))
        .route("/_sim/orders", post(orders::place))
        .route("/_sim/supplier-deliveries", post(deliveries::announce))
        .route(
            "/_sim/shipments/{shipmentId}/good-to-go",
            post(shipments::set_good_to_go),
        )
        .merge(graphql::routes())
        .with_state(sim)
}

/// A control call the simulator cannot take: HTTP 4xx with `{"error": "…"}`.
pub(crate) fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// A control body that is not the JSON the route takes.
#[derive(Debug)]
pub(crate) struct BadBody(String);

impl IntoResponse for BadBody {
    fn into_response(self) -> Response {
        refuse(StatusCode::BAD_REQUEST, format!("invalid body: {}", self.0))
    }
}

/// Reads a control body, refusing bad JSON with 400 and the parser's reason.
pub(crate) fn read<T: DeserializeOwned>(body: &Bytes) -> Result<T, BadBody> {
    serde_json::from_slice(body).map_err(|err| BadBody(err.to_string()))
}

async fn health() -> Json<Value> {
    Json(json!({ "ok": true }))
}

async fn reset(State(sim): State<SharedSim>) -> Json<Value> {
    sim.reset();
    Json(json!({ "ok": true }))
}

async fn state(State(sim): State<SharedSim>) -> Json<Value> {
    Json(sim.read(|store| store.snapshot(&sim.clock)))
}

#[derive(Debug, Deserialize)]
struct Since {
    since: Option<u64>,
}

async fn requests(State(sim): State<SharedSim>, Query(since): Query<Since>) -> Response {
    Json(sim.log.since(since.since.unwrap_or(0))).into_response()
}

async fn get_faults(State(sim): State<SharedSim>) -> Json<FaultConfig> {
    Json(sim.faults.get())
}

/// Replaces the fault settings; absent fields take their defaults (so `{}` clears all faults).
async fn set_faults(State(sim): State<SharedSim>, body: Bytes) -> Response {
    let config: FaultConfig = match read(&body) {
        Ok(c) => c,
        Err(refusal) => return refusal.into_response(),
    };
    match sim.faults.set(config) {
        Ok(()) => Json(sim.faults.get()).into_response(),
        Err(message) => refuse(StatusCode::UNPROCESSABLE_ENTITY, message),
    }
}

async fn get_plugin(State(sim): State<SharedSim>) -> Json<Value> {
    Json(json!({ "deniedGroups": sim.plugin.denied() }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PluginBody {
    #[serde(default)]
    denied_groups: Vec<String>,
}

/// `{"deniedGroups": ["PRODUCT & STOCK", …]}` limits the plugin's endpoint allow-list; `{}`
/// allows every group.
async fn set_plugin(State(sim): State<SharedSim>, body: Bytes) -> Response {
    let body: PluginBody = match read(&body) {
        Ok(b) => b,
        Err(refusal) => return refusal.into_response(),
    };
    let mut denied = std::collections::BTreeSet::new();
    for (i, label) in body.denied_groups.iter().enumerate() {
        match Group::parse(label) {
            Some(group) => {
                denied.insert(group);
            }
            None => {
                return refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!(
                        "deniedGroups[{i}]: {label:?} is not a group (one of {})",
                        Group::ALL.map(Group::label).join(", ")
                    ),
                );
            }
        }
    }
    sim.plugin.deny(denied);
    Json(json!({ "deniedGroups": sim.plugin.denied() })).into_response()
}

async fn get_webhooks(State(sim): State<SharedSim>) -> Json<Value> {
    Json(json!({
        "target": sim.webhooks.target(),
        "deliveries": sim.webhooks.deliveries(),
    }))
}

/// `{"url", "secret"}` (plus `max_retries`, `retry_delay_ms`, `timeout_ms`) sets the target;
/// `{}` or `{"url": null}` turns webhooks off.
async fn set_webhooks(State(sim): State<SharedSim>, body: Bytes) -> Response {
    let raw: Value = match read(&body) {
        Ok(v) => v,
        Err(refusal) => return refusal.into_response(),
    };
    if raw.get("url").is_none_or(Value::is_null) {
        sim.webhooks.set_target(None);
        return Json(json!({ "target": null })).into_response();
    }
    match serde_json::from_value::<WebhookTarget>(raw) {
        Ok(target) => {
            sim.webhooks.set_target(Some(target.clone()));
            Json(json!({ "target": target })).into_response()
        }
        Err(err) => refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("invalid webhook target: {err}"),
        ),
    }
}
