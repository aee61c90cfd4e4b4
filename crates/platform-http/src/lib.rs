//! The resilience every gateway's calls to an outside HTTP API share, so Centra and the WMS
//! (and the next adapter on either side) are called by the same rules:
//!
//! - [`retry`]: [`RetryPolicy`] (capped exponential backoff with jitter, on `backon`) and
//!   [`retry::run`], which retries what the error says is retryable, waiting at least what
//!   the server's `Retry-After` asks (capped) and at least the backoff;
//! - [`retry_after`]: `Retry-After` read as seconds, a Unix timestamp or an HTTP date;
//! - [`client`]: the `reqwest` client with the timeouts and no redirects (a redirect could
//!   carry a secret header to another host);
//! - [`body`]: [`read_limited`], an answer's body read up to a bound ([`MAX_ANSWER_BYTES`]);
//! - [`calls`]: the calls made for a record ([`calls::for_records`], a task-local scope the
//!   gRPC command handler sets; [`calls::CallNote`], the call noted where it is sent), which
//!   the gateway keeps in its own table for the record's journey;
//! - [`rate`]: [`RequestRate`], a request-rate limit (`governor`) whose waits are counted in
//!   `centra_wms_rate_limit_wait_seconds`.
//!
//! What stays in a gateway: which answers are retryable (its error type implements
//! [`Retryable`]), and rules of its own upstream (the WMS's one call in flight per goods owner).

pub mod body;
pub mod calls;
pub mod client;
pub mod rate;
pub mod retry;
pub mod retry_after;

pub use body::{BodyError, MAX_ANSWER_BYTES, read_limited};
pub use client::{Timeouts, http_client};
pub use rate::RequestRate;
pub use retry::{RetryPolicy, Retryable};
pub use retry_after::{parse_retry_after, parse_retry_after_at};
