//! Centra's Integration API (GraphQL) client: one [`GraphqlClient`] per end-point with
//! `api = "graphql"`, each with its URL, API token, rate governor and retry policy. It sits
//! beside [`crate::client`] (the Order API client) as the second Centra adapter's client.
//! What goes through it now: the SetStock, ReadStock (named products), CreateReturn,
//! GetShipment, ListProducts, UpdateShipmentQuantities, CompleteShipment (capture first when
//! asked), CaptureShipment (a `PENDING` capture is not captured), AcceptSupplierDelivery (a
//! receipt equal to the delivery) and TestConnection commands, through
//! [`crate::connection::CentraConnection`], the good-to-go poll with its cancellations, the
//! orders poll, the products poll and the deliveries poll: every flow (the order flow
//! importing shipments or orders, the catalog, stock, returns and purchase orders).
//!
//! Layout:
//! - `operations`: the typed operations, generated from `graphql/operations/*.graphql` and
//!   checked at build time against the gateway's own schema file `graphql/centra.graphql`.
//! - `transport`: one call (Bearer auth, governor, body bound, `errors[]`, `extensions`) and
//!   the retry loops (reads retry what is transient; mutations only a 429).
//! - `governor`: the rate governor's pure logic (Centra's token buckets, pacing, 429 holds).
//! - `error`: [`GraphqlError`], retryable or terminal, with `userErrors` as a [`Refusal`].
//! - `user_errors`: every mutation's `userErrors` (a [`Refusal`]) and `userWarnings` (logged).
//! - one file per resource, in Centra's terms: `shipments` (read paged, one shipment's
//!   standing with its payment history, create, update with quantities, capture, complete),
//!   `shipment_detail` (one shipment with its address and its lines' products),
//!   `shipment_ids` (numbers to ids as answers showed them), `stock` (`setStock` physical,
//!   stock totals of products, `warehouses`), `returns`
//!   (`createReturn`, `returns` of a shipment),
//!   `deliveries` (purchase order deliveries: the pending ones, one by id, accept one),
//!   `orders` (orders created since an instant, for the order import), `products` (with sizes,
//!   for stock),
//!   `catalog` (products with every field the catalog flow publishes), `events` (the
//!   events queue), `rate_limits` (`rateLimits`), `probe` (one harmless read per end-point
//!   group, for TestConnection).

pub mod catalog;
pub mod deliveries;
pub mod error;
pub mod events;
pub mod governor;
pub mod operations;
pub mod orders;
pub mod probe;
pub mod products;
pub mod rate_limits;
pub mod returns;
pub mod shipment_detail;
pub mod shipment_ids;
pub mod shipments;
pub mod stock;
mod transport;
mod user_errors;

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::{CentraApi, CentraEndpoint, EndpointName, Secret};

pub use catalog::{CatalogFilter, CatalogListing, CatalogProduct};
pub use deliveries::{
    DeliveryAcceptance, DeliveryAccepted, DeliveryEntry, DeliveryStanding, StockInsert,
};
pub use error::{GraphqlError, GraphqlErrorKind, PayloadError, Refusal, UserProblem};
pub use events::{ChangeType, Event, ObjectType};
pub use governor::{BucketKind, Budget, GovernorSettings, Window};

/// The governor of one end-point as `status` shows it ([`GraphqlClient::standing`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovernorStanding {
    /// Every bucket's estimated remaining budget now.
    pub budgets: Vec<Budget>,
    /// How long ago `rateLimits` was last read; `None` before the first reading.
    pub last_reading_ago: Option<Duration>,
    /// How much longer a 429 holds every call; `None` when calls may go.
    pub held_for: Option<Duration>,
}
pub use products::{Product, ProductSize, ProductVariant};
pub use returns::{NewReturn, ReturnCreated, ReturnRecord, ReturnStock};
pub use shipment_detail::{DetailAddress, DetailLine, ShipmentDetails, UnreadEntry};
pub use shipments::{
    Capture, Completion, NewShipment, Shipment, ShipmentChanges, ShipmentLine, ShipmentQuery,
    ShipmentStanding,
};
pub use stock::{SizeStock, StockLevel, Warehouse};

/// Tuning of one end-point's GraphQL client.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphqlOptions {
    /// Whole-request timeout (connect, send, read the answer).
    pub request_timeout: Duration,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Retries of retryable failures (a mutation: of a 429 only).
    pub retry: platform_http::RetryPolicy,
    /// `limit` of paged lists.
    pub page_size: u32,
    /// `limit` of one `events` read.
    pub events_batch: u32,
    /// Largest answer read; a bigger one is a bad payload, not an out-of-memory.
    pub max_response_bytes: usize,
    /// The rate governor's tuning.
    pub governor: GovernorSettings,
}

impl Default for GraphqlOptions {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: platform_http::RetryPolicy::default(),
            page_size: 100,
            events_batch: 100,
            max_response_bytes: platform_http::MAX_ANSWER_BYTES,
            governor: GovernorSettings::default(),
        }
    }
}

/// A client of one end-point. Cheap to clone; clones share the governor.
#[derive(Clone)]
pub struct GraphqlClient {
    inner: Arc<Inner>,
}

struct Inner {
    endpoint: EndpointName,
    url: String,
    token: Secret,
    /// The token's last day, as the settings state it (Centra has no query that tells).
    token_expires_on: Option<chrono::NaiveDate>,
    /// The AMS admin user supplier deliveries are accepted as (settings `admin_user_id`).
    admin_user_id: Option<i64>,
    http: reqwest::Client,
    options: GraphqlOptions,
    governor: Mutex<governor::Governor>,
    shipment_ids: shipment_ids::ShipmentIds,
}

/// Never prints the token (and not the governor's internals either).
impl fmt::Debug for GraphqlClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphqlClient")
            .field("endpoint", &self.inner.endpoint)
            .field("url", &self.inner.url)
            .field("token", &self.inner.token)
            .field("options", &self.inner.options)
            .finish()
    }
}

impl GraphqlClient {
    /// A client of `endpoint`, which must be set to `api = "graphql"` with a token.
    ///
    /// # Errors
    /// [`GraphqlErrorKind::InvalidRequest`] for an Order API end-point, a missing token or an
    /// HTTP client that cannot be built.
    pub fn new(endpoint: &CentraEndpoint, options: GraphqlOptions) -> Result<Self, GraphqlError> {
        let invalid = |message: String| {
            GraphqlError::new(
                &endpoint.name,
                "building client",
                GraphqlErrorKind::InvalidRequest(message),
            )
        };
        if endpoint.api != CentraApi::Graphql {
            return Err(invalid(format!(
                "the end-point is set to api = \"{}\"",
                endpoint.api
            )));
        }
        let token = endpoint
            .token
            .clone()
            .filter(|token| !token.is_blank())
            .ok_or_else(|| invalid("no token".to_owned()))?;
        // No redirects (platform_http): a redirect could carry the Bearer token to another host.
        let http = platform_http::http_client(platform_http::Timeouts {
            request: options.request_timeout,
            connect: options.connect_timeout,
        })
        .map_err(|e| invalid(e.to_string()))?;
        let governor = governor::Governor::new(tokio::time::Instant::now(), options.governor);
        Ok(Self {
            inner: Arc::new(Inner {
                endpoint: endpoint.name.clone(),
                url: endpoint.base_url.clone(),
                token,
                token_expires_on: endpoint.token_expires_on,
                admin_user_id: endpoint.admin_user_id,
                http,
                options,
                governor: Mutex::new(governor),
                shipment_ids: shipment_ids::ShipmentIds::default(),
            }),
        })
    }

    /// The end-point's name.
    pub fn endpoint(&self) -> &EndpointName {
        &self.inner.endpoint
    }

    /// Where the token stands on `today` against the last day the settings give it.
    pub fn token_expiry(&self, today: chrono::NaiveDate) -> domain::TokenExpiry {
        domain::TokenExpiry::on(self.inner.token_expires_on, today)
    }

    /// The AMS admin user supplier deliveries are accepted as, when the settings name one.
    pub fn admin_user_id(&self) -> Option<i64> {
        self.inner.admin_user_id
    }

    /// The options in force.
    pub fn options(&self) -> &GraphqlOptions {
        &self.inner.options
    }

    /// Shipment numbers to ids, as this end-point's answers showed them.
    pub fn shipment_ids(&self) -> &shipment_ids::ShipmentIds {
        &self.inner.shipment_ids
    }

    /// The governor's estimate of every bucket's remaining budget now (for `status`).
    pub fn budgets(&self) -> Vec<Budget> {
        self.governor().budgets(tokio::time::Instant::now())
    }

    /// What `status` shows of the governor: every bucket's estimate, when `rateLimits` was last
    /// read and how long a 429 still holds the calls.
    pub fn standing(&self) -> GovernorStanding {
        let now = tokio::time::Instant::now();
        let governor = self.governor();
        GovernorStanding {
            budgets: governor.budgets(now),
            last_reading_ago: governor.last_reading_ago(now),
            held_for: governor.held_for(now),
        }
    }

    fn governor(&self) -> std::sync::MutexGuard<'_, governor::Governor> {
        // A panic while holding the lock leaves plain numbers behind: keep using them.
        self.inner
            .governor
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn error(&self, operation: &str, kind: GraphqlErrorKind) -> GraphqlError {
        GraphqlError::new(&self.inner.endpoint, operation, kind)
    }
}
