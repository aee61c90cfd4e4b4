//! `rateLimits`: the token buckets Centra enforces for the environment, read into the governor.
//! The query needs no permission and is itself limited (docs section 10).

use super::governor::{BucketKind, Budget, Call, Window};
use super::operations::{RateLimits, rate_limits};
use super::{GraphqlClient, GraphqlError, GraphqlErrorKind, PayloadError};

const RATE_LIMITS: &str = "rateLimits";

const CALL: Call = Call {
    operation: RATE_LIMITS,
    mutation: false,
};

fn kind(value: &rate_limits::RateLimitType) -> Option<BucketKind> {
    match value {
        rate_limits::RateLimitType::REQUEST_COUNT => Some(BucketKind::Requests),
        rate_limits::RateLimitType::QUERY_COMPLEXITY => Some(BucketKind::Complexity),
        rate_limits::RateLimitType::MUTATION_COUNT => Some(BucketKind::Mutations),
        rate_limits::RateLimitType::Other(_) => None,
    }
}

fn window(value: &rate_limits::RateLimitInterval) -> Option<Window> {
    match value {
        rate_limits::RateLimitInterval::TEN_SECONDS => Some(Window::TenSeconds),
        rate_limits::RateLimitInterval::ONE_HOUR => Some(Window::OneHour),
        rate_limits::RateLimitInterval::Other(_) => None,
    }
}

/// Reads the answer's buckets; a type or window the gateway does not know is skipped (logged),
/// a negative number is a bad payload naming the bucket.
fn budgets(data: rate_limits::ResponseData) -> Result<Vec<Budget>, PayloadError> {
    let mut budgets = Vec::new();
    for (i, limit) in data.rate_limits.into_iter().enumerate() {
        let (Some(kind), Some(window)) = (kind(&limit.type_), window(&limit.interval_seconds))
        else {
            tracing::info!(
                bucket = ?limit.type_,
                window = ?limit.interval_seconds,
                "centra rate limit of an unknown type or window; not governed"
            );
            continue;
        };
        let object = format!("rateLimits[{i}]");
        let count = |field: &str, value: i64| {
            u64::try_from(value)
                .map_err(|_| PayloadError::new(&object, field, format!("negative: {value}")))
        };
        budgets.push(Budget {
            kind,
            window,
            quota: count("quota", limit.quota)?,
            remaining: count("remainingQuota", limit.remaining_quota)?,
        });
    }
    Ok(budgets)
}

impl GraphqlClient {
    /// Reads `rateLimits` once and hands it to the governor; answers what Centra said.
    ///
    /// # Errors
    /// A [`GraphqlError`]: retryable for a timeout, 5xx or 429, terminal otherwise.
    pub async fn rate_limits_once(&self) -> Result<Vec<Budget>, GraphqlError> {
        // Taken before the reading goes: what was let go until Centra answers is not in it.
        let mark = self.governor().mark();
        let data = self
            .send_unread::<RateLimits>(CALL, rate_limits::Variables)
            .await?;
        let data: rate_limits::ResponseData = self.decode(RATE_LIMITS, "rateLimits", data)?;
        let budgets =
            budgets(data).map_err(|e| self.error(RATE_LIMITS, GraphqlErrorKind::BadPayload(e)))?;
        self.governor()
            .observe_readings(tokio::time::Instant::now(), &budgets, &mark);
        Ok(budgets)
    }
}
