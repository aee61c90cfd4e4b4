//! Test harness pieces shared by the contract and end-to-end suites.
//!
//! Real servers are found through environment variables:
//! - `DATABASE_URL`: a PostgreSQL server (each test gets its own fresh database);
//! - `NATS_URL`: a NATS server with JetStream (each test uses its own stream and subject prefix).
//!
//! When a variable is missing the test may skip only outside CI (`CI` unset) and says so on
//! stderr; under CI a missing or unreachable server fails the test with a message naming the
//! variable and what to do.
//!
//! `free_port`: a port for a test server that no other test process is handed.
//! `hostile`: reading the gateways' hostile-input corpora and the bytes their cases generate.

pub mod hostile;
mod ports;

pub use ports::free_port;

use std::time::Duration;

use sqlx::Connection;

/// True when running under CI, where every real-server test must run.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// A short unique suffix for names (databases, streams, subject prefixes).
pub fn unique(prefix: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}_{}", &id[..12])
}

/// Reads `var`; `None` (with a "skipped" line) only outside CI.
fn required_env(var: &str, test: &str) -> Option<String> {
    required(std::env::var(var).ok(), under_ci(), var, test)
}

fn required(value: Option<String>, ci: bool, var: &str, test: &str) -> Option<String> {
    match value {
        Some(v) if !v.is_empty() => Some(v),
        _ if ci => panic!(
            "{test}: {var} is not set but CI is: start the server (see .ci/run) and export {var}"
        ),
        _ => {
            eprintln!("skipped {test}: {var} not set (set it to run this test; CI always does)");
            None
        }
    }
}

/// The NATS server URL for a test, checked reachable.
pub async fn nats_url(test: &str) -> Option<String> {
    let url = required_env("NATS_URL", test)?;
    Some(reachable_nats(test, url).await)
}

/// `url` back, or a panic naming the variable and the fix when nothing answers there.
async fn reachable_nats(test: &str, url: String) -> String {
    let addr = url
        .trim_start_matches("nats://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    match tokio::time::timeout(
        Duration::from_secs(5),
        tokio::net::TcpStream::connect(&addr),
    )
    .await
    {
        Ok(Ok(_)) => url,
        Ok(Err(e)) => panic!("{test}: NATS_URL={url} is unreachable: {e}; start nats-server -js"),
        Err(_) => panic!("{test}: NATS_URL={url} did not answer within 5 s"),
    }
}

/// A fresh PostgreSQL database for one test; dropped on a best-effort basis by `drop_database`.
#[derive(Debug, Clone)]
pub struct PostgresDatabase {
    /// URL of the new database.
    pub url: String,
    pub name: String,
    admin_url: String,
}

/// Creates a fresh database on the `DATABASE_URL` server.
pub async fn postgres_database(test: &str) -> Option<PostgresDatabase> {
    let admin_url = required_env("DATABASE_URL", test)?;
    Some(create_database(test, admin_url).await)
}

async fn create_database(test: &str, admin_url: String) -> PostgresDatabase {
    let name = unique("cwt");
    let mut conn = match tokio::time::timeout(
        Duration::from_secs(10),
        sqlx::PgConnection::connect(&admin_url),
    )
    .await
    {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => panic!("{test}: DATABASE_URL is unreachable: {e}; start PostgreSQL"),
        Err(_) => panic!("{test}: DATABASE_URL did not answer within 10 s"),
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{test}: cannot create database {name}: {e}"));
    let url = replace_database(&admin_url, &name);
    PostgresDatabase {
        url,
        name,
        admin_url,
    }
}

impl PostgresDatabase {
    /// Drops the database (best effort: a leftover test database is harmless).
    pub async fn drop_database(self) {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&self.admin_url).await {
            let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await;
        }
    }
}

/// Swaps the database name in a `postgres://…/db?opts` URL.
fn replace_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A port nothing listens on (bound, read, released).
    fn closed_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port")
    }

    #[test]
    #[should_panic(expected = "NATS_URL is not set but CI is")]
    fn a_missing_server_fails_under_ci() {
        required(None, true, "NATS_URL", "t");
    }

    #[test]
    fn a_missing_server_skips_only_outside_ci() {
        assert_eq!(required(None, false, "NATS_URL", "t"), None);
        assert_eq!(
            required(Some("nats://x".into()), true, "NATS_URL", "t").as_deref(),
            Some("nats://x")
        );
    }

    #[tokio::test]
    #[should_panic(expected = "NATS_URL=nats://127.0.0.1")]
    async fn an_unreachable_nats_fails_the_test_naming_the_variable() {
        let url = format!("nats://127.0.0.1:{}", closed_port());
        reachable_nats("t", url).await;
    }

    #[tokio::test]
    #[should_panic(expected = "DATABASE_URL is unreachable")]
    async fn an_unreachable_postgres_fails_the_test_naming_the_variable() {
        let url = format!("postgres://postgres@127.0.0.1:{}/postgres", closed_port());
        create_database("t", url).await;
    }

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            replace_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
