//! The front door of every Order API and Integration API (`/graphql`) call: it logs the call,
//! adds the configured latency and injects faults. Control routes (`/_sim`) never pass here.
//!
//! A lost response is produced by applying the request, then cancelling the connection's
//! [`ConnectionKill`] token: the server drops the TCP connection, so the client sees the
//! connection close without any HTTP answer, exactly like a response lost on the wire.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::SharedSim;
use crate::faults::Fault;
use crate::graphql::OperationSummary;
use crate::request_log::Arrival;
use crate::server::ConnectionKill;

/// Bodies larger than this are refused (no Order API body comes near it).
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

pub async fn intake(State(sim): State<SharedSim>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let arrival_of = |body| Arrival {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        body,
    };
    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(err) => {
            let arrival = arrival_of(serde_json::Value::Null);
            sim.log
                .record(arrival, StatusCode::PAYLOAD_TOO_LARGE.as_u16(), None);
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("body refused: {err}"),
            )
                .into_response();
        }
    };
    let arrival = arrival_of(Arrival::body_value(&bytes));

    let (latency, fault) = sim.faults.roll(parts.method.as_str(), parts.uri.path());
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match fault {
        Fault::Error => {
            sim.log.record(arrival, 500, fault.label());
            // [I] Centra's 5xx body is not documented; a plain HTML page is what PHP servers send.
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                "<html><body><h1>500 Internal Server Error</h1></body></html>",
            )
                .into_response();
        }
        Fault::Throttle { retry_after_s } => {
            sim.log.record(arrival, 429, fault.label());
            let mut response = (
                StatusCode::TOO_MANY_REQUESTS,
                axum::Json(serde_json::json!({"status": "no", "msg": "too many requests"})),
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s));
            return response;
        }
        Fault::None | Fault::LostResponse => {}
    }

    let kill = parts.extensions.get::<ConnectionKill>().cloned();
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = response.status().as_u16();
    let graphql = response
        .extensions()
        .get::<OperationSummary>()
        .and_then(|summary| serde_json::to_value(summary).ok());
    if fault == Fault::LostResponse {
        sim.log.record_with(arrival, status, fault.label(), graphql);
        if let Some(kill) = kill {
            tracing::debug!(status, "dropping connection to lose the response");
            kill.drop_connection();
            return std::future::pending().await;
        }
        tracing::warn!("lost response requested but the connection cannot be dropped");
        return response;
    }
    sim.log.record_with(arrival, status, None, graphql);
    response
}
