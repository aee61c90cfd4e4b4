//! The status tables of this instance. Ongoing answers `{"orderStatuses": [...]}` for both
//! orders and purchase orders (sic, PM examples) and `{"returnOrderStatuses": [...]}` for
//! return orders.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::state::Sim;

/// `GET /orders/statuses`.
pub(crate) async fn orders(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!({ "orderStatuses": sim.config.order_statuses }))
}

/// `GET /purchaseOrders/statuses`.
pub(crate) async fn purchase_orders(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!({ "orderStatuses": sim.config.purchase_order_statuses }))
}

/// `GET /returnOrders/statuses`.
pub(crate) async fn return_orders(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!({ "returnOrderStatuses": sim.config.return_order_statuses }))
}
