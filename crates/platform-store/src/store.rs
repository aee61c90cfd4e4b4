//! Opening a service's store: the pool, the per-service schema (PostgreSQL) or file (SQLite),
//! connection settings, and the two migration sets (the store's own, then the service's).
//!
//! The two migration sets live side by side in one schema without tripping sqlx's "migration
//! previously applied but missing" check because each keeps its own bookkeeping table: the
//! store's in [`STORE_MIGRATIONS_TABLE`], the service's in sqlx's default `_sqlx_migrations`.

use std::sync::Arc;
use std::time::Duration;

use platform_bus::embedded::SQLITE_PAGE_CACHE_KIB;
use platform_write_gate::WriteGate;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyConnection, AnyPool, AssertSqlSafe, Connection};
use tokio::sync::Notify;

use crate::backend::is_sqlite_memory;
use crate::{Backend, DeadLetters, Inbox, Locks, Outbox, StoreError, Transaction};

/// Bookkeeping table of the store's own migrations (inbox, outbox, dead letters).
pub const STORE_MIGRATIONS_TABLE: &str = "_platform_store_migrations";

static STORE_POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
static STORE_SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");

/// A service's own migrations, one folder per database, embedded with `sqlx::migrate!`:
///
/// ```text
/// static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
/// static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
/// pub static MIGRATIONS: Migrations = Migrations::new(&POSTGRES, &SQLITE);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Migrations {
    postgres: Option<&'static Migrator>,
    sqlite: Option<&'static Migrator>,
}

impl Migrations {
    pub const fn new(postgres: &'static Migrator, sqlite: &'static Migrator) -> Self {
        Self {
            postgres: Some(postgres),
            sqlite: Some(sqlite),
        }
    }

    /// For a service that keeps nothing but the inbox, outbox and dead letters.
    pub const fn none() -> Self {
        Self {
            postgres: None,
            sqlite: None,
        }
    }

    fn for_backend(&self, backend: Backend) -> Option<&'static Migrator> {
        match backend {
            Backend::Postgres => self.postgres,
            Backend::Sqlite => self.sqlite,
        }
    }
}

/// A held turn to write (see [`Store::write_turn`]); released on drop.
#[derive(Debug)]
pub struct WriteTurn {
    _gate: platform_write_gate::GateGuard<Any>,
}

/// Where and how a service's store is opened.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    service: String,
    url: String,
    max_connections: Option<u32>,
    acquire_timeout: Duration,
    busy_timeout: Duration,
}

impl StoreOptions {
    /// `service` names the schema (PostgreSQL; `-` becomes `_`) and appears in dead letters.
    /// `url` is `postgres://…` or `sqlite://path/service.db?mode=rwc` (one file per service;
    /// the folder must exist) or `sqlite::memory:` (tests only: the database lives in the pool's
    /// single connection, so a caller holding a transaction must not also use the pool).
    pub fn new(service: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            url: url.into(),
            max_connections: None,
            acquire_timeout: Duration::from_secs(30),
            busy_timeout: Duration::from_secs(10),
        }
    }

    /// Pool size. Defaults: 10 on PostgreSQL, 8 on SQLite (readers run in parallel under WAL,
    /// writers queue on the file lock), always 1 for in-memory SQLite.
    pub fn max_connections(mut self, max: u32) -> Self {
        self.max_connections = Some(max.max(1));
        self
    }

    /// How long `begin()` and queries wait for a free connection (default 30 s).
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// SQLite only: how long a writer waits for the file's single write lock (default 10 s).
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }
}

/// One service's storage: a connection pool scoped to its schema or file, plus the shared
/// inbox, outbox and dead-letter tables. Cheap to clone (everything inside is shared).
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    service: Arc<str>,
    schema: Arc<str>,
    /// Pinged after a commit that enqueued outbox messages, so the relay publishes at once.
    outbox_signal: Arc<Notify>,
    locks: Locks,
    /// SQLite: one writing transaction at a time from this process ([`WriteGate`]).
    write_gate: Option<WriteGate<Any>>,
}

impl Store {
    /// Opens the pool and brings the schema up to date: the store's migrations first, then the
    /// service's. Safe to call on every start (applied migrations are skipped; a changed one is
    /// an error naming the set).
    pub async fn open(options: StoreOptions, migrations: &Migrations) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let schema = schema_name(&options.service)?;
        let backend = Backend::from_url(&options.service, &options.url)?;
        let connect_error = |source| StoreError::Connect {
            service: options.service.clone(),
            backend: backend.name(),
            source,
        };

        prepare_database(backend, &options, &schema)
            .await
            .map_err(connect_error)?;
        let pool = pool_options(backend, &options, &schema)
            .connect(&options.url)
            .await
            .map_err(connect_error)?;

        let store_set = store_migrator(backend);
        store_set
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate {
                service: options.service.clone(),
                set: "platform-store",
                source,
            })?;
        if let Some(service_set) = migrations.for_backend(backend) {
            service_set
                .run(&pool)
                .await
                .map_err(|source| StoreError::Migrate {
                    service: options.service.clone(),
                    set: "service",
                    source,
                })?;
        }
        let scope = lock_scope(backend, &options.url);
        let locks = Locks::new(
            &scope,
            &schema,
            (backend == Backend::Postgres).then_some(options.url.as_str()),
        )
        .map_err(connect_error)?;
        tracing::info!(service = %options.service, backend = %backend, schema = %schema, "store opened");

        Ok(Store {
            pool,
            backend,
            service: options.service.into(),
            schema: schema.into(),
            outbox_signal: Arc::new(Notify::new()),
            locks,
            write_gate: (backend == Backend::Sqlite).then(|| {
                let grouped = !is_sqlite_memory(&options.url);
                WriteGate::for_file(&scope, options.busy_timeout, grouped)
            }),
        })
    }

    /// Starts a transaction. On SQLite it waits for this process's writer gate of the file
    /// (`platform-write-gate`: FIFO, no busy-handler sleeps) and runs in the write lock
    /// (`BEGIN IMMEDIATE`), so a transaction that reads then writes never fails with
    /// "database is locked" because another writer got in between; its commit may be shared
    /// with the transactions just before and after it (group commit), and answers once its
    /// work is durable all the same.
    pub async fn begin(&self) -> Result<Transaction, StoreError> {
        Transaction::begin(self).await
    }

    pub(crate) fn write_gate(&self) -> Option<&WriteGate<Any>> {
        self.write_gate.as_ref()
    }

    /// This process's turn to write the file, for a write outside a transaction (one
    /// statement on [`Store::pool`]): keep the guard until the statement is done. It commits
    /// the open group of transactions first, whose write lock the statement would meet. SQLite only;
    /// on PostgreSQL there is no turn to wait for (`None`). Without it such a write still
    /// works but may wait in SQLite's busy handler's sleeps (`platform-write-gate`).
    ///
    /// # Errors
    /// [`StoreError::LockTimeout`] when the writers before kept the file past the busy
    /// timeout (retryable: nothing was written).
    pub async fn write_turn(&self) -> Result<Option<WriteTurn>, StoreError> {
        match &self.write_gate {
            Some(gate) => Ok(Some(WriteTurn {
                _gate: gate.flush().await?,
            })),
            None => Ok(None),
        }
    }

    /// For reads outside a transaction: `query.fetch_all(store.pool())`.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    /// The PostgreSQL schema holding this service's tables (the service name with `_` for `-`).
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The record locks, shared with every store opened on the same database and service (see
    /// [`Locks`]).
    pub fn locks(&self) -> &Locks {
        &self.locks
    }

    pub fn inbox(&self) -> Inbox {
        Inbox::new(self.pool.clone())
    }

    pub fn outbox(&self) -> Outbox {
        Outbox::new(self.clone())
    }

    pub fn dead_letters(&self) -> DeadLetters {
        DeadLetters::new(self.pool.clone(), self.service.clone())
    }

    /// Closes every connection (waits for checked-out ones to come back).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn outbox_signal(&self) -> &Arc<Notify> {
        &self.outbox_signal
    }
}

/// The schema name for a service: lowercase ASCII letters, digits, `_` and `-` (as `_`).
fn schema_name(service: &str) -> Result<String, StoreError> {
    let invalid = |reason| StoreError::InvalidServiceName {
        name: service.to_owned(),
        reason,
    };
    let first = service
        .chars()
        .next()
        .ok_or_else(|| invalid("it is empty"))?;
    if !first.is_ascii_lowercase() {
        return Err(invalid("it must start with a lowercase ascii letter"));
    }
    if service.len() > 63 {
        return Err(invalid("it is longer than 63 characters"));
    }
    if !service
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    {
        return Err(invalid(
            "only lowercase ascii letters, digits, '_' and '-' are allowed",
        ));
    }
    Ok(service.replace('-', "_"))
}

/// One-off set-up before the pool exists: the schema on PostgreSQL (created once rather than
/// per connection, which races), WAL on a SQLite file (persistent, and switching needs the
/// file to itself, so not per connection either).
async fn prepare_database(
    backend: Backend,
    options: &StoreOptions,
    schema: &str,
) -> Result<(), sqlx::Error> {
    if backend == Backend::Sqlite && is_sqlite_memory(&options.url) {
        return Ok(());
    }
    let mut conn = AnyConnection::connect(&options.url).await?;
    let result = match backend {
        Backend::Postgres => {
            let sql = format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\"");
            match sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await {
                // Two replicas starting together: the loser sees a duplicate, which is fine.
                Err(e) if is_duplicate_schema(&e) => Ok(()),
                other => other.map(drop),
            }
        }
        Backend::Sqlite => sqlx::raw_sql("PRAGMA journal_mode = WAL")
            .execute(&mut conn)
            .await
            .map(drop),
    };
    conn.close().await?;
    result
}

/// What the in-process side of the record locks is shared by. A SQLite file: every store on
/// it in this process (that is all the exclusion SQLite stores get). PostgreSQL: this store
/// alone, so two stores of one process exclude each other through the database exactly as two
/// replicas do (and the contract suite tests what production runs). In-memory SQLite: this
/// store alone (each is a database of its own).
fn lock_scope(backend: Backend, url: &str) -> String {
    static STORES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    if backend == Backend::Sqlite && !is_sqlite_memory(url) {
        url.to_owned()
    } else {
        let n = STORES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{url}#store-{n}")
    }
}

fn is_duplicate_schema(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "23505" || code == "42P06")
}

fn pool_options(backend: Backend, options: &StoreOptions, schema: &str) -> AnyPoolOptions {
    let memory = backend == Backend::Sqlite && is_sqlite_memory(&options.url);
    let default_max = match backend {
        Backend::Postgres => 10,
        Backend::Sqlite => 8,
    };
    let max = if memory {
        // Each connection to `sqlite::memory:` would be a database of its own.
        1
    } else {
        options.max_connections.unwrap_or(default_max)
    };
    let settings: Arc<[String]> = match backend {
        Backend::Postgres => vec![format!("SET search_path TO \"{schema}\"")],
        Backend::Sqlite => vec![
            format!("PRAGMA busy_timeout = {}", options.busy_timeout.as_millis()),
            "PRAGMA foreign_keys = ON".to_owned(),
            format!("PRAGMA cache_size = -{SQLITE_PAGE_CACHE_KIB}"),
        ],
    }
    .into();
    let mut pool = AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(options.acquire_timeout)
        .after_connect(move |conn, _meta| {
            let settings = settings.clone();
            Box::pin(async move {
                for statement in settings.iter() {
                    sqlx::raw_sql(AssertSqlSafe(statement.clone()))
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(())
            })
        });
    if memory {
        // Keep the one connection (and with it the database) for the life of the pool.
        pool = pool
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None);
    }
    pool
}

/// The store's own set, renamed to its own bookkeeping table (see the module docs).
fn store_migrator(backend: Backend) -> Migrator {
    let source = match backend {
        Backend::Postgres => &STORE_POSTGRES,
        Backend::Sqlite => &STORE_SQLITE,
    };
    let mut migrator = Migrator::with_migrations(source.iter().cloned().collect());
    migrator.dangerous_set_table_name(STORE_MIGRATIONS_TABLE);
    migrator
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_become_schema_names() {
        assert_eq!(
            schema_name("order-sync").ok().as_deref(),
            Some("order_sync")
        );
        assert_eq!(
            schema_name("stock_sync2").ok().as_deref(),
            Some("stock_sync2")
        );
    }

    #[test]
    fn rejects_names_that_are_not_safe_identifiers() {
        for (name, reason) in [
            ("", "it is empty"),
            ("1sync", "it must start with a lowercase ascii letter"),
            ("Order", "it must start with a lowercase ascii letter"),
            (
                "order\"; drop",
                "only lowercase ascii letters, digits, '_' and '-' are allowed",
            ),
        ] {
            match schema_name(name) {
                Err(StoreError::InvalidServiceName { name: n, reason: r }) => {
                    assert_eq!((n.as_str(), r), (name, reason));
                }
                other => panic!("{name:?}: expected an invalid name, got {other:?}"),
            }
        }
        assert!(schema_name(&"a".repeat(64)).is_err());
    }

    #[test]
    fn store_migrations_are_embedded() {
        for backend in [Backend::Postgres, Backend::Sqlite] {
            let migrator = store_migrator(backend);
            assert!(
                migrator.iter().count() >= 1,
                "{backend}: no store migrations"
            );
        }
    }
}
