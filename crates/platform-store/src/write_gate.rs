//! SQLite writers of one file take turns in this process, and the transactions of turns that
//! follow each other closely are committed together (group commit).
//!
//! Why turns: SQLite lets one writer in at a time, and a connection that finds the write lock
//! taken waits in its busy handler, which sleeps 1, 2, 5, 10, 15, 20, 25… ms between tries
//! however soon the lock is free again. Waiting here instead is FIFO and wakes the next writer
//! the moment the turn before it ends.
//!
//! Why groups: once the turns queued, the embedded backlog drain
//! (`tests/benches/backlog_drain.rs`) was bound by order-sync's file, and half of each turn
//! was its own `COMMIT` (a synced write of the WAL). A turn that ends while another writer
//! waits now leaves its work in an open transaction for the next turn to carry on, and the
//! last turn of the run commits them all with one sync. Every writer still hears "committed"
//! only once its work is durable, so what a caller sees is unchanged: a group is a scheduling
//! of commits, never a weaker promise.
//!
//! ```text
//! WriteGate::begin   wait for the gate (FIFO, bounded by the busy timeout)
//!                    BEGIN IMMEDIATE when no group is open, then SAVEPOINT turn
//! Turn::commit       RELEASE turn; the group commits now when nobody waits for the gate,
//!                    when it has GROUP_MEMBERS turns or is GROUP_AGE old; else the gate
//!                    passes to the next writer. Either way: wait for the group's outcome.
//! Turn::rollback     ROLLBACK TO turn (only this turn's work goes); the same end of turn
//! drop of a Turn     the rollback above in a spawned task that holds the gate meanwhile
//! WriteGate::flush   commits an open group first: a write outside a transaction runs on
//!                    another connection, which must not meet the group's write lock
//! ```
//!
//! Rules every path keeps:
//! - a turn's work is committed with its group or not at all: a group whose `COMMIT`, or any
//!   turn's `RELEASE` or `ROLLBACK TO`, fails is rolled back whole, and every turn in it hears
//!   [`StoreError::GroupCommit`] (retryable: nothing of it was kept, as for a failed commit);
//! - a turn never waits for a group forever: a turn that hears nothing after [`NUDGE`]
//!   commits the group itself if nobody holds the gate (the writer that should have ended it
//!   gave up waiting for the gate after its permit was handed over);
//! - stores opened on the same file in this process share one gate (keyed as the record
//!   locks are); a wait past the bound is [`StoreError::LockTimeout`] (retryable), as SQLite's
//!   own "database is locked" was; writes outside a transaction and other processes on the
//!   same file still meet SQLite's busy handler, which stays as the backstop;
//! - an in-memory database (one connection) commits every turn at once: a group would keep
//!   its only connection from the readers. PostgreSQL has no gate: its writers do not
//!   exclude each other, and each transaction commits on its own.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard, oneshot};

use crate::StoreError;

/// Most turns one group holds before it commits, whoever waits.
const GROUP_MEMBERS: usize = 32;

/// Longest a group stays open, whoever waits: bounds the commit latency a turn adds to the
/// turns before it (a turn's statements take well under a millisecond).
const GROUP_AGE: Duration = Duration::from_millis(5);

/// How long a turn waits for its group's outcome before it looks whether the group was left
/// with nobody to commit it.
pub(crate) const NUDGE: Duration = Duration::from_millis(100);

/// The savepoint each turn's work is kept under inside the group's transaction. One name
/// serves every turn: a turn releases or rolls back its savepoint before the next begins.
const SAVEPOINT: &str = "SAVEPOINT turn";
const RELEASE: &str = "RELEASE turn";
const ROLLBACK_TO: &str = "ROLLBACK TO turn; RELEASE turn";

/// What a waiting turn hears: `Ok` once the group is committed.
type Outcome = Result<(), Arc<sqlx::Error>>;

/// The writer gate of one SQLite file.
#[derive(Debug, Clone)]
pub(crate) struct WriteGate {
    shared: Arc<Shared>,
    /// The file (the lock scope), for the errors' messages.
    scope: Arc<str>,
    wait: Duration,
    /// False for an in-memory database: every turn commits at once.
    grouped: bool,
    group_age: Duration,
}

/// What every store of this process on one file shares.
#[derive(Debug, Default)]
struct Shared {
    turns: Arc<AsyncMutex<Turns>>,
    /// Writers waiting for the gate: a turn that ends while one waits leaves the group open.
    queued: AtomicUsize,
    next_group: AtomicU64,
}

/// Behind the gate: the group of turns not committed yet, if any.
#[derive(Debug, Default)]
pub(crate) struct Turns {
    open: Option<Group>,
}

/// One transaction holding the work of several turns, begun and ended by hand on a pooled
/// connection (sqlx's own transaction type counts its depth, and a `ROLLBACK` that finds the
/// transaction already gone would leave its count wrong on a connection back in the pool).
#[derive(Debug)]
struct Group {
    id: u64,
    conn: PoolConnection<Any>,
    /// The turns whose work is in the transaction (their savepoints released), waiting for
    /// its commit.
    waiting: Vec<oneshot::Sender<Outcome>>,
    opened: Instant,
    /// Set once the transaction was committed or rolled back.
    ended: bool,
}

impl Drop for Group {
    /// A group dropped before its transaction ended (or whose end failed) closes its
    /// connection instead of returning it to the pool: closing rolls the transaction back, and
    /// no later borrower finds one open.
    fn drop(&mut self) {
        if !self.ended {
            self.conn.close_on_drop();
        }
    }
}

/// A held gate with no transaction: for a single write outside one ([`WriteGate::flush`]).
pub(crate) type GateGuard = OwnedMutexGuard<Turns>;

/// One writer's turn: its statements run in the open group's transaction, under its own
/// savepoint. Ending it (commit, rollback or drop) passes the gate on.
#[derive(Debug)]
pub(crate) struct Turn {
    /// `Some` until the turn ends; while it lives, `open` is `Some`.
    guard: Option<GateGuard>,
    gate: WriteGate,
}

impl WriteGate {
    /// The gate of the file `scope` names, shared by every store of this process on it.
    /// `grouped` is false for an in-memory database.
    pub(crate) fn for_file(scope: &str, wait: Duration, grouped: bool) -> Self {
        static GATES: OnceLock<Mutex<HashMap<String, Arc<Shared>>>> = OnceLock::new();
        let shared = GATES
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(scope.to_owned())
            .or_default()
            .clone();
        Self {
            shared,
            scope: scope.into(),
            wait,
            grouped,
            group_age: GROUP_AGE,
        }
    }

    /// Waits for the gate.
    ///
    /// # Errors
    /// [`StoreError::LockTimeout`] when the writers before kept it past the wait bound
    /// (retryable: nothing was written).
    async fn enter(&self) -> Result<GateGuard, StoreError> {
        let started = Instant::now();
        self.shared.queued.fetch_add(1, Ordering::SeqCst);
        let entered = tokio::time::timeout(self.wait, self.shared.turns.clone().lock_owned()).await;
        self.shared.queued.fetch_sub(1, Ordering::SeqCst);
        entered.map_err(|_| StoreError::LockTimeout {
            key: format!("write lock of {}", self.scope),
            waited: started.elapsed(),
        })
    }

    /// Waits for the gate and commits the open group, if any, for a write outside a
    /// transaction (its commit ends with the group's: a failed group is the group's turns'
    /// error, not this writer's).
    ///
    /// # Errors
    /// [`StoreError::LockTimeout`] as [`WriteGate::enter`].
    pub(crate) async fn flush(&self) -> Result<GateGuard, StoreError> {
        let mut guard = self.enter().await?;
        commit_group(&mut guard).await;
        Ok(guard)
    }

    /// Waits for the gate and starts a turn: in the open group, or in a new one.
    ///
    /// # Errors
    /// [`StoreError::LockTimeout`] as [`WriteGate::enter`]; [`StoreError::Query`] when the
    /// transaction or the savepoint cannot be begun (the open group is then rolled back and
    /// its turns hear [`StoreError::GroupCommit`]).
    pub(crate) async fn begin(&self, pool: &AnyPool) -> Result<Turn, StoreError> {
        let mut guard = self.enter().await?;
        if guard.open.is_none() {
            let mut conn = pool
                .acquire()
                .await
                .map_err(StoreError::query("taking a connection for a transaction"))?;
            sqlx::raw_sql("BEGIN IMMEDIATE")
                .execute(&mut *conn)
                .await
                .map_err(StoreError::query("beginning a transaction"))?;
            guard.open = Some(Group {
                id: self.shared.next_group.fetch_add(1, Ordering::Relaxed),
                conn,
                waiting: Vec::new(),
                opened: Instant::now(),
                ended: false,
            });
        }
        let mut turn = Turn {
            guard: Some(guard),
            gate: self.clone(),
        };
        if let Err(source) = turn.run(SAVEPOINT).await {
            let source = Arc::new(source);
            if let Some(mut guard) = turn.guard.take() {
                fail_group(&mut guard, &source).await;
            }
            return Err(self.group_error("beginning its savepoint", Some(source)));
        }
        Ok(turn)
    }

    fn group_error(&self, reason: &str, source: Option<Arc<sqlx::Error>>) -> StoreError {
        StoreError::GroupCommit {
            scope: self.scope.to_string(),
            reason: reason.to_owned(),
            source,
        }
    }

    /// Ends a turn whose savepoint was released or rolled back: commits the group when it is
    /// due, then passes the gate on (by dropping `guard`).
    async fn end_turn(&self, mut guard: GateGuard) {
        let due = guard.open.as_ref().is_some_and(|group| {
            !self.grouped
                || self.shared.queued.load(Ordering::SeqCst) == 0
                || group.waiting.len() >= GROUP_MEMBERS
                || group.opened.elapsed() >= self.group_age
        });
        if due {
            commit_group(&mut guard).await;
        }
    }

    /// Waits for the outcome of group `id`; past [`NUDGE`] at a time, commits the group if it
    /// is still open and nobody holds the gate.
    ///
    /// # Errors
    /// [`StoreError::GroupCommit`] when the group's commit failed or the group was dropped
    /// unfinished (its transaction rolled back).
    async fn outcome(
        &self,
        id: u64,
        mut heard: oneshot::Receiver<Outcome>,
    ) -> Result<(), StoreError> {
        loop {
            match tokio::time::timeout(NUDGE, &mut heard).await {
                Ok(Ok(outcome)) => {
                    return outcome
                        .map_err(|source| self.group_error("committing its group", Some(source)));
                }
                Ok(Err(_)) => {
                    return Err(self.group_error("its group was dropped before its commit", None));
                }
                Err(_) => {
                    if let Ok(mut guard) = self.shared.turns.clone().try_lock_owned()
                        && guard.open.as_ref().is_some_and(|group| group.id == id)
                    {
                        commit_group(&mut guard).await;
                    }
                }
            }
        }
    }
}

impl Turn {
    #[cfg(test)]
    fn group_id(&mut self) -> u64 {
        self.group().id
    }

    fn group(&mut self) -> &mut Group {
        self.guard
            .as_mut()
            .and_then(|guard| guard.open.as_mut())
            .expect("a live turn has an open group")
    }

    /// The connection to run the turn's statements on (the group's transaction).
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.group().conn
    }

    /// The same connection, for reading through `Deref`.
    pub(crate) fn conn_ref(&self) -> &AnyConnection {
        self.guard
            .as_ref()
            .and_then(|guard| guard.open.as_ref())
            .map(|group| &*group.conn)
            .expect("a live turn has an open group")
    }

    async fn run(&mut self, sql: &'static str) -> Result<(), sqlx::Error> {
        sqlx::raw_sql(sql).execute(self.conn()).await.map(drop)
    }

    /// Keeps the turn's work in its group and answers once the group is committed.
    ///
    /// # Errors
    /// [`StoreError::GroupCommit`] when the turn's savepoint could not be released or the
    /// group could not be committed: nothing of the turn was kept (retryable).
    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        let released = self.run(RELEASE).await;
        let mut guard = self.guard.take().expect("a live turn holds the gate");
        if let Err(source) = released {
            let source = Arc::new(source);
            fail_group(&mut guard, &source).await;
            return Err(self
                .gate
                .group_error("releasing its savepoint", Some(source)));
        }
        let (tell, heard) = oneshot::channel();
        let group = guard.open.as_mut().expect("a live turn has an open group");
        group.waiting.push(tell);
        let id = group.id;
        self.gate.end_turn(guard).await;
        self.gate.outcome(id, heard).await
    }

    /// Undoes the turn's work (the group's other turns keep theirs).
    ///
    /// # Errors
    /// [`StoreError::GroupCommit`] when the savepoint could not be rolled back: the whole
    /// group was rolled back instead.
    pub(crate) async fn rollback(mut self) -> Result<(), StoreError> {
        let guard = self.guard.take().expect("a live turn holds the gate");
        roll_back_turn(&self.gate, guard).await.map_err(|source| {
            self.gate
                .group_error("rolling back its savepoint", Some(source))
        })
    }
}

impl Drop for Turn {
    /// A turn dropped without commit or rollback (an early `?` in a handler) is rolled back
    /// in a task that holds the gate meanwhile; without a runtime to run it, the whole group
    /// is dropped (rolled back), and its turns hear so.
    fn drop(&mut self) {
        let Some(mut guard) = self.guard.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let gate = self.gate.clone();
                runtime.spawn(async move {
                    if let Err(error) = roll_back_turn(&gate, guard).await {
                        tracing::warn!(%error, scope = %gate.scope, "a dropped transaction failed its group");
                    }
                });
            }
            Err(_) => guard.open = None,
        }
    }
}

/// `ROLLBACK TO` the turn's savepoint and end the turn; a failure rolls the group back.
async fn roll_back_turn(gate: &WriteGate, mut guard: GateGuard) -> Result<(), Arc<sqlx::Error>> {
    let Some(group) = guard.open.as_mut() else {
        return Ok(());
    };
    let undone = sqlx::raw_sql(ROLLBACK_TO).execute(&mut *group.conn).await;
    match undone {
        Ok(_) => {
            gate.end_turn(guard).await;
            Ok(())
        }
        Err(source) => {
            let source = Arc::new(source);
            fail_group(&mut guard, &source).await;
            Err(source)
        }
    }
}

/// Commits the open group, if any, and tells its turns the outcome. A group with no turn
/// waiting (its only turns rolled back) is rolled back: nothing to sync.
async fn commit_group(guard: &mut GateGuard) {
    let Some(mut group) = guard.open.take() else {
        return;
    };
    let end = if group.waiting.is_empty() {
        "ROLLBACK"
    } else {
        "COMMIT"
    };
    let outcome = sqlx::raw_sql(end)
        .execute(&mut *group.conn)
        .await
        .map(drop)
        .map_err(Arc::new);
    // A failed COMMIT may leave the transaction open: the connection is closed on drop.
    group.ended = outcome.is_ok();
    for tell in std::mem::take(&mut group.waiting) {
        let _ = tell.send(outcome.clone());
    }
}

/// Rolls the open group back and tells its turns why.
async fn fail_group(guard: &mut GateGuard, source: &Arc<sqlx::Error>) {
    let Some(mut group) = guard.open.take() else {
        return;
    };
    // The transaction may be gone already (SQLite rolls back on some errors by itself): the
    // ROLLBACK's answer says nothing sure, so the connection is closed on drop either way.
    let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *group.conn).await;
    for tell in std::mem::take(&mut group.waiting) {
        let _ = tell.send(Err(source.clone()));
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::Pin;

    use super::*;

    #[tokio::test]
    async fn stores_of_one_file_share_a_gate_and_other_files_do_not() {
        let one = WriteGate::for_file("sqlite:/tmp/gate-one.db", Duration::from_millis(20), true);
        let same = WriteGate::for_file("sqlite:/tmp/gate-one.db", Duration::from_millis(20), true);
        let other =
            WriteGate::for_file("sqlite:/tmp/gate-other.db", Duration::from_millis(20), true);

        let held = one.enter().await.expect("free");
        assert!(other.enter().await.is_ok(), "another file does not wait");
        let waited = same.enter().await.expect_err("the same file waits");
        assert!(matches!(waited, StoreError::LockTimeout { .. }), "{waited}");
        assert!(waited.to_string().contains("gate-one.db"), "{waited}");
        drop(held);
        assert!(same.enter().await.is_ok(), "free again once released");
    }

    /// A file of its own with table `t (n)`, its pool and its gate (groups never age out, so
    /// only the queue decides when a group commits).
    async fn file() -> (tempfile::TempDir, AnyPool, WriteGate) {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite:{}?mode=rwc", dir.path().join("gate.db").display());
        let pool = AnyPool::connect(&url).await.expect("pool");
        sqlx::raw_sql("PRAGMA journal_mode = WAL; CREATE TABLE t (n INTEGER PRIMARY KEY)")
            .execute(&pool)
            .await
            .expect("table");
        let mut gate = WriteGate::for_file(&url, Duration::from_secs(5), true);
        gate.group_age = Duration::from_secs(3600);
        (dir, pool, gate)
    }

    async fn insert(turn: &mut Turn, n: i64) {
        sqlx::query("INSERT INTO t (n) VALUES ($1)")
            .bind(n)
            .execute(turn.conn())
            .await
            .expect("insert");
    }

    async fn rows(pool: &AnyPool) -> Vec<i64> {
        sqlx::query_scalar("SELECT n FROM t ORDER BY n")
            .fetch_all(pool)
            .await
            .expect("rows")
    }

    async fn until_queued(gate: &WriteGate, n: usize) {
        while gate.shared.queued.load(Ordering::SeqCst) != n {
            tokio::task::yield_now().await;
        }
    }

    /// Turn `a` is held; a task waits for the gate, then runs `then` in its own turn and
    /// answers its group and commit. Returns once that task waits.
    async fn queue_next<F>(
        gate: &WriteGate,
        pool: &AnyPool,
        then: F,
    ) -> tokio::task::JoinHandle<(u64, Result<(), StoreError>)>
    where
        F: for<'t> FnOnce(&'t mut Turn) -> Pin<Box<dyn Future<Output = ()> + Send + 't>>
            + Send
            + 'static,
    {
        let (g, p) = (gate.clone(), pool.clone());
        let before = gate.shared.queued.load(Ordering::SeqCst);
        let next = tokio::spawn(async move {
            let mut turn = g.begin(&p).await.expect("next turn");
            then(&mut turn).await;
            (turn.group_id(), turn.commit().await)
        });
        until_queued(gate, before + 1).await;
        next
    }

    #[tokio::test]
    async fn a_turn_ending_while_another_waits_shares_its_commit() {
        let (_dir, pool, gate) = file().await;
        let mut a = gate.begin(&pool).await.expect("a");
        let b = queue_next(&gate, &pool, |t| Box::pin(insert(t, 2))).await;
        insert(&mut a, 1).await;
        let a_group = a.group_id();
        let a = tokio::spawn(a.commit());

        let (b_group, b_committed) = b.await.expect("b ran");
        b_committed.expect("b committed");
        a.await.expect("a ran").expect("a committed");
        assert_eq!(a_group, b_group, "one group");
        assert_eq!(rows(&pool).await, vec![1, 2]);

        let mut c = gate.begin(&pool).await.expect("c");
        assert_ne!(c.group_id(), a_group, "a new group once that one committed");
        insert(&mut c, 3).await;
        c.commit().await.expect("alone, committed at once");
        assert_eq!(rows(&pool).await, vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn a_turn_rolled_back_or_dropped_in_a_group_leaves_the_others_work() {
        let (_dir, pool, gate) = file().await;
        let mut d = gate.begin(&pool).await.expect("d");
        let e = queue_next(&gate, &pool, |t| Box::pin(insert(t, 5))).await;
        insert(&mut d, 4).await;
        let d_group = d.group_id();
        d.rollback().await.expect("d rolled back alone");
        let (e_group, e_committed) = e.await.expect("e ran");
        e_committed.expect("e committed");
        assert_eq!(d_group, e_group, "d's turn was in e's group");

        let mut f = gate.begin(&pool).await.expect("f");
        let g = queue_next(&gate, &pool, |t| Box::pin(insert(t, 7))).await;
        insert(&mut f, 6).await;
        drop(f);
        let (_, g_committed) = g.await.expect("g ran");
        g_committed.expect("g committed");
        assert_eq!(rows(&pool).await, vec![5, 7]);
    }

    #[tokio::test]
    async fn a_failed_group_fails_every_turn_in_it_and_keeps_none() {
        let (_dir, pool, gate) = file().await;
        let mut a = gate.begin(&pool).await.expect("a");
        // b ends the group's transaction under it (as SQLite does itself on some errors).
        let b = queue_next(&gate, &pool, |t| {
            Box::pin(async move {
                insert(t, 2).await;
                sqlx::raw_sql("ROLLBACK")
                    .execute(t.conn())
                    .await
                    .expect("rolled back");
            })
        })
        .await;
        insert(&mut a, 1).await;
        let a = tokio::spawn(a.commit());

        let (_, b_committed) = b.await.expect("b ran");
        let b_error = b_committed.expect_err("b's savepoint is gone");
        let a_error = a.await.expect("a ran").expect_err("a's group failed");
        for error in [&b_error, &a_error] {
            assert!(matches!(error, StoreError::GroupCommit { .. }), "{error}");
            assert!(error.to_string().contains("gate.db"), "{error}");
        }
        assert_eq!(rows(&pool).await, Vec::<i64>::new(), "nothing kept");

        // The group's connection was closed, not handed back with a transaction it thinks is
        // open: every turn after begins and commits.
        for n in 3..8 {
            let mut next = gate.begin(&pool).await.expect("the gate works after");
            insert(&mut next, n).await;
            next.commit().await.expect("committed");
        }
        assert_eq!(rows(&pool).await, vec![3, 4, 5, 6, 7]);
    }

    #[tokio::test]
    async fn a_group_left_with_nobody_to_commit_it_is_committed_by_its_turn() {
        let (_dir, pool, gate) = file().await;
        let mut a = gate.begin(&pool).await.expect("a");
        insert(&mut a, 1).await;
        // A writer that counted itself queued and gave up before its turn: a sees someone
        // waiting, leaves the group open, and nobody comes.
        gate.shared.queued.fetch_add(1, Ordering::SeqCst);
        let committed = a.commit().await;
        gate.shared.queued.fetch_sub(1, Ordering::SeqCst);
        committed.expect("committed by its own nudge");
        assert_eq!(rows(&pool).await, vec![1]);
    }

    #[tokio::test]
    async fn a_write_outside_a_transaction_commits_the_open_group_first() {
        let (_dir, pool, gate) = file().await;
        let mut a = gate.begin(&pool).await.expect("a");
        insert(&mut a, 1).await;
        gate.shared.queued.fetch_add(1, Ordering::SeqCst);
        let a = tokio::spawn(a.commit());
        // a is left waiting with its group open (someone "queued"); a single write flushes.
        while gate.shared.turns.try_lock().is_err() {
            tokio::task::yield_now().await;
        }
        gate.shared.queued.fetch_sub(1, Ordering::SeqCst);
        let turn = gate.flush().await.expect("turn");
        assert!(turn.open.is_none(), "the flush committed the group");
        sqlx::query("INSERT INTO t (n) VALUES (2)")
            .execute(&pool)
            .await
            .expect("the single write meets no open group");
        a.await.expect("ran").expect("committed by the flush");
        assert_eq!(rows(&pool).await, vec![1, 2]);
    }
}
