//! `[runtime.retention]`: how long the bus, the inboxes, the outboxes and the dead letters keep
//! what they hold, so a merchant's disk stops growing with every order ever synced.
//!
//! - `bus` (default 7 days): a message older than this is removed from the bus (the NATS
//!   stream's `max_age`, the embedded bus's own pruning). A consumer created later (a new
//!   service, a flow switched on) starts at the oldest message still kept, so its replay is
//!   bounded by this too.
//! - `inbox` (default 14 days): how long a service remembers the message ids it has handled.
//!   It must outlive `bus` plus the longest redelivery window (`[runtime.redelivery]`): a
//!   message redelivered or replayed after its inbox entry was pruned would be handled twice.
//! - `published_outbox` (default 1 day): how long an event stays in its service's outbox after
//!   it was published (unpublished ones stay until published; refused ones stay as dead
//!   letters).
//! - `resolved_dead_letters` (default 30 days): how long a dead letter a person retried or
//!   discarded stays listed. Open dead letters are never pruned: they wait for a person.
//! - `prune_every` (default 1 hour): how often each service prunes its store, and the embedded
//!   process its bus. Pruning deletes by age, so several replicas pruning at once do the same
//!   work twice and nothing else.

use std::time::Duration;

use domain::settings::{FieldReport, HumanDuration};
use humantime_serde::re::humantime::format_duration;
use serde::Serialize;

use crate::redelivery::Redelivery;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// Default age at which the bus removes a message.
pub const DEFAULT_BUS_RETENTION: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// Default age at which an inbox entry (a handled message id) is forgotten.
pub const DEFAULT_INBOX_RETENTION: Duration = Duration::from_secs(14 * 24 * 60 * 60);
/// Default age (since publishing) at which an outbox row is deleted.
pub const DEFAULT_PUBLISHED_OUTBOX_RETENTION: Duration = DAY;
/// Default age (since a person resolved it) at which a dead letter is deleted.
pub const DEFAULT_RESOLVED_DEAD_LETTER_RETENTION: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// Default interval of the pruning rounds.
pub const DEFAULT_PRUNE_EVERY: Duration = Duration::from_secs(60 * 60);

/// The buses drop a repeated message id within this window (the embedded bus refuses a
/// retention shorter than its window, JetStream one shorter than its duplicate window).
const DUPLICATE_WINDOW: Duration = Duration::from_secs(10 * 60);

/// The `[runtime.retention]` section, defaults applied and validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Retention {
    /// Age at which the bus removes a message. Default `7days`.
    #[serde(with = "humantime_serde")]
    pub bus: Duration,
    /// Age at which a handled message id is forgotten. Default `14days`.
    #[serde(with = "humantime_serde")]
    pub inbox: Duration,
    /// Age since publishing at which an outbox row is deleted. Default `1day`.
    #[serde(with = "humantime_serde")]
    pub published_outbox: Duration,
    /// Age since a person retried or discarded it at which a dead letter is deleted. Default
    /// `30days`; open ones are kept.
    #[serde(with = "humantime_serde")]
    pub resolved_dead_letters: Duration,
    /// Interval of the pruning rounds. Default `1h`.
    #[serde(with = "humantime_serde")]
    pub prune_every: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            bus: DEFAULT_BUS_RETENTION,
            inbox: DEFAULT_INBOX_RETENTION,
            published_outbox: DEFAULT_PUBLISHED_OUTBOX_RETENTION,
            resolved_dead_letters: DEFAULT_RESOLVED_DEAD_LETTER_RETENTION,
            prune_every: DEFAULT_PRUNE_EVERY,
        }
    }
}

domain::lenient_section! {
    /// `[runtime.retention]` as written.
    pub struct RetentionDraft {
        bus: HumanDuration,
        inbox: HumanDuration,
        published_outbox: HumanDuration,
        resolved_dead_letters: HumanDuration,
        prune_every: HumanDuration,
    }
}

impl RetentionDraft {
    /// Applies defaults and checks every key, the inbox against the bus and `redelivery`;
    /// problems go to `report`.
    pub fn resolve(self, report: &mut FieldReport, redelivery: &Redelivery) -> Retention {
        let defaults = Retention::default();
        report.unknown_keys(&self.unknown);
        let mut take = |name: &str, value: Option<_>, default: Duration| {
            report
                .optional(name, value)
                .map_or(default, |d: HumanDuration| d.0)
        };
        let retention = Retention {
            bus: take("bus", self.bus, defaults.bus),
            inbox: take("inbox", self.inbox, defaults.inbox),
            published_outbox: take(
                "published_outbox",
                self.published_outbox,
                defaults.published_outbox,
            ),
            resolved_dead_letters: take(
                "resolved_dead_letters",
                self.resolved_dead_letters,
                defaults.resolved_dead_letters,
            ),
            prune_every: take("prune_every", self.prune_every, defaults.prune_every),
        };
        retention.check(report, redelivery);
        retention
    }
}

impl Retention {
    /// Reports what cannot work: a zero age, a bus that drops a message before redelivery
    /// gives it up, an inbox that forgets a message the bus can still deliver.
    pub fn check(&self, report: &mut FieldReport, redelivery: &Redelivery) {
        let mut zero = false;
        for (name, age) in [
            ("bus", self.bus),
            ("inbox", self.inbox),
            ("published_outbox", self.published_outbox),
            ("resolved_dead_letters", self.resolved_dead_letters),
            ("prune_every", self.prune_every),
        ] {
            if age.is_zero() {
                report.problem(name, "is 0: give an age such as \"7days\"");
                zero = true;
            }
        }
        if zero {
            return;
        }
        let window = redelivery.window();
        if self.bus < DUPLICATE_WINDOW {
            report.problem(
                "bus",
                format!(
                    "is {}, shorter than the bus's duplicate window of {}",
                    shown(self.bus),
                    shown(DUPLICATE_WINDOW)
                ),
            );
        } else if self.bus <= window {
            report.problem(
                "bus",
                format!(
                    "is {}, not longer than the redelivery window of {} ([runtime.redelivery]): \
                     a message that keeps failing would leave the bus before it is kept as a \
                     dead letter",
                    shown(self.bus),
                    shown(window)
                ),
            );
        }
        let needed = self.bus.saturating_add(window);
        if self.inbox <= needed {
            report.problem(
                "inbox",
                format!(
                    "is {}, not longer than the bus retention ({}) plus the longest redelivery \
                     window ({}): a redelivered or replayed message whose inbox entry was pruned \
                     would be handled twice (e.g. \"{}\")",
                    shown(self.inbox),
                    shown(self.bus),
                    shown(window),
                    shown(round_up_to_days(needed.saturating_add(DAY)))
                ),
            );
        }
        if self.prune_every > DAY {
            report.problem("prune_every", "is over a day (e.g. \"1h\")");
        }
    }
}

fn shown(duration: Duration) -> String {
    format_duration(duration).to_string()
}

fn round_up_to_days(duration: Duration) -> Duration {
    let days = duration.as_secs().div_ceil(DAY.as_secs());
    Duration::from_secs(days * DAY.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented promise: the defaults pass their own check.
    #[test]
    fn the_defaults_hold_together() {
        let mut report = FieldReport::new("runtime.retention".to_owned());
        Retention::default().check(&mut report, &Redelivery::default());
        assert!(report.into_problems().is_empty());
    }
}
