//! `[runtime.redelivery]`: how a bus message whose handling keeps failing with a retryable
//! error (a gateway down, a store error, a gRPC `INTERNAL`) is tried again, and when it is
//! given up and kept as a dead letter for a person instead of looping unseen.
//!
//! The delay doubles from `first_delay` up to `max_delay`; the delivery numbered
//! `max_deliveries` is the last one handled. With the defaults (1 s doubling to 1 minute,
//! 60 deliveries) a message is tried for about 55 minutes: a Centra or WMS outage shorter than
//! that heals by itself, a poison message shows up in `dead-letters list` within the hour.
//!
//! Counted in deliveries rather than age because the bus counts them for both adapters (a
//! JetStream delivery's metadata, the embedded bus's ledger), and because an age limit would
//! give up on every message of a backlog at its first failure after a long stop.

use std::time::Duration;

use domain::settings::{FieldReport, HumanDuration};
use serde::Serialize;

/// Default number of deliveries before a message that keeps failing is kept as a dead letter.
pub const DEFAULT_MAX_DELIVERIES: u32 = 60;
/// Default delay before the second delivery.
pub const DEFAULT_FIRST_REDELIVERY_DELAY: Duration = Duration::from_secs(1);
/// Default longest delay between two deliveries.
pub const DEFAULT_MAX_REDELIVERY_DELAY: Duration = Duration::from_secs(60);

/// Above this a limit is a mistake (a message would loop for weeks), not a choice.
const MOST_DELIVERIES: u32 = 100_000;

/// The `[runtime.redelivery]` section, defaults applied and validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Redelivery {
    /// Deliveries of one message before it is given up. Default 60.
    pub max_deliveries: u32,
    /// Delay before the second delivery; doubles with each one after. Default `1s`.
    #[serde(with = "humantime_serde")]
    pub first_delay: Duration,
    /// Longest delay between two deliveries. Default `1m`.
    #[serde(with = "humantime_serde")]
    pub max_delay: Duration,
}

impl Default for Redelivery {
    fn default() -> Self {
        Self {
            max_deliveries: DEFAULT_MAX_DELIVERIES,
            first_delay: DEFAULT_FIRST_REDELIVERY_DELAY,
            max_delay: DEFAULT_MAX_REDELIVERY_DELAY,
        }
    }
}

impl Redelivery {
    /// How long to wait before the delivery after the one numbered `delivery_count` (1 on the
    /// first): `first_delay` doubled per earlier delivery, capped at `max_delay`.
    pub fn delay(&self, delivery_count: u32) -> Duration {
        let doublings = delivery_count.saturating_sub(1).min(31);
        self.first_delay
            .saturating_mul(1u32 << doublings)
            .min(self.max_delay)
    }

    /// Whether the delivery numbered `delivery_count` is the last one handled: if it fails
    /// again, the message is given up.
    pub fn is_last(&self, delivery_count: u32) -> bool {
        delivery_count >= self.max_deliveries
    }

    /// Whether the delivery numbered `delivery_count` comes after the last one handled: the
    /// last one never answered (the process died, or the handler outlived the ack wait).
    pub fn is_past_the_limit(&self, delivery_count: u32) -> bool {
        delivery_count > self.max_deliveries
    }

    /// The longest a message that keeps failing stays in redelivery: the delays between its
    /// `max_deliveries` deliveries (the handling time itself not counted). About 55 minutes
    /// with the defaults.
    pub fn window(&self) -> Duration {
        (1..self.max_deliveries)
            .map(|n| self.delay(n))
            .fold(Duration::ZERO, Duration::saturating_add)
    }
}

domain::lenient_section! {
    /// `[runtime.redelivery]` as written.
    pub struct RedeliveryDraft {
        max_deliveries: u32,
        first_delay: HumanDuration,
        max_delay: HumanDuration,
    }
}

impl RedeliveryDraft {
    /// Applies defaults and checks every key; problems go to `report`.
    pub fn resolve(self, report: &mut FieldReport) -> Redelivery {
        let defaults = Redelivery::default();
        report.unknown_keys(&self.unknown);
        let redelivery = Redelivery {
            max_deliveries: report
                .optional("max_deliveries", self.max_deliveries)
                .unwrap_or(defaults.max_deliveries),
            first_delay: report
                .optional("first_delay", self.first_delay)
                .map_or(defaults.first_delay, |d| d.0),
            max_delay: report
                .optional("max_delay", self.max_delay)
                .map_or(defaults.max_delay, |d| d.0),
        };
        if redelivery.max_deliveries == 0 {
            report.problem(
                "max_deliveries",
                "is 0: every message needs at least one delivery",
            );
        } else if redelivery.max_deliveries > MOST_DELIVERIES {
            report.problem(
                "max_deliveries",
                format!(
                    "is {}, over {MOST_DELIVERIES}: a poison message would loop for weeks",
                    redelivery.max_deliveries
                ),
            );
        }
        if redelivery.first_delay < Duration::from_millis(10) {
            report.problem("first_delay", "is below 10ms (e.g. \"1s\")");
        }
        if redelivery.max_delay < redelivery.first_delay {
            report.problem(
                "max_delay",
                format!("is shorter than first_delay ({:?})", redelivery.first_delay),
            );
        }
        if redelivery.max_delay > Duration::from_secs(24 * 60 * 60) {
            report.problem("max_delay", "is over a day (e.g. \"1m\")");
        }
        redelivery
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_up_to_the_cap() {
        let policy = Redelivery::default();
        let delays: Vec<u64> = (1..=8).map(|n| policy.delay(n).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(policy.delay(u32::MAX), Duration::from_secs(60));
    }

    #[test]
    fn the_limit_is_the_last_delivery_handled() {
        let policy = Redelivery {
            max_deliveries: 3,
            ..Redelivery::default()
        };
        assert!(!policy.is_last(2));
        assert!(policy.is_last(3) && !policy.is_past_the_limit(3));
        assert!(policy.is_past_the_limit(4));
    }

    /// The documented promise: with the defaults a message is tried for about 55 minutes.
    #[test]
    fn the_defaults_retry_for_about_an_hour() {
        let policy = Redelivery::default();
        let total = policy.window();
        assert!(
            (Duration::from_secs(50 * 60)..Duration::from_secs(60 * 60)).contains(&total),
            "{total:?}"
        );
    }
}
