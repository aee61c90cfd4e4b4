//! The supplier delivery <-> WMS purchase order mapping (`deliveries` table): which purchase
//! order a delivery became and whether Centra accepted it (once), or which articles it waits
//! for when the warehouse refused it because they were not there yet.

use domain::SupplierDelivery;
use platform_store::{Store, StoreError, Transaction, unix_millis};
use sqlx::Row;
use sqlx::any::AnyRow;

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
    /// Parked because the warehouse did not know these articles yet: sent again once the last
    /// of them is synced (`ArticleSynced`). Empty otherwise.
    pub waiting_for: Vec<String>,
    /// Expected arrival (unix seconds), part of the purchase order request.
    pub in_date: Option<i64>,
    /// Remark of the purchase order (Centra's delivery message).
    pub remark: String,
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
        let waiting_for = if record.waiting_for.is_empty() {
            None
        } else {
            Some(
                serde_json::to_string(&record.waiting_for).map_err(|e| StoreError::Invalid {
                    what: format!("delivery {key}"),
                    field: "waiting_for",
                    reason: e.to_string(),
                })?,
            )
        };
        sqlx::query(
            "INSERT INTO deliveries (endpoint, delivery_number, purchase_order_number, state, \
             reason, delivery, updated_at, waiting_for, in_date, remark) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (endpoint, delivery_number) DO UPDATE SET state = excluded.state, \
             reason = excluded.reason, delivery = excluded.delivery, \
             updated_at = excluded.updated_at, waiting_for = excluded.waiting_for, \
             in_date = excluded.in_date, remark = excluded.remark",
        )
        .bind(&record.endpoint)
        .bind(record.delivery.delivery_id.to_string())
        .bind(&record.purchase_order_number)
        .bind(record.state.as_str())
        .bind(record.reason.as_deref())
        .bind(delivery)
        .bind(unix_millis())
        .bind(waiting_for)
        .bind(record.in_date)
        .bind(record.remark.as_str())
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(format!("saving delivery {key}")))?;
        Ok(())
    }

    /// Saves `record` in a transaction of its own.
    pub async fn save_now(&self, record: &DeliveryRecord) -> Result<(), StoreError> {
        let mut tx = self.store.begin().await?;
        self.save(&mut tx, record).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn find_by_purchase_order(
        &self,
        number: &str,
    ) -> Result<Option<DeliveryRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM deliveries WHERE purchase_order_number = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(number)
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query(format!(
                "loading purchase order {number}"
            )))?;
        row.as_ref().map(read).transpose()
    }

    /// Parked deliveries waiting for `article_number` to reach the warehouse.
    pub async fn waiting_for_article(
        &self,
        article_number: &str,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM deliveries WHERE state = $1 AND waiting_for IS NOT NULL \
             ORDER BY endpoint, delivery_number"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(DeliveryState::Parked.as_str())
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("listing deliveries waiting for articles"))?;
        let mut found = Vec::new();
        for row in &rows {
            let record = read(row)?;
            if record.waiting_for.iter().any(|a| a == article_number) {
                found.push(record);
            }
        }
        Ok(found)
    }
}

const COLUMNS: &str =
    "endpoint, purchase_order_number, state, reason, delivery, waiting_for, in_date, remark";

fn read(row: &AnyRow) -> Result<DeliveryRecord, StoreError> {
    let number: String = row
        .try_get::<Option<String>, _>("purchase_order_number")
        .map_err(|e| corrupt("?", "purchase_order_number", &e))?
        .unwrap_or_default();
    let text = |field: &'static str| -> Result<Option<String>, StoreError> {
        row.try_get::<Option<String>, _>(field)
            .map_err(|e| corrupt(&number, field, &e))
    };
    let state_text = text("state")?.unwrap_or_default();
    let state =
        DeliveryState::parse(&state_text).ok_or_else(|| corrupt(&number, "state", &state_text))?;
    let delivery = serde_json::from_str(&text("delivery")?.unwrap_or_default())
        .map_err(|e| corrupt(&number, "delivery", &e))?;
    let waiting_for = match text("waiting_for")? {
        Some(json) => {
            serde_json::from_str(&json).map_err(|e| corrupt(&number, "waiting_for", &e))?
        }
        None => Vec::new(),
    };
    Ok(DeliveryRecord {
        endpoint: text("endpoint")?.unwrap_or_default(),
        delivery,
        state,
        reason: text("reason")?,
        waiting_for,
        in_date: row
            .try_get::<Option<i64>, _>("in_date")
            .map_err(|e| corrupt(&number, "in_date", &e))?,
        remark: text("remark")?.unwrap_or_default(),
        purchase_order_number: number,
    })
}
