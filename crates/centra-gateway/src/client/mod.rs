//! The Centra Order API client: one [`CentraClient`] per end-point (retail, wholesale, ...),
//! each with its own base URL, secret, rate limiter and retry policy.
//!
//! Layout:
//! - `options`: [`ClientOptions`] (timeouts, retries, rate).
//! - `http`: one call (auth header, envelope, error classification) and the retry loop.
//! - `record`: lenient field reading that names object and field on errors.
//! - `paging`: the relative `next` query strings of products and stock.
//! - `error`: [`CentraError`], retryable or terminal.
//! - one file per resource: `shipments`, `orders`, `products`, `stock`, `deliveries`,
//!   `returns`.

mod deliveries;
mod error;
mod http;
mod options;
mod orders;
mod paging;
mod products;
pub mod record;
mod returns;
mod shipments;
mod stock;

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::{CentraEndpoint, EndpointGroup, EndpointName, Secret};

pub use deliveries::{CentraDelivery, CentraDeliveryLine, DeliveryAcceptance, DeliveryKey};
pub use error::{CentraError, CentraErrorKind, PayloadError};
pub use options::{ClientOptions, RetryPolicy};
pub use orders::CentraOrder;
pub use products::{CentraProductRow, ProductPage, ProductQuery, group_products};
pub use returns::{CentraReturn, CentraReturnLine, NewReturn, ReturnCreated};
pub use shipments::{
    CentraShipment, CentraShipmentLine, Completion, ShipmentState, ShipmentStatusFilter,
};
pub use stock::{CentraStockRow, STOCK_BATCH, StockOutcome, StockPage};

/// A client of one end-point. Cheap to clone.
#[derive(Clone)]
pub struct CentraClient {
    inner: Arc<Inner>,
}

struct Inner {
    endpoint: EndpointName,
    base_url: String,
    secret: Secret,
    zone: Tz,
    http: reqwest::Client,
    limiter: platform_http::RequestRate,
    options: ClientOptions,
}

/// Never prints the secret (and not the limiter's internals either).
impl fmt::Debug for CentraClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CentraClient")
            .field("endpoint", &self.inner.endpoint)
            .field("base_url", &self.inner.base_url)
            .field("secret", &self.inner.secret)
            .field("zone", &self.inner.zone)
            .field("options", &self.inner.options)
            .finish()
    }
}

impl CentraClient {
    /// A client of `endpoint`, reading and writing Centra times in `zone`.
    pub fn new(
        endpoint: &CentraEndpoint,
        zone: Tz,
        options: ClientOptions,
    ) -> Result<Self, CentraError> {
        // No redirects: reqwest drops `Authorization` on a cross-host redirect but not Centra's
        // own `API-Authorization`, so following one could hand the secret to another host. The
        // Order API never redirects; a 3xx is an answer to look at, not to follow.
        let http = platform_http::http_client(platform_http::Timeouts {
            request: options.request_timeout,
            connect: options.connect_timeout,
        })
        .map_err(|e| {
            CentraError::new(
                &endpoint.name,
                "building http client",
                CentraErrorKind::InvalidRequest(e.to_string()),
            )
        })?;
        let limiter = platform_http::RequestRate::new(
            "centra",
            endpoint.name.as_str(),
            options.requests_per_second,
            options.burst,
        );
        Ok(Self {
            inner: Arc::new(Inner {
                endpoint: endpoint.name.clone(),
                base_url: endpoint.base_url.trim_end_matches('/').to_owned(),
                secret: endpoint.secret.clone(),
                zone,
                http,
                limiter,
                options,
            }),
        })
    }

    /// The end-point's name.
    pub fn endpoint(&self) -> &EndpointName {
        &self.inner.endpoint
    }

    /// Centra's system time zone for this end-point.
    pub fn zone(&self) -> Tz {
        self.inner.zone
    }

    /// The options in force.
    pub fn options(&self) -> &ClientOptions {
        &self.inner.options
    }

    /// A UTC instant as a Centra date-time filter value, in the end-point's zone.
    pub fn filter_time(&self, instant: DateTime<Utc>) -> String {
        domain::centra_time::format_centra_time(instant, self.inner.zone)
    }

    /// Checks the secret and reachability with the cheapest read (`GET /shipments?limit=1`).
    pub async fn test_connection(&self) -> Result<(), CentraError> {
        self.probe(EndpointGroup::OrderAndShipment)
            .await
            .map(|_| ())
    }

    /// Reads one page of one row from an end-point of `group`, so a plugin whose allow-list
    /// lacks the group is found before a flow needs it. Nothing is written. Answers the
    /// operation read.
    pub async fn probe(&self, group: EndpointGroup) -> Result<&'static str, CentraError> {
        let one = || vec![("limit".to_owned(), "1".to_owned())];
        let (operation, path, query) = match group {
            EndpointGroup::OrderAndShipment => ("GET /shipments", "shipments", one()),
            EndpointGroup::ProductAndStock => ("GET /stock", "stock", one()),
            // REF/503 documents no paging parameters: the unaccepted deliveries, all of them.
            EndpointGroup::SupplierDeliveries => (
                "GET /supplier-deliveries",
                "supplier-deliveries",
                Vec::new(),
            ),
            EndpointGroup::Returns => ("GET /returns", "returns", one()),
        };
        self.with_retry(|| async { self.get_once(operation, path, &query).await.map(|_| ()) })
            .await?;
        Ok(operation)
    }
}
