//! One backlog drain timed in the simulators' request logs, and the rows both shapes' drain
//! benches print (`backlog_drain` embedded, `distributed_drain` as six processes): the same
//! columns, the same minimum per record, so the two tables read side by side.
//!
//! A drain starts when the bench starts what drains it (the runtime, or the stopped service)
//! and ends when the `count`-th wanted call was answered; its calls are every call both
//! simulators logged in between, polls of other flows included.

use std::collections::BTreeMap;
use std::time::Instant;

use centra_wms_tests::e2e::Sims;
use serde_json::Value;

use super::cpu::{CPU_NOTE, CpuMark, CpuUse, cpu_rows};
use super::wms_time::{WmsTime, wms_time, wms_time_row};
use super::{
    Sim, Spread, arg, calls_since, count_routes, last_seq, log_since, met, show_calls, spread,
    wait_calls_watched,
};

/// One drain: seconds, records and the calls per route in both logs.
#[derive(Debug, Default, Clone)]
pub struct Drain {
    pub seconds: f64,
    pub records: usize,
    /// Seconds from the first tenth of the records written to the last: the rate without
    /// the start-up and the first listing page.
    pub steady_seconds: f64,
    pub centra: BTreeMap<String, u64>,
    pub ongoing: BTreeMap<String, u64>,
    /// The WMS's time during an import drain (zeros for a completion drain).
    pub wms: WmsTime,
    /// The CPU each process spent during it.
    pub cpu: CpuUse,
}

impl Drain {
    /// Records per second over the whole drain.
    pub fn rate(&self) -> f64 {
        self.records as f64 / self.seconds
    }

    /// Records per second past the first tenth.
    pub fn steady_rate(&self) -> f64 {
        (self.records - self.records / 10) as f64 / self.steady_seconds
    }
}

/// Where both request logs stood and when, just before the bench starts what drains.
pub struct DrainStart {
    centra: u64,
    ongoing: u64,
    cpu: CpuMark,
    started: Instant,
}

impl DrainStart {
    /// Marks the logs and the clock; call it right before starting the drain.
    pub async fn now(sims: &Sims) -> Self {
        let centra = last_seq(sims, Sim::Centra).await;
        let ongoing = last_seq(sims, Sim::Ongoing).await;
        Self {
            centra,
            ongoing,
            cpu: CpuMark::now(),
            started: Instant::now(),
        }
    }

    /// Waits until `count` calls of `sim` matching `wanted` were answered, calling `check` every
    /// round (a bench fails there when what drains has stopped); the drain, its CPU time under
    /// `label(pid, command)` of each process.
    pub async fn finish(
        self,
        sims: &Sims,
        (sim, count, wanted): (Sim, usize, fn(&Value) -> bool),
        label: impl Fn(u32, &str) -> String,
        check: impl FnMut(),
    ) -> Drain {
        let mut cursor = match sim {
            Sim::Centra => self.centra,
            Sim::Ongoing => self.ongoing,
        };
        let tenth =
            wait_calls_watched(sims, sim, &mut cursor, count, wanted, count / 10, check).await;
        let seconds = self.started.elapsed().as_secs_f64();
        let cpu = self.cpu.since(label);
        // One read of Ongoing's log gives the calls per route and the WMS's time.
        let ongoing = log_since(sims, Sim::Ongoing, self.ongoing).await;
        Drain {
            seconds,
            records: count,
            steady_seconds: tenth.elapsed().as_secs_f64(),
            centra: calls_since(sims, Sim::Centra, self.centra).await,
            ongoing: count_routes(&ongoing),
            wms: wms_time(&ongoing),
            cpu,
        }
    }
}

/// The drain table's columns.
pub const DRAIN_HEADERS: [&str; 9] = [
    "drain",
    "sim latency",
    "records",
    "ours /s",
    "ours past the first tenth /s",
    "minimal /s",
    "ratio",
    "target",
    "met?",
];

/// What the two drains are called in the tables.
pub const IMPORT: &str = "good-to-go shipments → WMS orders";
pub const COMPLETE: &str = "shipped WMS orders → completed in Centra";

/// One row of the drain table: ours over the whole drain and past its first tenth, the minimal
/// client's rate and the ratio, against the target of 0.9.
pub fn drain_row(
    what: &str,
    latency_ms: u64,
    records: usize,
    [ours, steady, minimal, ratio]: [Spread; 4],
) -> Vec<String> {
    vec![
        what.to_owned(),
        format!("{latency_ms} ms"),
        records.to_string(),
        ours.show(1),
        steady.show(1),
        minimal.show(1),
        ratio.show(3),
        "≥ 0.9".to_owned(),
        met(ratio.median >= 0.9).to_owned(),
    ]
}

/// The calls table's columns.
pub const CALLS_HEADERS: [&str; 5] = [
    "per",
    "records",
    "Centra calls",
    "Ongoing calls",
    "minimum, why",
];

/// The calls rows of one run's three drains (import, completion with capture off, with
/// capture on), each beside the fewest calls the APIs allow and why.
pub fn calls_rows(import: &Drain, complete: &Drain, capture: &Drain) -> Vec<Vec<String>> {
    [
        (
            "imported shipment",
            import,
            "Ongoing 1 (`PUT /orders` upserts by order number); Centra 1/100 \
             (`GET /shipments`, 100 per page)",
        ),
        (
            "completed shipment, capture off",
            complete,
            "Centra 2 (`GET /shipment/{id}?status=goodtogo` reads the current `paid`, \
             `PUT /shipment` completes with `capture:false`); Ongoing 1 (one `PATCH` marks \
             the order reported) + 1/page of shipped orders",
        ),
        (
            "completed shipment, capture on",
            capture,
            "Centra 2 (the read, then `PUT /shipment` with `capture:true`, which captures \
             too); Ongoing as above",
        ),
    ]
    .into_iter()
    .map(|(what, drain, minimum)| {
        vec![
            what.to_owned(),
            drain.records.to_string(),
            show_calls(&drain.centra, drain.records as f64),
            show_calls(&drain.ongoing, drain.records as f64),
            minimum.to_owned(),
        ]
    })
    .collect()
}

/// The sizes of one drain scenario, and the rate both ours and the minimal client keep.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    pub latency_ms: u64,
    pub import: usize,
    pub complete: usize,
    pub capture: usize,
    /// The Centra end-point's configured `requests_per_second`, kept by ours and the minimal
    /// client alike.
    pub rps: u32,
}

impl Scenario {
    /// The shipments left good to go after the three drains (for the minimal import's pages).
    pub fn waiting(&self) -> usize {
        self.import - self.complete - self.capture
    }
}

/// The scenarios from the command line (`--k 1000 --complete 100 --capture 20 --slow-k 100
/// --rps 10`): at 0 ms with `k` shipments, at 50 ms with `slow-k` (and `slow-k / 10`
/// completions; `--slow-k 0` leaves it out); and the runs of each (`--runs`, default
/// [`super::RUNS`]).
pub fn scenarios() -> (Vec<Scenario>, usize) {
    let k: usize = arg("k", 1000);
    let complete: usize = arg("complete", 100);
    let capture: usize = arg("capture", 20);
    let slow_k: usize = arg("slow-k", 100);
    let default_rps = centra_gateway::client::ClientOptions::default().requests_per_second;
    let rps: u32 = arg("rps", default_rps);
    let runs: usize = arg("runs", super::RUNS);
    let mut scenarios = vec![Scenario {
        latency_ms: 0,
        import: k,
        // The last `capture` shipments are unpaid: the completion drain (capture off)
        // takes paid ones only, since an unpaid one is parked, never completed.
        complete: complete.min(k - capture.min(k / 2)),
        capture: capture.min(k / 2),
        rps,
    }];
    if slow_k > 0 {
        scenarios.push(Scenario {
            latency_ms: 50,
            import: slow_k,
            complete: (slow_k / 10).max(1),
            capture: (slow_k / 10).max(1),
            rps,
        });
    }
    (scenarios, runs)
}

/// What one run of a drain bench measured, in either shape.
#[derive(Debug, Default, Clone)]
pub struct Drains {
    pub import: Drain,
    pub complete: Drain,
    /// Completions with `capture = "on_completion"` (unpaid shipments).
    pub capture: Drain,
    /// The minimal import client's drain, in the same run.
    pub minimal_import: MinimalImport,
    /// The minimal completion client's rate, in the same run.
    pub minimal_complete: f64,
}

/// What the minimal import client measured: its rate, the WMS's time and the CPU of each
/// process during it.
#[derive(Debug, Default, Clone)]
pub struct MinimalImport {
    pub rate: f64,
    pub wms: WmsTime,
    pub cpu: CpuUse,
}

/// The import and completion rows of scenario `s` over its runs.
pub fn drain_rows(s: &Scenario, runs: &[&Drains]) -> Vec<Vec<String>> {
    let of = |f: &dyn Fn(&Drains) -> f64| spread(&runs.iter().map(|r| f(r)).collect::<Vec<_>>());
    // One drain of each run and the minimal client's rate beside it.
    let row = |what: &str, records: usize, pick: fn(&Drains) -> (&Drain, f64)| {
        drain_row(
            what,
            s.latency_ms,
            records,
            [
                of(&|r| pick(r).0.rate()),
                of(&|r| pick(r).0.steady_rate()),
                of(&|r| pick(r).1),
                of(&|r| pick(r).0.rate() / pick(r).1),
            ],
        )
    };
    vec![
        row(IMPORT, s.import, |r| (&r.import, r.minimal_import.rate)),
        row(COMPLETE, s.complete, |r| (&r.complete, r.minimal_complete)),
    ]
}

/// The rows of scenario `s` over its runs: the drain rows, at 0 ms the calls rows of its last
/// run (the counts hardly move between runs) and the import's CPU rows, and the WMS time row
/// of its import.
pub fn rows(s: &Scenario, runs: &[&Drains]) -> DrainTables {
    let (calls, cpu) = match runs.last() {
        Some(last) if s.latency_ms == 0 => (
            calls_rows(&last.import, &last.complete, &last.capture),
            cpu_rows(
                &runs
                    .iter()
                    .map(|r| (&r.import.cpu, s.import))
                    .collect::<Vec<_>>(),
                &runs
                    .iter()
                    .map(|r| (&r.minimal_import.cpu, s.import))
                    .collect::<Vec<_>>(),
            ),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    let ours: Vec<WmsTime> = runs.iter().map(|r| r.import.wms).collect();
    let minimal: Vec<WmsTime> = runs.iter().map(|r| r.minimal_import.wms).collect();
    DrainTables {
        drains: drain_rows(s, runs),
        calls,
        wms_time: vec![wms_time_row(s.latency_ms, &ours, &minimal)],
        cpu,
    }
}

/// The rows a drain bench gathers over its scenarios, one table each.
#[derive(Debug, Default)]
pub struct DrainTables {
    pub drains: Vec<Vec<String>>,
    pub calls: Vec<Vec<String>>,
    pub wms_time: Vec<Vec<String>>,
    pub cpu: Vec<Vec<String>>,
}

impl DrainTables {
    pub fn extend(&mut self, other: DrainTables) {
        self.drains.extend(other.drains);
        self.calls.extend(other.calls);
        self.wms_time.extend(other.wms_time);
        self.cpu.extend(other.cpu);
    }

    /// Prints the CPU table of the import drain at 0 ms (`shape`: "embedded", "distributed").
    pub fn print_cpu(&self, shape: &str) {
        super::table(
            &format!("CPU in the import drain ({shape} shape, 0 ms)"),
            CPU_NOTE,
            &super::cpu::CPU_HEADERS,
            &self.cpu,
        );
    }
}

/// The drain table's note: what is timed, against what.
pub fn drain_note(start: &str, rps: u32, runs: usize) -> String {
    format!(
        "Records per second from {start} until the last record is written, against a minimal \
         client in the same simulators (same latency) sending the same bodies one at a time \
         with the fewest calls (import: a listing page of 100 shipments, then 100 `PUT \
         /orders`); both keep the Centra end-point's configured {rps} requests a second. \
         \"ours past the first tenth\": the same drain from the moment its first tenth of the \
         records was written (the start-up and the first listing page left out), for where \
         the gap is; the ratio is of the whole drain. Median of {runs} runs (min–max)."
    )
}
