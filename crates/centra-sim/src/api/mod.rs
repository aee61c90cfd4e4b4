//! The Order API under the plugin's base path, one file per resource:
//! `orders` (REF/104), `shipments` (REF/107-108, GET1), `new_shipments` (REF/106, 111),
//! `completion` (REF/109-110),
//! `products` (REF/301), `stock` (REF/302-303), `supplier_deliveries` (REF/503-506),
//! `returns` (REF/201-203). Singular and plural paths are exactly as documented.
//!
//! Every call passes `intake` (log, latency, faults), then `auth`, then the plugin's endpoint
//! allow-list (`crate::plugin`), then its handler.

mod addresses;
mod auth;
mod completion;
mod envelope;
pub(crate) mod lenient;
mod new_shipments;
mod orders;
mod params;
mod products;
mod returns;
mod shipments;
mod stock;
mod supplier_deliveries;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post, put};
use serde_json::Value;

use crate::app::SharedSim;
use crate::intake;

/// Registers `path` and `path/` (the POS guide writes `…/products/?ean=…`, `…/stock/`).
fn both(
    router: Router<SharedSim>,
    path: &str,
    handler: MethodRouter<SharedSim>,
) -> Router<SharedSim> {
    router
        .route(path, handler.clone())
        .route(&format!("{path}/"), handler)
}

fn routes() -> Router<SharedSim> {
    let mut r = Router::new();
    r = both(r, "/orders", get(orders::list));
    r = both(
        r,
        "/shipments",
        get(shipments::list).post(new_shipments::create),
    );
    r = both(
        r,
        "/shipments/{shipment}",
        get(shipments::one)
            .put(shipments::update)
            .delete(new_shipments::delete),
    );
    r = both(r, "/shipment/{shipment}", get(shipments::one));
    r = both(
        r,
        "/shipment",
        put(completion::complete).post(completion::complete),
    );
    r = both(r, "/capture", put(completion::capture));
    r = both(r, "/products", get(products::list));
    r = both(r, "/stock", get(stock::list).post(stock::update));
    r = both(r, "/supplier-deliveries", get(supplier_deliveries::list));
    r = both(
        r,
        "/supplier-deliveries/{delivery}",
        get(supplier_deliveries::one).post(supplier_deliveries::accept_by_ean),
    );
    r = both(
        r,
        "/supplier-deliveries/{delivery}/sku",
        post(supplier_deliveries::accept_by_sku),
    );
    r = both(r, "/return", post(returns::create));
    r = both(r, "/returns", get(returns::list));
    r = both(r, "/returns/{return}", put(returns::update));
    r
}

/// [I] The answer for an unknown endpoint is not documented.
async fn unknown_endpoint() -> Response {
    let mut response = envelope::no("unknown endpoint", Value::Null);
    *response.status_mut() = StatusCode::NOT_FOUND;
    response.into_response()
}

/// The Order API router (its own state applied), ready to merge with the control API.
pub fn router(sim: SharedSim) -> Router {
    // Layers run outside in: the secret first, then the plugin's allow-list.
    let api = routes()
        .fallback(unknown_endpoint)
        .layer(from_fn_with_state(
            sim.clone(),
            crate::plugin::require_allowed_group,
        ))
        .layer(from_fn_with_state(sim.clone(), auth::require_secret));
    Router::new()
        .nest(&sim.config.base_path, api)
        .fallback(unknown_endpoint)
        .layer(from_fn_with_state(sim.clone(), intake::intake))
        .with_state(sim)
}
