//! The supplier delivery <-> WMS purchase order mapping (`deliveries` table): which purchase
//! order a delivery became and whether Centra accepted it (once), or which articles it waits
//! for when the warehouse refused it because they were not there yet.

use domain::SupplierDelivery;
use platform_store::{Store, StoreError, Transaction, unix_millis};
use sqlx::Row;
use sqlx::any::AnyRow;

pub use crate::rules::DeliveryState;
use crate::rules::IllegalTransition;

/// A supplier delivery and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub endpoint: String,
    pub delivery: SupplierDelivery,
    pub purchase_order_number: String,
    /// Changed only through [`DeliveryRecord::send`], [`DeliveryRecord::park`],
    /// [`DeliveryRecord::wait_for_articles`] and [`DeliveryRecord::accept`], which keep to the
    /// state machine ([`DeliveryState::can_become`]).
    state: DeliveryState,
    /// Why it is parked, or a note on the acceptance; set and cleared only with the state.
    reason: Option<String>,
    /// Parked because the warehouse did not know these articles yet: sent again once the last
    /// of them is synced (`ArticleSynced`). Empty otherwise; set only with the state.
    waiting_for: Vec<String>,
    /// Expected arrival (unix seconds), part of the purchase order request.
    pub in_date: Option<i64>,
    /// Remark of the purchase order (Centra's delivery message).
    pub remark: String,
}

impl DeliveryRecord {
    /// A new delivery, sent (its purchase order call is next), with no reason.
    pub fn new(
        endpoint: String,
        delivery: SupplierDelivery,
        purchase_order_number: String,
        in_date: Option<i64>,
        remark: String,
    ) -> Self {
        Self {
            endpoint,
            delivery,
            purchase_order_number,
            state: DeliveryState::Sent,
            reason: None,
            waiting_for: Vec::new(),
            in_date,
            remark,
        }
    }

    /// Where the delivery is.
    pub fn state(&self) -> DeliveryState {
        self.state
    }

    /// Why it is parked, or what the acceptance noted.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// The articles a parked delivery waits for (empty when it waits for none).
    pub fn waiting_for(&self) -> &[String] {
        &self.waiting_for
    }

    /// `article_number` reached the warehouse: the delivery no longer waits for it. True when
    /// it now waits for nothing (time to send it again). The state does not change.
    pub fn article_arrived(&mut self, article_number: &str) -> bool {
        self.waiting_for.retain(|a| a != article_number);
        self.waiting_for.is_empty()
    }

    /// Sent (again): no reason, waiting for nothing.
    ///
    /// # Errors
    /// [`IllegalTransition`] when the state machine does not allow it; the record is unchanged.
    pub fn send(&mut self) -> Result<(), IllegalTransition> {
        self.check(DeliveryState::Sent)?;
        self.state = DeliveryState::Sent;
        self.reason = None;
        self.waiting_for.clear();
        Ok(())
    }

    /// Parks for `reason`, waiting for no article.
    ///
    /// # Errors
    /// As [`DeliveryRecord::send`].
    pub fn park(&mut self, reason: String) -> Result<(), IllegalTransition> {
        self.wait_for_articles(reason, Vec::new())
    }

    /// Parks for `reason` until every one of `articles` is synced to the warehouse.
    ///
    /// # Errors
    /// As [`DeliveryRecord::send`].
    pub fn wait_for_articles(
        &mut self,
        reason: String,
        articles: Vec<String>,
    ) -> Result<(), IllegalTransition> {
        self.check(DeliveryState::Parked)?;
        self.state = DeliveryState::Parked;
        self.reason = Some(reason);
        self.waiting_for = articles;
        Ok(())
    }

    /// Accepted in Centra, with a note for a person when something was off.
    ///
    /// # Errors
    /// As [`DeliveryRecord::send`].
    pub fn accept(&mut self, note: Option<String>) -> Result<(), IllegalTransition> {
        self.check(DeliveryState::Accepted)?;
        self.state = DeliveryState::Accepted;
        self.reason = note;
        self.waiting_for.clear();
        Ok(())
    }

    fn check(&self, next: DeliveryState) -> Result<(), IllegalTransition> {
        if self.state.can_become(next) {
            Ok(())
        } else {
            Err(IllegalTransition::new(
                format!("delivery {}", self.purchase_order_number),
                self.state.as_str(),
                next.as_str(),
            ))
        }
    }
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

#[cfg(test)]
mod tests {
    use domain::DeliveryId;

    use super::*;

    fn record() -> DeliveryRecord {
        let delivery = SupplierDelivery {
            id: 1,
            delivery_id: DeliveryId::parse("957-1").expect("id"),
            supplier_name: "Supplier".into(),
            lines: Vec::new(),
        };
        DeliveryRecord::new(
            "shop1".into(),
            delivery,
            "S957-1".into(),
            None,
            String::new(),
        )
    }

    #[test]
    fn waiting_for_articles_ends_when_the_last_arrives_or_it_is_sent() {
        let mut delivery = record();
        delivery
            .wait_for_articles("missing".into(), vec!["A".into(), "B".into()])
            .expect("parked");
        assert!(!delivery.article_arrived("A"));
        assert_eq!(delivery.state(), DeliveryState::Parked);
        assert!(delivery.article_arrived("B"));
        delivery
            .wait_for_articles("missing".into(), vec!["C".into()])
            .expect("parked again");
        delivery.send().expect("sent again");
        assert!(delivery.waiting_for().is_empty() && delivery.reason().is_none());
        delivery.accept(Some("extra".into())).expect("accepted");
        assert_eq!(delivery.reason(), Some("extra"));
    }

    #[test]
    fn an_illegal_change_is_refused_and_changes_nothing() {
        let mut delivery = record();
        delivery.accept(None).expect("accepted");
        let accepted = delivery.clone();
        assert_eq!(
            delivery.park("refused".into()),
            Err(IllegalTransition::new(
                "delivery S957-1",
                "accepted",
                "parked"
            ))
        );
        assert!(delivery.send().is_err(), "sent after acceptance");
        assert!(delivery.accept(None).is_err(), "accepted twice");
        assert_eq!(delivery, accepted);
    }
}
