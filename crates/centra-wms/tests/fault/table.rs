//! What a run injected and did, and the table it prints: faults injected, records, violations
//! (which must be 0).
//!
//! Layout: [`Tally`] the counts the shapes, the proxies and the workload add to; [`print`]
//! the table.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::checks::{CHECKS, Violation};

/// Counts of one run.
#[derive(Debug, Default)]
pub struct Tally {
    /// Fault -> times injected.
    pub faults: BTreeMap<String, u64>,
    /// Webhook fate -> count (from the proxies).
    pub webhooks: BTreeMap<String, u64>,
    /// Record kind -> count.
    pub records: BTreeMap<String, u64>,
    /// Workload step kind -> count.
    pub steps: BTreeMap<&'static str, u64>,
    /// API calls the simulators received.
    pub calls: u64,
    /// From the end of the workload until nothing was open.
    pub settled: Duration,
    /// The warehouse ships before the capture on import (`FAULT_TEST_EAGER_WAREHOUSE`, on
    /// unless `0`).
    pub eager: bool,
}

impl Tally {
    pub fn fault(&mut self, what: &str) {
        *self.faults.entry(what.to_owned()).or_default() += 1;
    }

    pub fn record(&mut self, what: &str) {
        *self.records.entry(what.to_owned()).or_default() += 1;
    }
}

/// Prints the table of run `name`.
pub fn print(name: &str, steps: u64, seed: u64, tally: &Tally, violations: &[Violation]) {
    println!();
    println!(
        "fault suite, {name}: FAULT_TEST_RECORDS={steps} FAULT_TEST_SEED={seed} \
         FAULT_TEST_EAGER_WAREHOUSE={}",
        u8::from(tally.eager)
    );
    println!();
    println!("| faults injected | count |");
    println!("| --- | ---: |");
    for (fault, count) in &tally.faults {
        println!("| {fault} | {count} |");
    }
    for (fate, count) in &tally.webhooks {
        println!("| webhook {fate} | {count} |");
    }
    println!("| API calls the simulators answered | {} |", tally.calls);
    println!();
    println!("| records | count |");
    println!("| --- | ---: |");
    for (record, count) in &tally.records {
        println!("| {record} | {count} |");
    }
    for (step, count) in &tally.steps {
        println!("| step: {step} | {count} |");
    }
    println!(
        "| settled after the workload in | {:.1} s |",
        tally.settled.as_secs_f64()
    );
    println!();
    println!("| invariant | violations |");
    println!("| --- | ---: |");
    for check in CHECKS {
        let count = violations.iter().filter(|v| v.check == check).count();
        println!("| {check} | {count} |");
    }
    println!("| **total (must be 0)** | **{}** |", violations.len());
    for violation in violations {
        println!("- {violation}");
    }
}
