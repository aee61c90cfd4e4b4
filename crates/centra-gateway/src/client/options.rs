//! Tuning of one end-point's client: timeouts, retries and client-side throttling.

use std::time::Duration;

/// Capped exponential backoff for retryable failures: the one policy every gateway uses.
pub use platform_http::RetryPolicy;

/// How the client talks to one end-point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// Whole-request timeout (connect, send, read the answer).
    pub request_timeout: Duration,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Retries of retryable failures.
    pub retry: RetryPolicy,
    /// Sustained requests per second to this end-point. Centra documents no limit for the Order
    /// API; the gateway still throttles so a backlog never floods the shop.
    pub requests_per_second: u32,
    /// Requests allowed at once before the rate applies.
    pub burst: u32,
    /// Page size for `limit`+`offset` and `limit`+`page` listings (Centra caps shipments at 100).
    pub page_size: u32,
    /// Largest answer read; a bigger one is a bad payload, not an out-of-memory.
    pub max_response_bytes: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            requests_per_second: 10,
            burst: 10,
            page_size: 100,
            max_response_bytes: platform_http::MAX_ANSWER_BYTES,
        }
    }
}
