//! Rate limits (GQL rate-limits page): token buckets for three things, `REQUEST_COUNT` (1 token
//! a request), `QUERY_COMPLEXITY` (1 token a complexity point) and `MUTATION_COUNT`, each over
//! `TEN_SECONDS` and `ONE_HOUR`. A bucket starts full, refills at a constant rate (quota per
//! interval) and never holds more than its quota. A request is allowed only when every bucket
//! holds its cost; then all six are charged, otherwise none is and the answer is HTTP 429 with
//! `Retry-After`.
//!
//! The buckets are shared by all tokens ("Rate limits apply per Centra environment and are
//! shared by all integrations", centra.dev rate-limits page). Defaults are the documented example
//! quotas of a fresh instance; `POST /_sim/graphql/rate-limits` changes them.
//!
//! Doc gaps:
//! - "1 request = 1 token" for mutations leaves open how a request with several mutation fields
//!   is charged; the simulator charges one `MUTATION_COUNT` token per top-level mutation field,
//!   so batching aliases cannot beat the hourly budget.
//! - `Retry-After` "points at a timestamp"; whether seconds, an HTTP date or a Unix timestamp is
//!   not said. The simulator sends delta seconds unless configured otherwise (`retryAfter`:
//!   `seconds`, `http-date` or `unix-timestamp`).
//! - A request whose complexity exceeds a bucket's whole quota could never pass; the simulator
//!   refuses it with a GraphQL error instead of a 429 (the real answer is not documented).

use std::sync::{Mutex, PoisonError};

use async_graphql::{Enum, SimpleObject};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a bucket counts.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RateLimitType {
    RequestCount,
    QueryComplexity,
    MutationCount,
}

/// A bucket's window.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RateLimitInterval {
    TenSeconds,
    OneHour,
}

impl RateLimitInterval {
    pub fn seconds(self) -> u64 {
        match self {
            Self::TenSeconds => 10,
            Self::OneHour => 3600,
        }
    }
}

/// How `Retry-After` is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RetryAfterFormat {
    /// Delta seconds (RFC 9110).
    #[default]
    Seconds,
    /// An HTTP date (RFC 9110).
    HttpDate,
    /// Unix seconds of the moment the request can pass.
    UnixTimestamp,
}

/// One row of the `rateLimits` query.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    #[graphql(name = "type")]
    #[serde(rename = "type")]
    pub kind: RateLimitType,
    pub interval_seconds: RateLimitInterval,
    pub quota: i64,
    pub used_quota: i64,
    pub remaining_quota: i64,
}

/// What one request costs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cost {
    pub requests: u64,
    pub complexity: u64,
    pub mutations: u64,
}

impl Cost {
    fn of(self, kind: RateLimitType) -> u64 {
        match kind {
            RateLimitType::RequestCount => self.requests,
            RateLimitType::QueryComplexity => self.complexity,
            RateLimitType::MutationCount => self.mutations,
        }
    }
}

/// Why a request may not pass.
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    /// Try again at this instant.
    Later { at: DateTime<Utc>, bucket: String },
    /// More than a whole bucket.
    TooLarge {
        cost: u64,
        bucket: String,
        quota: u64,
    },
}

#[derive(Debug, Clone)]
struct Bucket {
    kind: RateLimitType,
    interval: RateLimitInterval,
    quota: u64,
    /// Tokens held at `at` (fractional: refill is continuous).
    tokens: f64,
    at: DateTime<Utc>,
}

impl Bucket {
    fn full(kind: RateLimitType, interval: RateLimitInterval, quota: u64) -> Self {
        Self {
            kind,
            interval,
            quota,
            tokens: quota as f64,
            at: DateTime::<Utc>::MIN_UTC,
        }
    }

    fn rate_per_second(&self) -> f64 {
        self.quota as f64 / self.interval.seconds() as f64
    }

    /// Tokens held at `now` (time never runs backwards for a bucket).
    fn level(&self, now: DateTime<Utc>) -> f64 {
        if self.at == DateTime::<Utc>::MIN_UTC || now <= self.at {
            return self.tokens;
        }
        // Microseconds: whole milliseconds lost up to one of refill at every charge, so a
        // bucket charged many times a second refilled measurably slower than its constant rate.
        let elapsed = (now - self.at).num_microseconds().map_or_else(
            || (now - self.at).num_milliseconds() as f64 / 1e3,
            |us| us as f64 / 1e6,
        );
        (self.tokens + elapsed * self.rate_per_second()).min(self.quota as f64)
    }

    /// `REQUEST_COUNT/TEN_SECONDS`, in the API's names.
    fn label(&self) -> String {
        let kind = match self.kind {
            RateLimitType::RequestCount => "REQUEST_COUNT",
            RateLimitType::QueryComplexity => "QUERY_COMPLEXITY",
            RateLimitType::MutationCount => "MUTATION_COUNT",
        };
        let interval = match self.interval {
            RateLimitInterval::TenSeconds => "TEN_SECONDS",
            RateLimitInterval::OneHour => "ONE_HOUR",
        };
        format!("{kind}/{interval}")
    }
}

/// The six buckets.
#[derive(Debug)]
pub struct RateLimiter {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    buckets: Vec<Bucket>,
    retry_after: RetryAfterFormat,
}

/// The documented example quotas of a fresh instance.
pub const DEFAULT_QUOTAS: [(RateLimitType, RateLimitInterval, u64); 6] = [
    (
        RateLimitType::RequestCount,
        RateLimitInterval::TenSeconds,
        20,
    ),
    (
        RateLimitType::RequestCount,
        RateLimitInterval::OneHour,
        10_000,
    ),
    (
        RateLimitType::QueryComplexity,
        RateLimitInterval::TenSeconds,
        150_000,
    ),
    (
        RateLimitType::QueryComplexity,
        RateLimitInterval::OneHour,
        20_000_000,
    ),
    (
        RateLimitType::MutationCount,
        RateLimitInterval::TenSeconds,
        100,
    ),
    (
        RateLimitType::MutationCount,
        RateLimitInterval::OneHour,
        1_000,
    ),
];

impl Default for RateLimiter {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Inner::fresh()),
        }
    }
}

impl Inner {
    fn fresh() -> Self {
        Self {
            buckets: DEFAULT_QUOTAS
                .iter()
                .map(|(kind, interval, quota)| Bucket::full(*kind, *interval, *quota))
                .collect(),
            retry_after: RetryAfterFormat::default(),
        }
    }
}

impl RateLimiter {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Default quotas, full buckets, seconds in `Retry-After`.
    pub fn reset(&self) {
        *self.lock() = Inner::fresh();
    }

    /// Sets one bucket's quota and fills it.
    pub fn set_quota(&self, kind: RateLimitType, interval: RateLimitInterval, quota: u64) {
        let mut inner = self.lock();
        if let Some(bucket) = inner
            .buckets
            .iter_mut()
            .find(|b| b.kind == kind && b.interval == interval)
        {
            *bucket = Bucket::full(kind, interval, quota);
        }
    }

    /// Fills every bucket (quotas unchanged).
    pub fn refill(&self) {
        for bucket in &mut self.lock().buckets {
            *bucket = Bucket::full(bucket.kind, bucket.interval, bucket.quota);
        }
    }

    pub fn set_retry_after(&self, format: RetryAfterFormat) {
        self.lock().retry_after = format;
    }

    pub fn retry_after_format(&self) -> RetryAfterFormat {
        self.lock().retry_after
    }

    /// Charges `cost` to every bucket if every bucket holds it; otherwise charges nothing and
    /// says when the request could pass.
    pub fn take(&self, cost: Cost, now: DateTime<Utc>) -> Result<(), Refused> {
        let mut inner = self.lock();
        let mut wait_until: Option<(DateTime<Utc>, String)> = None;
        for bucket in &inner.buckets {
            let need = cost.of(bucket.kind);
            if need == 0 {
                continue;
            }
            if need > bucket.quota {
                return Err(Refused::TooLarge {
                    cost: need,
                    bucket: bucket.label(),
                    quota: bucket.quota,
                });
            }
            let level = bucket.level(now);
            if level + 1e-9 < need as f64 {
                let seconds = (need as f64 - level) / bucket.rate_per_second();
                let at = now + chrono::Duration::milliseconds((seconds * 1000.0).ceil() as i64);
                if wait_until.as_ref().is_none_or(|(t, _)| at > *t) {
                    wait_until = Some((at, bucket.label()));
                }
            }
        }
        if let Some((at, bucket)) = wait_until {
            return Err(Refused::Later { at, bucket });
        }
        for bucket in &mut inner.buckets {
            let level = bucket.level(now);
            bucket.tokens = level - cost.of(bucket.kind) as f64;
            bucket.at = now.max(bucket.at);
        }
        Ok(())
    }

    /// The six rows of the `rateLimits` query at `now`.
    pub fn snapshot(&self, now: DateTime<Utc>) -> Vec<RateLimit> {
        self.lock()
            .buckets
            .iter()
            .map(|b| {
                let quota = i64::try_from(b.quota).unwrap_or(i64::MAX);
                let remaining = (b.level(now).floor() as i64).clamp(0, quota);
                RateLimit {
                    kind: b.kind,
                    interval_seconds: b.interval,
                    quota,
                    used_quota: quota - remaining,
                    remaining_quota: remaining,
                }
            })
            .collect()
    }
}

/// The `Retry-After` value for a request that can pass at `at`.
pub fn retry_after(format: RetryAfterFormat, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    match format {
        RetryAfterFormat::Seconds => {
            let millis = (at - now).num_milliseconds().max(0);
            // Whole seconds, rounded up: waiting the advertised time is always enough.
            ((millis + 999) / 1000).max(1).to_string()
        }
        RetryAfterFormat::HttpDate => whole_second_after(at)
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string(),
        RetryAfterFormat::UnixTimestamp => whole_second_after(at).timestamp().to_string(),
    }
}

/// `at` rounded up to a whole second (dates in `Retry-After` have no fractions).
fn whole_second_after(at: DateTime<Utc>) -> DateTime<Utc> {
    let whole = at - chrono::Duration::nanoseconds(i64::from(at.timestamp_subsec_nanos()));
    if whole == at {
        at
    } else {
        whole + chrono::Duration::seconds(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap()
    }

    fn one_request() -> Cost {
        Cost {
            requests: 1,
            complexity: 10,
            mutations: 0,
        }
    }

    #[test]
    fn a_full_bucket_allows_its_quota_then_refuses_until_refilled() {
        let limits = RateLimiter::default();
        limits.set_quota(
            RateLimitType::RequestCount,
            RateLimitInterval::TenSeconds,
            3,
        );
        for _ in 0..3 {
            limits.take(one_request(), t0()).unwrap();
        }
        let Err(Refused::Later { at, bucket }) = limits.take(one_request(), t0()) else {
            panic!("fourth request refused");
        };
        assert_eq!(bucket, "REQUEST_COUNT/TEN_SECONDS");
        // 3 per 10 s: one token every 3.33 s.
        assert_eq!(at, t0() + Duration::milliseconds(3334));
        assert_eq!(retry_after(RetryAfterFormat::Seconds, at, t0()), "4");
        assert!(
            limits
                .take(one_request(), t0() + Duration::seconds(3))
                .is_err()
        );
        limits
            .take(one_request(), t0() + Duration::seconds(4))
            .unwrap();
    }

    /// The refill runs at its constant rate between charges at any fraction of a millisecond:
    /// at 2 per second, 100 charges 500.9 ms apart each leave 0.0018 over, 0.18 in all, so a
    /// charge 450 ms after the last finds 1.08 (cut to whole milliseconds, every charge found
    /// exactly 1 and the last 0.9: refused).
    #[test]
    fn the_refill_is_not_cut_to_whole_milliseconds() {
        let limits = RateLimiter::default();
        limits.set_quota(
            RateLimitType::RequestCount,
            RateLimitInterval::TenSeconds,
            20,
        );
        for _ in 0..20 {
            limits.take(one_request(), t0()).unwrap();
        }
        let mut now = t0();
        for _ in 0..100 {
            now += Duration::microseconds(500_900);
            limits.take(one_request(), now).unwrap();
        }
        limits
            .take(one_request(), now + Duration::milliseconds(450))
            .unwrap();
    }

    #[test]
    fn a_refused_request_charges_no_bucket() {
        let limits = RateLimiter::default();
        limits.set_quota(RateLimitType::MutationCount, RateLimitInterval::OneHour, 1);
        let mutation = Cost {
            requests: 1,
            complexity: 100,
            mutations: 1,
        };
        limits.take(mutation, t0()).unwrap();
        assert!(limits.take(mutation, t0()).is_err());
        let rows = limits.snapshot(t0());
        let requests = rows
            .iter()
            .find(|r| {
                r.kind == RateLimitType::RequestCount
                    && r.interval_seconds == RateLimitInterval::TenSeconds
            })
            .unwrap();
        assert_eq!((requests.used_quota, requests.remaining_quota), (1, 19));
        // A query still passes: it needs no mutation token.
        limits.take(one_request(), t0()).unwrap();
    }

    #[test]
    fn the_hourly_bucket_refills_evenly() {
        let limits = RateLimiter::default();
        limits.set_quota(
            RateLimitType::MutationCount,
            RateLimitInterval::OneHour,
            3600,
        );
        limits.set_quota(
            RateLimitType::MutationCount,
            RateLimitInterval::TenSeconds,
            10_000,
        );
        let mutation = Cost {
            requests: 0,
            complexity: 0,
            mutations: 3600,
        };
        limits.take(mutation, t0()).unwrap();
        let one = Cost {
            mutations: 1,
            ..Cost::default()
        };
        assert!(limits.take(one, t0()).is_err());
        limits.take(one, t0() + Duration::seconds(1)).unwrap();
    }

    #[test]
    fn more_than_a_whole_bucket_is_too_large() {
        let limits = RateLimiter::default();
        let huge = Cost {
            requests: 1,
            complexity: 200_000,
            mutations: 0,
        };
        assert!(matches!(
            limits.take(huge, t0()),
            Err(Refused::TooLarge { quota: 150_000, .. })
        ));
    }

    #[test]
    fn retry_after_formats() {
        let at = t0() + Duration::milliseconds(1500);
        assert_eq!(retry_after(RetryAfterFormat::Seconds, at, t0()), "2");
        assert_eq!(
            retry_after(RetryAfterFormat::HttpDate, at, t0()),
            "Wed, 01 May 2024 12:00:02 GMT"
        );
        assert_eq!(
            retry_after(RetryAfterFormat::UnixTimestamp, at, t0()),
            (t0().timestamp() + 2).to_string()
        );
    }
}
