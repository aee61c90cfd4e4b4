//! How often and how long the client retries a retryable failure: capped exponential backoff
//! with jitter (backon), a `Retry-After` from Ongoing winning over the computed delay.

use std::time::Duration;

use backon::ExponentialBuilder;

/// Retry settings of one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// First delay.
    pub min_delay: Duration,
    /// Longest computed delay.
    pub max_delay: Duration,
    /// Retries after the first attempt.
    pub max_retries: usize,
    /// Longest `Retry-After` honoured; a longer one is cut to this, so a command never hangs.
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
    /// Quick retries for tests against the simulator.
    pub fn quick() -> Self {
        Self {
            min_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            max_retries: 8,
            max_retry_after: Duration::from_secs(2),
        }
    }

    pub(crate) fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_retries)
            .with_jitter()
    }

    /// The delay before the next attempt: `Retry-After` (capped) when Ongoing sent one, else
    /// the backoff's. `None` (backoff exhausted) stays `None`.
    pub(crate) fn adjust(
        &self,
        retry_after: Option<Duration>,
        computed: Option<Duration>,
    ) -> Option<Duration> {
        let computed = computed?;
        Some(retry_after.map_or(computed, |wait| wait.min(self.max_retry_after)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_wins_but_is_capped() {
        let policy = RetryPolicy::default();
        let computed = Some(Duration::from_millis(500));
        assert_eq!(policy.adjust(None, computed), computed);
        assert_eq!(
            policy.adjust(Some(Duration::from_secs(3)), computed),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            policy.adjust(Some(Duration::from_secs(3600)), computed),
            Some(Duration::from_secs(120))
        );
        assert_eq!(policy.adjust(Some(Duration::from_secs(3)), None), None);
    }
}
