//! A return's journey: what happened to it, step by step, for the person who asks "where is
//! return 100:a?" (`ReturnsAdmin.FindReturns`, the admin page's Find).
//!
//! As for shipments (order-sync's journey), the steps are read off the record as it is saved:
//! [`crate::records::ReturnRecords::save`] reads the row it is about to replace ([`saved`]) and,
//! in the same transaction, writes what changed ([`note`]). So every flow's save is journaled
//! without the flow saying so, and a save that changes nothing adds nothing. A step is one of:
//! the return received from the WMS; created in Centra (with Centra's return id); reported
//! (the WMS told); a state change from -> to; parked with its reason; discarded with who and
//! why; retried (taken up again from parked or discarded).
//!
//! Each step keeps the trace id of the work that made it (the delivery of the WMS's report, a
//! person's retry through the admin service), so Find links the step to its trace; untraced
//! work leaves it empty. Unlike a shipment, a return keeps no trace of its own to continue: its
//! work is one delivery or one admin call, each already its own trace.
//!
//! Bounded: a return keeps its last [`STEPS_KEPT`] steps; the journey lives as long as the
//! return's row.
//!
//! Layout:
//! - [`Saved`], [`steps`]: what changed between two saves of a record (pure, tested below);
//! - [`saved`], [`note`], [`of`]: the `return_journey` table.

use platform_store::{Store, StoreError, Transaction};
use sqlx::Row;

use crate::records::ReturnRecord;
use crate::rules::{ParkReason, ReturnState};

/// The steps a return keeps; older ones are deleted as new ones come.
pub const STEPS_KEPT: i64 = 100;

/// What the journey compares of a record between two saves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub state: ReturnState,
    pub reason: Option<ParkReason>,
    pub centra_return_id: Option<String>,
}

impl Saved {
    /// `record` as it is about to be saved.
    pub fn of(record: &ReturnRecord) -> Self {
        Self {
            state: record.state(),
            reason: record.reason().cloned(),
            centra_return_id: record.centra_return_id.clone(),
        }
    }
}

/// One step, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// What happened in a few words (`received`, `created in centra`, `parked`, `retried`).
    pub step: &'static str,
    /// The particulars a person reads.
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

/// A state that waits for a person.
fn held(state: ReturnState) -> bool {
    matches!(state, ReturnState::Parked | ReturnState::Discarded)
}

/// What changed from `before` (`None`: the record's first save) to `record`: a retry first,
/// then events, then the state change, then the hold that came with it.
pub fn steps(before: Option<&Saved>, record: &ReturnRecord) -> Vec<Step> {
    let now = Saved::of(record);
    let mut found = Vec::new();
    if before.is_none() {
        found.push(Step::new(
            "received",
            format!(
                "return {} of WMS order {} received from warehouse {}: {} line(s)",
                record.return_id,
                record.order_number,
                record.warehouse,
                record.lines.len()
            ),
        ));
    }
    // A person's retry comes first: what the retry then did follows it.
    let state_before = before.map(|b| b.state);
    if let Some(from) = state_before.filter(|from| {
        *from != now.state && held(*from) && (!held(now.state) || *from == ReturnState::Discarded)
    }) {
        found.push(Step::new(
            "retried",
            format!("taken up again from {}", from.as_str()),
        ));
    }
    if let Some(id) = &now.centra_return_id
        && before.and_then(|b| b.centra_return_id.as_ref()) != Some(id)
    {
        found.push(Step::new(
            "created in centra",
            format!("Centra return {id}"),
        ));
    }
    if state_before != Some(now.state) {
        if now.state == ReturnState::Reported {
            found.push(Step::new(
                "reported",
                format!("the WMS was told of return {}", record.return_id),
            ));
        }
        let from = state_before.map_or("-", ReturnState::as_str);
        found.push(Step::new(
            "state",
            format!("{from} -> {}", now.state.as_str()),
        ));
    }
    if let Some(reason) = &now.reason
        && before.and_then(|b| b.reason.as_ref()) != Some(reason)
    {
        let step = match reason {
            ParkReason::Discarded { .. } => "discarded",
            _ => "parked",
        };
        found.push(Step::new(step, reason.to_string()));
    }
    found
}

/// The stored row `record` is about to replace, as the journey compares it; `None` when the
/// return was never saved.
///
/// # Errors
/// A query error, or [`StoreError::Corrupt`] naming the return and the unreadable field.
pub async fn saved(
    tx: &mut Transaction,
    record: &ReturnRecord,
) -> Result<Option<Saved>, StoreError> {
    let key = &record.return_id;
    let row =
        sqlx::query("SELECT state, reason, centra_return_id FROM returns WHERE return_id = $1")
            .bind(key)
            .fetch_optional(tx.conn())
            .await
            .map_err(StoreError::query(format!(
                "reading return {key} for its journey"
            )))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let corrupt = |field: &'static str, reason: String| StoreError::Corrupt {
        table: "returns",
        key: key.clone(),
        field,
        reason,
    };
    let text = |field: &'static str| {
        row.try_get::<Option<String>, _>(field)
            .map_err(|e| corrupt(field, e.to_string()))
    };
    let state_text = text("state")?.unwrap_or_default();
    let state = ReturnState::parse(&state_text).ok_or_else(|| corrupt("state", state_text))?;
    let reason = text("reason")?
        .map(|json| serde_json::from_str::<ParkReason>(&json))
        .transpose()
        .map_err(|e| corrupt("reason", e.to_string()))?;
    Ok(Some(Saved {
        state,
        reason,
        centra_return_id: text("centra_return_id")?,
    }))
}

/// Writes the steps from `before` to `record` inside `tx` (the transaction that saves the
/// record), stamped with its `updated_at` and the current work's trace id; keeps the last
/// [`STEPS_KEPT`].
///
/// # Errors
/// A query error naming the return.
pub async fn note(
    tx: &mut Transaction,
    before: Option<&Saved>,
    record: &ReturnRecord,
) -> Result<(), StoreError> {
    let found = steps(before, record);
    if found.is_empty() {
        return Ok(());
    }
    let key = &record.return_id;
    let last: i64 = sqlx::query(
        "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) AS last FROM return_journey \
         WHERE return_id = $1",
    )
    .bind(key)
    .fetch_one(tx.conn())
    .await
    .and_then(|row| row.try_get("last"))
    .map_err(StoreError::query(format!(
        "numbering the journey of return {key}"
    )))?;
    let trace_id = platform_telemetry::current_trace_id().map(|id| id.to_string());
    let mut seq = last;
    for step in &found {
        seq += 1;
        sqlx::query(
            "INSERT INTO return_journey (return_id, seq, at, step, detail, trace_id) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(key)
        .bind(seq)
        .bind(record.updated_at)
        .bind(step.step)
        .bind(&step.detail)
        .bind(trace_id.as_deref())
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(format!("journaling return {key}")))?;
    }
    if seq > STEPS_KEPT {
        sqlx::query("DELETE FROM return_journey WHERE return_id = $1 AND seq <= $2")
            .bind(key)
            .bind(seq - STEPS_KEPT)
            .execute(tx.conn())
            .await
            .map_err(StoreError::query(format!(
                "dropping the oldest journey steps of return {key}"
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
    /// The W3C trace id of the work that made the step; `None` when it was not traced.
    pub trace_id: Option<String>,
}

/// The journey of return `return_id`, oldest step first.
///
/// # Errors
/// A query error naming the return.
pub async fn of(store: &Store, return_id: &str) -> Result<Vec<JourneyStep>, StoreError> {
    let rows = sqlx::query(
        "SELECT at, step, detail, trace_id FROM return_journey WHERE return_id = $1 \
         ORDER BY seq",
    )
    .bind(return_id)
    .fetch_all(store.pool())
    .await
    .map_err(StoreError::query(format!(
        "reading the journey of return {return_id}"
    )))?;
    rows.iter()
        .map(|row| {
            let unreadable = |e: sqlx::Error| StoreError::Corrupt {
                table: "return_journey",
                key: return_id.to_owned(),
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
    use super::*;

    fn record() -> ReturnRecord {
        ReturnRecord::received("100:a".into(), "main".into(), "S1-1".into(), Vec::new())
    }

    fn names(found: &[Step]) -> Vec<&str> {
        found.iter().map(|s| s.step).collect()
    }

    fn not_imported() -> ParkReason {
        ParkReason::NotImported {
            order_number: "S1-1".into(),
        }
    }

    #[test]
    fn the_first_save_is_received_with_its_state() {
        let found = steps(None, &record());
        assert_eq!(names(&found), ["received", "state"]);
        assert!(found[0].detail.contains("WMS order S1-1"), "{found:?}");
        assert_eq!(found[1].detail, "- -> received");
    }

    #[test]
    fn an_unchanged_save_adds_nothing() {
        let r = record();
        assert!(steps(Some(&Saved::of(&r)), &r).is_empty());
    }

    #[test]
    fn created_in_centra_then_reported() {
        let mut r = record();
        let before = Saved::of(&r);
        r.centra_return_id = Some("R9".into());
        r.become_(ReturnState::Created).expect("allowed");
        let found = steps(Some(&before), &r);
        assert_eq!(names(&found), ["created in centra", "state"]);
        assert_eq!(found[0].detail, "Centra return R9");
        assert_eq!(found[1].detail, "received -> created");

        let before = Saved::of(&r);
        r.become_(ReturnState::Reported).expect("allowed");
        let found = steps(Some(&before), &r);
        assert_eq!(names(&found), ["reported", "state"]);
        assert_eq!(found[1].detail, "created -> reported");
    }

    #[test]
    fn parked_discarded_and_retried_say_why_and_who() {
        let mut r = record();
        let before = Saved::of(&r);
        r.park(not_imported()).expect("allowed");
        let found = steps(Some(&before), &r);
        assert_eq!(names(&found), ["state", "parked"]);
        assert_eq!(found[1].detail, not_imported().to_string());

        let before = Saved::of(&r);
        r.discard("refunded by hand", "admin").expect("allowed");
        let found = steps(Some(&before), &r);
        assert_eq!(names(&found), ["state", "discarded"]);
        assert_eq!(found[0].detail, "parked -> discarded");
        assert!(
            found[1].detail.contains("admin") && found[1].detail.contains("refunded by hand"),
            "{found:?}"
        );

        // A person's retry: back to parked for the old reason, then taken up.
        let before = Saved::of(&r);
        r.restore().expect("allowed");
        r.become_(ReturnState::Received).expect("allowed");
        let found = steps(Some(&before), &r);
        assert_eq!(names(&found), ["retried", "state"]);
        assert_eq!(found[0].detail, "taken up again from discarded");
        assert_eq!(found[1].detail, "discarded -> received");
    }
}
