//! The commands' port to Centra: what the gRPC commands need from Centra, in the gateway's own
//! terms (Centra's ids as text, products by EAN or joined SKU, outcomes the commands answer),
//! whichever API the end-point is set to (`domain::CentraApi`, per end-point).
//!
//! [`CentraConnection`] is an enum over the two clients rather than a trait: there are exactly
//! two adapters, both in this crate, and the commands need no test double (the contract suite,
//! `tests/centra_api_contract.rs`, runs the same cases against both over the simulator).
//!
//! What goes through the GraphQL client so far: the orders of the order import (`orders`), the
//! catalogue (`whole_catalog`, `catalog_page`),
//! stock (`set_stock`, `product_stock`,
//! `stock_page`), returns (`returns_of`, `create_return_once`) and completing a shipment with tracking, capture off
//! (`is_completed`, `complete_once`; with capture on, the command captures first), capturing
//! (`payment_standing`, `capture_once`: a `PENDING` capture is not yet captured), and reading a
//! shipment and setting its quantities (`shipment_state`, `order_lines_once`,
//! `update_quantities_once`), and supplier deliveries (`pending_deliveries`,
//! `delivery_with_lines`, `delivery_standing`, `accept_delivery_once`: through GraphQL a
//! delivery is accepted as it stands), and the orders the order import reads (`orders`):
//! every command and every poll.
//!
//! Errors: every method fails with a [`ConnectionError`] that keeps the client's error as its
//! source and says its [`ConnectionErrorKind`], made from the client's typed kind (never from
//! text). The commands map the kinds alike for both APIs: `Unavailable` to `UNAVAILABLE`,
//! `Refused` to `FAILED_PRECONDITION`, `InvalidRequest` to `INVALID_ARGUMENT`, `BadAnswer` to
//! `INTERNAL`. A record Centra does not know is not an error: a read answers `None` and the
//! command answers `NOT_FOUND`.
//!
//! Layout: `listing` (the good-to-go list the shipments poll reads), `orders` (the orders the
//! orders poll reads), `catalog` (the product
//! rows the products poll and ListProducts read), `quantities` (a shipment as it is now, its order lines, set its quantities),
//! `stock` (set physical stock, read a product's or a page of every size's),
//! `returns` (find a tagged return, create one), `shipments` (is one completed, complete one), `payments` (where a payment
//! stands, capture), `deliveries` (the pending supplier deliveries, one with where it stands,
//! accept one).

mod catalog;
mod deliveries;
mod listing;
mod orders;
mod payments;
mod quantities;
mod returns;
mod shipments;
mod stock;

use std::future::Future;
use std::time::Duration;

use chrono_tz::Tz;
use domain::{CentraApi, CentraEndpoint, EndpointName};
use thiserror::Error;

use crate::client::{CentraClient, CentraError, CentraErrorKind, ClientOptions};
use crate::client_graphql::{GraphqlClient, GraphqlError, GraphqlErrorKind, GraphqlOptions};

pub use catalog::CatalogPage;
pub use deliveries::{DeliveryAccepted, DeliveryStanding};
pub use listing::GoodToGoPage;
pub use payments::{CaptureOutcome, PaymentStanding};
pub use returns::{NewReturn, ReturnCreated, ReturnFound};
pub use shipments::ShipmentCompletion;

/// One end-point's Centra, through the API its settings name.
#[derive(Debug, Clone)]
pub enum CentraConnection {
    /// The REST Order API plugin.
    OrderApi(CentraClient),
    /// The GraphQL Integration API.
    Graphql(GraphqlClient),
}

impl From<CentraClient> for CentraConnection {
    fn from(client: CentraClient) -> Self {
        Self::OrderApi(client)
    }
}

impl From<GraphqlClient> for CentraConnection {
    fn from(client: GraphqlClient) -> Self {
        Self::Graphql(client)
    }
}

/// What kind of failure a [`ConnectionError`] is; the same for both APIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionErrorKind {
    /// Trying again later may help: a timeout, a dropped connection, HTTP 5xx or 429.
    Unavailable,
    /// Centra refused the call (a business refusal, `userErrors`, a refused credential or
    /// permission, another 4xx): trying again unchanged will not help.
    Refused,
    /// Centra's answer could not be read.
    BadAnswer,
    /// The gateway would not send the call (bad input).
    InvalidRequest,
}

/// A failed call through either API, with the client's error as its source (boxed: the
/// commands' errors carry it and stay small).
#[derive(Debug, Error)]
pub enum ConnectionError {
    #[error(transparent)]
    OrderApi(Box<CentraError>),
    #[error(transparent)]
    Graphql(Box<GraphqlError>),
}

impl From<CentraError> for ConnectionError {
    fn from(error: CentraError) -> Self {
        Self::OrderApi(Box::new(error))
    }
}

impl From<GraphqlError> for ConnectionError {
    fn from(error: GraphqlError) -> Self {
        Self::Graphql(Box::new(error))
    }
}

impl ConnectionError {
    /// The kind, from the client's typed error kind.
    pub fn kind(&self) -> ConnectionErrorKind {
        match self {
            Self::OrderApi(error) => match &error.kind {
                _ if error.is_retryable() => ConnectionErrorKind::Unavailable,
                CentraErrorKind::BadPayload(_) => ConnectionErrorKind::BadAnswer,
                CentraErrorKind::InvalidRequest(_) => ConnectionErrorKind::InvalidRequest,
                _ => ConnectionErrorKind::Refused,
            },
            Self::Graphql(error) => match &error.kind {
                _ if error.is_retryable() => ConnectionErrorKind::Unavailable,
                GraphqlErrorKind::BadPayload(_) => ConnectionErrorKind::BadAnswer,
                GraphqlErrorKind::InvalidRequest(_) => ConnectionErrorKind::InvalidRequest,
                _ => ConnectionErrorKind::Refused,
            },
        }
    }

    /// Why the gateway would not send the call, when it is [`ConnectionErrorKind::InvalidRequest`].
    pub fn invalid_request(&self) -> Option<&str> {
        match self {
            Self::OrderApi(error) => match &error.kind {
                CentraErrorKind::InvalidRequest(reason) => Some(reason),
                _ => None,
            },
            Self::Graphql(error) => match &error.kind {
                GraphqlErrorKind::InvalidRequest(reason) => Some(reason),
                _ => None,
            },
        }
    }

    /// True when Centra itself refused the record (the Order API's refusal answer, GraphQL
    /// `userErrors`), as opposed to a refused credential or request: what a command reads the
    /// record back after, to tell "already done" from a real refusal.
    pub fn is_record_refusal(&self) -> bool {
        match self {
            Self::OrderApi(error) => matches!(error.kind, CentraErrorKind::Refused(_)),
            Self::Graphql(error) => matches!(error.kind, GraphqlErrorKind::Refused(_)),
        }
    }

    /// The record Centra refused (when the client knows it) and the input fields it named, when
    /// Centra refused the record itself ([`Self::is_record_refusal`]); `None` otherwise.
    pub fn refused_record(&self) -> Option<(Option<String>, Vec<String>)> {
        match self {
            Self::OrderApi(error) => {
                matches!(error.kind, CentraErrorKind::Refused(_)).then(|| (None, Vec::new()))
            }
            Self::Graphql(error) => error.refusal().map(|refusal| {
                let fields = refusal
                    .problems
                    .iter()
                    .filter(|p| !p.path.is_empty())
                    .map(|p| p.field())
                    .collect();
                (Some(refusal.record.clone()), fields)
            }),
        }
    }

    /// True when trying again later may help.
    pub fn is_retryable(&self) -> bool {
        self.kind() == ConnectionErrorKind::Unavailable
    }
}

impl platform_http::Retryable for ConnectionError {
    fn is_retryable(&self) -> bool {
        ConnectionError::is_retryable(self)
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::OrderApi(error) => error.retry_after(),
            Self::Graphql(error) => error.retry_after(),
        }
    }
}

impl CentraConnection {
    /// The client `endpoint.api` names: the Order API client (times in `zone`) or the GraphQL
    /// client.
    ///
    /// # Errors
    /// The client's own refusal to be built (a missing secret or token, an HTTP client that
    /// cannot be built), as [`ConnectionErrorKind::InvalidRequest`].
    pub fn for_endpoint(
        endpoint: &CentraEndpoint,
        zone: Tz,
        order_api: ClientOptions,
        graphql: GraphqlOptions,
    ) -> Result<Self, ConnectionError> {
        Ok(match endpoint.api {
            CentraApi::OrderApi => Self::OrderApi(CentraClient::new(endpoint, zone, order_api)?),
            CentraApi::Graphql => Self::Graphql(GraphqlClient::new(endpoint, graphql)?),
        })
    }

    /// The end-point's name.
    pub fn endpoint(&self) -> &EndpointName {
        match self {
            Self::OrderApi(client) => client.endpoint(),
            Self::Graphql(client) => client.endpoint(),
        }
    }

    /// Which API this connection speaks.
    pub fn api(&self) -> CentraApi {
        match self {
            Self::OrderApi(_) => CentraApi::OrderApi,
            Self::Graphql(_) => CentraApi::Graphql,
        }
    }

    /// One harmless read of `group`'s list (TestConnection); answers the operation read.
    ///
    /// # Errors
    /// The client's error: a refused secret or token, a group the plugin's allow-list or the
    /// token's permissions lack, or any failed call.
    pub async fn probe(
        &self,
        group: domain::EndpointGroup,
    ) -> Result<&'static str, ConnectionError> {
        match self {
            Self::OrderApi(client) => Ok(client.probe(group).await?),
            Self::Graphql(client) => Ok(client.probe(group).await?),
        }
    }

    /// Runs `attempt` until it succeeds, fails with a kind other than
    /// [`ConnectionErrorKind::Unavailable`], or the client's retries run out (backoff, at least
    /// Centra's `Retry-After`).
    ///
    /// # Errors
    /// The last attempt's error.
    pub async fn with_retry<T, F, Fut>(&self, attempt: F) -> Result<T, ConnectionError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ConnectionError>>,
    {
        let policy = match self {
            Self::OrderApi(client) => &client.options().retry,
            Self::Graphql(client) => &client.options().retry,
        };
        let what = format!("centra end-point {}", self.endpoint());
        platform_http::retry::run(policy, &what, attempt).await
    }
}
