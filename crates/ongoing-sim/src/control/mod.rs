//! The control API under `/_sim/` (simulators.md, stable: change only by adding). No
//! credentials, never faulted, errors as `{"error": "..."}`.
//!
//! | route | does |
//! | --- | --- |
//! | `GET /_sim/health` | `{"ok": true}` |
//! | `POST /_sim/reset` | empty all state (records, request log, faults, webhook settings) |
//! | `GET /_sim/state` | the whole state (see `state_view.rs`) |
//! | `GET /_sim/requests?since=N` | API calls with `seq > N` |
//! | `GET/POST /_sim/faults` | fault settings (see `faults.rs`) |
//! | `GET/POST /_sim/webhooks` | webhook settings and deliveries (see `webhooks/mod.rs`) |
//! | `POST /_sim/orders/{orderNumber}/ship` | pick, pack, track, set status (default 450) |
//! | `POST /_sim/orders/{orderNumber}/status` | `{"status": n}` |
//! | `POST /_sim/purchase-orders/{purchaseOrderNumber}/receive` | goods arrive |
//! | `POST /_sim/returns` | a customer return with per-item causes |
//! | `POST /_sim/stock` | a stock movement outside any order |

pub(crate) mod state_view;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::ControlError;
use crate::faults::FaultConfig;
use crate::orders::picking::{ShipRequest, ship};
use crate::purchase_orders::store::{ReceiveRequest, receive};
use crate::returns::register::{ReturnRequest, register};
use crate::state::Sim;
use crate::stock::{StockMovementRequest, adjust, open_quantities};
use crate::webhooks::WebhookSettings;

pub(crate) fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/_sim/health", get(health))
        .route("/_sim/reset", post(reset))
        .route("/_sim/state", get(state))
        .route("/_sim/requests", get(requests))
        .route("/_sim/faults", get(get_faults).post(set_faults))
        .route("/_sim/webhooks", get(get_webhooks).post(set_webhooks))
        .route("/_sim/orders/{orderNumber}/ship", post(ship_order))
        .route("/_sim/orders/{orderNumber}/status", post(order_status))
        .route(
            "/_sim/purchase-orders/{purchaseOrderNumber}/receive",
            post(receive_purchase_order),
        )
        .route("/_sim/returns", post(register_return))
        .route("/_sim/stock", post(move_stock))
}

/// Reads a control body; an empty body reads as `{}`.
fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ControlError> {
    let text = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        bytes
    };
    serde_json::from_slice(text)
        .map_err(|err| ControlError::bad_request(format!("invalid request body: {err}")))
}

fn param<'a>(params: &'a HashMap<String, String>, name: &str) -> Result<&'a str, ControlError> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| ControlError::bad_request(format!("missing path parameter {name}")))
}

async fn health() -> Json<Value> {
    Json(json!({ "ok": true }))
}

async fn reset(State(sim): State<Arc<Sim>>) -> Json<Value> {
    sim.reset();
    tracing::info!("simulator state reset");
    Json(json!({ "ok": true }))
}

async fn state(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let store = sim.store();
    Json(state_view::state(&sim, &store))
}

#[derive(Debug, Deserialize)]
struct Since {
    #[serde(default)]
    since: u64,
}

async fn requests(State(sim): State<Arc<Sim>>, Query(since): Query<Since>) -> Json<Value> {
    Json(json!(sim.log.since(since.since)))
}

async fn get_faults(State(sim): State<Arc<Sim>>) -> Json<FaultConfig> {
    Json(sim.faults.get())
}

async fn set_faults(
    State(sim): State<Arc<Sim>>,
    bytes: Bytes,
) -> Result<Json<FaultConfig>, ControlError> {
    let config = sim.faults.set(body(&bytes)?)?;
    tracing::info!(?config, "faults set");
    Ok(Json(config))
}

async fn get_webhooks(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!({ "settings": sim.webhooks.settings(), "deliveries": sim.webhooks.deliveries() }))
}

async fn set_webhooks(
    State(sim): State<Arc<Sim>>,
    bytes: Bytes,
) -> Result<Json<Value>, ControlError> {
    let settings: WebhookSettings = body(&bytes)?;
    if let Some(url) = &settings.url
        && !url.is_empty()
        && url::Url::parse(url).is_err()
    {
        return Err(ControlError::bad_request(format!(
            "webhook url {url} is not a valid URL"
        )));
    }
    sim.webhooks.configure(settings.clone());
    Ok(Json(json!({ "settings": settings })))
}

async fn ship_order(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
    bytes: Bytes,
) -> Result<Json<Value>, ControlError> {
    let number = param(&params, "orderNumber")?;
    let request: ShipRequest = body(&bytes)?;
    let mut store = sim.store();
    let (order_id, events) = ship(&mut store, &sim.config, number, &request, Utc::now())?;
    sim.publish(&store, &events);
    tracing::info!(order_number = %number, order_id, "shipped order");
    Ok(Json(state_view::order_row(
        &store.orders[&order_id],
        &store,
    )))
}

#[derive(Debug, Deserialize)]
struct StatusRequest {
    status: i32,
}

async fn order_status(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
    bytes: Bytes,
) -> Result<Json<Value>, ControlError> {
    let number = param(&params, "orderNumber")?;
    let request: StatusRequest = body(&bytes)?;
    let mut store = sim.store();
    let order_id = store
        .order_id_by_number(number)
        .ok_or_else(|| ControlError::not_found(format!("order {number} does not exist")))?;
    let events = crate::orders::store::set_status(
        &mut store,
        &sim.config,
        order_id,
        request.status,
        Utc::now(),
    );
    sim.publish(&store, &events);
    Ok(Json(state_view::order_row(
        &store.orders[&order_id],
        &store,
    )))
}

async fn receive_purchase_order(
    State(sim): State<Arc<Sim>>,
    Path(params): Path<HashMap<String, String>>,
    bytes: Bytes,
) -> Result<Json<Value>, ControlError> {
    let number = param(&params, "purchaseOrderNumber")?;
    let request: ReceiveRequest = body(&bytes)?;
    let mut store = sim.store();
    let (id, events) = receive(&mut store, &sim.config, number, &request, Utc::now())?;
    sim.publish(&store, &events);
    Ok(Json(state_view::purchase_order_row(
        &store.purchase_orders[&id],
        &store,
    )))
}

async fn register_return(
    State(sim): State<Arc<Sim>>,
    bytes: Bytes,
) -> Result<Json<Value>, ControlError> {
    let request: ReturnRequest = body(&bytes)?;
    let mut store = sim.store();
    let (order_id, events) = register(&mut store, &sim.config, &request, Utc::now())?;
    sim.publish(&store, &events);
    Ok(Json(state_view::order_row(
        &store.orders[&order_id],
        &store,
    )))
}

async fn move_stock(
    State(sim): State<Arc<Sim>>,
    bytes: Bytes,
) -> Result<Json<Value>, ControlError> {
    let request: StockMovementRequest = body(&bytes)?;
    let mut store = sim.store();
    let (article_id, events) = adjust(&mut store, &request, Utc::now())?;
    sim.publish(&store, &events);
    let open = open_quantities(&store, &sim.config);
    let article = store
        .articles
        .get(&article_id)
        .ok_or_else(|| ControlError::not_found("article vanished"))?;
    Ok(Json(state_view::inventory_row(
        article,
        open.get(&article_id),
    )))
}
