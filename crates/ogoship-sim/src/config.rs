//! The settings of one simulator instance, with the defaults the brief and ogoship-api.md §2
//! name: the documented demo client `123456` / `abcdef` and a sandbox merchant.

use std::time::Duration;

/// Everything an [`OgoshipSim`](crate::OgoshipSim) can be configured with.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// OAuth `client_id` (default `123456`, the demo client of S2).
    pub client_id: String,
    /// OAuth `client_secret` (default `abcdef`).
    pub client_secret: String,
    /// The merchant ID, sent as `username` (default `sandbox-merchant`).
    pub merchant_id: String,
    /// The merchant's secret token, sent as `password` (default `sandbox-secret`).
    pub merchant_secret: String,
    /// `expires_in` of access tokens: 1.5 h (S1, S2).
    pub access_token_lifetime: Duration,
    /// Lifetime of refresh tokens: 2 weeks, single use (S1, S2).
    pub refresh_token_lifetime: Duration,
    /// The shipping methods the merchant has enabled (`order.shippingCode`, §10). An order
    /// naming another one, or naming none while several are enabled, fails validation and is
    /// stored as `reserved` (P6). Empty: every code is accepted.
    pub shipping_codes: Vec<String>,
    /// Delays between webhook delivery attempts (one attempt more than delays).
    pub webhook_retry_delays: Vec<Duration>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            client_id: "123456".into(),
            client_secret: "abcdef".into(),
            merchant_id: "sandbox-merchant".into(),
            merchant_secret: "sandbox-secret".into(),
            access_token_lifetime: Duration::from_secs(5400),
            refresh_token_lifetime: Duration::from_secs(14 * 24 * 3600),
            shipping_codes: default_shipping_codes(),
            webhook_retry_delays: vec![
                Duration::from_millis(200),
                Duration::from_millis(1000),
                Duration::from_millis(3000),
            ],
        }
    }
}

/// Doc gap: OGOship's shipping-method codes are per merchant and not listed publicly (P4);
/// these three stand in for "the methods this merchant enabled".
pub fn default_shipping_codes() -> Vec<String> {
    ["POSTI", "DHL", "UPS"].map(String::from).to_vec()
}
