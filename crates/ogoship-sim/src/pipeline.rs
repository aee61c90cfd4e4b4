//! What every API call (REST API and token endpoint) goes through, in this order:
//!
//! 1. log the arrival (`/_sim/requests`), with the path as the client sent it;
//! 2. injected throttling (429 + `Retry-After`) or error (500), not applied;
//! 3. bearer auth on the REST API (401 `ApiError` for a missing, unknown, expired or revoked
//!    access token); the token endpoint checks its own credentials;
//! 4. injected latency, then the handler;
//! 5. an injected lost response: the call was applied, the answer is dropped together with
//!    the connection;
//! 6. log the completion.
//!
//! Control routes (`/_sim/...`) skip all of it: no credentials, never faulted, not logged.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use crate::error::ApiError;
use crate::state::Sim;
use crate::tokens::bearer;

/// Largest request body read (orders may carry base64 documents).
const BODY_LIMIT: usize = 32 * 1024 * 1024;

/// Put on every request by the connection loop: cancelling it drops the connection without an
/// answer (the lost-response fault).
#[derive(Debug, Clone)]
pub(crate) struct ConnectionKill(pub CancellationToken);

/// The path as the client sent it, before [`canonical_path`](crate::routes::canonical_path).
#[derive(Debug, Clone)]
pub(crate) struct OriginalPath(pub String);

const TOKEN_PATH: &str = "/oauth/token";

/// The token request's form as JSON with its secrets masked.
fn masked_form(bytes: &[u8]) -> Vec<u8> {
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes) else {
        return bytes.to_vec();
    };
    let map: Map<String, Value> = pairs
        .into_iter()
        .map(|(name, value)| {
            let secret = matches!(
                name.as_str(),
                "client_secret" | "password" | "refresh_token"
            );
            let value = if secret { "***".to_owned() } else { value };
            (name, Value::String(value))
        })
        .collect();
    Value::Object(map).to_string().into_bytes()
}

fn throttled(retry_after_s: u64) -> Response {
    let mut response =
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests.").into_response();
    if let Ok(value) = HeaderValue::from_str(&retry_after_s.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The middleware described in the module docs.
pub(crate) async fn pipeline(
    State(sim): State<Arc<Sim>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if path == "/_sim" || path.starts_with("/_sim/") {
        return next.run(request).await;
    }
    let original = request
        .extensions()
        .get::<OriginalPath>()
        .map_or_else(|| path.clone(), |p| p.0.clone());
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        return ApiError::bad_request("The request body could not be read.").into_response();
    };
    let is_token = path == TOKEN_PATH;
    let logged = if is_token {
        masked_form(&bytes)
    } else {
        bytes.to_vec()
    };
    let seq = sim
        .log
        .arrive(parts.method.as_str(), &original, parts.uri.query(), &logged);
    let finish = |response: Response, fault: Option<&str>| {
        sim.log.complete(seq, response.status().as_u16(), fault);
        response
    };

    let draw = sim.faults.draw(&original);
    if draw.throttle {
        return finish(throttled(draw.retry_after_s), Some("throttle"));
    }
    if draw.error {
        return finish(ApiError::internal().into_response(), Some("error"));
    }
    if !is_token
        && !bearer(&parts.headers).is_some_and(|token| sim.tokens.valid(token, sim.clock.now()))
    {
        return finish(ApiError::unauthorized().into_response(), None);
    }
    sim.log.start(seq);
    if !draw.latency.is_zero() {
        tokio::time::sleep(draw.latency).await;
    }
    let kill = parts.extensions.get::<ConnectionKill>().cloned();
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;

    if draw.lost {
        if let Some(ConnectionKill(token)) = kill {
            sim.log
                .complete(seq, response.status().as_u16(), Some("lost"));
            tracing::info!(seq, path = %original, "dropping the connection to lose the response");
            token.cancel();
            return std::future::pending().await;
        }
        tracing::warn!(
            seq,
            "lost response requested but the connection cannot be dropped here"
        );
    }
    finish(response, None)
}
