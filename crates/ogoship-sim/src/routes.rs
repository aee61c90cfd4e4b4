//! The router: the token endpoint `/oauth/token`, the REST API under `/api/v1/`, the control
//! API under `/_sim/`, ApiError 404/405 answers, and the [`pipeline`](crate::pipeline) around
//! everything.
//!
//! Paths are case-insensitive (ogoship-api.md §1: clients send `/api/v1/Orders`,
//! `/Api/v1/Orders`, `/OAuth/Token`): before routing, the connection loop folds the fixed
//! segments to lower case with [`canonical_path`]; path parameters (product codes, order
//! references) keep their case.

use std::sync::Arc;

use axum::Router;
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::Sim;
use crate::{control, orders, pipeline, products, returns, stock, stock_updates, tokens, webhooks};

/// The path with its fixed segments in lower case: `/OAuth/Token` → `/oauth/token`,
/// `/Api/V1/StockUpdate/x` → `/api/v1/stockupdate/x`. Other paths are left alone.
pub(crate) fn canonical_path(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let fixed = match segments.as_slice() {
        ["", first, second, ..]
            if first.eq_ignore_ascii_case("oauth") && second.eq_ignore_ascii_case("token") =>
        {
            3
        }
        ["", first, second, _, ..]
            if first.eq_ignore_ascii_case("api") && second.eq_ignore_ascii_case("v1") =>
        {
            4
        }
        _ => return None,
    };
    let folded: Vec<String> = segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if i < fixed {
                s.to_ascii_lowercase()
            } else {
                (*s).to_owned()
            }
        })
        .collect();
    let folded = folded.join("/");
    (folded != path).then_some(folded)
}

/// Reads a JSON request body; malformed or empty bodies are a 400 `ApiError`.
pub(crate) fn json_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("The request body is required."));
    }
    serde_json::from_slice(bytes)
        .map_err(|err| ApiError::bad_request(format!("The request body is invalid: {err}")))
}

async fn not_found(uri: Uri) -> impl IntoResponse {
    ApiError::not_found(format!(
        "No HTTP resource was found that matches the request URI '{uri}'."
    ))
}

async fn method_not_allowed(method: Method) -> impl IntoResponse {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("The requested resource does not support http method '{method}'."),
    )
}

/// The whole application of one simulator instance.
pub(crate) fn app(sim: Arc<Sim>) -> Router {
    use orders::handlers as o;
    use products::handlers as p;
    use stock_updates::handlers as su;
    Router::new()
        .route("/oauth/token", post(tokens::token))
        .route("/api/v1/products", get(p::list).post(p::create))
        .route("/api/v1/products/{productCode}", put(p::update))
        .route("/api/v1/orders", get(o::list).post(o::create))
        .route("/api/v1/orders/{reference}", put(o::update))
        .route("/api/v1/stock", get(stock::list))
        .route("/api/v1/stockupdate", get(su::list).post(su::create))
        .route("/api/v1/returns", get(returns::list))
        .route(
            "/api/v1/webhooks",
            get(webhooks::list).post(webhooks::create),
        )
        .route(
            "/api/v1/webhooks/{id}",
            get(webhooks::get_one)
                .put(webhooks::update)
                .delete(webhooks::delete),
        )
        .merge(control::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(sim.clone(), pipeline::pipeline))
        .with_state(sim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_segments_fold_and_parameters_keep_their_case() {
        assert_eq!(
            canonical_path("/OAuth/Token").as_deref(),
            Some("/oauth/token")
        );
        assert_eq!(
            canonical_path("/Api/V1/Products/AbC-1").as_deref(),
            Some("/api/v1/products/AbC-1")
        );
        assert_eq!(canonical_path("/api/v1/orders"), None);
        assert_eq!(canonical_path("/_sim/State"), None);
    }
}
