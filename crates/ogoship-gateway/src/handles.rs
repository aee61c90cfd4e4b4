//! The gateway's own records of OGOship's: int64 handles for GUIDs and keys, the lines we sent
//! (OGOship lines have no id), the reported quantities the sync services acknowledged, and the
//! article fields OGOship has no place for ([`ArticleExtras`]).
//!
//! Handles are minted with `INSERT ... ON CONFLICT DO NOTHING` and read back, so concurrent
//! callers of the same record get the same id, and an id answered once never changes.

use platform_store::{Store, StoreError, unix_millis};
use sqlx::Row;

/// Products, keyed by code: stock rows carry only the code, and the code is OGOship's
/// business key for a product.
pub const PRODUCT: &str = "product";
/// Orders, keyed by OGOship's order GUID.
pub const ORDER: &str = "order";
/// Stock updates, keyed by OGOship's `autoReference` (their answers carry no GUID).
pub const STOCK_UPDATE: &str = "stock_update";

/// Reported-quantity kinds (`AcknowledgeReported`).
pub const REPORTED_PICKED: &str = "order";
pub const REPORTED_RECEIVED: &str = "purchase_order";
pub const REPORTED_RETURNED: &str = "returned";

/// The handle of `(kind, guid)`, minted on first use; `reference` is the business key.
pub async fn handle(
    store: &Store,
    kind: &str,
    guid: &str,
    reference: &str,
) -> Result<i64, StoreError> {
    sqlx::query(
        "INSERT INTO handles (kind, guid, reference, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (kind, guid) DO NOTHING",
    )
    .bind(kind)
    .bind(guid)
    .bind(reference)
    .bind(unix_millis())
    .execute(store.pool())
    .await
    .map_err(StoreError::query(format!(
        "minting the handle of {kind} {guid}"
    )))?;
    sqlx::query_scalar("SELECT id FROM handles WHERE kind = $1 AND guid = $2")
        .bind(kind)
        .bind(guid)
        .fetch_one(store.pool())
        .await
        .map_err(StoreError::query(format!(
            "reading the handle of {kind} {guid}"
        )))
}

/// The business key behind handle `id` of `kind`.
pub async fn reference_of(
    store: &Store,
    kind: &str,
    id: i64,
) -> Result<Option<String>, StoreError> {
    sqlx::query_scalar("SELECT reference FROM handles WHERE kind = $1 AND id = $2")
        .bind(kind)
        .bind(id)
        .fetch_optional(store.pool())
        .await
        .map_err(StoreError::query(format!("reading {kind} handle {id}")))
}

/// A line as we sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentLine {
    /// 1-based position in what we sent.
    pub line_id: i64,
    pub row_number: String,
    pub external_id: String,
    pub article_number: String,
}

/// Replaces the lines of `(kind, reference)` (OGOship replaces them on update too).
pub async fn save_lines(
    store: &Store,
    kind: &str,
    reference: &str,
    lines: &[SentLine],
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    sqlx::query("DELETE FROM record_lines WHERE kind = $1 AND reference = $2")
        .bind(kind)
        .bind(reference)
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(format!(
            "replacing lines of {kind} {reference}"
        )))?;
    for line in lines {
        sqlx::query(
            "INSERT INTO record_lines (kind, reference, line_id, row_number, external_id, \
             article_number) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(kind)
        .bind(reference)
        .bind(line.line_id)
        .bind(&line.row_number)
        .bind(&line.external_id)
        .bind(&line.article_number)
        .execute(tx.conn())
        .await
        .map_err(StoreError::query(format!(
            "saving lines of {kind} {reference}"
        )))?;
    }
    tx.commit().await
}

/// The lines we sent for `(kind, reference)`, by position (empty when it was not sent by us).
pub async fn lines(
    store: &Store,
    kind: &str,
    reference: &str,
) -> Result<Vec<SentLine>, StoreError> {
    let rows = sqlx::query(
        "SELECT line_id, row_number, external_id, article_number FROM record_lines \
         WHERE kind = $1 AND reference = $2 ORDER BY line_id",
    )
    .bind(kind)
    .bind(reference)
    .fetch_all(store.pool())
    .await
    .map_err(StoreError::query(format!(
        "reading lines of {kind} {reference}"
    )))?;
    rows.iter()
        .map(|row| {
            Ok(SentLine {
                line_id: row.try_get("line_id").map_err(corrupt(reference))?,
                row_number: row.try_get("row_number").map_err(corrupt(reference))?,
                external_id: row.try_get("external_id").map_err(corrupt(reference))?,
                article_number: row.try_get("article_number").map_err(corrupt(reference))?,
            })
        })
        .collect()
}

fn corrupt(reference: &str) -> impl Fn(sqlx::Error) -> StoreError + '_ {
    move |e| StoreError::Corrupt {
        table: "record_lines",
        key: reference.to_owned(),
        field: "line",
        reason: e.to_string(),
    }
}

/// The reported quantity per line of `(kind, record_id)`.
pub async fn reported(
    store: &Store,
    kind: &str,
    record_id: i64,
) -> Result<Vec<(i64, i64)>, StoreError> {
    sqlx::query_as("SELECT line_id, quantity FROM reported WHERE kind = $1 AND record_id = $2")
        .bind(kind)
        .bind(record_id)
        .fetch_all(store.pool())
        .await
        .map_err(StoreError::query(format!(
            "reading reported {kind} {record_id}"
        )))
}

/// Sets the reported quantity of one line.
pub async fn set_reported(
    store: &Store,
    kind: &str,
    record_id: i64,
    line_id: i64,
    quantity: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO reported (kind, record_id, line_id, quantity, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, record_id, line_id) \
         DO UPDATE SET quantity = excluded.quantity, updated_at = excluded.updated_at",
    )
    .bind(kind)
    .bind(record_id)
    .bind(line_id)
    .bind(quantity)
    .bind(unix_millis())
    .execute(store.pool())
    .await
    .map_err(StoreError::query(format!(
        "saving reported {kind} {record_id}"
    )))?;
    Ok(())
}

/// What an article carries that OGOship API v1's product has no field for, as we last wrote
/// it. Nobody can change these at OGOship, so `ListArticles` answers them as written: a resync
/// then sees a difference only where OGOship's own fields differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleExtras {
    pub product_code: String,
    pub color: String,
    pub size: String,
    /// Decimal text in kilograms, as the contract carries it.
    pub weight_kg: String,
    pub active: bool,
}

/// Keeps `extras` as the last written of product `code`.
pub async fn save_article_extras(
    store: &Store,
    code: &str,
    extras: &ArticleExtras,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO article_extras (article_number, product_code, color, size, weight_kg, \
         active, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (article_number) DO UPDATE SET product_code = excluded.product_code, \
         color = excluded.color, size = excluded.size, weight_kg = excluded.weight_kg, \
         active = excluded.active, updated_at = excluded.updated_at",
    )
    .bind(code)
    .bind(&extras.product_code)
    .bind(&extras.color)
    .bind(&extras.size)
    .bind(&extras.weight_kg)
    .bind(i64::from(extras.active))
    .bind(unix_millis())
    .execute(store.pool())
    .await
    .map_err(StoreError::query(format!(
        "saving the article extras of {code}"
    )))?;
    Ok(())
}

/// The extras last written for product `code`; `None` for a product we never wrote (created
/// by a person at OGOship).
pub async fn article_extras(
    store: &Store,
    code: &str,
) -> Result<Option<ArticleExtras>, StoreError> {
    let row = sqlx::query(
        "SELECT product_code, color, size, weight_kg, active FROM article_extras \
         WHERE article_number = $1",
    )
    .bind(code)
    .fetch_optional(store.pool())
    .await
    .map_err(StoreError::query(format!(
        "reading the article extras of {code}"
    )))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let field = |name: &'static str| {
        move |e: sqlx::Error| StoreError::Corrupt {
            table: "article_extras",
            key: code.to_owned(),
            field: name,
            reason: e.to_string(),
        }
    };
    Ok(Some(ArticleExtras {
        product_code: row.try_get("product_code").map_err(field("product_code"))?,
        color: row.try_get("color").map_err(field("color"))?,
        size: row.try_get("size").map_err(field("size"))?,
        weight_kg: row.try_get("weight_kg").map_err(field("weight_kg"))?,
        active: row.try_get::<i64, _>("active").map_err(field("active"))? != 0,
    }))
}
