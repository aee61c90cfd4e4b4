//! Control routes of the Integration API (additions to the `/_sim` contract) and the clock:
//!
//! | route | does |
//! | --- | --- |
//! | `GET /_sim/graphql/tokens` | the tokens: `[{"token", "permissions", "integration", "expiresAt"}]` |
//! | `POST /_sim/graphql/tokens` | `{"token", "permissions": ["Order:read", …], "integration"?, "expiresAt"?}` adds or replaces a token (default expiry 30 days, integration `default`); unknown permission names are refused |
//! | `DELETE /_sim/graphql/tokens/{token}` | revokes a token |
//! | `GET /_sim/graphql/rate-limits` | `{"buckets": [rateLimits rows], "retryAfter"}` |
//! | `POST /_sim/graphql/rate-limits` | `{"quotas": [{"type": "REQUEST_COUNT", "interval": "TEN_SECONDS", "quota": 3}], "retryAfter": "seconds" \| "http-date" \| "unix-timestamp", "refill": true}`: sets quotas (a changed bucket starts full), the `Retry-After` shape, refills every bucket |
//! | `GET`/`POST /_sim/graphql/payments` | `{"captureRequestMethods": [...], "settleAfterSeconds": n}` (see `graphql::payments`) |
//! | `POST /_sim/graphql/capture-requests/settle` | `{"shipmentId"?: "1001-1", "outcome"?: "SUCCESS" \| "FAILED"}` settles one or every pending capture request |
//! | `GET /_sim/graphql/schema` | the schema as SDL (`text/plain`) |
//! | `GET`/`POST /_sim/clock` | `{"advanceSeconds": n}` moves the simulator's time forward; answers `{"now", "offsetSeconds"}` |

use std::collections::BTreeSet;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{read, refuse};
use crate::app::SharedSim;
use crate::graphql::{
    PERMISSIONS, PaymentSettings, RateLimitInterval, RateLimitType, RetryAfterFormat, Token,
};

pub fn routes() -> Router<SharedSim> {
    Router::new()
        .route("/_sim/graphql/tokens", get(tokens).post(put_token))
        .route("/_sim/graphql/tokens/{token}", delete(revoke_token))
        .route(
            "/_sim/graphql/rate-limits",
            get(rate_limits).post(set_rate_limits),
        )
        .route("/_sim/graphql/payments", get(payments).post(set_payments))
        .route("/_sim/graphql/capture-requests/settle", post(settle))
        .route("/_sim/graphql/schema", get(schema))
        .route("/_sim/clock", get(clock).post(advance_clock))
}

async fn tokens(State(sim): State<SharedSim>) -> Json<Vec<Token>> {
    Json(sim.graphql.tokens.list())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TokenBody {
    token: String,
    #[serde(default)]
    permissions: Vec<String>,
    integration: Option<String>,
    expires_at: Option<DateTime<Utc>>,
}

async fn put_token(State(sim): State<SharedSim>, body: Bytes) -> Response {
    let body: TokenBody = match read(&body) {
        Ok(b) => b,
        Err(refusal) => return refusal.into_response(),
    };
    if body.token.trim().is_empty() {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, "token: must not be empty");
    }
    let mut permissions = BTreeSet::new();
    for (i, permission) in body.permissions.iter().enumerate() {
        if !PERMISSIONS.contains(&permission.as_str()) {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "permissions[{i}]: {permission:?} is not a permission the simulator checks (one of {})",
                    PERMISSIONS.join(", ")
                ),
            );
        }
        permissions.insert(permission.clone());
    }
    let token = Token {
        token: body.token.trim().to_owned(),
        permissions,
        integration: body
            .integration
            .unwrap_or_else(|| crate::graphql::DEFAULT_INTEGRATION.into()),
        expires_at: body
            .expires_at
            .unwrap_or_else(|| sim.now() + Duration::days(30)),
    };
    sim.graphql.tokens.put(token.clone());
    Json(token).into_response()
}

async fn revoke_token(State(sim): State<SharedSim>, Path(token): Path<String>) -> Response {
    if sim.graphql.tokens.revoke(&token) {
        Json(json!({ "revoked": token })).into_response()
    } else {
        refuse(StatusCode::NOT_FOUND, format!("no token {token:?}"))
    }
}

async fn rate_limits(State(sim): State<SharedSim>) -> Json<Value> {
    Json(json!({
        "buckets": sim.graphql.limits.snapshot(sim.now()),
        "retryAfter": sim.graphql.limits.retry_after_format(),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Quota {
    #[serde(rename = "type")]
    kind: RateLimitType,
    interval: RateLimitInterval,
    quota: u64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RateLimitsBody {
    #[serde(default)]
    quotas: Vec<Quota>,
    retry_after: Option<RetryAfterFormat>,
    #[serde(default)]
    refill: bool,
}

async fn set_rate_limits(State(sim): State<SharedSim>, body: Bytes) -> Response {
    let body: RateLimitsBody = match read(&body) {
        Ok(b) => b,
        Err(refusal) => return refusal.into_response(),
    };
    if let Some((i, _)) = body.quotas.iter().enumerate().find(|(_, q)| q.quota == 0) {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("quotas[{i}].quota: must be at least 1"),
        );
    }
    let limits = &sim.graphql.limits;
    if body.refill {
        limits.refill();
    }
    for quota in &body.quotas {
        limits.set_quota(quota.kind, quota.interval, quota.quota);
    }
    if let Some(format) = body.retry_after {
        limits.set_retry_after(format);
    }
    rate_limits(State(sim)).await.into_response()
}

async fn payments(State(sim): State<SharedSim>) -> Json<PaymentSettings> {
    Json(sim.graphql.payments.settings())
}

async fn set_payments(State(sim): State<SharedSim>, body: Bytes) -> Response {
    let settings: PaymentSettings = match read(&body) {
        Ok(s) => s,
        Err(refusal) => return refusal.into_response(),
    };
    sim.graphql.payments.set(settings);
    Json(sim.graphql.payments.settings()).into_response()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SettleBody {
    shipment_id: Option<String>,
    outcome: Option<String>,
}

async fn settle(State(sim): State<SharedSim>, body: Bytes) -> Response {
    let body: SettleBody = match read(&body) {
        Ok(b) => b,
        Err(refusal) => return refusal.into_response(),
    };
    let outcome = match body.outcome.as_deref() {
        None => None,
        Some("SUCCESS") => Some(true),
        Some("FAILED") => Some(false),
        Some(other) => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("outcome: {other:?} is not SUCCESS or FAILED"),
            );
        }
    };
    let settled = match body.shipment_id {
        Some(number) => {
            let Some(id) = sim.read(|store| store.shipment_by_number(&number).map(|s| s.id)) else {
                return refuse(
                    StatusCode::NOT_FOUND,
                    format!("shipmentId: no shipment {number}"),
                );
            };
            usize::from(sim.graphql.payments.settle(&sim, id, outcome))
        }
        None => sim.graphql.payments.settle_all(&sim, outcome),
    };
    Json(json!({ "settled": settled })).into_response()
}

async fn schema() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        crate::graphql::sdl(),
    )
        .into_response()
}

fn clock_answer(sim: &SharedSim, offset: Duration) -> Json<Value> {
    Json(json!({
        "now": sim.now().to_rfc3339(),
        "offsetSeconds": offset.num_milliseconds() as f64 / 1000.0,
    }))
}

async fn clock(State(sim): State<SharedSim>) -> Json<Value> {
    let offset = sim.advance_clock(Duration::zero());
    clock_answer(&sim, offset)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AdvanceBody {
    advance_seconds: f64,
}

async fn advance_clock(State(sim): State<SharedSim>, body: Bytes) -> Response {
    let body: AdvanceBody = match read(&body) {
        Ok(b) => b,
        Err(refusal) => return refusal.into_response(),
    };
    if !(body.advance_seconds.is_finite() && body.advance_seconds >= 0.0) {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "advanceSeconds: must be 0 or more (time only moves forward), got {}",
                body.advance_seconds
            ),
        );
    }
    let offset = sim.advance_clock(Duration::milliseconds(
        (body.advance_seconds * 1000.0) as i64,
    ));
    clock_answer(&sim, offset).into_response()
}
