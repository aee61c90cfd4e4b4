//! Table tests of the governor on made-up instants.

use super::*;

const READ: Call = Call {
    operation: "shipments",
    mutation: false,
};
const WRITE: Call = Call {
    operation: "completeShipment",
    mutation: true,
};

fn at(start: Instant, millis: u64) -> Instant {
    start + Duration::from_millis(millis)
}

fn governor(start: Instant, readings: &[Budget]) -> Governor {
    let mut governor = Governor::new(start, GovernorSettings::default());
    let mark = governor.mark();
    governor.observe_readings(start, readings, &mark);
    governor
}

fn reading(kind: BucketKind, window: Window, quota: u64, remaining: u64) -> Budget {
    Budget {
        kind,
        window,
        quota,
        remaining,
    }
}

fn remaining(governor: &Governor, now: Instant, kind: BucketKind, window: Window) -> u64 {
    governor
        .budgets(now)
        .into_iter()
        .find(|b| b.kind == kind && b.window == window)
        .map(|b| b.remaining)
        .expect("bucket")
}

#[test]
fn each_bucket_state_gives_the_documented_wait() {
    use BucketKind::*;
    use Window::*;
    // (case, readings, call, expected wait of the first call, expected wait of a second call
    // asked when the first went). Every bucket keeps 250 ms of its refill as a cushion.
    let cases: Vec<(&str, Vec<Budget>, Call, Duration, Duration)> = vec![
        (
            "full buckets: a read after a read waits for nothing",
            vec![],
            READ,
            Duration::ZERO,
            Duration::ZERO,
        ),
        (
            "full buckets: the second mutation goes at once (pace credit after idle)",
            vec![],
            WRITE,
            Duration::ZERO,
            Duration::ZERO,
        ),
        (
            "10 s request bucket holding just the call: it waits for the cushion (250 ms of \
             2 per s), the next one refill (10 s / 20) later",
            vec![reading(Requests, TenSeconds, 20, 1)],
            READ,
            Duration::from_millis(250),
            Duration::from_millis(500),
        ),
        (
            "hour mutation bucket holding just the call: the cushion, then one refill \
             (3600 s / 1000)",
            vec![reading(Mutations, OneHour, 1000, 1)],
            WRITE,
            Duration::from_millis(250),
            Duration::from_millis(3600),
        ),
        (
            "a read never waits for the mutation buckets",
            vec![
                reading(Mutations, OneHour, 1000, 0),
                reading(Mutations, TenSeconds, 100, 0),
            ],
            READ,
            Duration::ZERO,
            Duration::ZERO,
        ),
        (
            "complexity 10 s bucket short of estimate (500) + cushion (3,750) by 3,650: \
             3,650 / 15,000 per s; the next about 500 / 15,000 per s later (less the 10 points \
             the rounding up to 244 ms refilled)",
            vec![reading(Complexity, TenSeconds, 150_000, 600)],
            READ,
            Duration::from_millis(244),
            Duration::from_millis(33),
        ),
    ];
    for (case, readings, call, expected_first, expected_second) in cases {
        let start = Instant::now();
        let mut governor = governor(start, &readings);
        let first = match governor.admit(start, call) {
            Admission::Go { .. } => Duration::ZERO,
            Admission::Wait(wait) => wait,
        };
        assert_eq!(first, expected_first, "{case}: first");
        let went = start + first;
        if !first.is_zero() {
            let again = governor.admit(went, call);
            assert!(matches!(again, Admission::Go { .. }), "{case}: {again:?}");
        }
        let second = match governor.admit(went, call) {
            Admission::Go { .. } => Duration::ZERO,
            Admission::Wait(wait) => wait,
        };
        assert_eq!(second, expected_second, "{case}: second");
    }
}

#[test]
fn a_backlog_of_mutations_is_paced_by_the_budget_left_in_the_hour() {
    use BucketKind::*;
    use Window::*;
    // (case, hour bucket remaining of 1000, expected spacing once the pace credit is used)
    let cases = [
        // refill 1000/3600 + (1000 - 100)/3600 per second.
        ("full hour", 1000, 1_895.0),
        ("half the hour left", 500, 2_572.0),
        ("at the reserve: the refill rate", 100, 3_600.0),
        ("below the reserve: still the refill rate", 40, 3_600.0),
    ];
    for (case, left, spacing_ms) in cases {
        let start = Instant::now();
        let mut governor = governor(start, &[reading(Mutations, OneHour, 1000, left)]);
        // After idle the pace may run 10 s ahead: spend that credit first.
        let mut now = start;
        let mut gaps = Vec::new();
        let mut last = start;
        while gaps.len() < 8 {
            match governor.admit(now, WRITE) {
                Admission::Go { .. } => {
                    gaps.push(now.duration_since(last).as_millis() as f64);
                    last = now;
                }
                Admission::Wait(wait) => now += wait,
            }
        }
        let steady = gaps[gaps.len() - 1];
        assert!(
            (steady - spacing_ms).abs() <= spacing_ms * 0.02,
            "{case}: spacing {steady} ms, expected about {spacing_ms} ms ({gaps:?})"
        );
    }
}

/// On tokio's paused clock, sleeping every wait as the client does: three hours of a backlog
/// that never empties take no real time.
#[tokio::test(start_paused = true)]
async fn a_backlog_spreads_the_hourly_budget_and_never_meets_the_wall() {
    let start = Instant::now();
    let mut governor = governor(start, &[]);
    let mut per_quarter = vec![0_u32; 12];
    let mut hard_waits = 0;
    while Instant::now() < start + Duration::from_secs(3 * 3600) {
        let now = Instant::now();
        let level = remaining(&governor, now, BucketKind::Mutations, Window::OneHour);
        match governor.admit(now, WRITE) {
            Admission::Go { .. } => {
                let quarter = (now.duration_since(start).as_secs() / 900) as usize;
                per_quarter[quarter] += 1;
            }
            Admission::Wait(wait) => {
                if level < 1 {
                    hard_waits += 1;
                }
                tokio::time::sleep(wait).await;
            }
        }
    }
    let now = Instant::now();
    assert_eq!(hard_waits, 0, "the hour bucket never ran dry");
    assert!(
        per_quarter.windows(2).all(|w| w[1] <= w[0] + 1),
        "the surplus decays, it is not spent as a wall: {per_quarter:?}"
    );
    let third_hour: u32 = per_quarter[8..].iter().sum();
    assert!(
        (990..=1130).contains(&third_hour),
        "then the refill rate, about 1000 an hour: {third_hour} ({per_quarter:?})"
    );
    let floor = remaining(&governor, now, BucketKind::Mutations, Window::OneHour);
    assert!(
        floor >= 100,
        "the reserve is left to other integrations: {floor}"
    );
    println!("mutations per quarter hour: {per_quarter:?}; hour bucket left: {floor}");
}

#[test]
fn a_429_holds_every_call_and_asks_for_a_reading() {
    let start = Instant::now();
    let mut governor = governor(start, &[]);
    assert!(!governor.reading_due(start));
    governor.observe_throttled(start, Some(Duration::from_secs(30)));
    assert!(governor.reading_due(start));
    assert_eq!(
        governor.admit(at(start, 10_000), READ),
        Admission::Wait(Duration::from_secs(20))
    );
    governor.observe_throttled(at(start, 1_000), None);
    assert_eq!(
        governor.admit(at(start, 1_000), READ),
        Admission::Wait(Duration::from_secs(29)),
        "a later 429 without Retry-After never shortens a longer hold"
    );
    assert!(matches!(
        governor.admit(at(start, 30_000), READ),
        Admission::Go { .. }
    ));
    assert!(governor.take_reading_turn(at(start, 30_000)));
    assert!(
        !governor.take_reading_turn(at(start, 30_000)),
        "one caller reads at a time"
    );
    let mark = governor.mark();
    governor.observe_readings(at(start, 30_000), &[], &mark);
    assert!(!governor.reading_due(at(start, 30_000)));
    assert!(
        governor.reading_due(at(start, 30_000 + 300_000)),
        "an old reading is taken again"
    );
}

#[test]
fn complexity_is_estimated_from_the_last_answer_and_corrected() {
    let start = Instant::now();
    let mut governor = governor(start, &[]);
    let before = remaining(&governor, start, BucketKind::Complexity, Window::OneHour);
    let Admission::Go { complexity } = governor.admit(start, READ) else {
        panic!("goes");
    };
    assert_eq!(complexity, 500, "the default estimate");
    governor.settle_complexity(start, READ, complexity, 2_000);
    assert_eq!(
        remaining(&governor, start, BucketKind::Complexity, Window::OneHour),
        before - 2_000,
        "the real cost is what was spent"
    );
    assert_eq!(governor.estimate("shipments"), 2_000);
    assert_eq!(governor.estimate("products"), 500);
}

#[test]
fn readings_replace_the_estimate_and_budgets_refill_at_the_documented_rate() {
    use BucketKind::*;
    use Window::*;
    let start = Instant::now();
    let governor = governor(
        start,
        &[
            reading(Mutations, OneHour, 1800, 0),
            reading(Requests, TenSeconds, 60, 0),
        ],
    );
    let later = at(start, 60_000);
    assert_eq!(remaining(&governor, later, Mutations, OneHour), 30);
    assert_eq!(remaining(&governor, later, Requests, TenSeconds), 60);
    let budgets = governor.budgets(later);
    assert_eq!(budgets.len(), 6, "every bucket is shown");
    assert!(
        budgets
            .iter()
            .any(|b| b.kind == Complexity && b.window == OneHour && b.quota == 20_000_000),
        "a bucket not read keeps the documented quota"
    );
}

/// A reading counts against the budget what Centra may not have charged when it answered:
/// the calls in flight when it was sent, and every call let go since (answered or not).
/// Forgetting them let concurrent calls overdraw the 10 s request bucket after every reading
/// (the `graphql_budget` benchmark's 429 loop).
#[test]
fn a_reading_counts_the_calls_in_flight_and_those_let_go_since() {
    use BucketKind::*;
    use Window::*;
    let start = Instant::now();
    let full = [reading(Requests, TenSeconds, 20, 20)];
    // No cushion: the counts are the reading's alone.
    let settings = GovernorSettings {
        refill_margin: Duration::ZERO,
        ..GovernorSettings::default()
    };
    let mut governor = Governor::new(start, settings);
    governor.observe_readings(start, &full, &governor.mark());
    let mut flying = Vec::new();
    for _ in 0..5 {
        let Admission::Go { complexity } = governor.admit(start, READ) else {
            panic!("five go at once");
        };
        flying.push(complexity);
    }
    let mark = governor.mark();
    // Two more go after the reading was sent and are answered before it.
    for _ in 0..2 {
        let Admission::Go { complexity } = governor.admit(start, READ) else {
            panic!("goes");
        };
        governor.land(READ, complexity);
    }
    // Centra answers the reading before any of the seven arrive: its 20 is not what is left.
    governor.observe_readings(start, &full, &mark);
    assert_eq!(remaining(&governor, start, Requests, TenSeconds), 13);
    for _ in 0..13 {
        assert!(matches!(governor.admit(start, READ), Admission::Go { .. }));
    }
    assert!(
        matches!(governor.admit(start, READ), Admission::Wait(_)),
        "the fourteenth after the reading waits"
    );
    for complexity in flying {
        governor.land(READ, complexity);
    }
    assert_eq!(
        remaining(&governor, start, Requests, TenSeconds),
        0,
        "landing frees nothing: the cost stays spent"
    );
    // A later reading: the 13 are still in flight, the five have landed.
    let mark = governor.mark();
    governor.observe_readings(start, &full, &mark);
    assert_eq!(remaining(&governor, start, Requests, TenSeconds), 7);
}
