//! `API-Authorization: <secret>` on every Order API call (INTRO). Header names are
//! case-insensitive, so `API-authorization` (as some pages spell it) works too.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::SharedSim;

pub async fn require_secret(
    State(sim): State<SharedSim>,
    request: Request,
    next: Next,
) -> Response {
    let given = request
        .headers()
        .get("api-authorization")
        .and_then(|v| v.to_str().ok());
    if given == Some(sim.config.secret.as_str()) {
        return next.run(request).await;
    }
    // [I] The answer to a missing or wrong key is not documented; 401 with the usual envelope.
    (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({"status": "no", "msg": "unauthorized"})),
    )
        .into_response()
}
