//! Where a contract test's databases live: a temp folder of SQLite files (one per service), or a
//! fresh PostgreSQL database (one schema per service) dropped when the test ends.

use std::sync::Arc;
use std::time::Duration;

use platform_store::{Backend, Migrations, RelayConfig, Store, StoreOptions};
use sqlx::migrate::Migrator;
use tempfile::TempDir;
use test_support::PostgresDatabase;

static PARCELS_V1_PG: Migrator = sqlx::migrate!("tests/migrations/parcels_v1/postgres");
static PARCELS_V1_SQLITE: Migrator = sqlx::migrate!("tests/migrations/parcels_v1/sqlite");
static PARCELS_V2_PG: Migrator = sqlx::migrate!("tests/migrations/parcels_v2/postgres");
static PARCELS_V2_SQLITE: Migrator = sqlx::migrate!("tests/migrations/parcels_v2/sqlite");
static LETTERS_PG: Migrator = sqlx::migrate!("tests/migrations/letters/postgres");
static LETTERS_SQLITE: Migrator = sqlx::migrate!("tests/migrations/letters/sqlite");

/// The fake "parcels" service, first release.
pub static PARCELS_V1: Migrations = Migrations::new(&PARCELS_V1_PG, &PARCELS_V1_SQLITE);
/// The same service, one migration later.
pub static PARCELS_V2: Migrations = Migrations::new(&PARCELS_V2_PG, &PARCELS_V2_SQLITE);
/// A second fake service.
pub static LETTERS: Migrations = Migrations::new(&LETTERS_PG, &LETTERS_SQLITE);

#[derive(Debug, Clone)]
enum Place {
    Sqlite(Arc<TempDir>),
    Postgres(PostgresDatabase),
}

/// The databases of one contract test.
#[derive(Debug, Clone)]
pub struct TestDb {
    place: Place,
}

impl TestDb {
    pub async fn sqlite(_test: &str) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir for sqlite files");
        Some(Self {
            place: Place::Sqlite(Arc::new(dir)),
        })
    }

    /// None (with a "skipped" line) only outside CI when `DATABASE_URL` is unset; under CI a
    /// missing server fails the test.
    pub async fn postgres(test: &str) -> Option<Self> {
        // `postgres_database` itself panics under CI when the server is missing or unreachable;
        // the assert keeps that rule visible where the test would skip.
        let Some(db) = test_support::postgres_database(test).await else {
            assert!(
                !test_support::under_ci(),
                "{test}: DATABASE_URL is required under CI"
            );
            return None;
        };
        Some(Self {
            place: Place::Postgres(db),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.place {
            Place::Sqlite(_) => Backend::Sqlite,
            Place::Postgres(_) => Backend::Postgres,
        }
    }

    /// The URL a service is given: its own file, or the shared database.
    pub fn url(&self, service: &str) -> String {
        match &self.place {
            Place::Sqlite(dir) => {
                format!("sqlite://{}/{service}.db?mode=rwc", dir.path().display())
            }
            Place::Postgres(db) => db.url.clone(),
        }
    }

    pub async fn open(&self, service: &str, migrations: &Migrations) -> Store {
        Store::open(StoreOptions::new(service, self.url(service)), migrations)
            .await
            .unwrap_or_else(|e| panic!("opening the store of {service}: {e}"))
    }

    pub async fn finish(self) {
        match self.place {
            Place::Sqlite(_) => {}
            Place::Postgres(db) => db.drop_database().await,
        }
    }
}

/// A relay that reacts quickly, so tests stay fast.
pub fn quick_relay() -> RelayConfig {
    RelayConfig {
        poll_interval: Duration::from_millis(50),
        min_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(100),
        ..RelayConfig::default()
    }
}

/// Waits (generously) for `condition`, naming `what` when it never comes.
pub async fn eventually(what: &str, condition: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after 30 s waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
