//! Retrying a call that failed in a way worth retrying.
//!
//! The rule between `Retry-After` and the backoff: the server's `Retry-After` is the earliest
//! it will take the call again, so the wait is the longer of it (capped at
//! [`RetryPolicy::max_retry_after`], so a call never hangs) and the computed backoff. A short
//! `Retry-After` never shortens the backoff, which keeps several replicas from all coming back
//! at the same instant.

use std::future::Future;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable as _};

/// What the retry needs to know of a gateway's error.
pub trait Retryable: std::fmt::Display {
    /// The same call may pass later (a timeout, a dropped connection, 5xx, 429).
    fn is_retryable(&self) -> bool;
    /// How long the server asked to wait, when it did.
    fn retry_after(&self) -> Option<Duration>;
}

/// Retry settings of one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// First delay.
    pub min_delay: Duration,
    /// Longest computed delay (the cap of the exponential growth).
    pub max_delay: Duration,
    /// Retries after the first attempt.
    pub max_retries: usize,
    /// Longest `Retry-After` honoured; a longer one is cut to this.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retries: 5,
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// Quick retries for tests against a simulator.
    pub fn quick() -> Self {
        Self {
            min_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            max_retries: 8,
            max_retry_after: Duration::from_secs(2),
        }
    }

    fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_retries)
            .with_jitter()
    }

    /// The wait before the next attempt: the longer of `retry_after` (capped) and `computed`;
    /// `None` once the backoff is exhausted.
    pub fn delay(
        &self,
        retry_after: Option<Duration>,
        computed: Option<Duration>,
    ) -> Option<Duration> {
        let computed = computed?;
        Some(retry_after.map_or(computed, |wait| {
            wait.min(self.max_retry_after).max(computed)
        }))
    }
}

/// Runs `attempt` until it succeeds, fails for good, or the retries run out; `what` (system and
/// operation, never a secret) names the call in the retry log lines.
///
/// # Errors
/// The last attempt's error: a terminal one at once, a retryable one when the policy is used up.
pub async fn run<T, E, F, Fut>(policy: &RetryPolicy, what: &str, attempt: F) -> Result<T, E>
where
    E: Retryable,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let policy = *policy;
    attempt
        .retry(policy.backoff())
        .sleep(tokio::time::sleep)
        .when(E::is_retryable)
        .adjust(move |error: &E, computed| policy.delay(error.retry_after(), computed))
        .notify(|error: &E, delay| {
            tracing::warn!(
                call = what,
                %error,
                retry_in_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "call failed; retrying"
            );
        })
        .await
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[derive(Debug)]
    struct Failure {
        retryable: bool,
        after: Option<Duration>,
    }

    impl std::fmt::Display for Failure {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "failure (retryable: {})", self.retryable)
        }
    }

    impl Retryable for Failure {
        fn is_retryable(&self) -> bool {
            self.retryable
        }
        fn retry_after(&self) -> Option<Duration> {
            self.after
        }
    }

    #[test]
    fn retry_after_is_the_least_wait_and_is_capped() {
        let policy = RetryPolicy::default();
        let computed = Some(Duration::from_millis(500));
        assert_eq!(policy.delay(None, computed), computed);
        assert_eq!(
            policy.delay(Some(Duration::from_secs(3)), computed),
            Some(Duration::from_secs(3)),
            "a longer Retry-After wins"
        );
        assert_eq!(
            policy.delay(Some(Duration::from_millis(10)), computed),
            computed,
            "a shorter one never shortens the backoff"
        );
        assert_eq!(
            policy.delay(Some(Duration::from_secs(3600)), computed),
            Some(Duration::from_secs(120)),
            "capped"
        );
        assert_eq!(policy.delay(Some(Duration::from_secs(3)), None), None);
    }

    #[tokio::test(start_paused = true)]
    async fn retries_only_what_is_retryable_and_waits_as_asked() {
        let calls = AtomicUsize::new(0);
        let started = tokio::time::Instant::now();
        let answer: Result<u32, Failure> = run(&RetryPolicy::quick(), "test call", || async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0 => Err(Failure {
                    retryable: true,
                    after: Some(Duration::from_secs(1)),
                }),
                _ => Ok(7),
            }
        })
        .await;
        assert_eq!(answer.ok(), Some(7));
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "waited as asked"
        );

        let calls = AtomicUsize::new(0);
        let answer: Result<u32, Failure> = run(&RetryPolicy::quick(), "test call", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(Failure {
                retryable: false,
                after: None,
            })
        })
        .await;
        assert!(answer.is_err());
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "a terminal error is not retried"
        );

        let calls = AtomicUsize::new(0);
        let _: Result<u32, Failure> = run(&RetryPolicy::quick(), "test call", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(Failure {
                retryable: true,
                after: None,
            })
        })
        .await;
        assert_eq!(
            calls.load(Ordering::SeqCst),
            9,
            "the first and eight retries"
        );
    }
}
