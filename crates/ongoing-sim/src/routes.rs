//! The router: the REST API under `/{warehouse}/api/v1`, the control API under `/_sim`, the
//! ASP.NET-style 404/405 answers, and the [`pipeline`](crate::pipeline) around everything.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::http::{Method, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{get, patch, put};

use crate::error::ApiError;
use crate::state::Sim;
use crate::{
    articles, control, orders, pipeline, purchase_orders, returns, statuses, transporters,
};

/// A numeric path parameter; a 400 naming it when it is not a number.
pub(crate) fn id_param(params: &HashMap<String, String>, name: &str) -> Result<i64, ApiError> {
    let text = params
        .get(name)
        .ok_or_else(|| ApiError::bad_request(format!("The {name} parameter is missing.")))?;
    text.parse()
        .map_err(|_| ApiError::bad_request(format!("The value '{text}' is not valid for {name}.")))
}

fn api() -> Router<Arc<Sim>> {
    use orders::handlers as o;
    use purchase_orders::handlers as po;
    use returns::handlers as r;
    Router::new()
        .route("/articles", put(articles::put).get(articles::list))
        .route(
            "/articles/{articleSystemId}",
            get(articles::get_one).put(articles::put_by_id),
        )
        .route(
            "/orders",
            put(o::put).get(o::list).delete(o::delete_by_number),
        )
        .route("/orders/statuses", get(statuses::orders))
        .route(
            "/orders/{orderId}",
            get(o::get_one).put(o::put_by_id).delete(o::delete_by_id),
        )
        .route(
            "/orders/{orderId}/lines/{orderLineId}/reportedNumberOfItems",
            patch(o::report_line_picked),
        )
        .route(
            "/orders/{orderId}/lines/{orderLineId}/reportedReturnedNumberOfItems",
            patch(o::report_line_returned),
        )
        .route(
            "/orders/{orderId}/setReportedNumberOfItemsToPickedNumberOfItems",
            patch(o::report_all_picked),
        )
        .route(
            "/orders/{orderId}/setReportedReturnedNumberOfItemsToReturnedNumberOfItems",
            patch(o::report_all_returned),
        )
        .route("/orders/{orderId}/waybill", patch(o::patch_waybill))
        .route(
            "/orders/{orderId}/returnWaybill",
            patch(o::patch_return_waybill),
        )
        .route("/purchaseOrders", put(po::put).get(po::list))
        .route("/purchaseOrders/statuses", get(statuses::purchase_orders))
        .route(
            "/purchaseOrders/{purchaseOrderId}",
            get(po::get_one).delete(po::delete_by_id),
        )
        .route(
            "/purchaseOrders/{purchaseOrderId}/lines/{purchaseOrderLineId}/reportedNumberOfItems",
            patch(po::report_line),
        )
        .route(
            "/purchaseOrders/{purchaseOrderId}/setReportedNumberOfItemsToReceivedNumberOfItems",
            patch(po::report_all),
        )
        .route("/returnOrders", put(r::put).get(r::list))
        .route("/returnOrders/statuses", get(statuses::return_orders))
        .route(
            "/returnOrders/returnCauses",
            get(r::causes).put(r::put_cause),
        )
        .route("/returnOrders/{returnOrderId}", get(r::get_one))
        .route("/transporterContracts", get(transporters::list))
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found(uri: Uri) -> impl IntoResponse {
    ApiError::not_found(format!(
        "No HTTP resource was found that matches the request URI '{uri}'."
    ))
}

async fn method_not_allowed(method: Method) -> impl IntoResponse {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        format!("The requested resource does not support http method '{method}'."),
    )
}

/// The whole application of one simulator instance.
pub(crate) fn app(sim: Arc<Sim>) -> Router {
    Router::new()
        .nest("/{warehouse}/api/v1", api())
        .merge(control::router())
        .fallback(not_found)
        .layer(from_fn_with_state(sim.clone(), pipeline::pipeline))
        .with_state(sim)
}
