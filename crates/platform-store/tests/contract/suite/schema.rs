//! Opening stores: migrations, per-service isolation, connection settings, what sqlx::Any
//! reads on each database, and concurrent transactions.

use std::time::Duration;

use platform_store::{
    Backend, DeadLetterFilter, MessageId, NewDeadLetter, STORE_MIGRATIONS_TABLE, StoreError,
};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::message;
use crate::harness::{LETTERS, PARCELS_V1, PARCELS_V2, TestDb};
use crate::parcels::{self, Parcel};

async fn applied_migrations(conn: &mut AnyConnection, table: &str) -> i64 {
    sqlx::query_scalar(AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(conn)
        .await
        .unwrap_or_else(|e| panic!("counting {table}: {e}"))
}

fn store_migration_files(backend: Backend) -> i64 {
    let dir = format!(
        "{}/migrations/{}",
        env!("CARGO_MANIFEST_DIR"),
        backend.name()
    );
    let files = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {dir}: {e}"));
    files.filter(|f| f.is_ok()).count() as i64
}

pub async fn migrations_are_idempotent_on_reopen(db: TestDb) {
    let store = db.open("parcels", &PARCELS_V1).await;
    let mut tx = store.begin().await.expect("begin");
    parcels::insert(&mut tx, &Parcel::new("p1"))
        .await
        .expect("insert");
    tx.commit().await.expect("commit");
    store.close().await;

    // Both migration sets run again: nothing re-applied, nothing "missing".
    let store = db.open("parcels", &PARCELS_V1).await;
    let mut conn = store.pool().acquire().await.expect("acquire");
    assert!(
        parcels::load(&mut conn, "p1")
            .await
            .expect("load")
            .is_some()
    );
    let store_files = store_migration_files(db.backend());
    assert_eq!(
        applied_migrations(&mut conn, STORE_MIGRATIONS_TABLE).await,
        store_files
    );
    assert_eq!(applied_migrations(&mut conn, "_sqlx_migrations").await, 1);
    drop(conn);
    store.close().await;

    // The service's next release adds a migration; only that one runs.
    let store = db.open("parcels", &PARCELS_V2).await;
    let updated = sqlx::query("UPDATE parcels SET tracking = $1 WHERE id = $2")
        .bind("TRACK-1")
        .bind("p1")
        .execute(store.pool())
        .await
        .expect("the v2 column exists");
    assert_eq!(updated.rows_affected(), 1);
    store.close().await;

    let store = db.open("parcels", &PARCELS_V2).await;
    let mut conn = store.pool().acquire().await.expect("acquire");
    assert_eq!(applied_migrations(&mut conn, "_sqlx_migrations").await, 2);
    assert_eq!(
        applied_migrations(&mut conn, STORE_MIGRATIONS_TABLE).await,
        store_files
    );
    let tracking: Option<String> = sqlx::query_scalar("SELECT tracking FROM parcels WHERE id = $1")
        .bind("p1")
        .fetch_one(&mut *conn)
        .await
        .expect("tracking");
    assert_eq!(tracking.as_deref(), Some("TRACK-1"));
}

pub async fn services_are_isolated(db: TestDb) {
    let parcel_store = db.open("parcels", &PARCELS_V1).await;
    let letter_store = db.open("letters-desk", &LETTERS).await;
    assert_eq!(letter_store.schema(), "letters_desk");

    let mut tx = parcel_store.begin().await.expect("begin");
    parcels::insert(&mut tx, &Parcel::new("p1"))
        .await
        .expect("insert");
    tx.commit().await.expect("commit");
    sqlx::query("INSERT INTO letters (id, body) VALUES ($1, $2)")
        .bind("l1")
        .bind("dear customer")
        .execute(letter_store.pool())
        .await
        .expect("insert letter");

    // Neither sees the other's tables.
    let cross = sqlx::query("SELECT COUNT(*) FROM letters")
        .fetch_one(parcel_store.pool())
        .await;
    assert!(cross.is_err(), "parcels sees the letters table");
    let cross = sqlx::query("SELECT COUNT(*) FROM parcels")
        .fetch_one(letter_store.pool())
        .await;
    assert!(cross.is_err(), "letters sees the parcels table");

    // Every connection of the pool is scoped, not just the first one.
    let mut checks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let store = parcel_store.clone();
        checks.spawn(async move {
            let mut conn = store.pool().acquire().await.expect("acquire");
            tokio::time::sleep(Duration::from_millis(20)).await;
            parcels::count(&mut conn).await.expect("count parcels")
        });
    }
    while let Some(count) = checks.join_next().await {
        assert_eq!(count.expect("check task"), 1);
    }

    // The store's own tables exist per service and hold separate rows.
    let id = MessageId::new("centra:shop1:shipment:1:gtg");
    for store in [&parcel_store, &letter_store] {
        let mut tx = store.begin().await.expect("begin");
        assert!(
            store
                .inbox()
                .record(&mut tx, "import", &id)
                .await
                .expect("record")
        );
        assert!(
            store
                .outbox()
                .enqueue(&mut tx, message("e1"))
                .await
                .expect("enqueue")
        );
        tx.commit().await.expect("commit");
    }
    let mut tx = parcel_store.begin().await.expect("begin");
    parcel_store
        .dead_letters()
        .record(
            &mut tx,
            NewDeadLetter {
                kind: "parcel".to_owned(),
                record_key: "p1".to_owned(),
                reason: "field weight_grams: negative".to_owned(),
                payload: serde_json::json!({}),
                attempts: 1,
            },
        )
        .await
        .expect("record dead letter");
    tx.commit().await.expect("commit");
    let every_status = DeadLetterFilter {
        status: None,
        ..DeadLetterFilter::default()
    };
    let letters_dead = letter_store
        .dead_letters()
        .list(&every_status)
        .await
        .expect("list");
    assert!(letters_dead.is_empty(), "{letters_dead:?}");

    if db.backend() == Backend::Postgres {
        let outbox_tables: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'outbox' \
             AND table_schema IN ('parcels', 'letters_desk')",
        )
        .fetch_one(parcel_store.pool())
        .await
        .expect("information_schema");
        assert_eq!(outbox_tables, 2);
        let in_public: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
        )
        .fetch_one(parcel_store.pool())
        .await
        .expect("information_schema");
        assert_eq!(in_public, 0, "tables leaked into the public schema");
    }
}

pub async fn any_driver_round_trips_portable_types(db: TestDb) {
    let store = db.open("parcels", &PARCELS_V1).await;
    let full = Parcel {
        id: "p-full".to_owned(),
        weight_grams: i64::MAX,
        fragile: true,
        note: Some("handle with care: ÅÄÖ ✓".to_owned()),
        label: Some(vec![0, 255, 7, 0]),
        created_at: platform_store::unix_millis(),
    };
    let empty = Parcel {
        weight_grams: -1,
        ..Parcel::new("p-empty")
    };
    let mut tx = store.begin().await.expect("begin");
    parcels::insert(&mut tx, &full).await.expect("insert full");
    parcels::insert(&mut tx, &empty)
        .await
        .expect("insert empty");
    tx.commit().await.expect("commit");
    let mut conn = store.pool().acquire().await.expect("acquire");
    assert_eq!(
        parcels::load(&mut conn, "p-full").await.expect("load"),
        Some(full)
    );
    assert_eq!(
        parcels::load(&mut conn, "p-empty").await.expect("load"),
        Some(empty)
    );

    // Any is strict: a BIGINT 0/1 flag never decodes as bool, on either database...
    let row = sqlx::query("SELECT fragile FROM parcels WHERE id = $1")
        .bind("p-full")
        .fetch_one(&mut *conn)
        .await
        .expect("select flag");
    assert!(row.try_get::<bool, _>("fragile").is_err());
    assert_eq!(row.try_get::<i64, _>("fragile").expect("flag as i64"), 1);

    // ...and a BOOLEAN column reads on PostgreSQL but not at all on SQLite: hence BIGINT 0/1.
    sqlx::raw_sql("CREATE TABLE flags (v BOOLEAN NOT NULL)")
        .execute(&mut *conn)
        .await
        .expect("create flags");
    sqlx::query("INSERT INTO flags (v) VALUES ($1)")
        .bind(true)
        .execute(&mut *conn)
        .await
        .expect("binding a bool works on both");
    let read = sqlx::query_scalar::<_, bool>("SELECT v FROM flags")
        .fetch_one(&mut *conn)
        .await;
    match db.backend() {
        Backend::Postgres => assert!(read.expect("postgres reads BOOLEAN")),
        Backend::Sqlite => assert!(
            read.is_err(),
            "sqlx::Any now reads SQLite BOOLEAN; update the crate docs: {read:?}"
        ),
    }
}

pub async fn concurrent_transactions_wait_for_each_other(db: TestDb) {
    let store = db.open("parcels", &PARCELS_V1).await;
    let mut writers = tokio::task::JoinSet::new();
    for writer in 0..8 {
        let store = store.clone();
        writers.spawn(async move {
            for i in 0..5 {
                // Read, then write: on SQLite this only works if the transaction holds the
                // write lock from the start.
                let mut tx = store.begin().await?;
                let seen = parcels::count(tx.conn()).await?;
                let parcel = Parcel {
                    weight_grams: seen,
                    ..Parcel::new(&format!("w{writer}-{i}"))
                };
                parcels::insert(&mut tx, &parcel).await?;
                tx.commit().await?;
            }
            Ok::<(), StoreError>(())
        });
    }
    while let Some(result) = writers.join_next().await {
        result.expect("writer task").expect("writer");
    }
    let mut conn = store.pool().acquire().await.expect("acquire");
    assert_eq!(parcels::count(&mut conn).await.expect("count"), 40);
}

pub async fn connections_are_configured(db: TestDb) {
    let store = db.open("order-sync", &PARCELS_V1).await;
    // Hold several connections at once, so more than one is checked.
    let mut conns = Vec::new();
    for _ in 0..4 {
        conns.push(store.pool().acquire().await.expect("acquire"));
    }
    for conn in &mut conns {
        match db.backend() {
            Backend::Postgres => {
                let schema: String = sqlx::query_scalar("SELECT CAST(current_schema() AS TEXT)")
                    .fetch_one(&mut **conn)
                    .await
                    .expect("current_schema");
                assert_eq!(schema, "order_sync");
            }
            Backend::Sqlite => {
                let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
                    .fetch_one(&mut **conn)
                    .await
                    .expect("journal_mode");
                assert_eq!(journal, "wal");
                let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
                    .fetch_one(&mut **conn)
                    .await
                    .expect("foreign_keys");
                assert_eq!(foreign_keys, 1);
                let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
                    .fetch_one(&mut **conn)
                    .await
                    .expect("busy_timeout");
                assert_eq!(busy, 10_000);
                // A negative cache_size is KiB: the small page cache of every connection.
                let cache: i64 = sqlx::query_scalar("PRAGMA cache_size")
                    .fetch_one(&mut **conn)
                    .await
                    .expect("cache_size");
                assert_eq!(
                    cache,
                    -i64::from(platform_bus::embedded::SQLITE_PAGE_CACHE_KIB)
                );
            }
        }
    }
}
