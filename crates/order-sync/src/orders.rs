//! The Centra order <-> WMS order mapping of order import (`orders` table): which WMS order a
//! ready Centra order became, or why it waits. Under `import = "both"` the good-to-go handler
//! reads it too, so a shipment of an order imported as itself is not imported again.

use platform_store::{Store, StoreError, Transaction, unix_millis};
use sqlx::Row;
use sqlx::any::AnyRow;

/// Where an order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderState {
    /// The intent, saved before the WMS call: the order is on its way to the warehouse (a
    /// shipment of it is no longer imported under `both`).
    Importing,
    /// The WMS order exists. Nothing is reported back to Centra for it (completion is per
    /// shipment, and order import has none).
    Imported,
    /// Waits for a later version of the order or a person (see the reason).
    Parked,
}

impl OrderState {
    /// True once the order may be in the warehouse.
    pub fn reached_warehouse(self) -> bool {
        matches!(self, Self::Importing | Self::Imported)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Importing => "importing",
            Self::Imported => "imported",
            Self::Parked => "parked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Importing, Self::Imported, Self::Parked]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A Centra order offered for order import and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    pub endpoint: String,
    pub order_id: String,
    pub wms_order_number: String,
    pub state: OrderState,
    pub reason: Option<String>,
    pub wms_order_id: Option<i64>,
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
