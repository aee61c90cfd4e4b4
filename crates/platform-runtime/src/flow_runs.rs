//! What each flow of a service did since the process started, and the `FlowStatus` report row
//! built from it, so every service answers `centra-wms status` the same way.
//!
//! ```text
//! FlowRuns::record(flow, Ok | Err)   after every round of a poller or detector
//! FlowRuns::run(flow) -> FlowRun     last run, last success, last error
//! FlowRun::report(FlowFacts)         the FlowReport row (newest of run error and dead letter)
//! ```
//!
//! In memory on purpose: a restart starts empty, and the first round, run at start, fills it
//! again; what must survive a restart (cursors, dead letters) lives in the service's store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use platform_store::{
    DeadLetter, DeadLetterFilter, DeadLetterStatus, Store, StoreError, unix_millis,
};
use proto::admin::v1 as pb;
use tonic::Status;

/// What the rounds of one flow did (unix millis).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowRun {
    pub last_run_at: Option<i64>,
    pub last_success_at: Option<i64>,
    /// Kept until a newer error replaces it, so a person sees the last failure even after
    /// later successes.
    pub last_error: Option<(i64, String)>,
}

/// The outcome of every round since start, per flow name; shared by the writer (a poller)
/// and the reader (the status service).
#[derive(Debug, Clone, Default)]
pub struct FlowRuns {
    runs: Arc<Mutex<HashMap<String, FlowRun>>>,
}

impl FlowRuns {
    /// Records one round of `flow`.
    pub fn record(&self, flow: &str, outcome: Result<(), String>) {
        let now = unix_millis();
        let mut runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        let run = runs.entry(flow.to_owned()).or_default();
        run.last_run_at = Some(now);
        match outcome {
            Ok(()) => run.last_success_at = Some(now),
            Err(error) => run.last_error = Some((now, error)),
        }
    }

    /// What is known of `flow` (nothing before its first round).
    pub fn run(&self, flow: &str) -> FlowRun {
        let runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        runs.get(flow).cloned().unwrap_or_default()
    }
}

/// What the service knows of a flow besides its runs.
#[derive(Debug, Default)]
pub struct FlowFacts<'a> {
    pub flow: String,
    pub enabled: bool,
    /// The stored cursor as text (RFC 3339 or an id); empty when the flow keeps none.
    pub cursor: String,
    pub backlog: u64,
    pub failed: u64,
    /// The flow's open dead letters.
    pub parked: Vec<&'a DeadLetter>,
}

impl FlowRun {
    /// The report row: the last error is the newer of the last failed round and the newest
    /// open dead letter (`record: reason`).
    pub fn report(&self, facts: FlowFacts<'_>) -> pb::FlowReport {
        let newest_letter = facts
            .parked
            .iter()
            .max_by_key(|l| l.last_seen_at)
            .map(|l| (l.last_seen_at, format!("{}: {}", l.record_key, l.reason)));
        let last_error = match (self.last_error.clone(), newest_letter) {
            (Some(round), Some(letter)) => Some(if letter.0 > round.0 { letter } else { round }),
            (one, other) => one.or(other),
        };
        pb::FlowReport {
            flow: facts.flow,
            enabled: facts.enabled,
            last_run_at: self.last_run_at.map(timestamp),
            last_success_at: self.last_success_at.map(timestamp),
            cursor: facts.cursor,
            backlog: facts.backlog,
            parked: u64::try_from(facts.parked.len()).unwrap_or(u64::MAX),
            failed: facts.failed,
            last_error: last_error
                .as_ref()
                .map(|(_, e)| e.clone())
                .unwrap_or_default(),
            last_error_at: last_error.map(|(at, _)| timestamp(at)),
            // Warnings are the catalogue's (articles sent without a bad bar code).
            ..pb::FlowReport::default()
        }
    }
}

/// Most dead letters one report reads.
const MAX_LETTERS: u32 = 10_000;

/// The open dead letters of `store`, for the `parked` counts of its flows.
pub async fn open_dead_letters(store: &Store) -> Result<Vec<DeadLetter>, StoreError> {
    store
        .dead_letters()
        .list(&DeadLetterFilter {
            kind: None,
            status: Some(DeadLetterStatus::Open),
            limit: MAX_LETTERS,
        })
        .await
}

/// The `FlowStatus.List` answer of `service`: `reports` narrowed to `wanted` (every flow when
/// empty; `poll` also matches `<end-point>/poll`). A flow the service does not run is
/// `not_found`, naming the `known` ones.
pub fn flows_answer(
    service: &str,
    known: &[&str],
    wanted: &str,
    reports: Vec<pb::FlowReport>,
) -> Result<pb::ListFlowsResponse, Status> {
    let flows: Vec<pb::FlowReport> = reports
        .into_iter()
        .filter(|r| {
            wanted.is_empty()
                || r.flow == wanted
                || r.flow
                    .rsplit_once('/')
                    .is_some_and(|(_, flow)| flow == wanted)
        })
        .collect();
    if flows.is_empty() && !wanted.is_empty() && !known.contains(&wanted) {
        return Err(Status::not_found(format!(
            "flow {wanted} is not one of {service}'s ({})",
            known.join(", ")
        )));
    }
    Ok(pb::ListFlowsResponse {
        flows,
        ..pb::ListFlowsResponse::default()
    })
}

/// Unix millis as a protobuf timestamp.
pub fn timestamp(millis: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: millis.div_euclid(1000),
        nanos: i32::try_from(millis.rem_euclid(1000) * 1_000_000).unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_stays_after_later_successes() {
        let runs = FlowRuns::default();
        runs.record("shop1/orders", Err("centra is down".into()));
        runs.record("shop1/orders", Ok(()));
        let run = runs.run("shop1/orders");
        assert!(run.last_success_at >= run.last_error.as_ref().map(|(at, _)| *at));
        assert_eq!(
            run.last_error.map(|(_, e)| e).as_deref(),
            Some("centra is down")
        );
        assert_eq!(runs.run("shop1/returns"), FlowRun::default());
    }

    #[test]
    fn a_wanted_flow_narrows_the_answer_and_an_unknown_one_is_not_found() {
        let report = |flow: &str| pb::FlowReport {
            flow: flow.into(),
            ..pb::FlowReport::default()
        };
        let reports = || vec![report("shop1/orders"), report("shop1/products")];
        let all = flows_answer("centra-gateway", &["orders", "products"], "", reports());
        assert_eq!(all.expect("all").flows.len(), 2);
        let one = flows_answer(
            "centra-gateway",
            &["orders", "products"],
            "orders",
            reports(),
        )
        .expect("one");
        assert_eq!(one.flows, vec![report("shop1/orders")]);
        let unknown = flows_answer(
            "centra-gateway",
            &["orders", "products"],
            "stock",
            reports(),
        )
        .expect_err("unknown");
        assert_eq!(unknown.code(), tonic::Code::NotFound);
        assert_eq!(
            unknown.message(),
            "flow stock is not one of centra-gateway's (orders, products)"
        );
    }

    #[test]
    fn the_newer_of_round_error_and_dead_letter_is_the_last_error() {
        let letter = |at: i64, key: &str| DeadLetter {
            id: 1,
            service: "s".into(),
            kind: "k".into(),
            record_key: key.into(),
            reason: "bad ean".into(),
            payload: serde_json::Value::Null,
            attempts: 1,
            status: platform_store::DeadLetterStatus::Open,
            first_seen_at: at,
            last_seen_at: at,
            resolved_at: None,
        };
        let run = FlowRun {
            last_run_at: Some(3_000),
            last_success_at: Some(3_000),
            last_error: Some((2_000, "timeout".into())),
        };
        let (old, new) = (letter(1_000, "P1"), letter(2_500, "P2"));
        let report = run.report(FlowFacts {
            flow: "shop1/products".into(),
            enabled: true,
            parked: vec![&old, &new],
            ..FlowFacts::default()
        });
        assert_eq!(report.last_error, "P2: bad ean");
        assert_eq!(report.parked, 2);
        assert_eq!(report.last_error_at, Some(timestamp(2_500)));
        let quiet = run.report(FlowFacts::default());
        assert_eq!(quiet.last_error, "timeout");
        assert_eq!(quiet.last_run_at, Some(timestamp(3_000)));
    }
}
