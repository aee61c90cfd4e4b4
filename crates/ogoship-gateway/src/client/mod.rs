//! The OGOship merchant REST client (`<api_url>/api/v1/`).
//!
//! Every call: a bearer token from [`tokens`] (a 401 renews it once and sends the call once
//! more), JSON both ways, and the retries every gateway shares (`platform_http`: capped
//! exponential backoff, at least the `Retry-After` asked, no redirects).
//!
//! Layout:
//! - `error.rs`: [`OgoshipError`], retryable or terminal;
//! - `tokens.rs`: password grant, rotating refresh token kept in the store, access token cache;
//! - `models.rs`: the JSON shapes read and written;
//! - `resources.rs`: one method per endpoint used, and [`Listing`] (page walks that set
//!   unreadable records aside by name).

mod error;
pub mod models;
pub mod resources;
mod tokens;

use std::sync::Arc;
use std::time::Duration;

use domain::Secret;
use platform_store::Store;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

pub use error::{FIX_CREDENTIALS, OgoshipError};
/// The one retry policy every gateway uses.
pub use platform_http::RetryPolicy;
pub use resources::{Listing, Rejected};
use tokens::TokenKeeper;

/// Connecting alone may take this long (the whole call: `ClientSettings::timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// OGOship's largest page (ogoship-api.md §3).
pub const MAX_PAGE: u32 = 250;

/// Where and as whom the client talks to OGOship.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// API host, e.g. `https://api.ogoship.com` (`/api/v1` is appended unless already there).
    pub api_url: String,
    /// The token endpoint, e.g. `https://my.ogoship.com/OAuth/Token`.
    pub token_url: String,
    /// The warehouse name (log lines and metrics only).
    pub warehouse: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub merchant_id: String,
    pub merchant_secret: Secret,
    /// Scopes asked for in the password grant (space-separated).
    pub scope: String,
    /// Whole-request time-out (connect, send, answer).
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// Page size of list calls (1..=250).
    pub page_size: u32,
}

/// Every scope the gateway uses (ogoship-api.md §2).
pub const SCOPES: &str = "read:order write:order read:product write:product read:webhook";
/// The scope asked for besides [`SCOPES`] when the gateway registers its webhooks.
pub const WEBHOOK_SCOPE: &str = "write:webhook";

impl ClientSettings {
    /// Settings from the `[wms]` section's OGOship account with production defaults.
    pub fn from_config(warehouse: &str, account: &platform_config::OgoshipAccount) -> Self {
        Self {
            api_url: account.api_url.clone(),
            token_url: account.token_url.clone(),
            warehouse: warehouse.to_owned(),
            client_id: account.client_id.clone(),
            client_secret: account.client_secret.clone(),
            merchant_id: account.merchant_id.clone(),
            merchant_secret: account.merchant_secret.clone(),
            scope: if account.webhook_url.is_some() {
                format!("{SCOPES} {WEBHOOK_SCOPE}")
            } else {
                SCOPES.to_owned()
            },
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            page_size: MAX_PAGE,
        }
    }
}

/// `<api_url>/api/v1/`: the configured host, or a URL that already ends with `/api/v1`.
fn api_root(api_url: &str) -> String {
    let trimmed = api_url.trim_end_matches('/');
    if trimmed.to_ascii_lowercase().ends_with("/api/v1") {
        format!("{trimmed}/")
    } else {
        format!("{trimmed}/api/v1/")
    }
}

/// A client of one OGOship merchant. Cheap to clone; clones share the tokens.
#[derive(Debug, Clone)]
pub struct OgoshipClient {
    http: reqwest::Client,
    api_root: String,
    settings: Arc<ClientSettings>,
    tokens: Arc<TokenKeeper>,
}

impl OgoshipClient {
    /// A client keeping its refresh token in `store` (the gateway's own store).
    pub fn new(settings: ClientSettings, store: Store) -> Result<Self, OgoshipError> {
        // No redirects: a redirect to another host must not carry the bearer token.
        let http = platform_http::http_client(platform_http::Timeouts {
            request: settings.timeout,
            connect: settings.timeout.min(CONNECT_TIMEOUT),
        })
        .map_err(|source| OgoshipError::Transport {
            operation: "building the http client".into(),
            source,
        })?;
        let tokens = TokenKeeper::new(http.clone(), settings.clone(), store);
        Ok(Self {
            http,
            api_root: api_root(&settings.api_url),
            settings: Arc::new(settings),
            tokens: Arc::new(tokens),
        })
    }

    pub fn warehouse(&self) -> &str {
        &self.settings.warehouse
    }

    /// The page size of list calls, within OGOship's 1..=250.
    pub fn page_size(&self) -> u32 {
        self.settings.page_size.clamp(1, MAX_PAGE)
    }

    /// A URL under the API root with `segments` appended (each one percent-encoded).
    fn url(&self, segments: &[&str]) -> Result<Url, OgoshipError> {
        let mut url = Url::parse(&self.api_root).map_err(|e| OgoshipError::Decode {
            operation: "building a url".into(),
            reason: format!("api_url {:?} is not a URL: {e}", self.settings.api_url),
        })?;
        {
            let mut path = url.path_segments_mut().map_err(|()| OgoshipError::Decode {
                operation: "building a url".into(),
                reason: format!("api_url {:?} cannot take a path", self.settings.api_url),
            })?;
            path.pop_if_empty().extend(segments);
        }
        Ok(url)
    }

    /// Sends one call with retries; the body of a 2xx answer, or the error.
    pub(crate) async fn call(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, OgoshipError> {
        let url = self.url(segments)?;
        let operation = format!("{method} {}", segments.join("/"));
        let attempt = || self.authorized(&method, &url, query, body.as_deref(), &operation);
        platform_http::retry::run(
            &self.settings.retry,
            &format!("ogoship {operation}"),
            attempt,
        )
        .await
    }

    /// One attempt with a live token; a 401 renews the token and sends the call once more.
    async fn authorized(
        &self,
        method: &Method,
        url: &Url,
        query: &[(&str, String)],
        body: Option<&[u8]>,
        operation: &str,
    ) -> Result<Vec<u8>, OgoshipError> {
        let token = self.tokens.bearer().await?;
        match self
            .attempt(method, url, query, body, operation, &token)
            .await
        {
            Err(OgoshipError::Status { status: 401, .. }) => {
                tracing::info!(operation, "ogoship refused the access token; renewing it");
                let token = self.tokens.renew(&token).await?;
                self.attempt(method, url, query, body, operation, &token)
                    .await
            }
            other => other,
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        query: &[(&str, String)],
        body: Option<&[u8]>,
        operation: &str,
        token: &Secret,
    ) -> Result<Vec<u8>, OgoshipError> {
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .bearer_auth(token.expose())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .query(query);
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.to_vec());
        }
        let transport = |source| OgoshipError::Transport {
            operation: operation.to_owned(),
            source,
        };
        let call = platform_telemetry::ExternalCall::start(
            "ogoship",
            &self.settings.warehouse,
            method.as_str(),
            url.as_str(),
        );
        // Kept for the record's journey when a command names one (platform_http::calls).
        let note = platform_http::calls::CallNote::start(method.as_str(), url.as_str());
        let response = request.send().instrument(call.span()).await;
        call.finish(response.as_ref().ok().map(|r| r.status().as_u16()));
        note.finish(response.as_ref().map(reqwest::Response::status));
        let response = response.map_err(transport)?;
        let status = response.status().as_u16();
        let retry_after = platform_http::parse_retry_after(response.headers().get("retry-after"));
        let body = platform_http::read_limited(response, platform_http::MAX_ANSWER_BYTES)
            .await
            .map_err(|error| read_error(operation, error))?;
        if status >= 400 {
            let (message, _) = error::error_message(&body);
            return Err(OgoshipError::Status {
                operation: operation.to_owned(),
                status,
                message,
                oauth_error: None,
                retry_after,
            });
        }
        Ok(body)
    }

    /// `GET` one JSON document.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> Result<T, OgoshipError> {
        let body = self.call(Method::GET, segments, query, None).await?;
        decode(&format!("GET {}", segments.join("/")), &body)
    }

    /// Sends `body` as JSON with `method`; returns the decoded answer.
    pub(crate) async fn send_json<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: &B,
    ) -> Result<T, OgoshipError> {
        let operation = format!("{method} {}", segments.join("/"));
        let bytes = serde_json::to_vec(body).map_err(|e| OgoshipError::Decode {
            operation: operation.clone(),
            reason: format!("cannot encode the request body: {e}"),
        })?;
        let answer = self.call(method, segments, query, Some(bytes)).await?;
        decode(&operation, &answer)
    }
}

/// Reads a JSON answer; an empty body reads as `null` (a webhook list may be `null`, §9).
fn decode<T: DeserializeOwned>(operation: &str, body: &[u8]) -> Result<T, OgoshipError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"null".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| OgoshipError::Decode {
        operation: operation.to_owned(),
        reason: e.to_string(),
    })
}

/// A body that could not be read: the connection failed (retryable), or the answer went past
/// the bound (an unreadable answer, terminal).
pub(crate) fn read_error(operation: &str, error: platform_http::BodyError) -> OgoshipError {
    match error {
        platform_http::BodyError::Transport(source) => OgoshipError::Transport {
            operation: operation.to_owned(),
            source,
        },
        too_large @ platform_http::BodyError::TooLarge { .. } => OgoshipError::Decode {
            operation: operation.to_owned(),
            reason: too_large.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_root_takes_a_host_or_the_versioned_url() {
        assert_eq!(
            api_root("https://api.ogoship.com"),
            "https://api.ogoship.com/api/v1/"
        );
        assert_eq!(
            api_root("http://127.0.0.1:9/api/v1/"),
            "http://127.0.0.1:9/api/v1/"
        );
        assert_eq!(api_root("http://h/Api/V1"), "http://h/Api/V1/");
    }
}
