//! [`GateDatabase`]: the one thing the gate asks of a sqlx database, running a plain statement
//! (`BEGIN IMMEDIATE`, `SAVEPOINT`, `COMMIT`…) on a connection.
//!
//! Why a trait and not a bound on `Executor`: the bound is higher-ranked and would have to be
//! repeated on every type that names a connection, `Drop` impls included.

use futures::future::BoxFuture;

/// A sqlx database whose connections the gate can run its own statements on. Implemented for
/// SQLite (the bus) and `Any` (the stores, on a SQLite URL); the gate is for SQLite's single
/// writer and has no use on a database whose writers do not exclude each other.
pub trait GateDatabase: sqlx::Database {
    /// Runs `sql` (one or more statements, no parameters) on `conn`.
    ///
    /// # Errors
    /// The database's own error, as sqlx reports it.
    fn run<'c>(
        conn: &'c mut Self::Connection,
        sql: &'static str,
    ) -> BoxFuture<'c, Result<(), sqlx::Error>>;
}

impl GateDatabase for sqlx::Sqlite {
    fn run<'c>(
        conn: &'c mut Self::Connection,
        sql: &'static str,
    ) -> BoxFuture<'c, Result<(), sqlx::Error>> {
        Box::pin(async move { sqlx::raw_sql(sql).execute(conn).await.map(drop) })
    }
}

impl GateDatabase for sqlx::Any {
    fn run<'c>(
        conn: &'c mut Self::Connection,
        sql: &'static str,
    ) -> BoxFuture<'c, Result<(), sqlx::Error>> {
        Box::pin(async move { sqlx::raw_sql(sql).execute(conn).await.map(drop) })
    }
}
