//! The WMS return <-> Centra return mapping with its state, over the service's store.
//!
//! One row per WMS return (`returns` table), keyed by the WMS return id (stable per return:
//! the order id plus the returned quantities). The planned lines are kept as JSON text
//! (portable SQL), so a retry runs on the same facts. Every save writes what changed to the
//! return's journey ([`crate::journey`]) in the same transaction.

use std::collections::BTreeMap;

use platform_store::{Store, StoreError, Transaction, unix_millis};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::journey;
use crate::rules::{IllegalTransition, ParkReason, ReturnLine, ReturnState};

/// A WMS return and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnRecord {
    /// The WMS return id, also the idempotency key of the Centra return.
    pub return_id: String,
    pub warehouse: String,
    /// Our WMS order number of the original order.
    pub order_number: String,
    pub wms_order_id: i64,
    /// The pre-advised return order, when the WMS had one (0: none); for the person.
    pub return_order_id: i64,
    /// End-point and Centra shipment, once the order number resolved.
    pub endpoint: Option<String>,
    pub shipment_id: Option<String>,
    pub lines: Vec<ReturnLine>,
    /// The Centra comment (combined causes).
    pub comment: String,
    /// Changed only through [`ReturnRecord::become_`] and [`ReturnRecord::park`], which keep to
    /// the state machine ([`ReturnState::can_become`]).
    state: ReturnState,
    pub centra_return_id: Option<String>,
    /// Why it is parked; set and cleared only with the state.
    reason: Option<ParkReason>,
    /// When the warehouse registered the return (unix millis).
    pub returned_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ReturnRecord {
    /// A new return of `lines`, received (not in Centra yet), with nothing else known: the
    /// flow fills in the rest of what the WMS said before the first save.
    pub fn received(
        return_id: String,
        warehouse: String,
        order_number: String,
        lines: Vec<ReturnLine>,
    ) -> Self {
        Self {
            return_id,
            warehouse,
            order_number,
            wms_order_id: 0,
            return_order_id: 0,
            endpoint: None,
            shipment_id: None,
            lines,
            comment: String::new(),
            state: ReturnState::Received,
            centra_return_id: None,
            reason: None,
            returned_at: 0,
            created_at: 0,
            updated_at: 0,
        }
    }

    /// Where the return stands.
    pub fn state(&self) -> ReturnState {
        self.state
    }

    /// Why it is parked, when it is.
    pub fn reason(&self) -> Option<&ParkReason> {
        self.reason.as_ref()
    }

    /// Parks for `reason`.
    ///
    /// # Errors
    /// [`IllegalTransition`] when the state machine does not allow it; the record is unchanged.
    pub fn park(&mut self, reason: ParkReason) -> Result<(), IllegalTransition> {
        self.check(ReturnState::Parked)?;
        self.state = ReturnState::Parked;
        self.reason = Some(reason);
        Ok(())
    }

    /// A person sets the parked return aside for `reason`: discarded, keeping the reason, `by`
    /// and the park reason it replaced.
    ///
    /// # Errors
    /// As [`ReturnRecord::park`]: only a parked return may be discarded.
    pub fn discard(&mut self, reason: &str, by: &str) -> Result<(), IllegalTransition> {
        self.check(ReturnState::Discarded)?;
        let Some(was) = self.reason.take() else {
            return Err(IllegalTransition::new(
                format!("return {}", self.return_id),
                self.state.as_str(),
                ReturnState::Discarded.as_str(),
            ));
        };
        self.state = ReturnState::Discarded;
        self.reason = Some(ParkReason::Discarded {
            reason: reason.to_owned(),
            by: by.to_owned(),
            was: Box::new(was),
        });
        Ok(())
    }

    /// A person's retry of a discarded return: parked again for the reason the discard
    /// replaced. Nothing changes for any other state.
    ///
    /// # Errors
    /// As [`ReturnRecord::park`].
    pub fn restore(&mut self) -> Result<(), IllegalTransition> {
        if let (ReturnState::Discarded, Some(ParkReason::Discarded { was, .. })) =
            (self.state, self.reason.clone())
        {
            self.park(*was)?;
        }
        Ok(())
    }

    /// Moves to `state`, clearing any reason.
    ///
    /// # Errors
    /// As [`ReturnRecord::park`].
    pub fn become_(&mut self, state: ReturnState) -> Result<(), IllegalTransition> {
        self.check(state)?;
        self.state = state;
        self.reason = None;
        Ok(())
    }

    fn check(&self, next: ReturnState) -> Result<(), IllegalTransition> {
        if self.state.can_become(next) {
            Ok(())
        } else {
            Err(IllegalTransition::new(
                format!("return {}", self.return_id),
                self.state.as_str(),
                next.as_str(),
            ))
        }
    }
}

const COLUMNS: &str = "return_id, warehouse, order_number, wms_order_id, return_order_id, \
                       endpoint, shipment_id, lines, comment, state, centra_return_id, reason, \
                       returned_at, created_at, updated_at";

fn corrupt(key: &str, field: &'static str, reason: &dyn std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table: "returns",
        key: key.to_owned(),
        field,
        reason: reason.to_string(),
    }
}

fn read(row: &AnyRow) -> Result<ReturnRecord, StoreError> {
    let get = |field: &'static str| -> Result<Option<String>, StoreError> {
        row.try_get::<Option<String>, _>(field)
            .map_err(|e| corrupt("?", field, &e))
    };
    let key = get("return_id")?.unwrap_or_default();
    let number = |field: &'static str| -> Result<i64, StoreError> {
        row.try_get::<Option<i64>, _>(field)
            .map(Option::unwrap_or_default)
            .map_err(|e| corrupt(&key, field, &e))
    };
    let state_text = get("state")?.unwrap_or_default();
    let state =
        ReturnState::parse(&state_text).ok_or_else(|| corrupt(&key, "state", &state_text))?;
    let lines: Vec<ReturnLine> = serde_json::from_str(&get("lines")?.unwrap_or_default())
        .map_err(|e| corrupt(&key, "lines", &e))?;
    let reason = get("reason")?
        .map(|text| serde_json::from_str::<ParkReason>(&text))
        .transpose()
        .map_err(|e| corrupt(&key, "reason", &e))?;
    Ok(ReturnRecord {
        warehouse: get("warehouse")?.unwrap_or_default(),
        order_number: get("order_number")?.unwrap_or_default(),
        wms_order_id: number("wms_order_id")?,
        return_order_id: number("return_order_id")?,
        endpoint: get("endpoint")?,
        shipment_id: get("shipment_id")?,
        lines,
        comment: get("comment")?.unwrap_or_default(),
        state,
        centra_return_id: get("centra_return_id")?,
        reason,
        returned_at: number("returned_at")?,
        created_at: number("created_at")?,
        updated_at: number("updated_at")?,
        return_id: key,
    })
}

fn json<T: serde::Serialize>(
    key: &str,
    field: &'static str,
    value: &T,
) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Invalid {
        what: format!("return {key}"),
        field,
        reason: e.to_string(),
    })
}

/// Which returns [`ReturnRecords::list`] reads.
#[derive(Debug, Clone, Default)]
pub struct ReturnFilter<'a> {
    /// Empty: every state.
    pub states: &'a [ReturnState],
    pub order_number: Option<&'a str>,
    /// Only returns the warehouse registered at or after this (unix millis).
    pub since: Option<i64>,
    /// Keyset page: return ids after this one.
    pub after: Option<&'a str>,
    pub limit: u32,
}

/// The `returns` table.
#[derive(Debug, Clone)]
pub struct ReturnRecords {
    store: Store,
}

impl ReturnRecords {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Inserts or replaces `record` inside `tx`, stamping `updated_at` (and `created_at` once).
    pub async fn save(
        &self,
        tx: &mut Transaction,
        record: &mut ReturnRecord,
    ) -> Result<(), StoreError> {
        let key = record.return_id.clone();
        record.updated_at = unix_millis();
        if record.created_at == 0 {
            record.created_at = record.updated_at;
        }
        let before = journey::saved(tx, record).await?;
        let lines = json(&key, "lines", &record.lines)?;
        let reason = record
            .reason
            .as_ref()
            .map(|r| json(&key, "reason", r))
            .transpose()?;
        sqlx::query(
            "INSERT INTO returns (return_id, warehouse, order_number, wms_order_id, \
             return_order_id, endpoint, shipment_id, lines, comment, state, centra_return_id, \
             reason_kind, reason, returned_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
             ON CONFLICT (return_id) DO UPDATE SET state = excluded.state, \
             endpoint = excluded.endpoint, shipment_id = excluded.shipment_id, \
             lines = excluded.lines, comment = excluded.comment, \
             centra_return_id = excluded.centra_return_id, reason_kind = excluded.reason_kind, \
             reason = excluded.reason, updated_at = excluded.updated_at",
        )
        .bind(&record.return_id)
        .bind(&record.warehouse)
        .bind(&record.order_number)
        .bind(record.wms_order_id)
        .bind(record.return_order_id)
        .bind(record.endpoint.as_deref())
        .bind(record.shipment_id.as_deref())
        .bind(lines)
        .bind(&record.comment)
        .bind(record.state.as_str())
        .bind(record.centra_return_id.as_deref())
        .bind(record.reason.as_ref().map(ParkReason::kind))
        .bind(reason)
        .bind(record.returned_at)
        .bind(record.created_at)
        .bind(record.updated_at)
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(format!("saving return {key}")))?;
        journey::note(tx, before.as_ref(), record).await
    }

    /// Saves `record` in a transaction of its own (an intent before a call, or a result).
    pub async fn save_now(&self, record: &mut ReturnRecord) -> Result<(), StoreError> {
        let mut tx = self.store.begin().await?;
        self.save(&mut tx, record).await?;
        tx.commit().await
    }

    pub async fn find(&self, return_id: &str) -> Result<Option<ReturnRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM returns WHERE return_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(return_id)
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query(format!("loading return {return_id}")))?;
        row.as_ref().map(read).transpose()
    }

    /// The returns `query` names: its return id, or its WMS order number; at most `limit`, by
    /// return id.
    ///
    /// # Errors
    /// A query error, or a row that cannot be read.
    pub async fn named(&self, query: &str, limit: u32) -> Result<Vec<ReturnRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM returns WHERE return_id = $1 OR order_number = $1 \
             ORDER BY return_id LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(query)
            .bind(i64::from(limit))
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(format!("finding returns named {query}")))?;
        rows.iter().map(read).collect()
    }

    /// Per WMS line of the order, the highest returned total an earlier return accounts for.
    pub async fn covered(
        &self,
        warehouse: &str,
        wms_order_id: i64,
    ) -> Result<BTreeMap<i64, i64>, StoreError> {
        let mut covered: BTreeMap<i64, i64> = BTreeMap::new();
        for record in self.of_order(warehouse, wms_order_id).await? {
            for line in record.lines {
                let entry = covered.entry(line.wms_line_id).or_default();
                *entry = (*entry).max(line.returned_through);
            }
        }
        Ok(covered)
    }

    async fn of_order(
        &self,
        warehouse: &str,
        wms_order_id: i64,
    ) -> Result<Vec<ReturnRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM returns WHERE warehouse = $1 AND wms_order_id = $2 \
             ORDER BY return_id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(warehouse)
            .bind(wms_order_id)
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(format!(
                "loading returns of wms order {wms_order_id}"
            )))?;
        rows.iter().map(read).collect()
    }

    /// Units per Centra shipment line that Centra already has from other returns of the
    /// shipment (every return with a Centra return id, except `except`).
    pub async fn returned_before(
        &self,
        endpoint: &str,
        shipment_id: &str,
        except: &str,
    ) -> Result<BTreeMap<String, i64>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM returns WHERE endpoint = $1 AND shipment_id = $2 \
             AND return_id <> $3 AND centra_return_id IS NOT NULL"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(endpoint)
            .bind(shipment_id)
            .bind(except)
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(format!(
                "loading returns of shipment {endpoint}/{shipment_id}"
            )))?;
        let mut out: BTreeMap<String, i64> = BTreeMap::new();
        for row in &rows {
            for line in read(row)?.lines {
                *out.entry(line.external_id).or_default() += line.quantity;
            }
        }
        Ok(out)
    }

    /// A page of returns, by return id.
    pub async fn list(&self, filter: &ReturnFilter<'_>) -> Result<Vec<ReturnRecord>, StoreError> {
        let states: Vec<&str> = if filter.states.is_empty() {
            ReturnState::ALL.iter().map(|s| s.as_str()).collect()
        } else {
            filter.states.iter().map(|s| s.as_str()).collect()
        };
        let placeholders: Vec<String> = (0..states.len()).map(|i| format!("${}", i + 5)).collect();
        let sql = format!(
            "SELECT {COLUMNS} FROM returns WHERE ($1 IS NULL OR order_number = $1) \
             AND returned_at >= $2 AND return_id > $3 AND state IN ({}) \
             ORDER BY return_id LIMIT $4",
            placeholders.join(", ")
        );
        let limit = if filter.limit == 0 { 100 } else { filter.limit };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(filter.order_number)
            .bind(filter.since.unwrap_or(i64::MIN))
            .bind(filter.after.unwrap_or(""))
            .bind(i64::from(limit));
        for state in states {
            query = query.bind(state);
        }
        let rows = query
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("listing returns"))?;
        rows.iter().map(read).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> ReturnRecord {
        ReturnRecord::received("100:a".into(), "main".into(), "S1-1".into(), Vec::new())
    }

    #[test]
    fn a_return_moves_forward_or_parks_and_a_retry_resumes_it() {
        let mut record = record();
        record.become_(ReturnState::Created).expect("in centra");
        record
            .park(ParkReason::NotImported {
                order_number: "S1-1".into(),
            })
            .expect("refused");
        assert!(record.reason().is_some());
        record.become_(ReturnState::Created).expect("retried");
        assert_eq!(
            (record.state(), record.reason()),
            (ReturnState::Created, None)
        );
        record.become_(ReturnState::Reported).expect("reported");
    }

    #[test]
    fn an_illegal_change_is_refused_and_changes_nothing() {
        let mut record = record();
        assert_eq!(
            record.become_(ReturnState::Reported),
            Err(IllegalTransition::new(
                "return 100:a",
                ReturnState::Received.as_str(),
                ReturnState::Reported.as_str(),
            )),
            "never reported before centra has it"
        );
        assert_eq!(record, self::record());
        record.become_(ReturnState::Created).expect("in centra");
        record.become_(ReturnState::Reported).expect("reported");
        let reported = record.clone();
        let reason = ParkReason::NotImported {
            order_number: "S1-1".into(),
        };
        assert!(record.park(reason).is_err(), "reported is terminal");
        assert!(record.become_(ReturnState::Received).is_err());
        assert_eq!(record, reported);
    }
}
