//! A repository written the way services write theirs: once, on `sqlx::Any`, with portable
//! types (TEXT, BIGINT, BIGINT 0/1 for flags, bytes), running on both databases.

use platform_store::{StoreError, Transaction};
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parcel {
    pub id: String,
    pub weight_grams: i64,
    pub fragile: bool,
    pub note: Option<String>,
    pub label: Option<Vec<u8>>,
    pub created_at: i64,
}

impl Parcel {
    pub fn new(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            weight_grams: 1200,
            fragile: false,
            note: None,
            label: None,
            created_at: platform_store::unix_millis(),
        }
    }
}

pub async fn insert(tx: &mut Transaction, parcel: &Parcel) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO parcels (id, weight_grams, fragile, note, label, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(parcel.id.as_str())
    .bind(parcel.weight_grams)
    .bind(i64::from(parcel.fragile))
    .bind(parcel.note.as_deref())
    .bind(parcel.label.clone())
    .bind(parcel.created_at)
    .execute(tx.conn())
    .await
    .map_err(StoreError::query(format!("inserting parcel {}", parcel.id)))?;
    Ok(())
}

pub async fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<Parcel>, StoreError> {
    let row = sqlx::query(
        "SELECT id, weight_grams, fragile, note, label, created_at FROM parcels WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::query(format!("loading parcel {id}")))?;
    let Some(row) = row else { return Ok(None) };
    let get = |e| StoreError::Query {
        action: format!("reading parcel {id}"),
        source: e,
    };
    Ok(Some(Parcel {
        id: row.try_get("id").map_err(get)?,
        weight_grams: row.try_get("weight_grams").map_err(get)?,
        fragile: row.try_get::<i64, _>("fragile").map_err(get)? != 0,
        note: row.try_get("note").map_err(get)?,
        label: row.try_get("label").map_err(get)?,
        created_at: row.try_get("created_at").map_err(get)?,
    }))
}

pub async fn count(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    sqlx::query_scalar("SELECT COUNT(*) FROM parcels")
        .fetch_one(conn)
        .await
        .map_err(StoreError::query("counting parcels"))
}
