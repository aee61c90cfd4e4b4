//! The control API under `/_sim/` (simulators.md; stable: change only by adding). No
//! credentials, never faulted, not in the request log, errors as `{"error": "..."}`.
//!
//! | route | does |
//! | --- | --- |
//! | `GET /_sim/health` | `{"ok": true}` |
//! | `POST /_sim/reset` | empty records, request log, faults, webhooks (tokens and clock stay) |
//! | `GET /_sim/state` | the whole state (see `state_view.rs`) |
//! | `GET /_sim/requests?since=N` | API calls with `seq > N` |
//! | `GET/POST /_sim/faults` | fault settings (see `faults.rs`) |
//! | `GET/POST /_sim/webhooks` | `{"url", "secret"}`: catch-all hook; GET also lists deliveries |
//! | `POST /_sim/orders/{reference}/ship` | `{"lines": [{"code", "picked"}]?, "trackingNumber", "trackingUrl"?}` |
//! | `POST /_sim/orders/{reference}/status` | `{"status": "collecting"}` (any status, stock follows) |
//! | `POST /_sim/stock-updates/{reference}/receive` | `{"products": [{"code", "received"}], "status"?}` |
//! | `POST /_sim/returns` | `{"orderReference", "products": [{"code", "quantity", "reason": {"code", "description"}}]}` |
//! | `POST /_sim/stock` | `{"productCode", "delta"}` or `{"productCode", "stock"}` |
//! | `POST /_sim/clock` | `{"advance_s": n}`: moves the simulator clock forward |
//! | `POST /_sim/tokens/revoke` | revokes every access and refresh token (a rotated secret) |

pub(crate) mod state_view;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::{ApiError, ControlError};
use crate::faults::FaultConfig;
use crate::orders::OrderStatus;
use crate::orders::lifecycle::{ShipRequest, apply_status, ship};
use crate::returns::{ReturnRequest, register};
use crate::state::Sim;
use crate::stock::{StockMovement, adjust};
use crate::stock_updates::handlers::{ReceiveRequest, receive};
use crate::webhooks::ControlHook;

pub(crate) fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/_sim/health", get(health))
        .route("/_sim/reset", post(reset))
        .route("/_sim/state", get(state))
        .route("/_sim/requests", get(requests))
        .route("/_sim/faults", get(get_faults).post(set_faults))
        .route("/_sim/webhooks", get(get_webhooks).post(set_webhooks))
        .route("/_sim/orders/{reference}/ship", post(ship_order))
        .route("/_sim/orders/{reference}/status", post(order_status))
        .route(
            "/_sim/stock-updates/{reference}/receive",
            post(receive_stock_update),
        )
        .route("/_sim/returns", post(register_return))
        .route("/_sim/stock", post(move_stock))
        .route("/_sim/clock", get(get_clock).post(advance_clock))
        .route("/_sim/tokens/revoke", post(revoke_tokens))
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

async fn health() -> Json<Value> {
    Json(json!({ "ok": true }))
}

async fn reset(State(sim): State<Arc<Sim>>) -> Json<Value> {
    sim.reset();
    tracing::info!("simulator state reset");
    Json(json!({ "ok": true }))
}

async fn state(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(state_view::state(&sim.store()))
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
    let settings = sim.store().control_hook.clone();
    Json(json!({ "settings": settings, "deliveries": sim.sender.deliveries() }))
}

#[derive(Debug, Deserialize)]
struct HookSettings {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    secret: Option<String>,
}

/// An empty or absent `url` turns the catch-all hook off.
async fn set_webhooks(
    State(sim): State<Arc<Sim>>,
    bytes: Bytes,
) -> Result<Json<Value>, ControlError> {
    let settings: HookSettings = body(&bytes)?;
    let hook = match settings.url.filter(|u| !u.trim().is_empty()) {
        Some(url) => {
            if reqwest::Url::parse(&url).is_err() {
                return Err(ControlError::bad_request(format!(
                    "webhook url {url} is not a valid URL"
                )));
            }
            Some(ControlHook {
                url,
                secret: settings.secret.unwrap_or_default(),
            })
        }
        None => None,
    };
    sim.store().control_hook.clone_from(&hook);
    Ok(Json(json!({ "settings": hook })))
}

async fn ship_order(
    State(sim): State<Arc<Sim>>,
    Path(reference): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ControlError> {
    let request: ShipRequest = body(&bytes)?;
    let row = sim.mutate(|store, now, events| {
        let index = ship(store, &reference, request, now, events)?;
        Ok::<_, ApiError>(state_view::order_row(&store.orders[index]))
    })?;
    tracing::info!(%reference, "shipped order");
    Ok(Json(row))
}

#[derive(Debug, Deserialize)]
struct StatusRequest {
    status: String,
}

async fn order_status(
    State(sim): State<Arc<Sim>>,
    Path(reference): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ControlError> {
    let request: StatusRequest = body(&bytes)?;
    let status = OrderStatus::parse(&request.status).ok_or_else(|| {
        ControlError::bad_request(format!("'{}' is not an order status", request.status))
    })?;
    let row = sim.mutate(|store, now, events| {
        let index = store
            .order_index(&reference)
            .ok_or_else(|| ApiError::not_found(format!("Order '{reference}' was not found.")))?;
        apply_status(store, index, status, now, events);
        Ok::<_, ApiError>(state_view::order_row(&store.orders[index]))
    })?;
    Ok(Json(row))
}

async fn receive_stock_update(
    State(sim): State<Arc<Sim>>,
    Path(reference): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ControlError> {
    let request: ReceiveRequest = body(&bytes)?;
    let row = sim.mutate(|store, now, _| {
        let index = receive(store, &reference, request, now)?;
        Ok::<_, ApiError>(state_view::stock_update_row(&store.stock_updates[index]))
    })?;
    Ok(Json(row))
}

async fn register_return(
    State(sim): State<Arc<Sim>>,
    bytes: Bytes,
) -> Result<Json<Value>, ControlError> {
    let request: ReturnRequest = body(&bytes)?;
    let row = sim.mutate(|store, now, _| {
        let index = register(store, request, now)?;
        Ok::<_, ApiError>(crate::returns::response(&store.returns[index]))
    })?;
    Ok(Json(row))
}

async fn move_stock(
    State(sim): State<Arc<Sim>>,
    bytes: Bytes,
) -> Result<Json<Value>, ControlError> {
    let movement: StockMovement = body(&bytes)?;
    let row = sim.mutate(|store, _, _| {
        let index = adjust(store, &movement)?;
        let code = store.products[index].code.clone();
        Ok::<_, ApiError>(state_view::stock_row(store, &code))
    })?;
    Ok(Json(row))
}

async fn get_clock(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!({ "now": crate::clock::format(sim.clock.now()) }))
}

#[derive(Debug, Deserialize)]
struct ClockRequest {
    advance_s: u64,
}

async fn advance_clock(
    State(sim): State<Arc<Sim>>,
    bytes: Bytes,
) -> Result<Json<Value>, ControlError> {
    let request: ClockRequest = body(&bytes)?;
    let now = sim.clock.advance(request.advance_s);
    tracing::info!(advance_s = request.advance_s, "clock advanced");
    Ok(Json(json!({ "now": crate::clock::format(now) })))
}

async fn revoke_tokens(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let revoked = sim.tokens.revoke_all();
    Json(json!({ "revoked": revoked }))
}
