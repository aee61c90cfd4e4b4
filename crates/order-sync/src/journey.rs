//! A shipment's journey: what happened to it, step by step, for the person who asks "where is
//! order 83651?" (`OrderAdmin.FindShipments`, the admin page's Find).
//!
//! The steps are read off the record as it is saved: [`crate::records::ShipmentRecords::save`]
//! reads the row it is about to replace ([`saved`]) and, in the same transaction, writes what
//! changed ([`note`]). So every state change of every flow is journaled without the flow
//! saying so, and saving a record unchanged (a redelivery, an intent saved again) adds nothing.
//! A step is one of: the shipment received from Centra; the WMS order accepted (the call's
//! outcome the record keeps); the payment captured on import; the warehouse's shipped report;
//! a state change from -> to; a hold with its reason. Each carries the trace id of the
//! shipment's trace (its `trace_parent`).
//!
//! Bounded: a shipment keeps its last [`STEPS_KEPT`] steps (one parked and retried for weeks
//! would otherwise grow without end). The journey is not pruned by age: it lives as long as
//! its shipment row.
//!
//! Layout:
//! - [`Saved`], [`steps`]: what changed between two saves of a record (pure, tested below);
//! - [`saved`], [`note`], [`of`]: the `shipment_journey` table.

use platform_store::{Store, StoreError, Transaction};
use sqlx::Row;

use crate::records::{ShipmentRecord, corrupt};
use crate::rules::{HoldReason, ShipmentState};

/// The steps a shipment keeps; older ones are deleted as new ones come.
pub const STEPS_KEPT: i64 = 100;

/// What the journey compares of a record between two saves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub state: ShipmentState,
    pub hold: Option<HoldReason>,
    pub wms_order_id: Option<i64>,
    pub captured: bool,
    pub shipped: bool,
}

impl Saved {
    /// `record` as it is about to be saved.
    pub fn of(record: &ShipmentRecord) -> Self {
        Self {
            state: record.state(),
            hold: record.hold_reason().cloned(),
            wms_order_id: record.wms_order_id,
            captured: record.captured,
            shipped: record.shipped.is_some(),
        }
    }
}

/// One step, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// What happened in a few words (`received`, `state`, `parked`, `wms order accepted`).
    pub step: &'static str,
    /// The particulars a person reads: from -> to, the reason, the numbers.
    pub detail: String,
}

impl Step {
    fn new(step: &'static str, detail: impl Into<String>) -> Self {
        Self {
            step,
            detail: detail.into(),
        }
    }
}

/// What changed from `before` (`None`: the record's first save) to `record`: events and call
/// outcomes first, then the state change, then the hold that came with it.
pub fn steps(before: Option<&Saved>, record: &ShipmentRecord) -> Vec<Step> {
    let now = Saved::of(record);
    let mut found = Vec::new();
    if before.is_none() {
        found.push(Step::new(
            "received",
            format!(
                "shipment {} of Centra order {} received; WMS order number {}",
                record.shipment.id, record.order_id, record.wms_order_number
            ),
        ));
    }
    let was = |f: fn(&Saved) -> bool| before.is_some_and(f);
    if let Some(id) = now.wms_order_id
        && before.and_then(|b| b.wms_order_id) != Some(id)
    {
        found.push(Step::new(
            "wms order accepted",
            format!(
                "the WMS accepted order {} (WMS id {id})",
                record.wms_order_number
            ),
        ));
    }
    if now.captured && !was(|b| b.captured) {
        found.push(Step::new(
            "payment captured",
            "Centra captured the payment (capture on import)",
        ));
    }
    if let Some(report) = record.shipped.as_ref().filter(|_| !was(|b| b.shipped)) {
        let waybill = report.tracking.waybill.as_deref().unwrap_or("none");
        found.push(Step::new(
            "shipped report",
            format!(
                "the WMS reported order {} shipped: {} parcel(s), waybill {waybill}",
                record.wms_order_number,
                report.tracking.parcels.len()
            ),
        ));
    }
    let state_before = before.map(|b| b.state);
    if state_before != Some(now.state) {
        let from = state_before.map_or("-", ShipmentState::as_str);
        found.push(Step::new(
            "state",
            format!("{from} -> {}", now.state.as_str()),
        ));
    }
    if let Some(hold) = &now.hold
        && before.and_then(|b| b.hold.as_ref()) != Some(hold)
    {
        found.push(Step::new(hold.state().as_str(), hold.to_string()));
    }
    found
}

/// The trace id (32 hex digits) of a W3C `traceparent` (`00-<trace id>-<span id>-<flags>`).
pub fn trace_id(trace_parent: &str) -> Option<&str> {
    let id = trace_parent.split('-').nth(1)?;
    (id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some(id)
}

/// The stored row `record` is about to replace, as the journey compares it; `None` when the
/// record was never saved.
///
/// # Errors
/// A query error, or [`StoreError::Corrupt`] naming the shipment and the unreadable field.
pub async fn saved(
    tx: &mut Transaction,
    record: &ShipmentRecord,
) -> Result<Option<Saved>, StoreError> {
    let key = record.key();
    let row = sqlx::query(
        "SELECT state, reason, wms_order_id, captured, \
         CAST(CASE WHEN shipped IS NULL THEN 0 ELSE 1 END AS BIGINT) AS has_shipped \
         FROM shipments WHERE endpoint = $1 AND shipment_id = $2",
    )
    .bind(record.shipment.endpoint.as_str())
    .bind(record.shipment.id.to_string())
    .fetch_optional(tx.conn())
    .await
    .map_err(StoreError::query(format!(
        "reading shipment {key} for its journey"
    )))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let text = |field: &'static str| {
        row.try_get::<Option<String>, _>(field)
            .map_err(|e| corrupt(&key, field, &e))
    };
    let number = |field: &'static str| {
        row.try_get::<Option<i64>, _>(field)
            .map_err(|e| corrupt(&key, field, &e))
    };
    let state_text = text("state")?.unwrap_or_default();
    let state =
        ShipmentState::parse(&state_text).ok_or_else(|| corrupt(&key, "state", &state_text))?;
    let hold = text("reason")?
        .map(|json| serde_json::from_str::<HoldReason>(&json))
        .transpose()
        .map_err(|e| corrupt(&key, "reason", &e))?;
    Ok(Some(Saved {
        state,
        hold,
        wms_order_id: number("wms_order_id")?,
        captured: number("captured")?.unwrap_or(0) != 0,
        shipped: number("has_shipped")?.unwrap_or(0) != 0,
    }))
}

/// Writes the steps from `before` to `record` inside `tx` (the transaction that saves the
/// record), stamped with its `updated_at` and trace id; keeps the last [`STEPS_KEPT`].
///
/// # Errors
/// A query error naming the shipment.
pub async fn note(
    tx: &mut Transaction,
    before: Option<&Saved>,
    record: &ShipmentRecord,
) -> Result<(), StoreError> {
    let found = steps(before, record);
    if found.is_empty() {
        return Ok(());
    }
    let key = record.key();
    let (endpoint, shipment_id) = (
        record.shipment.endpoint.as_str(),
        record.shipment.id.to_string(),
    );
    let trace = record.trace_parent.as_deref().and_then(trace_id);
    // The save's steps in one statement, numbered in the insert itself (not a read and a
    // write, nor a statement a step: each statement of a save is time the file's other writers
    // wait for, and database work every order pays). `VALUES` columns are `column1`, … on
    // both stores.
    let rows = (0..found.len())
        .map(|n| format!("({n}, ${}, ${})", 5 + 2 * n, 6 + 2 * n))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO shipment_journey (endpoint, shipment_id, seq, at, step, detail, trace_id) \
         SELECT $1, $2, CAST(last.seq + steps.column1 + 1 AS BIGINT), $3, steps.column2, \
         steps.column3, $4 \
         FROM (VALUES {rows}) AS steps, \
         (SELECT COALESCE(MAX(seq), 0) AS seq FROM shipment_journey \
          WHERE endpoint = $1 AND shipment_id = $2) AS last \
         RETURNING seq"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(endpoint)
        .bind(&shipment_id)
        .bind(record.updated_at)
        .bind(trace);
    for step in &found {
        query = query.bind(step.step).bind(&step.detail);
    }
    let seq = query
        .fetch_all(tx.conn())
        .await
        .and_then(|rows| {
            rows.iter()
                .map(|row| row.try_get::<i64, _>("seq"))
                .try_fold(0, |top, seq| seq.map(|seq| top.max(seq)))
        })
        .map_err(StoreError::query(format!("journaling shipment {key}")))?;
    if seq > STEPS_KEPT {
        sqlx::query(
            "DELETE FROM shipment_journey WHERE endpoint = $1 AND shipment_id = $2 \
             AND seq <= $3",
        )
        .bind(endpoint)
        .bind(&shipment_id)
        .bind(seq - STEPS_KEPT)
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(format!(
            "dropping the oldest journey steps of {key}"
        )))?;
    }
    Ok(())
}

/// One stored step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JourneyStep {
    /// Unix milliseconds: when the record carrying the step was saved.
    pub at: i64,
    pub step: String,
    pub detail: String,
    pub trace_id: Option<String>,
}

/// The journey of `endpoint/shipment_id`, oldest step first.
///
/// # Errors
/// A query error naming the shipment.
pub async fn of(
    store: &Store,
    endpoint: &str,
    shipment_id: &str,
) -> Result<Vec<JourneyStep>, StoreError> {
    let key = format!("{endpoint}/{shipment_id}");
    let rows = sqlx::query(
        "SELECT at, step, detail, trace_id FROM shipment_journey \
         WHERE endpoint = $1 AND shipment_id = $2 ORDER BY seq",
    )
    .bind(endpoint)
    .bind(shipment_id)
    .fetch_all(store.pool())
    .await
    .map_err(StoreError::query(format!("reading the journey of {key}")))?;
    rows.iter()
        .map(|row| {
            let unreadable = |e: sqlx::Error| StoreError::Corrupt {
                table: "shipment_journey",
                key: key.clone(),
                field: "step",
                reason: e.to_string(),
            };
            Ok(JourneyStep {
                at: row.try_get("at").map_err(unreadable)?,
                step: row.try_get("step").map_err(unreadable)?,
                detail: row.try_get("detail").map_err(unreadable)?,
                trace_id: row.try_get("trace_id").map_err(unreadable)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use domain::{Address, EndpointName, ParkReason, Shipment, ShipmentId, ShippingMethod};

    use super::*;

    fn record() -> ShipmentRecord {
        let shipment = Shipment {
            id: ShipmentId::parse("7-1").expect("id"),
            endpoint: EndpointName::parse("shop1").expect("name"),
            paid: true,
            should_capture: false,
            good_to_go: true,
            delivery: Address::default(),
            shipping_method: ShippingMethod::default(),
            lines: Vec::new(),
        };
        ShipmentRecord::new(shipment, "S7-1".into())
    }

    fn names(found: &[Step]) -> Vec<&str> {
        found.iter().map(|s| s.step).collect()
    }

    #[test]
    fn the_first_save_is_received_with_its_state() {
        let found = steps(None, &record());
        assert_eq!(names(&found), ["received", "state"]);
        assert!(found[0].detail.contains("Centra order 7"), "{found:?}");
        assert_eq!(found[1].detail, "- -> received");
    }

    #[test]
    fn an_unchanged_save_adds_nothing() {
        let mut r = record();
        r.wms_order_id = Some(42);
        assert!(steps(Some(&Saved::of(&r)), &r).is_empty());
    }

    #[test]
    fn the_wms_answer_and_the_state_change_are_steps() {
        let mut r = record();
        let before = Saved::of(&r);
        r.wms_order_id = Some(42);
        r.captured = true;
        r.become_(ShipmentState::Imported).expect("allowed");
        let found = steps(Some(&before), &r);
        assert_eq!(
            names(&found),
            ["wms order accepted", "payment captured", "state"]
        );
        assert!(found[0].detail.contains("WMS id 42"), "{found:?}");
        assert_eq!(found[2].detail, "received -> imported");
    }

    #[test]
    fn a_hold_says_its_reason_once() {
        let mut r = record();
        let before = Saved::of(&r);
        r.hold(HoldReason::Rule(ParkReason::NotPaid))
            .expect("allowed");
        let found = steps(Some(&before), &r);
        assert_eq!(names(&found), ["state", "parked"]);
        assert_eq!(
            found[1].detail,
            HoldReason::Rule(ParkReason::NotPaid).to_string()
        );
        assert!(steps(Some(&Saved::of(&r)), &r).is_empty());
    }

    #[test]
    fn the_trace_id_is_the_second_field_of_a_traceparent() {
        assert_eq!(
            trace_id("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        assert_eq!(trace_id("garbage"), None);
        assert_eq!(trace_id("00-xyz-00f067aa0ba902b7-01"), None);
    }
}
