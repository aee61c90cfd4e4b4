//! One Order API call and the retry loop around calls.
//!
//! Every call waits for the end-point's rate limiter, sends `API-Authorization` (marked
//! sensitive, so it never shows in debug output), reads the body up to a size cap, and checks
//! the envelope: HTTP 200 with `status: "no"` is a business refusal, not a success.

use std::future::Future;
use std::time::Duration;

use reqwest::header::{HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tracing::Instrument as _;

use super::{CentraClient, CentraError, CentraErrorKind, PayloadError};

impl CentraClient {
    fn error(&self, operation: &str, kind: CentraErrorKind) -> CentraError {
        CentraError::new(&self.inner.endpoint, operation, kind)
    }

    /// Runs `attempt` until it succeeds, fails terminally, or the retries run out, by the
    /// shared rules (`platform_http::retry`: backoff, at least Centra's `Retry-After`).
    pub async fn with_retry<T, F, Fut>(&self, attempt: F) -> Result<T, CentraError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, CentraError>>,
    {
        let what = format!("centra end-point {}", self.inner.endpoint);
        platform_http::retry::run(&self.inner.options.retry, &what, attempt).await
    }

    /// One `GET <base>/<path>?<query>`, answered with the whole (ok) envelope.
    pub(crate) async fn get_once(
        &self,
        operation: &str,
        path: &str,
        query: &[(String, String)],
    ) -> Result<Value, CentraError> {
        self.send_once(Method::GET, operation, path, query, None)
            .await
    }

    /// One call with an optional JSON body, answered with the whole (ok) envelope.
    pub(crate) async fn send_once(
        &self,
        method: Method,
        operation: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<Value, CentraError> {
        let envelope = self.send_raw(method, operation, path, query, body).await?;
        self.ensure_ok(operation, envelope)
    }

    /// `Ok` for a `status: "ok"` envelope, [`CentraErrorKind::Refused`] for `status: "no"`.
    pub(crate) fn ensure_ok(&self, operation: &str, envelope: Value) -> Result<Value, CentraError> {
        if envelope.get("status").and_then(Value::as_str) == Some("ok") {
            return Ok(envelope);
        }
        let message = envelope
            .get("msg")
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
            .unwrap_or("no reason given")
            .to_owned();
        Err(self.error(operation, CentraErrorKind::Refused(message)))
    }

    /// One call answered with its envelope, `status` "ok" or "no" (partial successes such as
    /// `POST /stock` carry details in a "no" envelope).
    pub(crate) async fn send_raw(
        &self,
        method: Method,
        operation: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<Value, CentraError> {
        self.inner.limiter.until_ready().await;
        let url = format!("{}/{}", self.inner.base_url, path.trim_start_matches('/'));
        let call = platform_telemetry::ExternalCall::start(
            "centra",
            self.inner.endpoint.as_str(),
            method.as_str(),
            &url,
        );
        // Kept for the record's journey when a command names one (platform_http::calls).
        let note = platform_http::calls::CallNote::start(method.as_str(), &url);
        let mut secret = HeaderValue::from_str(self.inner.secret.expose()).map_err(|_| {
            self.error(
                operation,
                CentraErrorKind::InvalidRequest(
                    "the end-point secret is not a valid header value".to_owned(),
                ),
            )
        })?;
        secret.set_sensitive(true);
        let mut request = self
            .inner
            .http
            .request(method, &url)
            .header("API-Authorization", secret)
            .header(reqwest::header::ACCEPT, "application/json");
        if !query.is_empty() {
            request = request.query(query);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let started = std::time::Instant::now();
        let response = request.send().instrument(call.span()).await;
        call.finish(response.as_ref().ok().map(|r| r.status().as_u16()));
        note.finish(response.as_ref().map(reqwest::Response::status));
        let response = response.map_err(|e| self.error(operation, self.transport_kind(&e)))?;
        let status = response.status();
        let retry_after = platform_http::parse_retry_after(response.headers().get(RETRY_AFTER));
        let bytes = self.read_body(operation, response).await?;
        tracing::debug!(
            endpoint = %self.inner.endpoint,
            operation,
            status = status.as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "centra call"
        );
        self.interpret(operation, status, retry_after, &bytes)
    }

    async fn read_body(
        &self,
        operation: &str,
        response: reqwest::Response,
    ) -> Result<Vec<u8>, CentraError> {
        let max = self.inner.options.max_response_bytes;
        platform_http::read_limited(response, max)
            .await
            .map_err(|error| match error {
                platform_http::BodyError::TooLarge { max } => self.error(
                    operation,
                    CentraErrorKind::BadPayload(PayloadError::new(
                        "response",
                        "",
                        format!("larger than {max} bytes"),
                    )),
                ),
                platform_http::BodyError::Transport(e) => {
                    self.error(operation, self.transport_kind(&e))
                }
            })
    }

    fn transport_kind(&self, error: &reqwest::Error) -> CentraErrorKind {
        if error.is_timeout() {
            CentraErrorKind::Timeout(self.inner.options.request_timeout)
        } else {
            // Drop the URL: it is harmless, but the message should name the end-point only once.
            let mut text = error.to_string();
            let mut source = std::error::Error::source(error);
            while let Some(inner) = source {
                text.push_str(": ");
                text.push_str(&inner.to_string());
                source = inner.source();
            }
            let text = text.replace(&self.inner.base_url, "<base>");
            CentraErrorKind::Connection(text)
        }
    }

    fn interpret(
        &self,
        operation: &str,
        status: StatusCode,
        retry_after: Option<Duration>,
        bytes: &[u8],
    ) -> Result<Value, CentraError> {
        let parsed: Result<Value, _> = serde_json::from_slice(bytes);
        let message = parsed
            .as_ref()
            .ok()
            .and_then(|v| v.get("msg"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(self.error(operation, CentraErrorKind::Throttled(retry_after)));
        }
        if status.is_server_error() {
            return Err(self.error(operation, CentraErrorKind::Server(status.as_u16())));
        }
        if !status.is_success() {
            return Err(self.error(
                operation,
                CentraErrorKind::Rejected {
                    status: status.as_u16(),
                    message,
                },
            ));
        }
        let value = parsed.map_err(|e| {
            self.error(
                operation,
                CentraErrorKind::BadPayload(PayloadError::new(
                    "response",
                    "",
                    format!("not json: {e}"),
                )),
            )
        })?;
        match value.get("status").and_then(Value::as_str) {
            Some("ok" | "no") => Ok(value),
            other => Err(self.error(
                operation,
                CentraErrorKind::BadPayload(PayloadError::new(
                    "response",
                    "status",
                    format!("expected \"ok\" or \"no\", found {other:?}"),
                )),
            )),
        }
    }
}
