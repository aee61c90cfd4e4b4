//! [`WriteGate`]: the queue of one file's writers and the group of turns not committed yet.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use sqlx::Pool;
use sqlx::pool::PoolConnection;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard, oneshot};

use crate::turn::{BEGIN_TURN, SAVEPOINT, Turn};
use crate::{GateDatabase, GateError};

/// Most turns one group holds before it commits, whoever waits.
const GROUP_MEMBERS: usize = 32;

/// Longest a group stays open, whoever waits: bounds the commit latency a turn adds to the
/// turns before it (a turn's statements take well under a millisecond).
const GROUP_AGE: Duration = Duration::from_millis(5);

/// How long a turn waits for its group's outcome before it looks whether the group was left
/// with nobody to commit it.
pub const NUDGE: Duration = Duration::from_millis(100);

/// What a waiting turn hears: `Ok` once the group is committed.
pub(crate) type Outcome = Result<(), Arc<sqlx::Error>>;

/// The writer gate of one SQLite file.
#[derive(Debug)]
pub struct WriteGate<DB: GateDatabase> {
    pub(crate) shared: Arc<Shared<DB>>,
    /// The file (the lock scope), for the errors' messages.
    pub(crate) scope: Arc<str>,
    wait: Duration,
    /// False for an in-memory database: every turn commits at once.
    grouped: bool,
    pub(crate) group_age: Duration,
}

impl<DB: GateDatabase> Clone for WriteGate<DB> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            scope: Arc::clone(&self.scope),
            wait: self.wait,
            grouped: self.grouped,
            group_age: self.group_age,
        }
    }
}

/// What every writer of this process on one file shares.
#[derive(Debug)]
pub(crate) struct Shared<DB: GateDatabase> {
    pub(crate) turns: Arc<AsyncMutex<Turns<DB>>>,
    /// Writers waiting for the gate: a turn that ends while one waits leaves the group open.
    pub(crate) queued: AtomicUsize,
    next_group: AtomicU64,
}

impl<DB: GateDatabase> Default for Shared<DB> {
    fn default() -> Self {
        Self {
            turns: Arc::new(AsyncMutex::new(Turns { open: None })),
            queued: AtomicUsize::new(0),
            next_group: AtomicU64::new(0),
        }
    }
}

/// Behind the gate: the group of turns not committed yet, if any.
#[derive(Debug)]
pub struct Turns<DB: GateDatabase> {
    pub(crate) open: Option<Group<DB>>,
}

/// A held gate: for a single write outside a transaction ([`WriteGate::flush`]), or inside a
/// live [`Turn`].
pub type GateGuard<DB> = OwnedMutexGuard<Turns<DB>>;

/// One transaction holding the work of several turns, begun and ended by hand on a pooled
/// connection (sqlx's own transaction type counts its depth, and a `ROLLBACK` that finds the
/// transaction already gone would leave its count wrong on a connection back in the pool).
#[derive(Debug)]
pub(crate) struct Group<DB: GateDatabase> {
    pub(crate) id: u64,
    pub(crate) conn: PoolConnection<DB>,
    /// The turns whose work is in the transaction (their savepoints released), waiting for
    /// its commit.
    pub(crate) waiting: Vec<oneshot::Sender<Outcome>>,
    opened: Instant,
    /// Set once the transaction was committed or rolled back.
    ended: bool,
}

impl<DB: GateDatabase> Drop for Group<DB> {
    /// A group dropped before its transaction ended (or whose end failed) closes its
    /// connection instead of returning it to the pool: closing rolls the transaction back, and
    /// no later borrower finds one open.
    fn drop(&mut self) {
        if !self.ended {
            self.conn.close_on_drop();
        }
    }
}

/// One writer counted in [`Shared::queued`] while it waits for the gate, and no longer once
/// it stops waiting, however it stops (a caller that gives up included).
struct Queued<'a>(&'a AtomicUsize);

impl<'a> Queued<'a> {
    fn join(queued: &'a AtomicUsize) -> Self {
        queued.fetch_add(1, Ordering::SeqCst);
        Self(queued)
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl<DB: GateDatabase> WriteGate<DB> {
    /// The gate of the file `scope` names, shared by every writer of this process on it
    /// (whichever `wait` each gives). `grouped` is false for an in-memory database.
    pub fn for_file(scope: &str, wait: Duration, grouped: bool) -> Self {
        type Gates = HashMap<(TypeId, String), Arc<dyn Any + Send + Sync>>;
        static GATES: OnceLock<Mutex<Gates>> = OnceLock::new();
        let shared = GATES
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((TypeId::of::<DB>(), scope.to_owned()))
            .or_insert_with(|| Arc::new(Arc::new(Shared::<DB>::default())))
            .downcast_ref::<Arc<Shared<DB>>>()
            .map(Arc::clone)
            .expect("the gates are keyed by their database type");
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
    /// [`GateError::Timeout`] when the writers before kept it past the wait bound (retryable:
    /// nothing was written).
    pub(crate) async fn enter(&self) -> Result<GateGuard<DB>, GateError> {
        let started = Instant::now();
        let queued = Queued::join(&self.shared.queued);
        let entered = tokio::time::timeout(self.wait, self.shared.turns.clone().lock_owned()).await;
        drop(queued);
        entered.map_err(|_| GateError::Timeout {
            scope: self.scope.to_string(),
            waited: started.elapsed(),
        })
    }

    /// Waits for the gate and commits the open group, if any, for a write outside a
    /// transaction: keep the guard until that write is done. Its commit ends with the group's:
    /// a failed group is the group's turns' error, not this writer's.
    ///
    /// # Errors
    /// [`GateError::Timeout`] as [`WriteGate::enter`].
    pub async fn flush(&self) -> Result<GateGuard<DB>, GateError> {
        let mut guard = self.enter().await?;
        commit_group(&mut guard).await;
        Ok(guard)
    }

    /// Waits for the gate and starts a turn: in the open group, or in a new one.
    ///
    /// # Errors
    /// [`GateError::Timeout`] as [`WriteGate::enter`]; [`GateError::Begin`] when no
    /// connection or transaction could be had for a new group; [`GateError::Group`] when the
    /// savepoint cannot be begun (the open group is then rolled back and its turns hear so).
    pub async fn begin(&self, pool: &Pool<DB>) -> Result<Turn<DB>, GateError> {
        let mut guard = self.enter().await?;
        if guard.open.is_none() {
            let failed = |action| {
                move |source| GateError::Begin {
                    scope: self.scope.to_string(),
                    action,
                    source,
                }
            };
            let conn = pool
                .acquire()
                .await
                .map_err(failed("taking a connection for a transaction"))?;
            // The group owns the connection before its transaction begins: if this future is
            // dropped while `BEGIN` runs (its caller gave up), the statement may still run, and
            // the group's drop then closes the connection rather than let it go back to the
            // pool inside a transaction. A failed `BEGIN` closes it too (rare, and safe).
            let mut group = Group {
                id: self.shared.next_group.fetch_add(1, Ordering::Relaxed),
                conn,
                waiting: Vec::new(),
                opened: Instant::now(),
                ended: false,
            };
            // One call for both: each statement is a round trip to the connection's own
            // thread (sqlx), and those hand-offs, not SQLite's work, are most of a short
            // write's cost. Either one failing leaves no group: the connection is closed.
            DB::run(&mut group.conn, BEGIN_TURN)
                .await
                .map_err(failed("beginning a transaction and its first savepoint"))?;
            guard.open = Some(group);
        } else {
            run_in_group(&mut guard, SAVEPOINT)
                .await
                .map_err(|source| self.group_error("beginning its savepoint", Some(source)))?;
        }
        Ok(Turn::new(guard, self.clone()))
    }

    pub(crate) fn group_error(&self, reason: &str, source: Option<Arc<sqlx::Error>>) -> GateError {
        GateError::Group {
            scope: self.scope.to_string(),
            reason: reason.to_owned(),
            source,
        }
    }

    /// Ends a turn whose savepoint was released or rolled back: commits the group when it is
    /// [due](WriteGate::group_due), then passes the gate on (by dropping `guard`).
    pub(crate) async fn end_turn(&self, mut guard: GateGuard<DB>) {
        if self.group_due(&guard) {
            commit_group(&mut guard).await;
        }
    }

    /// Whether the open group is to be committed as the turn holding the gate ends: nobody
    /// waits for the gate, the group is full or old enough, or groups are off.
    pub(crate) fn group_due(&self, guard: &GateGuard<DB>) -> bool {
        guard.open.as_ref().is_some_and(|group| {
            !self.grouped
                || self.shared.queued.load(Ordering::SeqCst) == 0
                || group.waiting.len() >= GROUP_MEMBERS
                || group.opened.elapsed() >= self.group_age
        })
    }

    /// Waits for the outcome of group `id`; past [`NUDGE`] at a time, commits the group if it
    /// is still open and nobody holds the gate.
    ///
    /// # Errors
    /// [`GateError::Group`] when the group's commit failed or the group was dropped
    /// unfinished (its transaction rolled back).
    pub(crate) async fn outcome(
        &self,
        id: u64,
        mut heard: oneshot::Receiver<Outcome>,
    ) -> Result<(), GateError> {
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

/// Runs one of the gate's statements in the open group's transaction; when it fails the whole
/// group is rolled back, its turns hear why, and so does the caller.
pub(crate) async fn run_in_group<DB: GateDatabase>(
    guard: &mut GateGuard<DB>,
    sql: &'static str,
) -> Result<(), Arc<sqlx::Error>> {
    let Some(group) = guard.open.as_mut() else {
        return Ok(());
    };
    let Err(source) = DB::run(&mut group.conn, sql).await else {
        return Ok(());
    };
    let source = Arc::new(source);
    fail_group(guard, &source).await;
    Err(source)
}

/// Commits the open group, if any, and tells its turns the outcome. A group with no turn
/// waiting (its only turns rolled back) is rolled back: nothing to sync. `COMMIT` also ends
/// a savepoint still open (SQLite commits the whole transaction stack).
pub(crate) async fn commit_group<DB: GateDatabase>(guard: &mut GateGuard<DB>) {
    let Some(mut group) = guard.open.take() else {
        return;
    };
    let end = if group.waiting.is_empty() {
        "ROLLBACK"
    } else {
        "COMMIT"
    };
    let outcome = DB::run(&mut group.conn, end).await.map_err(Arc::new);
    // A failed COMMIT may leave the transaction open: the connection is closed on drop.
    group.ended = outcome.is_ok();
    for tell in std::mem::take(&mut group.waiting) {
        let _ = tell.send(outcome.clone());
    }
}

/// Rolls the open group back and tells its turns why.
async fn fail_group<DB: GateDatabase>(guard: &mut GateGuard<DB>, source: &Arc<sqlx::Error>) {
    let Some(mut group) = guard.open.take() else {
        return;
    };
    // The transaction may be gone already (SQLite rolls back on some errors by itself): the
    // ROLLBACK's answer says nothing sure, so the connection is closed on drop either way.
    let _ = DB::run(&mut group.conn, "ROLLBACK").await;
    for tell in std::mem::take(&mut group.waiting) {
        let _ = tell.send(Err(source.clone()));
    }
}
