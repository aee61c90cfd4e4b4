//! The HTTP client every gateway builds: its timeouts, and no redirects.

use std::time::Duration;

/// How long one call may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Whole call: connect, send, read the answer.
    pub request: Duration,
    /// Connecting alone.
    pub connect: Duration,
}

/// A client with `timeouts` that never follows a redirect: a redirect would send the secret
/// header (Centra's API key, the WMS's Basic auth) to wherever it points, so it is an answer
/// to report, not to follow.
///
/// # Errors
/// The TLS backend could not be set up.
pub fn http_client(timeouts: Timeouts) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .timeout(timeouts.request)
        .connect_timeout(timeouts.connect)
        .redirect(reqwest::redirect::Policy::none())
        .build()
}
