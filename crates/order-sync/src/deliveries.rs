//! The supplier delivery <-> WMS purchase order mapping (`deliveries` table): which purchase
//! order a delivery became and whether Centra accepted it (once).

use domain::SupplierDelivery;
use platform_store::{Store, StoreError, Transaction, unix_millis};
use sqlx::Row;

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// The WMS purchase order exists; waiting for the goods.
    Sent,
    /// Accepted in Centra (terminal).
    Accepted,
    /// Waits for a person (see the reason).
    Parked,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Accepted => "accepted",
            Self::Parked => "parked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Sent, Self::Accepted, Self::Parked]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A supplier delivery and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub endpoint: String,
    pub delivery: SupplierDelivery,
    pub purchase_order_number: String,
    pub state: DeliveryState,
    pub reason: Option<String>,
}

/// The `deliveries` table.
#[derive(Debug, Clone)]
pub struct DeliveryRecords {
    store: Store,
}

fn corrupt(key: &str, field: &'static str, reason: &dyn std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table: "deliveries",
        key: key.to_owned(),
        field,
        reason: reason.to_string(),
    }
}

impl DeliveryRecords {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Inserts or replaces `record` inside `tx` (with the inbox entry of its message).
    pub async fn save(
        &self,
        tx: &mut Transaction,
        record: &DeliveryRecord,
    ) -> Result<(), StoreError> {
        let key = format!("{}/{}", record.endpoint, record.delivery.delivery_id);
        let delivery =
            serde_json::to_string(&record.delivery).map_err(|e| StoreError::Invalid {
                what: format!("delivery {key}"),
                field: "delivery",
                reason: e.to_string(),
            })?;
        sqlx::query(
            "INSERT INTO deliveries (endpoint, delivery_number, purchase_order_number, state, \
             reason, delivery, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (endpoint, delivery_number) DO UPDATE SET state = excluded.state, \
             reason = excluded.reason, delivery = excluded.delivery, \
             updated_at = excluded.updated_at",
        )
        .bind(&record.endpoint)
        .bind(record.delivery.delivery_id.to_string())
        .bind(&record.purchase_order_number)
        .bind(record.state.as_str())
        .bind(record.reason.as_deref())
        .bind(delivery)
        .bind(unix_millis())
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(format!("saving delivery {key}")))?;
        Ok(())
    }

    pub async fn find_by_purchase_order(
        &self,
        number: &str,
    ) -> Result<Option<DeliveryRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT endpoint, purchase_order_number, state, reason, delivery FROM deliveries \
             WHERE purchase_order_number = $1",
        )
        .bind(number)
        .fetch_optional(self.store.pool())
        .await
        .map_err(StoreError::query(format!(
            "loading purchase order {number}"
        )))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let text = |field: &'static str| -> Result<Option<String>, StoreError> {
            row.try_get::<Option<String>, _>(field)
                .map_err(|e| corrupt(number, field, &e))
        };
        let state_text = text("state")?.unwrap_or_default();
        let state = DeliveryState::parse(&state_text)
            .ok_or_else(|| corrupt(number, "state", &state_text))?;
        let delivery = serde_json::from_str(&text("delivery")?.unwrap_or_default())
            .map_err(|e| corrupt(number, "delivery", &e))?;
        Ok(Some(DeliveryRecord {
            endpoint: text("endpoint")?.unwrap_or_default(),
            delivery,
            purchase_order_number: text("purchase_order_number")?.unwrap_or_default(),
            state,
            reason: text("reason")?,
        }))
    }
}
