//! `X-Centra-Signature: t=<unix ts>,v1=<hex>` where
//! `v1 = hex(HMAC-SHA256(key = endpoint secret, message = "<t>.<raw request body>"))`.
//!
//! The MAC is computed over the raw bytes as received (before form decoding) and compared in
//! constant time; a timestamp outside the replay window is refused even with a valid MAC.

use std::time::Duration;

use domain::Secret;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use thiserror::Error;

/// The header Centra signs webhooks with.
pub const SIGNATURE_HEADER: &str = "x-centra-signature";

/// How old (or how far in the future) a signed timestamp may be.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(5 * 60);

/// Why a webhook is refused. Messages never contain the secret or the expected MAC.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignatureError {
    #[error("missing X-Centra-Signature header")]
    Missing,
    #[error("malformed X-Centra-Signature header: {0}")]
    Malformed(&'static str),
    #[error("signature timestamp {timestamp} is outside the {window_s} s replay window")]
    Stale { timestamp: i64, window_s: u64 },
    #[error("signature does not match the body")]
    Mismatch,
}

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &Secret, timestamp: &str, raw_body: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("hmac takes keys of any length"));
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(raw_body);
    mac
}

/// `hex(HMAC-SHA256(secret, "<timestamp>.<raw body>"))`, as Centra computes `v1`.
pub fn sign(secret: &Secret, timestamp: &str, raw_body: &[u8]) -> String {
    hex::encode(mac(secret, timestamp, raw_body).finalize().into_bytes())
}

/// Checks `header` against `raw_body` at unix time `now`.
pub fn verify(
    secret: &Secret,
    header: Option<&str>,
    raw_body: &[u8],
    now: i64,
    window: Duration,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        let Some((key, value)) = part.trim().split_once('=') else {
            return Err(SignatureError::Malformed("a part is not key=value"));
        };
        match key.trim() {
            "t" => timestamp = Some(value.trim()),
            "v1" => candidates.push(value.trim()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed("no t= part"))?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed("no v1= part"));
    }
    let seconds: i64 = timestamp
        .parse()
        .map_err(|_| SignatureError::Malformed("t is not a unix timestamp"))?;
    let window_s = window.as_secs();
    if now.abs_diff(seconds) > window_s {
        return Err(SignatureError::Stale {
            timestamp: seconds,
            window_s,
        });
    }
    let expected = mac(secret, timestamp, raw_body);
    let matches = candidates.iter().any(|candidate| {
        hex::decode(candidate)
            .ok()
            .is_some_and(|bytes| expected.clone().verify_slice(&bytes).is_ok())
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = REPLAY_WINDOW;

    #[test]
    fn accepts_own_signature_and_rejects_a_changed_body() {
        let secret = Secret::new("s3cret");
        let body = b"payload=%7B%22events%22%3A%5B%5D%7D";
        let header = format!("t=1000,v1={}", sign(&secret, "1000", body));
        assert_eq!(verify(&secret, Some(&header), body, 1000, WINDOW), Ok(()));
        assert_eq!(
            verify(&secret, Some(&header), b"payload=x", 1000, WINDOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&Secret::new("other"), Some(&header), body, 1000, WINDOW),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn refuses_missing_malformed_and_stale_headers() {
        let secret = Secret::new("s3cret");
        assert_eq!(
            verify(&secret, None, b"", 0, WINDOW),
            Err(SignatureError::Missing)
        );
        assert!(matches!(
            verify(&secret, Some("v1=abc"), b"", 0, WINDOW),
            Err(SignatureError::Malformed(_))
        ));
        let header = format!("t=1000,v1={}", sign(&secret, "1000", b"x"));
        assert!(matches!(
            verify(&secret, Some(&header), b"x", 1000 + 301, WINDOW),
            Err(SignatureError::Stale { .. })
        ));
        let rendered = verify(&secret, Some("t=1,v1=00"), b"x", 1, WINDOW)
            .expect_err("mismatch")
            .to_string();
        assert!(!rendered.contains("s3cret"));
    }
}
