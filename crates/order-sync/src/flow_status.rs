//! `FlowStatus` of order-sync: how each of its flows is doing, read from its own tables.
//!
//! Flows and where their numbers come from:
//!
//! ```text
//! shipments        shipments table: received (backlog), imported, parked, failed (capture)
//! completion       shipments table: shipped (backlog), completed, parked after shipping
//! cancellation     shipments table: cancelled, and the cancellation holds (parked)
//! orders           orders table: importing (backlog), imported, parked
//! purchase-orders  deliveries table: sent (backlog: goods not received yet), accepted, parked
//! ```
//!
//! The times are the records' own: *last run* is the newest change of any record of the flow,
//! *last success* the newest change that left a record in a good state, *last error* the
//! newest park or fail reason. The flows follow bus events, so none keeps a cursor.
//!
//! Layout: [`shipment_flow`] and [`Standing`] are the pure classification; [`FlowTally`] sums
//! rows into a report; [`FlowStatusService`] reads the tables and serves the contract.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use domain::Settings;
use platform_runtime::{flows_answer, timestamp};
use platform_store::{Store, StoreError};
use proto::admin::v1 as pb;
use proto::admin::v1::flow_status_server::{FlowStatus, FlowStatusServer};
use sqlx::Row;
use sqlx::any::AnyRow;
use tonic::{Request, Response, Status};

use crate::deliveries::DeliveryState;
use crate::orders::OrderState;
use crate::rules::{HoldReason, ShipmentState};

/// Good-to-go shipments becoming WMS orders.
pub const SHIPMENTS: &str = "shipments";
/// Shipped WMS orders completing their Centra shipment.
pub const COMPLETION: &str = "completion";
/// Centra cancellations reaching the WMS.
pub const CANCELLATION: &str = "cancellation";
/// Ready Centra orders imported as themselves.
pub const ORDERS: &str = "orders";
/// Supplier deliveries becoming WMS purchase orders.
pub const PURCHASE_ORDERS: &str = "purchase-orders";

/// Every flow, in the order they are reported.
pub const FLOWS: [&str; 5] = [SHIPMENTS, COMPLETION, CANCELLATION, ORDERS, PURCHASE_ORDERS];

/// Where a record stands, for the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Seen, not finished yet.
    Backlog,
    /// Finished, or finished its step.
    Done,
    /// Waits for a person.
    Parked,
    /// Gave up (a failed capture); a person retries it.
    Failed,
}

/// The flow a shipment row belongs to: a cancellation hold or a cancelled shipment is the
/// cancellation's; a shipped, completed, or parked-after-shipping one the completion's; the
/// rest the import's. `shipped` is true when the warehouse reported the shipment shipped.
pub fn shipment_flow(
    state: ShipmentState,
    reason_kind: Option<&str>,
    shipped: bool,
) -> &'static str {
    let cancellation_hold =
        reason_kind.is_some_and(|k| HoldReason::CANCELLATION_KINDS.contains(&k));
    match state {
        ShipmentState::Cancelled => CANCELLATION,
        _ if cancellation_hold => CANCELLATION,
        ShipmentState::Shipped | ShipmentState::Completed => COMPLETION,
        ShipmentState::Parked if shipped => COMPLETION,
        _ => SHIPMENTS,
    }
}

/// How a shipment state counts in its flow.
pub fn shipment_standing(state: ShipmentState) -> Standing {
    match state {
        ShipmentState::Received | ShipmentState::Shipped => Standing::Backlog,
        // A discarded shipment was settled by a person: nothing is left to do.
        ShipmentState::Imported
        | ShipmentState::Completed
        | ShipmentState::Cancelled
        | ShipmentState::Discarded => Standing::Done,
        ShipmentState::Parked => Standing::Parked,
        ShipmentState::Failed => Standing::Failed,
    }
}

fn order_standing(state: OrderState) -> Standing {
    match state {
        OrderState::Importing => Standing::Backlog,
        OrderState::Imported => Standing::Done,
        OrderState::Parked => Standing::Parked,
    }
}

fn delivery_standing(state: DeliveryState) -> Standing {
    match state {
        DeliveryState::Sent => Standing::Backlog,
        DeliveryState::Accepted => Standing::Done,
        DeliveryState::Parked => Standing::Parked,
    }
}

/// The sums of one flow's records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowTally {
    pub last_run_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub backlog: u64,
    pub parked: u64,
    pub failed: u64,
    /// The newest park or fail reason and when (unix millis).
    pub last_error: Option<(i64, String)>,
}

impl FlowTally {
    /// Adds `count` records standing at `standing`, the newest changed at `at` (unix millis).
    pub fn add(&mut self, standing: Standing, count: u64, at: Option<i64>) {
        self.last_run_at = self.last_run_at.max(at);
        match standing {
            Standing::Backlog => self.backlog += count,
            Standing::Done => self.last_success_at = self.last_success_at.max(at),
            Standing::Parked => self.parked += count,
            Standing::Failed => self.failed += count,
        }
    }

    /// Keeps `reason` when it is newer than the one kept.
    pub fn error(&mut self, at: i64, reason: String) {
        if self.last_error.as_ref().is_none_or(|(kept, _)| at > *kept) {
            self.last_error = Some((at, reason));
        }
    }

    fn report(&self, flow: &str, enabled: bool) -> pb::FlowReport {
        pb::FlowReport {
            flow: flow.to_owned(),
            enabled,
            last_run_at: self.last_run_at.map(timestamp),
            last_success_at: self.last_success_at.map(timestamp),
            cursor: String::new(),
            backlog: self.backlog,
            parked: self.parked,
            failed: self.failed,
            last_error: self
                .last_error
                .as_ref()
                .map(|(_, r)| r.clone())
                .unwrap_or_default(),
            last_error_at: self.last_error.as_ref().map(|(at, _)| timestamp(*at)),
            // Warnings are the catalogue's (articles sent without a bad bar code).
            ..pb::FlowReport::default()
        }
    }
}

/// Whether the tenant's settings run `flow`.
pub fn enabled(flow: &str, settings: &Settings) -> bool {
    match flow {
        ORDERS => settings.import.imports_orders(),
        PURCHASE_ORDERS => settings.purchase_orders,
        _ => settings.import.imports_shipments(),
    }
}

/// The held reason as a person reads it; the stored JSON when it no longer parses.
fn hold_text(stored: &str) -> String {
    serde_json::from_str::<HoldReason>(stored).map_or_else(|_| stored.to_owned(), |h| h.to_string())
}

/// Serves `FlowStatus` over the service's store.
#[derive(Debug, Clone)]
pub struct FlowStatusService {
    store: Store,
    settings: Arc<Settings>,
}

fn text(row: &AnyRow, field: &str) -> Result<Option<String>, StoreError> {
    row.try_get::<Option<String>, _>(field)
        .map_err(StoreError::query(format!(
            "reading flow status field {field}"
        )))
}

fn number(row: &AnyRow, field: &str) -> Result<Option<i64>, StoreError> {
    row.try_get::<Option<i64>, _>(field)
        .map_err(StoreError::query(format!(
            "reading flow status field {field}"
        )))
}

fn corrupt(table: &'static str, state: &str) -> StoreError {
    StoreError::Corrupt {
        table,
        key: "*".to_owned(),
        field: "state",
        reason: format!("unknown state {state:?}"),
    }
}

/// `CASE` that makes the nullable `shipped` column a number on both databases.
const WAS_SHIPPED: &str = "CAST(CASE WHEN shipped IS NULL THEN 0 ELSE 1 END AS BIGINT)";

impl FlowStatusService {
    pub fn new(store: Store, settings: Arc<Settings>) -> Self {
        Self { store, settings }
    }

    pub fn into_server(self) -> FlowStatusServer<Self> {
        FlowStatusServer::new(self)
    }

    /// Every flow's tally.
    pub async fn tallies(&self) -> Result<BTreeMap<&'static str, FlowTally>, StoreError> {
        let mut tallies: BTreeMap<&'static str, FlowTally> =
            FLOWS.iter().map(|f| (*f, FlowTally::default())).collect();
        self.shipments(&mut tallies).await?;
        self.simple_table("orders", ORDERS, &mut tallies, |s| {
            OrderState::parse(s).map(order_standing)
        })
        .await?;
        self.simple_table("deliveries", PURCHASE_ORDERS, &mut tallies, |s| {
            DeliveryState::parse(s).map(delivery_standing)
        })
        .await?;
        Ok(tallies)
    }

    async fn shipments(
        &self,
        tallies: &mut BTreeMap<&'static str, FlowTally>,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "SELECT state, reason_kind, {WAS_SHIPPED} AS was_shipped, COUNT(*) AS n, \
             MAX(updated_at) AS at FROM shipments GROUP BY state, reason_kind, {WAS_SHIPPED}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("counting shipments by state"))?;
        for row in &rows {
            let state_text = text(row, "state")?.unwrap_or_default();
            let state = ShipmentState::parse(&state_text)
                .ok_or_else(|| corrupt("shipments", &state_text))?;
            let kind = text(row, "reason_kind")?;
            let shipped = number(row, "was_shipped")?.unwrap_or(0) != 0;
            let flow = shipment_flow(state, kind.as_deref(), shipped);
            let count = u64::try_from(number(row, "n")?.unwrap_or(0)).unwrap_or(0);
            if let Some(tally) = tallies.get_mut(flow) {
                tally.add(shipment_standing(state), count, number(row, "at")?);
            }
        }
        // Held shipments are few (each waits for a person): read them for the newest reasons.
        let sql = format!(
            "SELECT state, reason_kind, reason, {WAS_SHIPPED} AS was_shipped, updated_at \
             FROM shipments WHERE state IN ($1, $2) ORDER BY updated_at DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ShipmentState::Parked.as_str())
            .bind(ShipmentState::Failed.as_str())
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("reading held shipments"))?;
        for row in &rows {
            let state_text = text(row, "state")?.unwrap_or_default();
            let state = ShipmentState::parse(&state_text)
                .ok_or_else(|| corrupt("shipments", &state_text))?;
            let kind = text(row, "reason_kind")?;
            let shipped = number(row, "was_shipped")?.unwrap_or(0) != 0;
            let flow = shipment_flow(state, kind.as_deref(), shipped);
            let reason = text(row, "reason")?
                .map(|r| hold_text(&r))
                .unwrap_or_default();
            if let (Some(tally), Some(at)) = (tallies.get_mut(flow), number(row, "updated_at")?) {
                tally.error(at, reason);
            }
        }
        Ok(())
    }

    /// A table with `state`, `reason` and `updated_at` whose rows all belong to `flow`.
    async fn simple_table(
        &self,
        table: &'static str,
        flow: &'static str,
        tallies: &mut BTreeMap<&'static str, FlowTally>,
        standing: impl Fn(&str) -> Option<Standing>,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "SELECT state, COUNT(*) AS n, MAX(updated_at) AS at FROM {table} GROUP BY state"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(format!("counting {table} by state")))?;
        let tally = tallies.entry(flow).or_default();
        for row in &rows {
            let state = text(row, "state")?.unwrap_or_default();
            let standing = standing(&state).ok_or_else(|| corrupt(table, &state))?;
            let count = u64::try_from(number(row, "n")?.unwrap_or(0)).unwrap_or(0);
            tally.add(standing, count, number(row, "at")?);
        }
        let sql = format!(
            "SELECT reason, updated_at FROM {table} WHERE state = 'parked' \
             ORDER BY updated_at DESC LIMIT 1"
        );
        let newest = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query(format!(
                "reading the newest parked {table}"
            )))?;
        if let Some(row) = newest
            && let Some(at) = number(&row, "updated_at")?
        {
            tally.error(at, text(&row, "reason")?.unwrap_or_default());
        }
        Ok(())
    }
}

#[async_trait]
impl FlowStatus for FlowStatusService {
    async fn list(
        &self,
        request: Request<pb::ListFlowsRequest>,
    ) -> Result<Response<pb::ListFlowsResponse>, Status> {
        let wanted = request.into_inner().flow;
        let tallies = self
            .tallies()
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        let reports = FLOWS
            .iter()
            .map(|f| {
                let tally = tallies.get(f).cloned().unwrap_or_default();
                tally.report(f, enabled(f, &self.settings))
            })
            .collect();
        flows_answer(crate::NAME, &FLOWS, &wanted, reports).map(Response::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipment_rows_go_to_the_flow_that_owns_their_step() {
        use ShipmentState::*;
        assert_eq!(shipment_flow(Received, None, false), SHIPMENTS);
        assert_eq!(
            shipment_flow(Failed, Some("capture_failed"), false),
            SHIPMENTS
        );
        assert_eq!(
            shipment_flow(Parked, Some("article_missing"), false),
            SHIPMENTS
        );
        assert_eq!(
            shipment_flow(Parked, Some("nothing_picked"), true),
            COMPLETION
        );
        assert_eq!(shipment_flow(Shipped, None, true), COMPLETION);
        assert_eq!(
            shipment_flow(Parked, Some("cancellation_refused"), false),
            CANCELLATION
        );
        assert_eq!(
            shipment_flow(Parked, Some("cancelled_after_shipping"), true),
            CANCELLATION
        );
        assert_eq!(shipment_flow(Cancelled, None, false), CANCELLATION);
    }

    #[test]
    fn a_tally_keeps_the_newest_times_and_reason() {
        let mut tally = FlowTally::default();
        tally.add(Standing::Done, 3, Some(10));
        tally.add(Standing::Backlog, 2, Some(30));
        tally.add(Standing::Parked, 1, Some(20));
        tally.error(20, "older".into());
        tally.error(25, "newer".into());
        tally.error(5, "oldest".into());
        assert_eq!(tally.last_run_at, Some(30));
        assert_eq!(tally.last_success_at, Some(10));
        assert_eq!((tally.backlog, tally.parked, tally.failed), (2, 1, 0));
        assert_eq!(tally.last_error, Some((25, "newer".to_owned())));
    }
}
