//! Per-instance settings: who may call, which status codes exist and where warehouse work
//! starts. Everything here is configurable because every Ongoing instance renames, adds or
//! removes statuses (ongoing-rest-api.md §4.4, §5).

use std::time::Duration;

use axum::http::StatusCode;

use crate::models::StatusModel;
use crate::transporters::TransporterContractModel;

/// The settings of one simulated Ongoing instance (one API user, one goods owner).
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// `{warehouse}` in `/{warehouse}/api/v1/...`.
    pub warehouse: String,
    pub user: String,
    pub password: String,
    /// The one goods owner the API user belongs to; any other `goodsOwnerId` is refused.
    pub goods_owner_id: i64,
    pub goods_owner_name: String,
    /// Status answered for a foreign `goodsOwnerId` (401 or 403; §11 leaves it open).
    pub foreign_goods_owner_status: StatusCode,
    pub order_statuses: Vec<StatusModel>,
    pub purchase_order_statuses: Vec<StatusModel>,
    /// Return-order status values are not published (§10 q3); these are invented defaults.
    pub return_order_statuses: Vec<StatusModel>,
    /// Status of an order created through `PUT /orders`.
    pub initial_order_status: i32,
    /// Orders at or above this status have been started by the warehouse: no update, no cancel.
    pub order_editable_below: i32,
    /// Reaching this status with at least one picked item fires the "order picked" webhook.
    pub order_picked_status: i32,
    /// Status `/_sim/orders/{n}/ship` sets unless told otherwise; reaching it sets `shippedTime`.
    pub order_sent_status: i32,
    /// Picked items count as "picked to be collected" below this status.
    pub order_collected_status: i32,
    pub order_cancelled_status: i32,
    pub purchase_order_initial_status: i32,
    pub purchase_order_editable_below: i32,
    /// Set when a receipt leaves some line short of what was advised.
    pub purchase_order_deviation_status: i32,
    pub purchase_order_received_status: i32,
    pub purchase_order_cancelled_status: i32,
    pub return_order_initial_status: i32,
    pub return_order_received_status: i32,
    /// How long a write waits for the goods owner's write lock before it fails like a timeout.
    pub write_timeout: Duration,
    /// Header that carries the webhook secret (a static header, as configured in Ongoing's UI).
    pub webhook_auth_header: String,
    /// Delays between attempts when the webhook retry policy is "one day" (simulated briefly).
    pub webhook_retry_delays: Vec<Duration>,
    pub transporter_contracts: Vec<TransporterContractModel>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            warehouse: "sandbox".to_owned(),
            user: "sandbox".to_owned(),
            password: "sandbox".to_owned(),
            goods_owner_id: 1,
            goods_owner_name: "Sandbox goods owner".to_owned(),
            foreign_goods_owner_status: StatusCode::UNAUTHORIZED,
            order_statuses: default_order_statuses(),
            purchase_order_statuses: default_purchase_order_statuses(),
            return_order_statuses: vec![
                StatusModel::new(100, "Notified"),
                StatusModel::new(500, "Received"),
                StatusModel::new(900, "Cancelled"),
            ],
            initial_order_status: 200,
            order_editable_below: 300,
            order_picked_status: 400,
            order_sent_status: 450,
            order_collected_status: 500,
            order_cancelled_status: 1000,
            purchase_order_initial_status: 100,
            purchase_order_editable_below: 300,
            purchase_order_deviation_status: 400,
            purchase_order_received_status: 500,
            purchase_order_cancelled_status: 900,
            return_order_initial_status: 100,
            return_order_received_status: 500,
            write_timeout: Duration::from_secs(60),
            webhook_auth_header: "X-Auth-Token".to_owned(),
            webhook_retry_delays: vec![
                Duration::from_millis(200),
                Duration::from_millis(1_000),
                Duration::from_millis(3_000),
            ],
            transporter_contracts: crate::transporters::default_contracts(),
        }
    }
}

/// Ongoing's standard order statuses (MAN /manuals/statuses) plus 800 Returned.
pub fn default_order_statuses() -> Vec<StatusModel> {
    [
        (150, "Error"),
        (200, "Open"),
        (300, "Released"),
        (320, "Allocated"),
        (400, "Picked"),
        (450, "Sent"),
        (500, "Collected"),
        (800, "Returned"),
        (1000, "Cancelled"),
    ]
    .into_iter()
    .map(|(number, text)| StatusModel::new(number, text))
    .collect()
}

/// Ongoing's standard purchase-order statuses (PM `get-purchase-order-statuses`).
pub fn default_purchase_order_statuses() -> Vec<StatusModel> {
    [
        (100, "Notified"),
        (200, "Arrival space"),
        (300, "Inbound"),
        (400, "Deflection"),
        (500, "Received"),
        (900, "Cancelled"),
    ]
    .into_iter()
    .map(|(number, text)| StatusModel::new(number, text))
    .collect()
}

/// The `{number, text}` of `number` in `table`; unknown numbers (set through the control API)
/// keep their number and get a neutral text.
pub(crate) fn status_of(table: &[StatusModel], number: i32) -> StatusModel {
    table
        .iter()
        .find(|status| status.number == number)
        .cloned()
        .unwrap_or_else(|| StatusModel::new(number, &format!("Status {number}")))
}
