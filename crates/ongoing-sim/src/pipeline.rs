//! What every REST API call goes through before and after its handler, in this order:
//!
//! 1. log the arrival (`/_sim/requests`);
//! 2. injected throttling (429) or error (500), not applied;
//! 3. the `{warehouse}` path segment, then HTTP Basic auth (401);
//! 4. writes wait for the goods owner's write gate (one write at a time, as Ongoing does);
//!    a wait longer than the write timeout fails like Ongoing's time-outs (500);
//! 5. injected latency, then the handler;
//! 6. an injected lost response: the answer is dropped together with the connection;
//! 7. log the completion.
//!
//! Control routes (`/_sim/...`) skip all of it: they need no credentials and are never
//! faulted.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use subtle::ConstantTimeEq;
use tokio_util::sync::CancellationToken;

use crate::config::SimConfig;
use crate::error::ApiError;
use crate::state::Sim;

/// Largest request body read (the real API takes files as base64 too).
const BODY_LIMIT: usize = 32 * 1024 * 1024;

/// Put on every request by the connection loop: cancelling it drops the connection without an
/// answer (the lost-response fault).
#[derive(Debug, Clone)]
pub(crate) struct ConnectionKill(pub CancellationToken);

fn authorized(config: &SimConfig, headers: &HeaderMap) -> bool {
    let Some(encoded) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let expected = format!("{}:{}", config.user, config.password);
    bool::from(decoded.as_slice().ct_eq(expected.as_bytes()))
}

fn warehouse_matches(config: &SimConfig, path: &str) -> bool {
    let mut segments = path.trim_start_matches('/').split('/');
    segments
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case(&config.warehouse))
        && segments
            .next()
            .is_some_and(|s| s.eq_ignore_ascii_case("api"))
        && segments
            .next()
            .is_some_and(|s| s.eq_ignore_ascii_case("v1"))
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
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return ApiError::bad_request("the request body could not be read").into_response();
        }
    };
    let seq = sim
        .log
        .arrive(parts.method.as_str(), &path, parts.uri.query(), &bytes);
    let finish = |response: Response, fault: Option<&str>| {
        sim.log.complete(seq, response.status().as_u16(), fault);
        response
    };

    let draw = sim.faults.draw(&path);
    if draw.throttle {
        return finish(throttled(draw.retry_after_s), Some("throttle"));
    }
    if draw.error {
        return finish(ApiError::internal().into_response(), Some("error"));
    }
    if !warehouse_matches(&sim.config, &path) {
        let message = format!("No HTTP resource was found that matches the request URI '{path}'.");
        return finish(ApiError::not_found(message).into_response(), None);
    }
    if !authorized(&sim.config, &parts.headers) {
        return finish(ApiError::unauthorized().into_response(), None);
    }

    let is_write = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let gate = if is_write {
        let wait = draw.write_timeout.unwrap_or(sim.config.write_timeout);
        match tokio::time::timeout(wait, sim.write_gate.lock()).await {
            Ok(guard) => Some(guard),
            Err(_) => {
                tracing::info!(seq, path = %path, "write timed out waiting for the goods owner's write gate");
                return finish(ApiError::internal().into_response(), Some("timeout"));
            }
        }
    } else {
        None
    };
    sim.log.start(seq);
    if !draw.latency.is_zero() {
        tokio::time::sleep(draw.latency).await;
    }
    let kill = parts.extensions.get::<ConnectionKill>().cloned();
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    drop(gate);

    if draw.lost {
        if let Some(ConnectionKill(token)) = kill {
            sim.log
                .complete(seq, response.status().as_u16(), Some("lost"));
            tracing::info!(seq, path = %path, "dropping the connection to lose the response");
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
