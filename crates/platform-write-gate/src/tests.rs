//! The gate against a SQLite file of its own per test.

use std::future::Future;
use std::pin::Pin;

use std::sync::atomic::Ordering;
use std::time::Duration;

use sqlx::SqlitePool;

use crate::{GateError, Turn, WriteGate};

type Gate = WriteGate<sqlx::Sqlite>;

#[tokio::test]
async fn stores_of_one_file_share_a_gate_and_other_files_do_not() {
    let one = Gate::for_file("sqlite:/tmp/gate-one.db", Duration::from_millis(20), true);
    let same = Gate::for_file("sqlite:/tmp/gate-one.db", Duration::from_millis(20), true);
    let other = Gate::for_file("sqlite:/tmp/gate-other.db", Duration::from_millis(20), true);

    let held = one.enter().await.expect("free");
    assert!(other.enter().await.is_ok(), "another file does not wait");
    let waited = same.enter().await.expect_err("the same file waits");
    assert!(matches!(waited, GateError::Timeout { .. }), "{waited}");
    assert!(waited.to_string().contains("gate-one.db"), "{waited}");
    drop(held);
    assert!(same.enter().await.is_ok(), "free again once released");
}

/// A file of its own with table `t (n)`, its pool and its gate (groups never age out, so
/// only the queue decides when a group commits).
async fn file() -> (tempfile::TempDir, SqlitePool, Gate) {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}?mode=rwc", dir.path().join("gate.db").display());
    let pool = SqlitePool::connect(&url).await.expect("pool");
    sqlx::raw_sql("PRAGMA journal_mode = WAL; CREATE TABLE t (n INTEGER PRIMARY KEY)")
        .execute(&pool)
        .await
        .expect("table");
    let mut gate = Gate::for_file(&url, Duration::from_secs(5), true);
    gate.group_age = Duration::from_secs(3600);
    (dir, pool, gate)
}

async fn insert(turn: &mut Turn<sqlx::Sqlite>, n: i64) {
    sqlx::query("INSERT INTO t (n) VALUES (?)")
        .bind(n)
        .execute(turn.conn())
        .await
        .expect("insert");
}

async fn rows(pool: &SqlitePool) -> Vec<i64> {
    sqlx::query_scalar("SELECT n FROM t ORDER BY n")
        .fetch_all(pool)
        .await
        .expect("rows")
}

async fn until_queued(gate: &Gate, n: usize) {
    while gate.shared.queued.load(Ordering::SeqCst) != n {
        tokio::task::yield_now().await;
    }
}

/// Turn `a` is held; a task waits for the gate, then runs `then` in its own turn and
/// answers its group and commit. Returns once that task waits.
async fn queue_next<F>(
    gate: &Gate,
    pool: &SqlitePool,
    then: F,
) -> tokio::task::JoinHandle<(u64, Result<(), GateError>)>
where
    F: for<'t> FnOnce(&'t mut Turn<sqlx::Sqlite>) -> Pin<Box<dyn Future<Output = ()> + Send + 't>>
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
        assert!(matches!(error, GateError::Group { .. }), "{error}");
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

/// Polls `work` at most `polls` times, yielding to the runtime between polls, and drops it
/// if it is still not done: a writer that gives up at a point a count sets, not the clock.
/// (With timeouts of under a millisecond, a loaded machine's timer once let every writer
/// finish, and the test had nothing to check.)
async fn give_up_after<F: Future>(polls: u32, work: F) -> Option<F::Output> {
    let mut work = std::pin::pin!(work);
    for _ in 0..polls {
        if let std::task::Poll::Ready(out) = futures::poll!(work.as_mut()) {
            return Some(out);
        }
        tokio::task::yield_now().await;
    }
    None
}

/// Writers that give up while their turn begins (a timeout around a write, a task dropped at
/// shutdown) leave no connection of the pool inside a transaction and nobody counted as
/// waiting: before, a connection whose `BEGIN IMMEDIATE` ran after its caller gave up went
/// back to the pool inside a transaction, and the next writer on it failed with "cannot start
/// a transaction within a transaction".
#[tokio::test]
async fn writers_giving_up_while_their_turn_begins_leave_nothing_behind() {
    let (_dir, pool, gate) = file().await;
    let mut gave_up = 0;
    for i in 0..400u32 {
        // Between 1 and 40 polls: the first gives up before the pool's connection answers,
        // later ones while `BEGIN IMMEDIATE` runs on the connection's thread or after it.
        match give_up_after(1 + i % 40, gate.begin(&pool)).await {
            Some(turn) => {
                let mut turn = turn.expect("a turn");
                insert(&mut turn, i64::from(i)).await;
                turn.commit().await.expect("committed");
            }
            None => gave_up += 1,
        }
    }
    assert!(gave_up > 0, "some writers gave up");
    assert_eq!(
        gate.shared.queued.load(Ordering::SeqCst),
        0,
        "nobody left waiting"
    );
    // Every connection of the pool can begin a transaction of its own.
    let mut connections = Vec::new();
    while let Ok(Ok(conn)) = tokio::time::timeout(Duration::from_millis(200), pool.acquire()).await
    {
        connections.push(conn);
    }
    assert!(!connections.is_empty());
    for conn in &mut connections {
        sqlx::raw_sql("BEGIN; ROLLBACK")
            .execute(&mut **conn)
            .await
            .expect("no connection of the pool is inside a transaction");
    }
    drop(connections);
    let mut turn = gate.begin(&pool).await.expect("a writer after them");
    insert(&mut turn, 10_000).await;
    turn.commit().await.expect("committed");
}
