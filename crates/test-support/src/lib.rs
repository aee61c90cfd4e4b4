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
    /// The sessions on this database that have stayed in one state for more than two seconds
    /// (waiting on a lock, idle inside an open transaction, one long statement), each as one
    /// line, for a failure message: what a stalled flow waits on, which its logs cannot show.
    /// Empty when there are none; one line saying why when the server cannot be asked.
    pub async fn lingering_sessions(&self) -> Vec<String> {
        let mut conn = match sqlx::PgConnection::connect(&self.admin_url).await {
            Ok(conn) => conn,
            Err(error) => return vec![format!("pg_stat_activity unreadable: {error}")],
        };
        // pid, state, wait event, blocking pids, seconds in the state and in the transaction,
        // the statement.
        type Session = (i32, String, String, String, f64, Option<f64>, String);
        let rows: Result<Vec<Session>, _> = sqlx::query_as(
            "SELECT pid, coalesce(state, ''), \
                 coalesce(wait_event_type || ':' || wait_event, ''), \
                 coalesce(array_to_string(pg_blocking_pids(pid), ','), ''), \
                 extract(epoch FROM now() - state_change)::float8, \
                 extract(epoch FROM now() - xact_start)::float8, \
                 left(coalesce(query, ''), 240) \
                 FROM pg_stat_activity WHERE datname = $1 AND state <> 'idle' \
                 AND pid <> pg_backend_pid() AND now() - state_change > interval '2 seconds' \
                 ORDER BY state_change",
        )
        .bind(&self.name)
        .fetch_all(&mut conn)
        .await;
        match rows {
            Ok(rows) => rows
                .into_iter()
                .map(
                    |(pid, state, wait, blocked_by, in_state, in_transaction, query)| {
                        format!(
                            "pid {pid} {state} for {in_state:.1} s (transaction {:.1} s), \
                         waiting {wait:?}, blocked by [{blocked_by}]: {query}",
                            in_transaction.unwrap_or(0.0)
                        )
                    },
                )
                .collect(),
            Err(error) => vec![format!("pg_stat_activity unreadable: {error}")],
        }
    }

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

    /// A transaction left open holding a row, and a statement waiting for that row: both
    /// named, the waiter with the holder's pid.
    #[tokio::test]
    async fn sessions_stuck_on_a_lock_are_named() {
        let Some(database) = postgres_database("test_support lingering_sessions").await else {
            return;
        };
        let mut holder = sqlx::PgConnection::connect(&database.url)
            .await
            .expect("connect");
        sqlx::raw_sql("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)")
            .execute(&mut holder)
            .await
            .expect("table");
        sqlx::raw_sql("BEGIN; UPDATE t SET id = 1 WHERE id = 1")
            .execute(&mut holder)
            .await
            .expect("lock held");
        let holder_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut holder)
            .await
            .expect("pid");
        let url = database.url.clone();
        let waiter = tokio::spawn(async move {
            let mut waiter = sqlx::PgConnection::connect(&url).await.expect("connect");
            sqlx::raw_sql("UPDATE t SET id = 1 WHERE id = 1")
                .execute(&mut waiter)
                .await
                .expect("update after the lock");
        });
        tokio::time::sleep(Duration::from_millis(2_500)).await;
        let sessions = database.lingering_sessions().await;
        assert_eq!(sessions.len(), 2, "{sessions:#?}");
        assert!(
            sessions[0].starts_with(&format!("pid {holder_pid} idle in transaction")),
            "{sessions:#?}"
        );
        assert!(
            sessions[1].contains("waiting \"Lock:transactionid\"")
                && sessions[1].contains(&format!("blocked by [{holder_pid}]")),
            "{sessions:#?}"
        );
        sqlx::raw_sql("ROLLBACK")
            .execute(&mut holder)
            .await
            .expect("rollback");
        waiter.await.expect("waiter");
        drop(holder);
        database.drop_database().await;
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
