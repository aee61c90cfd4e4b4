//! One Integration API call and the retry loops around calls.
//!
//! Every call first takes its turn from the rate governor (reading `rateLimits` first when a
//! reading is due), then `POST`s `{query, variables, operationName}` with `Authorization: Bearer`
//! (marked sensitive, so it never shows in debug output), reads the body up to a bound, and
//! checks the answer: HTTP 429 holds the governor for `Retry-After`; a top-level `errors[]`
//! entry with `extensions.category = "authorization"` is a permission error, any other one a
//! failed query; `extensions.complexity` settles the governor's estimate.

use std::future::Future;

use graphql_client::GraphQLQuery;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderValue, RETRY_AFTER};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::time::Instant;
use tracing::Instrument as _;

use super::error::MutationAttempt;
use super::governor::{Admission, Call};
use super::{GraphqlClient, GraphqlError, GraphqlErrorKind, PayloadError};

/// A GraphQL answer before its `data` is read.
#[derive(Debug, Deserialize)]
struct Answer {
    data: Option<Value>,
    #[serde(default)]
    errors: Vec<graphql_client::Error>,
    #[serde(default)]
    extensions: Option<Extensions>,
}

/// The `extensions` fields the client reads (`permissionsUsed` and `appVersion` are ignored).
#[derive(Debug, Deserialize)]
struct Extensions {
    complexity: Option<u64>,
}

fn is_authorization(error: &graphql_client::Error) -> bool {
    error
        .extensions
        .as_ref()
        .and_then(|e| e.get("category"))
        .and_then(Value::as_str)
        == Some("authorization")
}

fn messages(errors: &[graphql_client::Error]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

impl GraphqlClient {
    /// Runs a read until it succeeds, fails terminally, or the retries run out (backoff, at
    /// least Centra's `Retry-After`).
    pub(crate) async fn read<T, F, Fut>(&self, attempt: F) -> Result<T, GraphqlError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, GraphqlError>>,
    {
        let what = format!("centra end-point {} (graphql)", self.inner.endpoint);
        platform_http::retry::run(&self.inner.options.retry, &what, attempt).await
    }

    /// Runs a mutation, sending it again only after a 429 (Centra refused it unrun). After a
    /// timeout or a lost answer it may have run: the error goes to the caller, which reads the
    /// record back before deciding.
    pub(crate) async fn mutate<T, F, Fut>(&self, mut attempt: F) -> Result<T, GraphqlError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, GraphqlError>>,
    {
        let what = format!("centra end-point {} (graphql)", self.inner.endpoint);
        platform_http::retry::run(&self.inner.options.retry, &what, || {
            let call = attempt();
            async move { call.await.map_err(MutationAttempt) }
        })
        .await
        .map_err(|MutationAttempt(error)| error)
    }

    /// Sends operation `Q` once (reading `rateLimits` first when a reading is due) and answers
    /// its `data` as JSON.
    pub(crate) async fn send_once<Q: GraphQLQuery>(
        &self,
        call: Call,
        variables: Q::Variables,
    ) -> Result<Value, GraphqlError> {
        self.refresh_rate_limits().await;
        self.send_unread::<Q>(call, variables).await
    }

    /// Sends operation `Q` once without looking at the reading (`rateLimits` itself).
    pub(crate) async fn send_unread<Q: GraphQLQuery>(
        &self,
        call: Call,
        variables: Q::Variables,
    ) -> Result<Value, GraphqlError> {
        let estimated = self.admit(call).await;
        let _flight = Flight {
            client: self,
            call,
            complexity: estimated,
        };
        let body = Q::build_query(variables);
        let operation = call.operation;
        let request_call = platform_telemetry::ExternalCall::start(
            "centra",
            self.inner.endpoint.as_str(),
            "POST",
            &self.inner.url,
        );
        let mut bearer = HeaderValue::from_str(&format!("Bearer {}", self.inner.token.expose()))
            .map_err(|_| {
                self.error(
                    operation,
                    GraphqlErrorKind::InvalidRequest(
                        "the end-point token is not a valid header value".to_owned(),
                    ),
                )
            })?;
        bearer.set_sensitive(true);
        let note = platform_http::calls::CallNote::start_operation(
            "POST",
            &self.inner.url,
            body.operation_name,
        );
        let response = self
            .inner
            .http
            .post(&self.inner.url)
            .header(AUTHORIZATION, bearer)
            .header(reqwest::header::ACCEPT, "application/json")
            .json(&body)
            .send()
            .instrument(request_call.span())
            .await;
        request_call.finish(response.as_ref().ok().map(|r| r.status().as_u16()));
        note.finish(response.as_ref().map(reqwest::Response::status));
        let response = response.map_err(|e| self.error(operation, self.transport_kind(&e)))?;
        let status = response.status();
        let retry_after = platform_http::parse_retry_after(response.headers().get(RETRY_AFTER));
        let bytes = self.read_body(operation, response).await?;
        if status == StatusCode::TOO_MANY_REQUESTS {
            self.governor()
                .observe_throttled(Instant::now(), retry_after);
            return Err(self.error(operation, GraphqlErrorKind::Throttled(retry_after)));
        }
        let answer: Result<Answer, _> = serde_json::from_slice(&bytes);
        if let Ok(Answer {
            extensions: Some(Extensions {
                complexity: Some(actual),
            }),
            ..
        }) = &answer
        {
            self.governor()
                .settle_complexity(Instant::now(), call, estimated, *actual);
        }
        self.interpret(operation, status, answer)
    }

    fn interpret(
        &self,
        operation: &str,
        status: StatusCode,
        answer: Result<Answer, serde_json::Error>,
    ) -> Result<Value, GraphqlError> {
        let errors = answer.as_ref().map(|a| a.errors.as_slice()).unwrap_or(&[]);
        let fail = |kind| Err(self.error(operation, kind));
        if status == StatusCode::UNAUTHORIZED
            || status == StatusCode::FORBIDDEN
            || errors.iter().any(is_authorization)
        {
            let message = match messages(errors) {
                text if text.is_empty() => format!("http {}", status.as_u16()),
                text => text,
            };
            return fail(GraphqlErrorKind::NotAuthorized(message));
        }
        if status.is_server_error() {
            return fail(GraphqlErrorKind::Server(status.as_u16()));
        }
        if !status.is_success() {
            return fail(GraphqlErrorKind::Rejected {
                status: status.as_u16(),
                message: messages(errors),
            });
        }
        let answer = match answer {
            Ok(answer) => answer,
            Err(e) => {
                return fail(GraphqlErrorKind::BadPayload(PayloadError::new(
                    "response",
                    "",
                    format!("not a graphql answer: {e}"),
                )));
            }
        };
        if !answer.errors.is_empty() {
            return fail(GraphqlErrorKind::QueryFailed(messages(&answer.errors)));
        }
        match answer.data {
            Some(data) if !data.is_null() => Ok(data),
            _ => fail(GraphqlErrorKind::BadPayload(PayloadError::new(
                "response", "data", "missing",
            ))),
        }
    }

    /// Waits for the governor's go and answers the complexity it spent (in flight until the
    /// [`Flight`] made of it drops).
    async fn admit(&self, call: Call) -> u64 {
        loop {
            let admission = self.governor().admit(Instant::now(), call);
            match admission {
                Admission::Go { complexity } => return complexity,
                Admission::Wait(wait) => {
                    tracing::debug!(
                        endpoint = %self.inner.endpoint,
                        operation = call.operation,
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        "centra rate governor: waiting"
                    );
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// Reads `rateLimits` when a reading is due (at start, after a 429, when old). A failed
    /// reading is logged: the calls go on with the governor's estimate.
    async fn refresh_rate_limits(&self) {
        let turn = self.governor().take_reading_turn(Instant::now());
        if turn && let Err(error) = self.rate_limits_once().await {
            tracing::warn!(%error, "centra rate limits not read; pacing by the estimate");
        }
    }

    /// Reads `value` (the whole `data`, or one record of a list) as `T`, naming `object` and the
    /// field on failure.
    pub(crate) fn decode<T: DeserializeOwned>(
        &self,
        operation: &str,
        object: &str,
        value: Value,
    ) -> Result<T, GraphqlError> {
        decode(object, value).map_err(|e| self.error(operation, GraphqlErrorKind::BadPayload(e)))
    }

    async fn read_body(
        &self,
        operation: &str,
        response: reqwest::Response,
    ) -> Result<Vec<u8>, GraphqlError> {
        let max = self.inner.options.max_response_bytes;
        platform_http::read_limited(response, max)
            .await
            .map_err(|error| match error {
                platform_http::BodyError::TooLarge { max } => self.error(
                    operation,
                    GraphqlErrorKind::BadPayload(PayloadError::new(
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

    fn transport_kind(&self, error: &reqwest::Error) -> GraphqlErrorKind {
        if error.is_timeout() {
            return GraphqlErrorKind::Timeout(self.inner.options.request_timeout);
        }
        let mut text = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(inner) = source {
            text.push_str(": ");
            text.push_str(&inner.to_string());
            source = inner.source();
        }
        GraphqlErrorKind::Connection(text.replace(&self.inner.url, "<url>"))
    }
}

/// Reads `value` as `T`; an error names `object` and the path of the bad field.
pub(crate) fn decode<T: DeserializeOwned>(object: &str, value: Value) -> Result<T, PayloadError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        let field = if field == "." { String::new() } else { field };
        PayloadError::new(object, field, e.into_inner().to_string())
    })
}

/// A call the governor let go, in flight until dropped: answered, failed or cancelled alike
/// ([`super::governor::Governor::land`]).
struct Flight<'a> {
    client: &'a GraphqlClient,
    call: Call,
    complexity: u64,
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        self.client.governor().land(self.call, self.complexity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_field_is_named_with_its_path() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Line {
            quantity: i64,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Shipment {
            lines: Vec<Line>,
        }
        let error = decode::<Shipment>(
            "shipment 17",
            serde_json::json!({"lines": [{"quantity": 1}, {"quantity": "two"}]}),
        )
        .expect_err("bad quantity");
        assert_eq!(error.object, "shipment 17");
        assert_eq!(error.field, "lines[1].quantity");
    }
}
