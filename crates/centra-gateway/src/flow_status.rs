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
//! Beside the flows, each end-point on the GraphQL Integration API answers its rate budget
//! (`budgets`): every bucket as the client's governor estimates it now, when `rateLimits` was
//! last read, and a 429's hold.
//!
//! Layout: [`PollLog`] (the memory of poll outcomes), [`FlowStatusService`] (the report),
//! [`rate_budgets`] (a governor's standing as the answer carries it).

use std::collections::HashMap;
use std::time::SystemTime;

use chrono::{DateTime, SecondsFormat, Utc};
use domain::EndpointName;
use platform_runtime::{FlowFacts, FlowRun, FlowRuns, flows_answer, open_dead_letters};
use platform_store::{DeadLetter, Store, StoreError};
use proto::admin::v1 as pb;
use proto::admin::v1::flow_status_server::{FlowStatus, FlowStatusServer};
use tonic::{Request, Response, Status};

use crate::client_graphql::{GovernorStanding, GraphqlClient};
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
    graphql: Vec<GraphqlClient>,
}

impl FlowStatusService {
    pub fn new(store: Store, endpoints: Vec<(EndpointName, Flows)>, log: PollLog) -> Self {
        Self {
            store,
            endpoints,
            log,
            graphql: Vec::new(),
        }
    }

    /// Also answers the rate budget of these GraphQL end-points' clients (the same clients
    /// the polls and commands use, so the budget is theirs).
    #[must_use]
    pub fn with_budgets(mut self, graphql: Vec<GraphqlClient>) -> Self {
        self.graphql = graphql;
        self
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
        let mut answer = flows_answer(crate::NAME, &POLLS, &wanted, reports)?;
        let now = SystemTime::now();
        answer.budgets = self
            .graphql
            .iter()
            .flat_map(|client| rate_budgets(client.endpoint(), &client.standing(), now))
            .collect();
        Ok(Response::new(answer))
    }
}

/// `standing` of `endpoint`'s governor as the answer carries it, its times from `now`.
pub fn rate_budgets(
    endpoint: &EndpointName,
    standing: &GovernorStanding,
    now: SystemTime,
) -> Vec<pb::RateBudget> {
    let at = |time: Option<SystemTime>| time.map(prost_types::Timestamp::from);
    let last_reading_at = at(standing
        .last_reading_ago
        .and_then(|ago| now.checked_sub(ago)));
    let held_until = at(standing.held_for.and_then(|left| now.checked_add(left)));
    standing
        .budgets
        .iter()
        .map(|budget| pb::RateBudget {
            endpoint: endpoint.to_string(),
            bucket: budget.kind.as_str().to_owned(),
            window: budget.window.as_str().to_owned(),
            remaining: budget.remaining,
            quota: budget.quota,
            last_reading_at,
            held_until,
        })
        .collect()
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
    fn a_standing_becomes_one_budget_per_bucket_with_its_times() {
        use crate::client_graphql::{BucketKind, Budget, Window};
        use std::time::Duration;

        let shop = EndpointName::parse("shop1").expect("name");
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let standing = GovernorStanding {
            budgets: vec![
                Budget {
                    kind: BucketKind::Mutations,
                    window: Window::OneHour,
                    quota: 1000,
                    remaining: 940,
                },
                Budget {
                    kind: BucketKind::Requests,
                    window: Window::TenSeconds,
                    quota: 20,
                    remaining: 19,
                },
            ],
            last_reading_ago: Some(Duration::from_secs(30)),
            held_for: Some(Duration::from_secs(2)),
        };
        let budgets = rate_budgets(&shop, &standing, now);
        let shown: Vec<(&str, &str, &str, u64, u64)> = budgets
            .iter()
            .map(|b| {
                (
                    b.endpoint.as_str(),
                    b.bucket.as_str(),
                    b.window.as_str(),
                    b.remaining,
                    b.quota,
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("shop1", "mutations", "1h", 940, 1000),
                ("shop1", "requests", "10s", 19, 20)
            ]
        );
        let seconds = |t: Option<prost_types::Timestamp>| t.map(|t| t.seconds);
        assert!(
            budgets
                .iter()
                .all(|b| seconds(b.last_reading_at) == Some(1_800_000_000 - 30)
                    && seconds(b.held_until) == Some(1_800_000_002))
        );
        let quiet = GovernorStanding {
            last_reading_ago: None,
            held_for: None,
            ..standing
        };
        assert!(
            rate_budgets(&shop, &quiet, now)
                .iter()
                .all(|b| b.last_reading_at.is_none() && b.held_until.is_none())
        );
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
