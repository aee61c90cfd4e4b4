//! The rate governor: Centra's token buckets as the gateway sees them, and when the next call
//! may go. Pure logic on a clock passed in (no I/O, no sleeping), so it is tested with table
//! tests on made-up instants; the client sleeps on tokio's clock between asks.
//!
//! Centra limits every environment with token buckets per type (requests, query complexity,
//! mutations) over 10 seconds and one hour: "quota points are replenished at a constant rate up
//! to maximum capacity" (docs section 10; example quotas 20 requests, 150,000 complexity and 100
//! mutations per 10 s; 10,000, 20,000,000 and 1,000 per hour). The buckets are shared by every
//! integration of the environment, so the governor keeps its own estimate between readings of
//! `rateLimits`: at start, after every 429, and when the last reading is older than
//! [`GovernorSettings::reading_max_age`].
//!
//! The rules, per call:
//! - a 429 holds every call until its `Retry-After` has passed (then `rateLimits` is read);
//! - a call waits until every bucket it spends from holds its cost (a request: 1 request, its
//!   estimated complexity, and 1 mutation when it is one) above a cushion of
//!   [`GovernorSettings::refill_margin`]'s refill (the time the call takes to reach Centra, a
//!   coarser refill on Centra's side); the 10 s buckets cap bursts;
//! - the one-hour buckets are paced: a call of cost `c` moves the bucket's pace line by
//!   `c / rate` with `rate = refill + (remaining - reserve) / 1 h`. A backlog thus spends the
//!   surplus above the reserve spread over the hour (the surplus decays, it never drops as a
//!   wall) and then goes on at the refill rate, the budget used evenly; the reserve (10 % by
//!   default) is left to the other integrations of the environment. An idle bucket may run up
//!   to [`GovernorSettings::pace_credit`] ahead, so a single shipment's few mutations go at once.
//! - an operation's complexity is estimated from the last answer's `extensions.complexity`
//!   (the first time, [`GovernorSettings::default_complexity`]) and corrected when it comes;
//! - a reading is the truth less what the governor let go that Centra may not have charged
//!   when it answered: the calls in flight when the reading was sent ([`Governor::land`] ends
//!   a flight) and every call let go since ([`ReadingMark`]). Forgetting them let a burst of
//!   concurrent calls overdraw a bucket, meet a 429, read again and forget again (a 429 loop,
//!   seen in the `graphql_budget` benchmark). A call Centra had charged already (the reading
//!   itself among them) is counted twice until the next reading: the next call waits a
//!   little longer rather than meet a 429.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

/// What a bucket counts (Centra's `RateLimitType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BucketKind {
    /// `REQUEST_COUNT`.
    Requests,
    /// `QUERY_COMPLEXITY`.
    Complexity,
    /// `MUTATION_COUNT`.
    Mutations,
}

impl BucketKind {
    /// The name `status` shows.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requests => "requests",
            Self::Complexity => "complexity",
            Self::Mutations => "mutations",
        }
    }
}

/// A bucket's window (Centra's `RateLimitInterval`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Window {
    /// `TEN_SECONDS`.
    TenSeconds,
    /// `ONE_HOUR`.
    OneHour,
}

impl Window {
    /// The window's length.
    pub fn length(self) -> Duration {
        match self {
            Self::TenSeconds => Duration::from_secs(10),
            Self::OneHour => Duration::from_secs(3600),
        }
    }

    /// The name `status` shows.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TenSeconds => "10s",
            Self::OneHour => "1h",
        }
    }
}

/// One bucket's budget: a `rateLimits` entry, or the governor's estimate for `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub kind: BucketKind,
    pub window: Window,
    /// Most points the bucket holds.
    pub quota: u64,
    /// Points left now.
    pub remaining: u64,
}

/// One call as the governor weighs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call {
    /// The operation's name (its complexity estimate is kept under it).
    pub operation: &'static str,
    /// Whether it is a mutation (spends from the mutation buckets).
    pub mutation: bool,
}

/// The governor's answer to a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Send it now; its cost is already spent, with this complexity estimate (settle it with
    /// [`Governor::settle_complexity`] when the answer tells the real one).
    Go { complexity: u64 },
    /// Ask again after this long.
    Wait(Duration),
}

/// Tuning of the governor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GovernorSettings {
    /// Share of each one-hour quota the pace leaves to the environment's other integrations.
    pub reserve_share: f64,
    /// Complexity assumed for an operation not answered yet.
    pub default_complexity: u64,
    /// A reading of `rateLimits` older than this is taken again before the next call.
    pub reading_max_age: Duration,
    /// How long a 429 without a readable `Retry-After` holds the calls.
    pub default_hold: Duration,
    /// How far an idle one-hour bucket's pace may run ahead (the burst after a quiet spell).
    pub pace_credit: Duration,
    /// The refill of this long is kept in every bucket as a cushion (never more than the
    /// quota leaves above the call's cost): a call goes only when the bucket holds its cost
    /// this long before its estimate says so. Centra charges a call when it arrives, a little
    /// after the governor let it go, and may count its refill more coarsely than the constant
    /// rate the governor assumes (centra-sim counted whole milliseconds, losing a little refill
    /// at every charge); the cushion absorbs both between readings.
    pub refill_margin: Duration,
}

impl Default for GovernorSettings {
    fn default() -> Self {
        Self {
            reserve_share: 0.1,
            default_complexity: 500,
            reading_max_age: Duration::from_secs(300),
            default_hold: Duration::from_secs(10),
            pace_credit: Duration::from_secs(10),
            refill_margin: Duration::from_millis(250),
        }
    }
}

/// The example quotas of a fresh Centra instance (docs section 10): the budget until the first
/// `rateLimits` answer.
pub const DOCUMENTED_QUOTAS: [Budget; 6] = [
    full(BucketKind::Requests, Window::TenSeconds, 20),
    full(BucketKind::Requests, Window::OneHour, 10_000),
    full(BucketKind::Complexity, Window::TenSeconds, 150_000),
    full(BucketKind::Complexity, Window::OneHour, 20_000_000),
    full(BucketKind::Mutations, Window::TenSeconds, 100),
    full(BucketKind::Mutations, Window::OneHour, 1_000),
];

const fn full(kind: BucketKind, window: Window, quota: u64) -> Budget {
    Budget {
        kind,
        window,
        quota,
        remaining: quota,
    }
}

/// Floating-point slack: a bucket this close to a call's cost holds it.
const SLACK: f64 = 1e-6;

#[derive(Debug, Clone)]
struct Bucket {
    kind: BucketKind,
    window: Window,
    quota: f64,
    /// Points at `at` (negative after a call cost more than estimated).
    level: f64,
    at: Instant,
    /// One-hour buckets: the pace line the next call starts from.
    paced_until: Instant,
    /// Points of the calls let go and not answered yet.
    in_flight: f64,
    /// Points of every call let go so far (corrected by the answers' complexity).
    spent: f64,
}

/// What the governor had let go when a `rateLimits` reading was sent, per bucket: the points
/// in flight then and the points spent so far ([`Governor::mark`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ReadingMark {
    in_flight: Vec<f64>,
    spent: Vec<f64>,
}

impl Bucket {
    fn refill_per_second(&self) -> f64 {
        self.quota / self.window.length().as_secs_f64()
    }

    fn level_at(&self, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        (self.level + self.refill_per_second() * elapsed).min(self.quota)
    }

    fn settle(&mut self, now: Instant) {
        if now > self.at {
            self.level = self.level_at(now);
            self.at = now;
        }
    }

    /// Points per second a backlog may spend now: the refill plus the surplus above the
    /// reserve spread over the window.
    fn pace(&self, level: f64, reserve_share: f64) -> f64 {
        let reserve = self.quota * reserve_share;
        self.refill_per_second() + (level - reserve).max(0.0) / self.window.length().as_secs_f64()
    }
}

/// The governor of one end-point. See the module docs.
#[derive(Debug, Clone)]
pub struct Governor {
    settings: GovernorSettings,
    buckets: Vec<Bucket>,
    hold_until: Option<Instant>,
    last_reading: Option<Instant>,
    reading_due: bool,
    estimates: HashMap<&'static str, u64>,
}

/// What `call` takes from a bucket of `kind`, at `complexity`: one request, its complexity, one
/// mutation when it is one.
fn points(call: Call, kind: BucketKind, complexity: u64) -> u64 {
    match kind {
        BucketKind::Requests => 1,
        BucketKind::Complexity => complexity,
        BucketKind::Mutations => u64::from(call.mutation),
    }
}

fn seconds(value: f64) -> Duration {
    // Whole milliseconds, rounded up: a wait never ends a hair before the bucket holds the call.
    // (The slack keeps 3.6 s, computed as 3600.0000000000005 ms, at 3600 ms.)
    Duration::from_millis((value.max(0.0) * 1000.0 - SLACK).ceil().max(0.0) as u64)
}

impl Governor {
    /// A governor assuming [`DOCUMENTED_QUOTAS`], full, until `rateLimits` is read.
    pub fn new(now: Instant, settings: GovernorSettings) -> Self {
        // Idle so far: the pace credit is there from the start.
        let idle = now.checked_sub(settings.pace_credit).unwrap_or(now);
        let buckets = DOCUMENTED_QUOTAS
            .iter()
            .map(|budget| Bucket {
                kind: budget.kind,
                window: budget.window,
                quota: budget.quota as f64,
                level: budget.remaining as f64,
                at: now,
                paced_until: idle,
                in_flight: 0.0,
                spent: 0.0,
            })
            .collect();
        Self {
            settings,
            buckets,
            hold_until: None,
            last_reading: None,
            reading_due: true,
            estimates: HashMap::new(),
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &GovernorSettings {
        &self.settings
    }

    fn cost(&self, call: Call, kind: BucketKind) -> u64 {
        points(call, kind, self.estimate(call.operation))
    }

    /// The complexity `operation` is expected to cost.
    pub fn estimate(&self, operation: &str) -> u64 {
        self.estimates
            .get(operation)
            .copied()
            .unwrap_or(self.settings.default_complexity)
    }

    /// Whether `call` may go at `now`; when it may, its cost is spent.
    pub fn admit(&mut self, now: Instant, call: Call) -> Admission {
        if let Some(until) = self.hold_until {
            if until > now {
                return Admission::Wait(until - now);
            }
            self.hold_until = None;
        }
        let mut wait = Duration::ZERO;
        for bucket in &self.buckets {
            let cost = (self.cost(call, bucket.kind) as f64).min(bucket.quota);
            if cost <= 0.0 {
                continue;
            }
            let cushion = (bucket.refill_per_second() * self.settings.refill_margin.as_secs_f64())
                .min(bucket.quota - cost);
            let level = bucket.level_at(now) - cushion;
            if level + SLACK < cost {
                wait = wait.max(seconds((cost - level) / bucket.refill_per_second()));
            }
            if bucket.window == Window::OneHour {
                wait = wait.max(bucket.paced_until.saturating_duration_since(now));
            }
        }
        if !wait.is_zero() {
            return Admission::Wait(wait);
        }
        let complexity = self.estimate(call.operation);
        let credit = self.settings.pace_credit;
        let reserve_share = self.settings.reserve_share;
        for index in 0..self.buckets.len() {
            let cost =
                (self.cost(call, self.buckets[index].kind) as f64).min(self.buckets[index].quota);
            if cost <= 0.0 {
                continue;
            }
            let bucket = &mut self.buckets[index];
            bucket.settle(now);
            if bucket.window == Window::OneHour {
                let pace = bucket.pace(bucket.level, reserve_share);
                let start = bucket
                    .paced_until
                    .max(now.checked_sub(credit).unwrap_or(now));
                bucket.paced_until = start + Duration::from_secs_f64(cost / pace);
            }
            bucket.level -= cost;
            bucket.in_flight += cost;
            bucket.spent += cost;
        }
        Admission::Go { complexity }
    }

    /// A call let go with `complexity` ([`Admission::Go`]) was answered, or given up: its cost
    /// is no longer in flight. Its cost stays spent.
    pub fn land(&mut self, call: Call, complexity: u64) {
        for bucket in &mut self.buckets {
            let cost = points(call, bucket.kind, complexity) as f64;
            bucket.in_flight = (bucket.in_flight - cost.min(bucket.quota)).max(0.0);
        }
    }

    /// Corrects the complexity buckets by what the answer said the call cost
    /// (`extensions.complexity`) and remembers it as the operation's next estimate.
    pub fn settle_complexity(&mut self, now: Instant, call: Call, estimated: u64, actual: u64) {
        let difference = actual as f64 - estimated as f64;
        for bucket in &mut self.buckets {
            if bucket.kind == BucketKind::Complexity {
                bucket.settle(now);
                bucket.level -= difference;
                bucket.spent += difference;
            }
        }
        self.estimates.insert(call.operation, actual);
    }

    /// What is let go now, to take a reading sent after it as the truth less that
    /// ([`Self::observe_readings`]).
    pub fn mark(&self) -> ReadingMark {
        ReadingMark {
            in_flight: self.buckets.iter().map(|b| b.in_flight).collect(),
            spent: self.buckets.iter().map(|b| b.spent).collect(),
        }
    }

    /// Takes Centra's `rateLimits` answer, sent after `mark` was taken, as the truth for the
    /// buckets it names, less the calls in flight at the mark and every call let go since
    /// (see the module docs).
    pub fn observe_readings(&mut self, now: Instant, readings: &[Budget], mark: &ReadingMark) {
        for reading in readings {
            if let Some((index, bucket)) = self
                .buckets
                .iter_mut()
                .enumerate()
                .find(|(_, b)| b.kind == reading.kind && b.window == reading.window)
            {
                let in_flight = mark.in_flight.get(index).copied().unwrap_or(0.0);
                let since = bucket.spent - mark.spent.get(index).copied().unwrap_or(0.0);
                bucket.quota = reading.quota as f64;
                bucket.level = (reading.remaining.min(reading.quota)) as f64 - in_flight - since;
                bucket.at = now;
            }
        }
        self.last_reading = Some(now);
        self.reading_due = false;
    }

    /// Whether this caller should read `rateLimits` now; `true` hands it the turn (other calls
    /// go on with the estimate meanwhile, and a failed reading is tried again after
    /// [`GovernorSettings::reading_max_age`]).
    pub fn take_reading_turn(&mut self, now: Instant) -> bool {
        if !self.reading_due(now) {
            return false;
        }
        self.reading_due = false;
        self.last_reading = Some(now);
        true
    }

    /// A 429: hold every call for `retry_after` (or [`GovernorSettings::default_hold`]) and
    /// read `rateLimits` before the next.
    pub fn observe_throttled(&mut self, now: Instant, retry_after: Option<Duration>) {
        let until = now + retry_after.unwrap_or(self.settings.default_hold);
        self.hold_until = Some(self.hold_until.map_or(until, |held| held.max(until)));
        self.reading_due = true;
    }

    /// Whether `rateLimits` should be read before the next call.
    pub fn reading_due(&self, now: Instant) -> bool {
        self.reading_due
            || self
                .last_reading
                .is_none_or(|at| now.saturating_duration_since(at) >= self.settings.reading_max_age)
    }

    /// How long ago `rateLimits` was last read (or a reading taken in hand); `None` before the
    /// first (for `status`).
    pub fn last_reading_ago(&self, now: Instant) -> Option<Duration> {
        self.last_reading
            .map(|at| now.saturating_duration_since(at))
    }

    /// How much longer a 429 holds every call; `None` when no hold is on (for `status`).
    pub fn held_for(&self, now: Instant) -> Option<Duration> {
        self.hold_until
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    /// The estimated budget of every bucket now (for `status`).
    pub fn budgets(&self, now: Instant) -> Vec<Budget> {
        self.buckets
            .iter()
            .map(|bucket| Budget {
                kind: bucket.kind,
                window: bucket.window,
                quota: bucket.quota as u64,
                remaining: bucket.level_at(now).max(0.0).floor() as u64,
            })
            .collect()
    }
}

#[cfg(test)]
#[path = "governor_tests.rs"]
mod tests;
