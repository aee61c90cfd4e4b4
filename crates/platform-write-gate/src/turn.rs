//! [`Turn`]: one writer's work, under its own savepoint in the open group's transaction.

use std::sync::Arc;

use tokio::sync::oneshot;

use crate::gate::{GateGuard, Group, WriteGate, commit_group, run_in_group};
use crate::{GateDatabase, GateError};

/// The savepoint each turn's work is kept under inside the group's transaction. One name
/// serves every turn: a turn releases or rolls back its savepoint before the next begins.
pub(crate) const SAVEPOINT: &str = "SAVEPOINT turn";
/// A new group's transaction and its first turn's savepoint, in one call.
pub(crate) const BEGIN_TURN: &str = "BEGIN IMMEDIATE; SAVEPOINT turn";
const RELEASE: &str = "RELEASE turn";
const ROLLBACK_TO: &str = "ROLLBACK TO turn; RELEASE turn";

/// One writer's turn: its statements run in the open group's transaction, under its own
/// savepoint. Ending it (commit, rollback or drop) passes the gate on.
#[derive(Debug)]
pub struct Turn<DB: GateDatabase> {
    /// `Some` until the turn ends; while it lives, `open` is `Some`.
    guard: Option<GateGuard<DB>>,
    gate: WriteGate<DB>,
}

impl<DB: GateDatabase> Turn<DB> {
    pub(crate) fn new(guard: GateGuard<DB>, gate: WriteGate<DB>) -> Self {
        Self {
            guard: Some(guard),
            gate,
        }
    }

    /// The id of the group the turn's work is in (tests tell groups apart by it).
    #[cfg(test)]
    pub(crate) fn group_id(&mut self) -> u64 {
        self.group().id
    }

    fn group(&mut self) -> &mut Group<DB> {
        self.guard
            .as_mut()
            .and_then(|guard| guard.open.as_mut())
            .expect("a live turn has an open group")
    }

    /// The connection to run the turn's statements on (the group's transaction).
    pub fn conn(&mut self) -> &mut DB::Connection {
        &mut self.group().conn
    }

    /// The same connection, for reading through `Deref`.
    pub fn conn_ref(&self) -> &DB::Connection {
        self.guard
            .as_ref()
            .and_then(|guard| guard.open.as_ref())
            .map(|group| &*group.conn)
            .expect("a live turn has an open group")
    }

    /// Keeps the turn's work in its group and answers once the group is committed.
    ///
    /// # Errors
    /// [`GateError::Group`] when the turn's savepoint could not be released or the group
    /// could not be committed: nothing of the turn was kept (retryable).
    pub async fn commit(mut self) -> Result<(), GateError> {
        let mut guard = self.guard.take().expect("a live turn holds the gate");
        // Decided first: a group that ends with this turn needs no `RELEASE`.
        let due = self.gate.group_due(&guard);
        if !due {
            run_in_group(&mut guard, RELEASE).await.map_err(|source| {
                self.gate
                    .group_error("releasing its savepoint", Some(source))
            })?;
        }
        let (tell, heard) = oneshot::channel();
        let group = guard.open.as_mut().expect("a live turn has an open group");
        group.waiting.push(tell);
        let id = group.id;
        if due {
            // The group ends with this turn: its `COMMIT` ends the savepoint too, one round
            // trip to the connection's thread instead of two (`RELEASE`, then `COMMIT`).
            commit_group(&mut guard).await;
            drop(guard);
        } else {
            self.gate.end_turn(guard).await;
        }
        self.gate.outcome(id, heard).await
    }

    /// Undoes the turn's work (the group's other turns keep theirs) and passes the gate on,
    /// without waiting for the group.
    ///
    /// # Errors
    /// [`GateError::Group`] when the savepoint could not be rolled back: the whole group was
    /// rolled back instead.
    pub async fn rollback(mut self) -> Result<(), GateError> {
        let guard = self.guard.take().expect("a live turn holds the gate");
        roll_back_turn(&self.gate, guard).await.map_err(|source| {
            self.gate
                .group_error("rolling back its savepoint", Some(source))
        })
    }
}

impl<DB: GateDatabase> Drop for Turn<DB> {
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
async fn roll_back_turn<DB: GateDatabase>(
    gate: &WriteGate<DB>,
    mut guard: GateGuard<DB>,
) -> Result<(), Arc<sqlx::Error>> {
    run_in_group(&mut guard, ROLLBACK_TO).await?;
    gate.end_turn(guard).await;
    Ok(())
}
