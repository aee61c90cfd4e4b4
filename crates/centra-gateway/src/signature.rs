//! `X-Centra-Signature: t=<unix ts>,v1=<hex>` where
//! `v1 = hex(HMAC-SHA256(key = endpoint secret, message = "<t>.<raw request body>"))`.
//!
//! The MAC is computed over the raw bytes as received (before form decoding) and compared in
//! constant time; a timestamp outside the replay window is refused even with a valid MAC, and
//! [`Replays`] refuses a signed request seen before within the window.

use std::collections::HashMap;
use std::sync::Mutex;
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
    #[error("signed request with timestamp {timestamp} was already received")]
    Replayed { timestamp: i64 },
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

/// The parts of a signature header: the timestamp as sent and as seconds, and the `v1` MACs.
struct Parts<'a> {
    timestamp: &'a str,
    seconds: i64,
    candidates: Vec<&'a str>,
}

fn parts(header: Option<&str>) -> Result<Parts<'_>, SignatureError> {
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
    Ok(Parts {
        timestamp,
        seconds,
        candidates,
    })
}

/// Checks `header` against `raw_body` at unix time `now`.
pub fn verify(
    secret: &Secret,
    header: Option<&str>,
    raw_body: &[u8],
    now: i64,
    window: Duration,
) -> Result<(), SignatureError> {
    let Parts {
        timestamp,
        seconds,
        candidates,
    } = parts(header)?;
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

/// The signed requests accepted within the replay window, so that one captured webhook sent
/// again (by anyone who saw it) is refused instead of making the gateway poll Centra on
/// every copy. A request is its signed timestamp and body: the MAC depends on nothing else.
///
/// Each process remembers its own: a copy sent to another replica wakes that one's polls
/// once more, which is harmless (a webhook is only a hint).
#[derive(Debug)]
pub struct Replays {
    window: Duration,
    /// SHA-256 of `"<t>.<raw body>"` and the signed timestamp, pruned past the window.
    seen: Mutex<HashMap<[u8; 32], i64>>,
}

impl Replays {
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Call after [`verify`] accepted `header` for `raw_body` at unix time `now`: `Ok` the
    /// first time, [`SignatureError::Replayed`] for the same signed request again.
    ///
    /// # Errors
    /// [`SignatureError::Replayed`] when seen before; the header errors of [`verify`].
    pub fn first_use(
        &self,
        header: Option<&str>,
        raw_body: &[u8],
        now: i64,
    ) -> Result<(), SignatureError> {
        use sha2::Digest as _;
        let Parts {
            timestamp, seconds, ..
        } = parts(header)?;
        let mut hasher = Sha256::new();
        hasher.update(timestamp.as_bytes());
        hasher.update(b".");
        hasher.update(raw_body);
        let key: [u8; 32] = hasher.finalize().into();
        let window_s = self.window.as_secs();
        // A poisoned lock only means another request panicked mid-insert; the map is still
        // a valid map.
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        seen.retain(|_, at| now.abs_diff(*at) <= window_s);
        if seen.insert(key, seconds).is_some() {
            return Err(SignatureError::Replayed { timestamp: seconds });
        }
        Ok(())
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
        let replays = Replays::new(WINDOW);
        assert_eq!(replays.first_use(Some(&header), b"x", 1000), Ok(()));
        assert_eq!(
            replays.first_use(Some(&header), b"x", 1100),
            Err(SignatureError::Replayed { timestamp: 1000 })
        );
        let later = format!("t=1001,v1={}", sign(&secret, "1001", b"x"));
        assert_eq!(replays.first_use(Some(&later), b"x", 1100), Ok(()));
        let rendered = verify(&secret, Some("t=1,v1=00"), b"x", 1, WINDOW)
            .expect_err("mismatch")
            .to_string();
        assert!(!rendered.contains("s3cret"));
    }
}
