//! A request rate for one upstream end-point: a token bucket (`governor`), each wait counted
//! in `centra_wms_rate_limit_wait_seconds{system, endpoint}`.

use std::num::NonZeroU32;
use std::time::Instant;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// At most `per_second` calls a second to one end-point, `burst` at once.
#[derive(Debug)]
pub struct RequestRate {
    limiter: DefaultDirectRateLimiter,
    system: &'static str,
    endpoint: String,
}

impl RequestRate {
    /// `per_second` and `burst` below 1 count as 1.
    pub fn new(system: &'static str, endpoint: &str, per_second: u32, burst: u32) -> Self {
        let per_second = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::direct(Quota::per_second(per_second).allow_burst(burst)),
            system,
            endpoint: endpoint.to_owned(),
        }
    }

    /// Waits until the next call may go.
    pub async fn until_ready(&self) {
        let waiting = Instant::now();
        self.limiter.until_ready().await;
        platform_telemetry::record_rate_limit_wait(self.system, &self.endpoint, waiting.elapsed());
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn the_burst_goes_at_once_then_the_rate_holds() {
        let rate = RequestRate::new("centra", "shop", 20, 2);
        let started = Instant::now();
        for _ in 0..4 {
            rate.until_ready().await;
        }
        // Two at once, then two more at 20/s: at least ~100 ms.
        assert!(
            started.elapsed() >= Duration::from_millis(90),
            "{:?}",
            started.elapsed()
        );
    }
}
