//! A gateway's log of the calls it made to its outside system for each record (the
//! `external_calls` table every gateway migrates), and the `ExternalCalls` gRPC service that
//! reads it for the admin page's Find.
//!
//! The gateway's gRPC command handler runs a command inside [`CallLog::around`], which names
//! the command's records (`platform_http::calls::for_records`) and keeps the calls the HTTP
//! layer noted meanwhile. Keeping is best effort: a store that refuses the write costs the
//! journey a line (logged), never the command its answer.
//!
//! Bounded twice: a record keeps its last [`CALLS_KEPT`] calls, and calls older than
//! [`KEPT_FOR`] are deleted as new ones are written, at most once every [`AGE_OUT_EVERY`] (a
//! record nobody touches again keeps its calls until a later write ages them out). The age
//! is a month, so a minute more changes nothing, while a delete with every write was one
//! statement more per order imported, and the one with the most execution time in a
//! distributed drain's `pg_stat_statements` (0.22 ms each).
//!
//! Layout: [`CallLog`] (keep, read, around), [`StoredCall`], [`ExternalCallsService`].

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use platform_http::calls::{self, CallOutcome, FailureKind, Made};
use platform_store::{Backend, Store, StoreError, unix_millis};
use proto::admin::v1 as pb;
use proto::admin::v1::external_calls_server::{ExternalCalls, ExternalCallsServer};
use sqlx::Row;
use tonic::{Request, Response, Status};

use crate::flow_runs::timestamp;

/// The calls a record keeps; older ones are deleted as new ones come.
pub const CALLS_KEPT: i64 = 50;

/// How long a call is kept at most.
pub const KEPT_FOR: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// How often a log (and its clones) deletes the calls past their age, at most.
pub const AGE_OUT_EVERY: Duration = Duration::from_secs(60);

/// Most records one `CallsOfRecords` request may name.
const RECORDS_ASKED_MAX: usize = 20;

/// The `external_calls` table of one gateway's store, for calls to `system`.
#[derive(Debug, Clone)]
pub struct CallLog {
    store: Store,
    system: &'static str,
    kept_for: Duration,
    /// Unix ms of the last age-out (0: none yet), shared by the log's clones.
    aged_out_at: Arc<AtomicI64>,
}

/// One kept call of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCall {
    pub record: String,
    /// Unix milliseconds when the request left.
    pub at: i64,
    pub method: String,
    pub path: String,
    pub outcome: CallOutcome,
    pub duration_ms: i64,
    pub trace_id: Option<String>,
}

impl CallLog {
    /// The log of calls to `system` (`centra`, `ongoing`, `ogoship`) in `store`, which has the
    /// `external_calls` table.
    pub fn new(store: Store, system: &'static str) -> Self {
        Self {
            store,
            system,
            kept_for: KEPT_FOR,
            aged_out_at: Arc::default(),
        }
    }

    /// The same log keeping calls for `kept_for` instead of [`KEPT_FOR`]; its next write ages
    /// calls out.
    #[must_use]
    pub fn kept_for(mut self, kept_for: Duration) -> Self {
        self.kept_for = kept_for;
        self.aged_out_at = Arc::default();
        self
    }

    /// Runs `work` for `records` and keeps the calls it made under each of them; answers the
    /// work's output. A failed write is logged, never returned.
    pub async fn around<F: Future>(&self, records: Vec<String>, work: F) -> F::Output {
        let (output, made) = calls::for_records(records, work).await;
        let kept = self.keep(&made).await;
        if let Err(error) = kept {
            tracing::warn!(%error, records = ?made.records, "the calls of the records were not kept");
        }
        output
    }

    /// Writes `made`'s calls under each of its records, keeps each record's last
    /// [`CALLS_KEPT`], and deletes calls older than the log's age (at most once every
    /// [`AGE_OUT_EVERY`]).
    ///
    /// # Errors
    /// A query error naming the record.
    pub async fn keep(&self, made: &Made) -> Result<(), StoreError> {
        if made.calls.is_empty() {
            return Ok(());
        }
        let mut tx = self.store.begin().await?;
        for record in &made.records {
            // Commands of one record finishing at once number their calls one after the other:
            // on PostgreSQL (read committed) a transaction lock on the record; SQLite's write
            // transactions already run one at a time.
            if self.store.backend() == Backend::Postgres {
                sqlx::query(
                    "SELECT COUNT(*) AS locked FROM \
                     (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS numbering",
                )
                .bind(format!("external_calls:{record}"))
                .execute(tx.conn())
                .await
                .map_err(StoreError::query(format!(
                    "numbering the calls of {record}"
                )))?;
            }
            let mut seq = 0;
            for call in &made.calls {
                let (status, failure) = match call.outcome {
                    CallOutcome::Status(code) => (Some(i64::from(code)), None),
                    CallOutcome::Failed(kind) => (None, Some(kind.as_str())),
                };
                // Numbered in the insert itself: one statement a call, not a read first.
                seq = sqlx::query(
                    "INSERT INTO external_calls (record, seq, at, method, path, status, \
                     failure, duration_ms, trace_id) \
                     SELECT $1, CAST(COALESCE(MAX(seq), 0) + 1 AS BIGINT), $2, $3, $4, $5, $6, \
                     $7, $8 FROM external_calls WHERE record = $1 RETURNING seq",
                )
                .bind(record)
                .bind(call.at)
                .bind(&call.method)
                .bind(&call.path)
                .bind(status)
                .bind(failure)
                .bind(i64::try_from(call.duration.as_millis()).unwrap_or(i64::MAX))
                .bind(call.trace_id.as_deref())
                .fetch_one(tx.conn())
                .await
                .and_then(|row| row.try_get::<i64, _>("seq"))
                .map_err(StoreError::query(format!("keeping a call of {record}")))?;
            }
            if seq > CALLS_KEPT {
                sqlx::query("DELETE FROM external_calls WHERE record = $1 AND seq <= $2")
                    .bind(record)
                    .bind(seq - CALLS_KEPT)
                    .execute(tx.conn())
                    .await
                    .map_err(StoreError::query(format!(
                        "dropping the oldest calls of {record}"
                    )))?;
            }
        }
        let now = unix_millis();
        let last = self.aged_out_at.load(Ordering::Relaxed);
        let due = now.saturating_sub(last) >= millis(AGE_OUT_EVERY);
        // One writer of the log's clones takes the turn; a failed write leaves it taken for
        // a minute, which only delays the next age-out.
        if due
            && self
                .aged_out_at
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            let oldest = now.saturating_sub(millis(self.kept_for));
            sqlx::query("DELETE FROM external_calls WHERE at < $1")
                .bind(oldest)
                .execute(tx.conn())
                .await
                .map_err(StoreError::query("dropping calls past their age"))?;
        }
        tx.commit().await
    }

    /// The kept calls of `records`, oldest first.
    ///
    /// # Errors
    /// A query error, or [`StoreError::Corrupt`] for a row whose outcome cannot be read.
    pub async fn of(&self, records: &[String]) -> Result<Vec<StoredCall>, StoreError> {
        let mut found = Vec::new();
        for record in records {
            let rows = sqlx::query(
                "SELECT at, method, path, status, failure, duration_ms, trace_id \
                 FROM external_calls WHERE record = $1 ORDER BY seq",
            )
            .bind(record)
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(format!("reading the calls of {record}")))?;
            for row in &rows {
                found.push(stored(record, row)?);
            }
        }
        found.sort_by_key(|call| call.at);
        Ok(found)
    }

    /// The outside system the log is of.
    pub fn system(&self) -> &'static str {
        self.system
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn stored(record: &str, row: &sqlx::any::AnyRow) -> Result<StoredCall, StoreError> {
    let corrupt = |field: &'static str, reason: String| StoreError::Corrupt {
        table: "external_calls",
        key: record.to_owned(),
        field,
        reason,
    };
    let read = |e: sqlx::Error| corrupt("row", e.to_string());
    let status: Option<i64> = row.try_get("status").map_err(read)?;
    let failure: Option<String> = row.try_get("failure").map_err(read)?;
    let outcome = match (status, failure) {
        (Some(code), _) => CallOutcome::Status(
            u16::try_from(code).map_err(|_| corrupt("status", code.to_string()))?,
        ),
        (None, Some(word)) => CallOutcome::Failed(
            FailureKind::parse(&word).ok_or_else(|| corrupt("failure", word.clone()))?,
        ),
        (None, None) => return Err(corrupt("status", "neither status nor failure".into())),
    };
    Ok(StoredCall {
        record: record.to_owned(),
        at: row.try_get("at").map_err(read)?,
        method: row.try_get("method").map_err(read)?,
        path: row.try_get("path").map_err(read)?,
        outcome,
        duration_ms: row.try_get("duration_ms").map_err(read)?,
        trace_id: row.try_get("trace_id").map_err(read)?,
    })
}

/// Serves `ExternalCalls` over a gateway's [`CallLog`].
#[derive(Debug, Clone)]
pub struct ExternalCallsService {
    log: CallLog,
}

impl ExternalCallsService {
    pub fn new(log: CallLog) -> Self {
        Self { log }
    }

    /// The tonic server, ready for `Routes`.
    pub fn into_server(self) -> ExternalCallsServer<Self> {
        ExternalCallsServer::new(self)
    }
}

#[tonic::async_trait]
impl ExternalCalls for ExternalCallsService {
    async fn calls_of_records(
        &self,
        request: Request<pb::CallsOfRecordsRequest>,
    ) -> Result<Response<pb::CallsOfRecordsResponse>, Status> {
        let records = request.into_inner().records;
        if records.len() > RECORDS_ASKED_MAX {
            return Err(Status::invalid_argument(format!(
                "at most {RECORDS_ASKED_MAX} records a request, {} asked",
                records.len()
            )));
        }
        let found = self
            .log
            .of(&records)
            .await
            .map_err(|error| Status::internal(error.to_string()))?;
        let system = self.log.system();
        Ok(Response::new(pb::CallsOfRecordsResponse {
            calls: found
                .into_iter()
                .map(|call| {
                    let (status, failure) = match call.outcome {
                        CallOutcome::Status(code) => (u32::from(code), String::new()),
                        CallOutcome::Failed(kind) => (0, kind.as_str().to_owned()),
                    };
                    pb::ExternalCall {
                        record: call.record,
                        at: Some(timestamp(call.at)),
                        system: system.to_owned(),
                        method: call.method,
                        path: call.path,
                        status,
                        failure,
                        duration_ms: u64::try_from(call.duration_ms).unwrap_or(0),
                        trace_id: call.trace_id.unwrap_or_default(),
                    }
                })
                .collect(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use platform_http::calls::Call;
    use platform_store::{Migrations, StoreOptions};

    use super::*;

    /// The table as the gateways migrate it (the same file in each gateway).
    const TABLE: &str =
        include_str!("../../centra-gateway/migrations/sqlite/0003_external_calls.sql");

    async fn log() -> CallLog {
        let store = Store::open(
            StoreOptions::new("call-log-test", "sqlite::memory:").max_connections(1),
            &Migrations::none(),
        )
        .await
        .expect("store");
        sqlx::raw_sql(TABLE)
            .execute(store.pool())
            .await
            .expect("the table");
        CallLog::new(store, "ongoing")
    }

    fn call(at: i64, path: &str, outcome: CallOutcome) -> Call {
        Call {
            at,
            method: "PUT".into(),
            path: path.into(),
            outcome,
            duration: Duration::from_millis(34),
            trace_id: Some("4bf92f3577b34da6a3ce929d0e0e4736".into()),
        }
    }

    fn made(records: &[&str], calls: Vec<Call>) -> Made {
        Made {
            records: records.iter().map(|r| (*r).to_owned()).collect(),
            calls,
        }
    }

    #[tokio::test]
    async fn calls_are_kept_under_each_record_with_status_or_failure() {
        let log = log().await;
        let now = unix_millis();
        log.keep(&made(
            &["order S1", "article A"],
            vec![
                call(now, "/api/orders/", CallOutcome::Status(200)),
                call(
                    now + 1,
                    "/api/orders/",
                    CallOutcome::Failed(FailureKind::Timeout),
                ),
            ],
        ))
        .await
        .expect("kept");
        let found = log.of(&["order S1".to_owned()]).await.expect("read");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].outcome, CallOutcome::Status(200));
        assert_eq!(found[0].duration_ms, 34);
        assert_eq!(found[1].outcome, CallOutcome::Failed(FailureKind::Timeout));
        assert_eq!(
            found[1].trace_id.as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        assert_eq!(
            log.of(&["article A".to_owned()]).await.expect("read").len(),
            2
        );
        assert!(
            log.of(&["order S2".to_owned()])
                .await
                .expect("read")
                .is_empty()
        );
    }

    #[tokio::test]
    async fn a_record_keeps_its_last_calls_and_old_calls_age_out() {
        let log = log().await;
        let now = unix_millis();
        for n in 0..CALLS_KEPT + 7 {
            log.keep(&made(
                &["shipment shop/1-1"],
                vec![call(
                    now + n,
                    &format!("/shipments/{n}"),
                    CallOutcome::Status(200),
                )],
            ))
            .await
            .expect("kept");
        }
        let found = log
            .of(&["shipment shop/1-1".to_owned()])
            .await
            .expect("read");
        assert_eq!(found.len(), usize::try_from(CALLS_KEPT).expect("small"));
        assert_eq!(found[0].path, "/shipments/7", "the oldest went first");

        let old = now - 2 * 24 * 60 * 60 * 1000;
        let log = log.kept_for(Duration::from_secs(24 * 60 * 60));
        log.keep(&made(
            &["order OLD"],
            vec![call(old, "/old", CallOutcome::Status(200))],
        ))
        .await
        .expect("kept");
        assert!(
            log.of(&["order OLD".to_owned()])
                .await
                .expect("read")
                .is_empty(),
            "past its age, deleted on the write"
        );
        assert_eq!(
            log.of(&["shipment shop/1-1".to_owned()])
                .await
                .expect("read")
                .len(),
            usize::try_from(CALLS_KEPT).expect("small"),
            "recent calls stay"
        );
    }

    /// The age-out runs with the first write, then not again within [`AGE_OUT_EVERY`]: an old
    /// call written right after stays until a later age-out.
    #[tokio::test]
    async fn calls_age_out_at_most_once_a_minute() {
        let log = log().await.kept_for(Duration::from_secs(24 * 60 * 60));
        let old = unix_millis() - 2 * 24 * 60 * 60 * 1000;
        let keep = |record: &'static str| {
            let log = log.clone();
            async move {
                log.keep(&made(
                    &[record],
                    vec![call(old, "/old", CallOutcome::Status(200))],
                ))
                .await
                .expect("kept");
                log.of(&[record.to_owned()]).await.expect("read").len()
            }
        };
        assert_eq!(keep("order OLD1").await, 0, "the first write ages out");
        assert_eq!(keep("order OLD2").await, 1, "not again within the minute");
        assert_eq!(keep("order OLD1").await, 1);
        log.aged_out_at
            .store(unix_millis() - millis(AGE_OUT_EVERY), Ordering::Relaxed);
        assert_eq!(
            keep("order OLD3").await,
            0,
            "a minute later, every old call goes"
        );
        assert!(
            log.of(&["order OLD1".to_owned(), "order OLD2".to_owned()])
                .await
                .expect("read")
                .is_empty()
        );
    }

    #[tokio::test]
    async fn around_keeps_what_the_work_noted_and_answers_its_output() {
        let log = log().await;
        let answer = log
            .around(vec!["order S9".into()], async {
                calls::CallNote::start("GET", "http://wms/api/orders/9?secret=1")
                    .finish_as(CallOutcome::Status(404));
                "done"
            })
            .await;
        assert_eq!(answer, "done");
        let found = log.of(&["order S9".to_owned()]).await.expect("read");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, "/api/orders/9");
        assert_eq!(found[0].outcome, CallOutcome::Status(404));
    }
}
