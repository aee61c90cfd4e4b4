//! `FlowStatus` of centra-gateway: one flow per poll and end-point, named `<end-point>/<poll>`
//! (`shop1/shipments`, `shop1/orders`, `shop1/products`, `shop1/deliveries`).
//!
//! - last run, last success and the last poll error come from [`PollLog`], which the schedule
//!   fills after every poll (in memory: a restart starts it empty, and the first round, run at
//!   start, fills it again);
//! - the cursor is the stored one of the cursor-based polls (orders, products);
//! - parked is the open dead letters of the poll's records (unreadable records, shipments good
//!   to go again after a cancellation); the newest one is the last error when it is newer
//!   than the last poll error;
//! - backlog and failed stay 0: a poll publishes what it reads in the same transaction.
//!
//! Layout: [`PollLog`] (the memory of poll outcomes), [`FlowStatusService`] (the report).

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use domain::EndpointName;
use platform_runtime::{FlowFacts, FlowRun, FlowRuns, flows_answer, open_dead_letters};
use platform_store::{DeadLetter, Store, StoreError};
use proto::admin::v1 as pb;
use proto::admin::v1::flow_status_server::{FlowStatus, FlowStatusServer};
use tonic::{Request, Response, Status};

use crate::detect::Flows;

/// The polls, in the order they run and are reported.
pub const POLLS: [&str; 4] = ["shipments", "orders", "products", "deliveries"];

/// Whether `flows` runs `poll`.
fn enabled(flows: Flows, poll: &str) -> bool {
    match poll {
        "shipments" => flows.shipments,
        "orders" => flows.orders,
        "products" => flows.products,
        _ => flows.deliveries,
    }
}

/// Whether a dead letter of `kind` is a record of `poll` (the pollers' dead-letter kinds,
/// `centra.<record>`, plus the cancellation check's `centra.shipment.good-to-go-again`).
pub fn dead_letter_poll(kind: &str) -> Option<&'static str> {
    let record = kind.strip_prefix("centra.")?;
    match record.split('.').next()? {
        "shipment" => Some("shipments"),
        "order" => Some("orders"),
        "product" => Some("products"),
        "supplier-delivery" => Some("deliveries"),
        _ => None,
    }
}

/// The outcome of every poll since start, per end-point and poll (flow `<end-point>/<poll>`);
/// shared by the schedule (writer) and the status service (reader).
#[derive(Debug, Clone, Default)]
pub struct PollLog(FlowRuns);

impl PollLog {
    /// Records one poll of `poll` on `endpoint`.
    pub fn record(&self, endpoint: &EndpointName, poll: &str, outcome: Result<(), String>) {
        self.0.record(&format!("{endpoint}/{poll}"), outcome);
    }

    /// What is known of `poll` on `endpoint`.
    pub fn run(&self, endpoint: &EndpointName, poll: &str) -> FlowRun {
        self.0.run(&format!("{endpoint}/{poll}"))
    }
}

/// Serves `FlowStatus` over the poll log and the gateway's store.
#[derive(Debug, Clone)]
pub struct FlowStatusService {
    store: Store,
    endpoints: Vec<(EndpointName, Flows)>,
    log: PollLog,
}

impl FlowStatusService {
    pub fn new(store: Store, endpoints: Vec<(EndpointName, Flows)>, log: PollLog) -> Self {
        Self {
            store,
            endpoints,
            log,
        }
    }

    pub fn into_server(self) -> FlowStatusServer<Self> {
        FlowStatusServer::new(self)
    }

    /// The stored cursors as `(end-point, poll) -> RFC 3339`.
    async fn cursors(&self) -> Result<HashMap<(String, String), String>, StoreError> {
        let rows: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT endpoint, flow, cursor_ms FROM poll_cursors")
                .fetch_all(self.store.pool())
                .await
                .map_err(StoreError::query("reading the poll cursors"))?;
        Ok(rows
            .into_iter()
            .filter_map(|(endpoint, flow, millis)| {
                let at: DateTime<Utc> = DateTime::from_timestamp_millis(millis)?;
                Some((
                    (endpoint, flow),
                    at.to_rfc3339_opts(SecondsFormat::Secs, true),
                ))
            })
            .collect())
    }

    /// Every flow's report.
    pub async fn reports(&self) -> Result<Vec<pb::FlowReport>, StoreError> {
        let cursors = self.cursors().await?;
        let letters = open_dead_letters(&self.store).await?;
        let mut reports = Vec::new();
        for (endpoint, flows) in &self.endpoints {
            let prefix = format!("{endpoint}:");
            for poll in POLLS {
                let parked: Vec<&DeadLetter> = letters
                    .iter()
                    .filter(|l| {
                        dead_letter_poll(&l.kind) == Some(poll) && l.record_key.starts_with(&prefix)
                    })
                    .collect();
                let run = self.log.run(endpoint, poll);
                reports.push(
                    run.report(FlowFacts {
                        flow: format!("{endpoint}/{poll}"),
                        enabled: enabled(*flows, poll),
                        cursor: cursors
                            .get(&(endpoint.to_string(), poll.to_owned()))
                            .cloned()
                            .unwrap_or_default(),
                        parked,
                        ..FlowFacts::default()
                    }),
                );
            }
        }
        Ok(reports)
    }
}

#[tonic::async_trait]
impl FlowStatus for FlowStatusService {
    async fn list(
        &self,
        request: Request<pb::ListFlowsRequest>,
    ) -> Result<Response<pb::ListFlowsResponse>, Status> {
        let wanted = request.into_inner().flow;
        let reports = self
            .reports()
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        flows_answer(crate::NAME, &POLLS, &wanted, reports).map(Response::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dead_letter_kinds_belong_to_their_poll() {
        assert_eq!(dead_letter_poll("centra.shipment"), Some("shipments"));
        assert_eq!(
            dead_letter_poll("centra.shipment.good-to-go-again"),
            Some("shipments")
        );
        assert_eq!(
            dead_letter_poll("centra.supplier-delivery"),
            Some("deliveries")
        );
        assert_eq!(dead_letter_poll("centra.return"), None);
        assert_eq!(dead_letter_poll("article"), None);
    }

    #[test]
    fn the_log_keeps_the_last_error_after_a_success() {
        let log = PollLog::default();
        let shop = EndpointName::parse("shop1").expect("name");
        log.record(&shop, "orders", Err("centra is down".into()));
        log.record(&shop, "orders", Ok(()));
        let run = log.run(&shop, "orders");
        assert!(run.last_success_at.is_some());
        assert_eq!(
            run.last_error.map(|(_, e)| e),
            Some("centra is down".to_owned())
        );
        assert_eq!(log.run(&shop, "products"), FlowRun::default());
    }
}
