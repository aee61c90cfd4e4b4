//! The shipment <-> WMS order mapping with its state, over the service's store.
//!
//! One row per Centra shipment (`shipments` table), keyed by end-point and shipment id, with the
//! WMS order number unique. The shipment as received and the last WMS report are kept as JSON
//! text (portable SQL), so a retry runs on the same facts without re-reading anything. Every
//! save journals what changed in the same transaction ([`crate::journey`]) and rewrites the
//! shipment's rows in `shipment_articles` (its lines' WMS article numbers by the configured
//! rule, and their EANs), which [`ShipmentRecords::holding`] reads for the admin Find.

use domain::{ArticleNumberRule, DEFAULT_MAX_ARTICLE_NUMBER_LEN, EndpointName, EventId, Shipment};
use platform_store::{Store, StoreError, Transaction, unix_millis};
use prost::Message;
use proto::events::v1 as events;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::journey;
use crate::rules::{HoldReason, IllegalTransition, ShipmentState, ShippedReport};

/// A shipment and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentRecord {
    pub shipment: Shipment,
    pub order_id: String,
    pub wms_order_number: String,
    /// Changed only through [`ShipmentRecord::become_`] and [`ShipmentRecord::hold`], which
    /// keep to the state machine ([`ShipmentState::can_become`]).
    state: ShipmentState,
    hold: Option<HoldReason>,
    pub shipped: Option<ShippedReport>,
    pub wms_order_id: Option<i64>,
    /// The payment was captured by this service (capture on import).
    pub captured: bool,
    /// The capture on import still owed when the warehouse shipped was sent after Centra took
    /// the shipped quantities: set and saved before that call, so a redelivery that finds the
    /// shipment paid knows it was paid for what shipped (see `rules::completion`).
    pub captured_after_shipping: bool,
    pub updated_at: i64,
    /// The trace the shipment's import ran in (W3C `traceparent`): its completion, set off by
    /// a WMS report, continues it, so one shipment's journey is one trace.
    pub trace_parent: Option<String>,
}

impl ShipmentRecord {
    pub fn new(shipment: Shipment, wms_order_number: String) -> Self {
        Self {
            order_id: shipment.order_id().to_string(),
            shipment,
            wms_order_number,
            state: ShipmentState::Received,
            hold: None,
            shipped: None,
            wms_order_id: None,
            captured: false,
            captured_after_shipping: false,
            updated_at: 0,
            trace_parent: None,
        }
    }

    pub fn key(&self) -> String {
        format!("{}/{}", self.shipment.endpoint, self.shipment.id)
    }

    /// Where the shipment is in its life.
    pub fn state(&self) -> ShipmentState {
        self.state
    }

    /// Why it is parked or failed, when it is.
    pub fn hold_reason(&self) -> Option<&HoldReason> {
        self.hold.as_ref()
    }

    /// Moves to `state`, clearing any hold.
    ///
    /// # Errors
    /// [`IllegalTransition`] when the state machine does not allow it; the record is unchanged.
    pub fn become_(&mut self, state: ShipmentState) -> Result<(), IllegalTransition> {
        self.check(state)?;
        self.state = state;
        self.hold = None;
        Ok(())
    }

    /// Holds for `reason` (parked, or failed for a capture failure).
    ///
    /// # Errors
    /// As [`ShipmentRecord::become_`].
    pub fn hold(&mut self, reason: HoldReason) -> Result<(), IllegalTransition> {
        self.check(reason.state())?;
        self.state = reason.state();
        self.hold = Some(reason);
        Ok(())
    }

    /// The WMS accepted the order but the import did not finish (the capture, or the move to
    /// imported, is still to do).
    pub(crate) fn import_unfinished(&self) -> bool {
        self.state() == ShipmentState::Received && self.wms_order_id.is_some()
    }

    /// The capture failed and the WMS order's cancellation is still owed.
    pub(crate) fn cancelling_uncaptured(&self) -> bool {
        matches!(
            self.hold_reason(),
            Some(HoldReason::CaptureFailedCancelling { .. })
        )
    }

    fn check(&self, next: ShipmentState) -> Result<(), IllegalTransition> {
        if self.state.can_become(next) {
            Ok(())
        } else {
            Err(IllegalTransition::new(
                format!("shipment {}", self.key()),
                self.state.as_str(),
                next.as_str(),
            ))
        }
    }
}

const COLUMNS: &str = "endpoint, shipment_id, order_id, wms_order_number, state, reason_kind, \
                       reason, shipment, shipped, wms_order_id, captured, updated_at, \
                       trace_parent, captured_after_shipping";

/// A `shipments` row whose `field` cannot be read back (the journey reads the same rows).
pub(crate) fn corrupt(
    key: &str,
    field: &'static str,
    reason: &dyn std::fmt::Display,
) -> StoreError {
    StoreError::Corrupt {
        table: "shipments",
        key: key.to_owned(),
        field,
        reason: reason.to_string(),
    }
}

fn read(row: &AnyRow) -> Result<ShipmentRecord, StoreError> {
    let get = |field: &'static str| -> Result<Option<String>, StoreError> {
        row.try_get::<Option<String>, _>(field)
            .map_err(|e| corrupt("?", field, &e))
    };
    let endpoint = get("endpoint")?.unwrap_or_default();
    let shipment_id = get("shipment_id")?.unwrap_or_default();
    let key = format!("{endpoint}/{shipment_id}");
    let state_text = get("state")?.unwrap_or_default();
    let state =
        ShipmentState::parse(&state_text).ok_or_else(|| corrupt(&key, "state", &state_text))?;
    let shipment: Shipment = serde_json::from_str(&get("shipment")?.unwrap_or_default())
        .map_err(|e| corrupt(&key, "shipment", &e))?;
    let hold = get("reason")?
        .map(|text| serde_json::from_str::<HoldReason>(&text))
        .transpose()
        .map_err(|e| corrupt(&key, "reason", &e))?;
    let shipped = get("shipped")?
        .map(|text| serde_json::from_str::<ShippedReport>(&text))
        .transpose()
        .map_err(|e| corrupt(&key, "shipped", &e))?;
    let number = |field: &'static str| -> Result<Option<i64>, StoreError> {
        row.try_get::<Option<i64>, _>(field)
            .map_err(|e| corrupt(&key, field, &e))
    };
    Ok(ShipmentRecord {
        shipment,
        order_id: get("order_id")?.unwrap_or_default(),
        wms_order_number: get("wms_order_number")?.unwrap_or_default(),
        state,
        hold,
        shipped,
        wms_order_id: number("wms_order_id")?,
        captured: number("captured")?.unwrap_or(0) != 0,
        captured_after_shipping: number("captured_after_shipping")?.unwrap_or(0) != 0,
        updated_at: number("updated_at")?.unwrap_or(0),
        trace_parent: get("trace_parent")?,
    })
}

fn json<T: serde::Serialize>(
    key: &str,
    field: &'static str,
    value: &T,
) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Invalid {
        what: format!("shipment {key}"),
        field,
        reason: e.to_string(),
    })
}

/// The `shipments` table.
#[derive(Debug, Clone)]
pub struct ShipmentRecords {
    store: Store,
    /// How a line becomes a WMS article number, for the `shipment_articles` index.
    article_rule: ArticleNumberRule,
    article_max_len: usize,
}

impl ShipmentRecords {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            article_rule: ArticleNumberRule::default(),
            article_max_len: DEFAULT_MAX_ARTICLE_NUMBER_LEN,
        }
    }

    /// The same table, indexing lines by the configured article number rule (the flow sets
    /// it from the settings, so the index holds the numbers the WMS order carries).
    pub fn with_article_rule(mut self, rule: ArticleNumberRule, max_len: usize) -> Self {
        self.article_rule = rule;
        self.article_max_len = max_len;
        self
    }

    /// The keys a shipment is found under by article: each line's WMS article number (when
    /// the rule resolves it) and its EAN, once each.
    fn article_keys(&self, shipment: &Shipment) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        for line in &shipment.lines {
            if let Ok(number) = self
                .article_rule
                .article_number_within(line, self.article_max_len)
            {
                keys.push(number.as_str().to_owned());
            }
            if let Some(ean) = line.ean.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
                keys.push(ean.to_owned());
            }
        }
        keys.sort();
        keys.dedup();
        keys
    }

    /// Brings the shipment's rows of `shipment_articles` to its lines' article numbers and
    /// EANs inside `tx` (`new`: the shipment had no row before this save, so neither has the
    /// index). Reads them first and writes only when they differ, all in one insert: a record
    /// is saved at each step of its import with the same lines, and each statement of a save
    /// is time the file's other writers queue behind (the embedded backlog drain was bound by
    /// that queue).
    async fn index_articles(
        &self,
        tx: &mut Transaction,
        record: &ShipmentRecord,
        new: bool,
    ) -> Result<(), StoreError> {
        let key = record.key();
        let endpoint = record.shipment.endpoint.as_str();
        let shipment_id = record.shipment.id.to_string();
        let wanted = self.article_keys(&record.shipment);
        if !new {
            let mut indexed: Vec<String> = sqlx::query_scalar(
                "SELECT article_number FROM shipment_articles \
                 WHERE endpoint = $1 AND shipment_id = $2",
            )
            .bind(endpoint)
            .bind(&shipment_id)
            .fetch_all(tx.conn())
            .await
            .map_err(StoreError::query(format!(
                "reading the article index of shipment {key}"
            )))?;
            indexed.sort();
            if indexed == wanted {
                return Ok(());
            }
            if !indexed.is_empty() {
                sqlx::query(
                    "DELETE FROM shipment_articles WHERE endpoint = $1 AND shipment_id = $2",
                )
                .bind(endpoint)
                .bind(&shipment_id)
                .execute(tx.conn())
                .await
                .map_err(StoreError::query(format!(
                    "indexing articles of shipment {key}"
                )))?;
            }
        }
        // ($1, $2, $3), ($4, $5, $6), …: one row per article, in inserts of at most 500 rows
        // (1,500 parameters, well inside SQLite's and PostgreSQL's limits).
        for chunk in wanted.chunks(500) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
                .collect();
            let sql = format!(
                "INSERT INTO shipment_articles (article_number, endpoint, shipment_id) \
                 VALUES {} ON CONFLICT DO NOTHING",
                rows.join(", ")
            );
            let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
            for article in chunk {
                insert = insert.bind(article).bind(endpoint).bind(&shipment_id);
            }
            insert
                .execute(tx.conn())
                .await
                .map_err(StoreError::query(format!(
                    "indexing articles of shipment {key}"
                )))?;
        }
        Ok(())
    }

    /// The shipments holding `article` (a WMS article number or an EAN), newest change first,
    /// at most `limit`.
    ///
    /// # Errors
    /// A query error, or [`StoreError::Corrupt`] naming the shipment and the unreadable field.
    pub async fn holding(
        &self,
        article: &str,
        limit: u32,
    ) -> Result<Vec<ShipmentRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM shipments WHERE EXISTS (SELECT 1 FROM shipment_articles a \
             WHERE a.article_number = $1 AND a.endpoint = shipments.endpoint \
             AND a.shipment_id = shipments.shipment_id) \
             ORDER BY updated_at DESC, endpoint, shipment_id LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(article)
            .bind(i64::from(limit))
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(format!(
                "finding shipments holding article {article}"
            )))?;
        rows.iter().map(read).collect()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Inserts or replaces `record` inside `tx`, stamping `updated_at`.
    pub async fn save(
        &self,
        tx: &mut Transaction,
        record: &mut ShipmentRecord,
    ) -> Result<(), StoreError> {
        let key = record.key();
        record.updated_at = unix_millis();
        let shipment = json(&key, "shipment", &record.shipment)?;
        let reason = record
            .hold_reason()
            .map(|h| json(&key, "reason", h))
            .transpose()?;
        let shipped = record
            .shipped
            .as_ref()
            .map(|s| json(&key, "shipped", s))
            .transpose()?;
        let before = journey::saved(tx, record).await?;
        sqlx::query(
            "INSERT INTO shipments (endpoint, shipment_id, order_id, wms_order_number, state, \
             reason_kind, reason, shipment, shipped, wms_order_id, captured, updated_at, \
             trace_parent, captured_after_shipping) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             ON CONFLICT (endpoint, shipment_id) DO UPDATE SET state = excluded.state, \
             reason_kind = excluded.reason_kind, reason = excluded.reason, \
             shipment = excluded.shipment, shipped = excluded.shipped, \
             wms_order_id = excluded.wms_order_id, captured = excluded.captured, \
             updated_at = excluded.updated_at, trace_parent = excluded.trace_parent, \
             captured_after_shipping = excluded.captured_after_shipping",
        )
        .bind(record.shipment.endpoint.as_str())
        .bind(record.shipment.id.to_string())
        .bind(&record.order_id)
        .bind(&record.wms_order_number)
        .bind(record.state.as_str())
        .bind(record.hold.as_ref().map(HoldReason::kind))
        .bind(reason)
        .bind(shipment)
        .bind(shipped)
        .bind(record.wms_order_id)
        .bind(i64::from(record.captured))
        .bind(record.updated_at)
        .bind(record.trace_parent.as_deref())
        .bind(i64::from(record.captured_after_shipping))
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(format!("saving shipment {key}")))?;
        // After the upsert, which holds the row: two saves of one shipment number their steps
        // one after the other.
        journey::note(tx, before.as_ref(), record).await?;
        self.index_articles(tx, record, before.is_none()).await?;
        if record.state == ShipmentState::Completed {
            // With the record, in its transaction: a completion is never saved without its
            // event, and saving it again adds nothing (same event id).
            self.store
                .outbox()
                .enqueue(tx, completed_event(&record.shipment))
                .await?;
        }
        Ok(())
    }

    /// Saves `record` in a transaction of its own (an intent before a call, or a result).
    pub async fn save_now(&self, record: &mut ShipmentRecord) -> Result<(), StoreError> {
        let mut tx = self.store.begin().await?;
        self.save(&mut tx, record).await?;
        tx.commit().await
    }

    pub async fn find(
        &self,
        endpoint: &str,
        shipment_id: &str,
    ) -> Result<Option<ShipmentRecord>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM shipments WHERE endpoint = $1 AND shipment_id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(endpoint)
            .bind(shipment_id)
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query(format!(
                "loading shipment {endpoint}/{shipment_id}"
            )))?;
        row.as_ref().map(read).transpose()
    }

    /// The shipments `text` names, exactly, as a Centra order id, a shipment id or a WMS order
    /// number (on any end-point), at most `limit`, by key.
    pub async fn matching(
        &self,
        text: &str,
        limit: u32,
    ) -> Result<Vec<ShipmentRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM shipments WHERE order_id = $1 OR shipment_id = $1 \
             OR wms_order_number = $1 ORDER BY endpoint, shipment_id LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(text)
            .bind(i64::from(limit))
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(format!("finding shipments named {text}")))?;
        rows.iter().map(read).collect()
    }

    /// True when any shipment of the Centra order is known (order import under `both`).
    pub async fn any_of_order(&self, endpoint: &str, order_id: &str) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT shipment_id FROM shipments WHERE endpoint = $1 AND order_id = $2 LIMIT 1",
        )
        .bind(endpoint)
        .bind(order_id)
        .fetch_optional(self.store.pool())
        .await
        .map_err(StoreError::query(format!(
            "looking for shipments of order {endpoint}/{order_id}"
        )))?;
        Ok(row.is_some())
    }

    pub async fn find_by_wms_number(
        &self,
        number: &str,
    ) -> Result<Option<ShipmentRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM shipments WHERE wms_order_number = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(number)
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query(format!("loading wms order {number}")))?;
        row.as_ref().map(read).transpose()
    }

    /// A page of shipments, oldest key first, after `(endpoint, shipment_id)`.
    pub async fn list(
        &self,
        state: Option<&[ShipmentState]>,
        endpoint: Option<&str>,
        after: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<ShipmentRecord>, StoreError> {
        let states: Vec<&str> = state
            .unwrap_or(&ShipmentState::ALL)
            .iter()
            .map(|s| s.as_str())
            .collect();
        let (after_endpoint, after_id) = after.unwrap_or(("", ""));
        let placeholders: Vec<String> = (0..states.len()).map(|i| format!("${}", i + 5)).collect();
        let sql = format!(
            "SELECT {COLUMNS} FROM shipments WHERE ($1 IS NULL OR endpoint = $1) \
             AND (endpoint > $2 OR (endpoint = $2 AND shipment_id > $3)) \
             AND state IN ({}) ORDER BY endpoint, shipment_id LIMIT $4",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(endpoint)
            .bind(after_endpoint)
            .bind(after_id)
            .bind(i64::from(limit));
        for state in states {
            query = query.bind(state);
        }
        let rows = query
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("listing shipments"))?;
        rows.iter().map(read).collect()
    }

    /// Parked for a missing article that names `article_number`.
    pub async fn waiting_for_article(
        &self,
        article_number: &str,
    ) -> Result<Vec<ShipmentRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM shipments WHERE state = $1 AND reason_kind = $2 \
             ORDER BY endpoint, shipment_id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ShipmentState::Parked.as_str())
            .bind("article_missing")
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("listing shipments waiting for articles"))?;
        let mut found = Vec::new();
        for row in &rows {
            let record = read(row)?;
            let waits = match record.hold_reason() {
                Some(HoldReason::ArticleMissing { articles }) => {
                    articles.is_empty() || articles.iter().any(|a| a == article_number)
                }
                _ => false,
            };
            if waits {
                found.push(record);
            }
        }
        Ok(found)
    }
}

/// `centra.<endpoint>.shipment.completed`: [`events::ShipmentCompleted`].
pub fn shipment_completed_subject(endpoint: &EndpointName) -> String {
    format!("centra.{endpoint}.shipment.completed")
}

/// The event telling stock-sync that the shipment's units left Centra's stock.
fn completed_event(shipment: &Shipment) -> platform_store::OutboxMessage {
    let id = EventId::from_parts([
        "centra",
        shipment.endpoint.as_str(),
        "shipment",
        &shipment.id.to_string(),
        "completed",
    ]);
    let event = events::ShipmentCompleted {
        meta: Some(events::EventMeta {
            event_id: id.to_string(),
            occurred_at: None,
            source: "order-sync".to_owned(),
        }),
        endpoint: shipment.endpoint.to_string(),
        shipment_id: shipment.id.to_string(),
        items: shipment
            .lines
            .iter()
            .map(|line| events::CompletedItem {
                joined_sku: format!("{}{}{}", line.sku, line.variant_sku, line.size_sku),
                ean: line.ean.clone().unwrap_or_default(),
            })
            .collect(),
    };
    platform_store::OutboxMessage::new(
        id.as_str(),
        shipment_completed_subject(&shipment.endpoint),
        event.encode_to_vec(),
    )
    .with_header(
        "content-type",
        "application/x-protobuf; messageType=centrawms.events.v1.ShipmentCompleted",
    )
}
