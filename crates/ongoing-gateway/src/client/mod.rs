//! The Ongoing goods-owner REST client (`/{warehouse}/api/v1/`).
//!
//! Every call: HTTP Basic auth, JSON sent with an explicit `Content-Length` (Ongoing answers
//! chunked bodies with a bare 500), the goods owner's lane (process-wide, or shared by the
//! replicas through the gateway's store) held while the request is on the wire (released between retries), and the retries every gateway shares
//! (`platform_http`: capped exponential backoff, at least the `Retry-After` asked, no redirect).
//!
//! Layout:
//! - `error.rs`: [`OngoingError`], retryable or terminal;
//! - `in_flight.rs`: the lane per goods owner (process-wide, or across replicas);
//! - `pagination.rs`: [`IdCursor`], [`Listing`], [`Pages`]: the ID-cursor walk, a page at a
//!   time or whole, unreadable records set aside by name;
//! - `models.rs`: the JSON shapes read and written;
//! - `resources.rs`: one method per endpoint used.

mod error;
mod in_flight;
pub mod models;
mod pagination;
mod resources;

use std::time::Duration;

use domain::Secret;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

pub use error::OngoingError;
use in_flight::GoodsOwnerLane;
pub use pagination::{HasId, IdCursor, Listing, Pages, Rejected};
/// The one retry policy every gateway uses.
pub use platform_http::RetryPolicy;
pub use resources::Written;

/// Connecting alone may take this long (the whole call: `ClientSettings::timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where and as whom the client talks to Ongoing.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// Host, e.g. `https://api.ongoingsystems.se`.
    pub base_url: String,
    pub warehouse: String,
    pub user: String,
    pub password: Secret,
    pub goods_owner_id: i64,
    /// Whole-request time-out (connect, send, answer).
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// Page size of list calls (`maxXToGet`). A poll holds one page while it handles it, so
    /// the page bounds the gateway's memory under a backlog: 200 by default (ongoing-gateway
    /// peaked at 38.2 MiB completing 3,000 shipped orders with it, at 78.8 with 1,000, one run
    /// each), one listing call per 200 records beside the two report calls each needs.
    pub page_size: u32,
}

/// The default [`ClientSettings::page_size`].
pub const PAGE_SIZE: u32 = 200;

impl ClientSettings {
    /// Settings from the `[wms]` section's Ongoing account with production defaults.
    pub fn from_config(warehouse: &str, account: &platform_config::OngoingAccount) -> Self {
        Self {
            base_url: account.base_url.clone(),
            warehouse: warehouse.to_owned(),
            user: account.user.clone(),
            password: account.password.clone(),
            goods_owner_id: account.goods_owner_id,
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            page_size: PAGE_SIZE,
        }
    }
}

/// A client of one goods owner. Cheap to clone; clones (and any other client of the same host
/// and goods owner in the process) share one lane.
#[derive(Debug, Clone)]
pub struct OngoingClient {
    http: reqwest::Client,
    api_root: String,
    settings: ClientSettings,
    lane: GoodsOwnerLane,
}

/// A raw answer: status and body.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

impl OngoingClient {
    pub fn new(settings: ClientSettings) -> Result<Self, OngoingError> {
        // No redirects: the Goods Owner API never redirects, and a redirect to another host
        // must not be followed with the API user's credentials (the same rule as Centra's
        // client).
        let http = platform_http::http_client(platform_http::Timeouts {
            request: settings.timeout,
            connect: settings.timeout.min(CONNECT_TIMEOUT),
        })
        .map_err(|source| OngoingError::Transport {
            operation: "building the http client".into(),
            source,
        })?;
        let api_root = format!(
            "{}/{}/api/v1/",
            settings.base_url.trim_end_matches('/'),
            settings.warehouse
        );
        let lane = GoodsOwnerLane::for_goods_owner(
            &settings.base_url,
            &settings.warehouse,
            settings.goods_owner_id,
        );
        Ok(Self {
            http,
            api_root,
            settings,
            lane,
        })
    }

    /// The same client, its lane held in `locks` (the gateway's store), so every replica of
    /// the gateway keeps the one request in flight together.
    pub fn with_shared_lane(self, locks: platform_store::Locks) -> Self {
        Self {
            lane: self.lane.shared(locks),
            ..self
        }
    }

    pub fn goods_owner_id(&self) -> i64 {
        self.settings.goods_owner_id
    }

    pub fn warehouse(&self) -> &str {
        &self.settings.warehouse
    }

    pub fn page_size(&self) -> u32 {
        self.settings.page_size
    }

    /// Sends one call with retries; any status below 400 is returned, the rest are errors.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> Result<Answer, OngoingError> {
        let operation = format!("{method} {path}");
        let attempt = || self.attempt(&method, path, query, body.as_deref(), &operation);
        // The shared rules (`platform_http::retry`): backoff, at least Ongoing's Retry-After.
        platform_http::retry::run(
            &self.settings.retry,
            &format!("ongoing {operation}"),
            attempt,
        )
        .await
    }

    async fn attempt(
        &self,
        method: &Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&[u8]>,
        operation: &str,
    ) -> Result<Answer, OngoingError> {
        let url = format!("{}{}", self.api_root, path.trim_start_matches('/'));
        let mut request = self
            .http
            .request(method.clone(), &url)
            .basic_auth(&self.settings.user, Some(self.settings.password.expose()))
            .query(query);
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .header(CONTENT_LENGTH, body.len())
                .body(body.to_vec());
        } else if *method != Method::GET {
            request = request.header(CONTENT_LENGTH, 0);
        }
        let transport = |source| OngoingError::Transport {
            operation: operation.to_owned(),
            source,
        };
        // The lane is held from sending until the whole answer is read.
        let waiting = std::time::Instant::now();
        let lane = self
            .lane
            .enter()
            .await
            .map_err(|source| OngoingError::Lane {
                operation: operation.to_owned(),
                source,
            })?;
        // One call in flight per goods owner: the WMS's limit, waited for here.
        platform_telemetry::record_rate_limit_wait(
            "ongoing",
            &self.settings.warehouse,
            waiting.elapsed(),
        );
        let call = platform_telemetry::ExternalCall::start(
            "ongoing",
            &self.settings.warehouse,
            method.as_str(),
            &url,
        );
        // Kept for the record's journey when a command names one (platform_http::calls).
        let note = platform_http::calls::CallNote::start(method.as_str(), &url);
        let response = request.send().instrument(call.span()).await;
        call.finish(response.as_ref().ok().map(|r| r.status().as_u16()));
        note.finish(response.as_ref().map(reqwest::Response::status));
        let response = response.map_err(transport)?;
        let status = response.status();
        let retry_after = platform_http::parse_retry_after(response.headers().get("retry-after"));
        let body = platform_http::read_limited(response, platform_http::MAX_ANSWER_BYTES)
            .await
            .map_err(|error| match error {
                platform_http::BodyError::Transport(source) => transport(source),
                too_large @ platform_http::BodyError::TooLarge { .. } => OngoingError::Decode {
                    operation: operation.to_owned(),
                    reason: too_large.to_string(),
                },
            })?;
        drop(lane);
        if status.as_u16() >= 400 {
            return Err(OngoingError::Status {
                operation: operation.to_owned(),
                status: status.as_u16(),
                message: error::error_message(&body),
                retry_after,
            });
        }
        Ok(Answer { status, body })
    }

    /// `GET` one JSON document.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, OngoingError> {
        let answer = self.call(Method::GET, path, query, None).await?;
        decode(&format!("GET {path}"), &answer.body)
    }

    /// Sends `body` as JSON with `method`; returns the status and the decoded answer.
    pub(crate) async fn send_json<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: &B,
    ) -> Result<(StatusCode, T), OngoingError> {
        let operation = format!("{method} {path}");
        let bytes = serde_json::to_vec(body).map_err(|e| OngoingError::Decode {
            operation: operation.clone(),
            reason: format!("cannot encode the request body: {e}"),
        })?;
        let answer = self.call(method, path, query, Some(bytes)).await?;
        Ok((answer.status, decode(&operation, &answer.body)?))
    }

    /// Walks an ID-cursor list to its end (the first empty page), `page_size` rows a call,
    /// and answers it whole (a list known to stay short; a backlog is read with [`Pages`]).
    /// Records that cannot be read are set aside in [`Listing::rejected`].
    pub(crate) async fn get_all<T: HasId>(
        &self,
        path: &'static str,
        cursor: IdCursor,
        filters: &[(&str, String)],
    ) -> Result<Listing<T>, OngoingError> {
        let mut listing = Listing {
            records: Vec::new(),
            rejected: Vec::new(),
        };
        let mut pages = Pages::new(self, path, cursor, filters);
        while let Some(page) = pages.next().await? {
            listing.records.extend(page.records);
            listing.rejected.extend(page.rejected);
        }
        Ok(listing)
    }

    /// One page of `path` matching `filters` from `from` (inclusive; `None`: the start), at
    /// most `max` records (0: the configured page size); also where the next page starts
    /// (`None`: this was the last one).
    pub(crate) async fn get_page<T: HasId>(
        &self,
        path: &str,
        cursor: IdCursor,
        filters: &[(&str, String)],
        from: Option<i64>,
        max: u32,
    ) -> Result<(Listing<T>, Option<i64>), OngoingError> {
        let max = if max == 0 { self.page_size() } else { max };
        let (listing, len, max_id) = self.list_page(path, cursor, filters, from, max, 1).await?;
        // A short page is the last one; a full one may have more after it.
        let next = pagination::next_from(max_id, from).filter(|_| len >= max as usize);
        Ok((listing, next))
    }

    /// One list call of `path`: `filters`, the goods owner and at most `max` records from
    /// `from`; the page read into a [`Listing`] (`page_number` names its unreadable records),
    /// how many records it had and its largest id.
    pub(crate) async fn list_page<T: HasId>(
        &self,
        path: &str,
        cursor: IdCursor,
        filters: &[(&str, String)],
        from: Option<i64>,
        max: u32,
        page_number: usize,
    ) -> Result<(Listing<T>, usize, Option<i64>), OngoingError> {
        let mut query: Vec<(&str, String)> = filters.to_vec();
        query.push(("goodsOwnerId", self.goods_owner_id().to_string()));
        query.push((cursor.max_to_get, max.to_string()));
        if let Some(from) = from {
            query.push((cursor.id_from, from.to_string()));
        }
        let page: Vec<serde_json::Value> = self.get_json(path, &query).await?;
        let len = page.len();
        let mut listing = Listing {
            records: Vec::new(),
            rejected: Vec::new(),
        };
        let max_id = pagination::read_page(&mut listing, page, page_number);
        Ok((listing, len, max_id))
    }
}

fn decode<T: DeserializeOwned>(operation: &str, body: &[u8]) -> Result<T, OngoingError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"null".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| OngoingError::Decode {
        operation: operation.to_owned(),
        reason: e.to_string(),
    })
}
