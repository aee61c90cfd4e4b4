//! The Centra order <-> WMS order mapping of order import (`orders` table): which WMS order a
//! ready Centra order became, or why it waits. Under `import = "both"` the good-to-go handler
//! reads it too, so a shipment of an order imported as itself is not imported again.

use platform_store::{Store, StoreError, Transaction, unix_millis};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rules::IllegalTransition;
pub use crate::rules::OrderState;

/// A Centra order offered for order import and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    pub endpoint: String,
    pub order_id: String,
    pub wms_order_number: String,
    /// Changed only through [`OrderRecord::start_import`], [`OrderRecord::imported`] and
    /// [`OrderRecord::park`], which keep to the state machine ([`OrderState::can_become`]).
    state: OrderState,
    /// Why it is parked; set and cleared only with the state.
    reason: Option<String>,
    pub wms_order_id: Option<i64>,
}

impl OrderRecord {
    /// A new record, before the import decided anything: parked with no reason. It is saved
    /// only after [`OrderRecord::park`] or [`OrderRecord::start_import`].
    pub fn new(endpoint: String, order_id: String, wms_order_number: String) -> Self {
        Self {
            endpoint,
            order_id,
            wms_order_number,
            state: OrderState::Parked,
            reason: None,
            wms_order_id: None,
        }
    }

    pub fn key(&self) -> String {
        format!("{}/{}", self.endpoint, self.order_id)
    }

    /// Where the order is.
    pub fn state(&self) -> OrderState {
        self.state
    }

    /// Why it is parked, when it is.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// Saves the intent before the WMS call: importing, with no reason.
    ///
    /// # Errors
    /// [`IllegalTransition`] when the state machine does not allow it; the record is unchanged.
    pub fn start_import(&mut self) -> Result<(), IllegalTransition> {
        self.check(OrderState::Importing)?;
        self.state = OrderState::Importing;
        self.reason = None;
        Ok(())
    }

    /// The WMS order `wms_order_id` exists.
    ///
    /// # Errors
    /// As [`OrderRecord::start_import`].
    pub fn imported(&mut self, wms_order_id: i64) -> Result<(), IllegalTransition> {
        self.check(OrderState::Imported)?;
        self.state = OrderState::Imported;
        self.reason = None;
        self.wms_order_id = Some(wms_order_id);
        Ok(())
    }

    /// Parks for `reason`.
    ///
    /// # Errors
    /// As [`OrderRecord::start_import`].
    pub fn park(&mut self, reason: String) -> Result<(), IllegalTransition> {
        self.check(OrderState::Parked)?;
        self.state = OrderState::Parked;
        self.reason = Some(reason);
        Ok(())
    }

    fn check(&self, next: OrderState) -> Result<(), IllegalTransition> {
        if self.state.can_become(next) {
            Ok(())
        } else {
            Err(IllegalTransition::new(
                format!("order {}", self.key()),
                self.state.as_str(),
                next.as_str(),
            ))
        }
    }
}

fn corrupt(key: &str, field: &'static str, reason: &dyn std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table: "orders",
        key: key.to_owned(),
        field,
        reason: reason.to_string(),
    }
}

fn read(row: &AnyRow) -> Result<OrderRecord, StoreError> {
    let get = |field: &'static str| -> Result<Option<String>, StoreError> {
        row.try_get::<Option<String>, _>(field)
            .map_err(|e| corrupt("?", field, &e))
    };
    let endpoint = get("endpoint")?.unwrap_or_default();
    let order_id = get("order_id")?.unwrap_or_default();
    let key = format!("{endpoint}/{order_id}");
    let state_text = get("state")?.unwrap_or_default();
    let state =
        OrderState::parse(&state_text).ok_or_else(|| corrupt(&key, "state", &state_text))?;
    Ok(OrderRecord {
        wms_order_number: get("wms_order_number")?.unwrap_or_default(),
        reason: get("reason")?,
        wms_order_id: row
            .try_get::<Option<i64>, _>("wms_order_id")
            .map_err(|e| corrupt(&key, "wms_order_id", &e))?,
        endpoint,
        order_id,
        state,
    })
}

/// The `orders` table.
#[derive(Debug, Clone)]
pub struct OrderRecords {
    store: Store,
}

impl OrderRecords {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// The imported orders `text` names, exactly, as a Centra order id or a WMS order number
    /// (on any end-point), at most `limit`, by key: the admin Find of order import.
    ///
    /// # Errors
    /// A query error, or [`StoreError::Corrupt`] naming the order and the unreadable field.
    pub async fn matching(&self, text: &str, limit: u32) -> Result<Vec<OrderRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT endpoint, order_id, wms_order_number, state, reason, wms_order_id              FROM orders WHERE order_id = $1 OR wms_order_number = $1              ORDER BY endpoint, order_id LIMIT $2",
        )
        .bind(text)
        .bind(i64::from(limit))
        .fetch_all(self.store.pool())
        .await
        .map_err(StoreError::query(format!("finding orders named {text}")))?;
        rows.iter().map(read).collect()
    }

    /// Inserts or replaces `record` inside `tx`.
    pub async fn save(&self, tx: &mut Transaction, record: &OrderRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO orders (endpoint, order_id, wms_order_number, state, reason, \
             wms_order_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (endpoint, order_id) DO UPDATE SET state = excluded.state, \
             reason = excluded.reason, wms_order_id = excluded.wms_order_id, \
             updated_at = excluded.updated_at",
        )
        .bind(&record.endpoint)
        .bind(&record.order_id)
        .bind(&record.wms_order_number)
        .bind(record.state.as_str())
        .bind(record.reason.as_deref())
        .bind(record.wms_order_id)
        .bind(unix_millis())
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(format!(
            "saving order {}/{}",
            record.endpoint, record.order_id
        )))?;
        Ok(())
    }

    pub async fn find(
        &self,
        endpoint: &str,
        order_id: &str,
    ) -> Result<Option<OrderRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT endpoint, order_id, wms_order_number, state, reason, wms_order_id \
             FROM orders WHERE endpoint = $1 AND order_id = $2",
        )
        .bind(endpoint)
        .bind(order_id)
        .fetch_optional(self.store.pool())
        .await
        .map_err(StoreError::query(format!(
            "loading order {endpoint}/{order_id}"
        )))?;
        row.as_ref().map(read).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> OrderRecord {
        OrderRecord::new("shop1".into(), "83651".into(), "O83651".into())
    }

    #[test]
    fn an_import_goes_through_the_intent() {
        let mut order = record();
        order.park("on hold".into()).expect("parked");
        assert_eq!(order.reason(), Some("on hold"));
        order.start_import().expect("intent");
        assert_eq!(
            (order.state(), order.reason()),
            (OrderState::Importing, None)
        );
        order.imported(7).expect("imported");
        assert_eq!(order.state(), OrderState::Imported);
        assert_eq!(order.wms_order_id, Some(7));
    }

    #[test]
    fn an_illegal_change_is_refused_and_changes_nothing() {
        let mut order = record();
        assert_eq!(
            order.imported(7),
            Err(IllegalTransition::new(
                "order shop1/83651",
                "parked",
                "imported"
            )),
            "never imported without the intent saved"
        );
        assert_eq!(order, record());

        order.start_import().expect("intent");
        order.imported(7).expect("imported");
        let imported = order.clone();
        let refused = order.park("late".into()).expect_err("imported is terminal");
        assert_eq!(
            refused.to_string(),
            "order shop1/83651: imported cannot become parked"
        );
        assert!(order.start_import().is_err());
        assert_eq!(order, imported);
    }
}
