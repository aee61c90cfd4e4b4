//! The sign-in attempt limit: [`ATTEMPTS`] sign-ins per client address in a row, then one more
//! every [`REFILL`]; an address idle for `ATTEMPTS × REFILL` (5 minutes) has all of them back.
//! A refused attempt is answered before the password is checked, so guessing costs a guesser
//! time and the page no argon2 work.
//!
//! The counting is `governor`'s keyed GCRA limiter. Every attempt that gets as far as the
//! password counts, a successful one too: `governor` cannot look at a key without taking from
//! it, and a person signs in once per session (12 hours), so only guesses run into the limit.
//! The limit is per process (replicas count apart) and per address as the page sees it: behind
//! a proxy that is the proxy's address, and every visitor coming through it shares the limit.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

/// Sign-ins an address may try in a row.
pub const ATTEMPTS: u32 = 5;
/// How long until an address may try once more, after its attempts are used up.
pub const REFILL: Duration = Duration::from_secs(60);

type Limiter<C> =
    RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// The attempts left per client address.
pub struct SignInLimit<C: Clock = DefaultClock> {
    limiter: Limiter<C>,
}

impl<C: Clock> std::fmt::Debug for SignInLimit<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInLimit")
            .field("addresses", &self.limiter.len())
            .finish()
    }
}

impl Default for SignInLimit {
    fn default() -> Self {
        Self::with_clock(DefaultClock::default())
    }
}

impl<C: Clock> SignInLimit<C> {
    fn with_clock(clock: C) -> Self {
        let quota = Quota::with_period(REFILL)
            .expect("REFILL is not zero")
            .allow_burst(NonZeroU32::new(ATTEMPTS).expect("ATTEMPTS is not zero"));
        Self {
            limiter: RateLimiter::new(quota, DefaultKeyedStateStore::default(), clock),
        }
    }

    /// Takes one attempt of `address`.
    ///
    /// # Errors
    /// How long `address` must wait for its next attempt when it has none left.
    pub fn attempt(&self, address: IpAddr) -> Result<(), Duration> {
        // Forget addresses whose attempts are all back, so the map holds only recent ones.
        self.limiter.retain_recent();
        self.limiter
            .check_key(&address)
            .map_err(|refused| refused.wait_time_from(self.limiter.clock().now()))
    }
}

#[cfg(test)]
mod tests {
    use governor::clock::FakeRelativeClock;

    use super::*;

    fn address(last: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, last])
    }

    #[test]
    fn an_address_gets_its_attempts_then_waits_for_the_next() {
        let clock = FakeRelativeClock::default();
        let limit = SignInLimit::with_clock(clock.clone());
        for n in 1..=ATTEMPTS {
            assert_eq!(limit.attempt(address(1)), Ok(()), "attempt {n}");
        }
        let wait = limit.attempt(address(1)).expect_err("the sixth is refused");
        assert!(
            wait > REFILL - Duration::from_secs(1) && wait <= REFILL,
            "{wait:?}"
        );
        // Another address is not held back by the first.
        assert_eq!(limit.attempt(address(2)), Ok(()));

        clock.advance(Duration::from_secs(30));
        let wait = limit.attempt(address(1)).expect_err("still refused");
        assert!(wait <= Duration::from_secs(30), "{wait:?}");
        clock.advance(Duration::from_secs(30));
        assert_eq!(limit.attempt(address(1)), Ok(()), "one more after a minute");
        assert!(limit.attempt(address(1)).is_err(), "and only one");

        clock.advance(REFILL * ATTEMPTS);
        for n in 1..=ATTEMPTS {
            assert_eq!(limit.attempt(address(1)), Ok(()), "all back: attempt {n}");
        }
    }

    #[test]
    fn idle_addresses_are_forgotten() {
        let clock = FakeRelativeClock::default();
        let limit = SignInLimit::with_clock(clock.clone());
        for last in 1..=20 {
            limit.attempt(address(last)).expect("a first attempt");
        }
        assert_eq!(limit.limiter.len(), 20);
        clock.advance(REFILL * 2);
        limit.attempt(address(99)).expect("a first attempt");
        assert_eq!(limit.limiter.len(), 1, "only the recent address is kept");
    }
}
