//! The one transaction type repositories, the inbox, the outbox and dead letters all accept,
//! so a state change, its inbox entry and the events it causes commit or roll back together.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use sqlx::{Any, AnyConnection};
use tokio::sync::Notify;

use crate::{Backend, Store, StoreError};
use platform_write_gate::Turn;

/// An open transaction on a service's store. Dropping it without `commit` rolls it back.
///
/// Repository code runs its queries on [`Transaction::conn`] (or `&mut **tx`, as with a plain
/// sqlx transaction): `sqlx::query("…").bind(x).execute(tx.conn()).await`.
#[derive(Debug)]
pub struct Transaction {
    inner: Inner,
    backend: Backend,
    outbox_signal: Arc<Notify>,
    enqueued: bool,
}

/// PostgreSQL: a transaction of its own. SQLite: a turn at the file's writer gate, whose work
/// commits with its group (`platform-write-gate`).
#[derive(Debug)]
enum Inner {
    Own(sqlx::Transaction<'static, Any>),
    Turn(Turn<Any>),
}

impl Transaction {
    pub(crate) async fn begin(store: &Store) -> Result<Self, StoreError> {
        let inner = match store.write_gate() {
            Some(gate) => Inner::Turn(gate.begin(store.pool()).await?),
            None => Inner::Own(
                store
                    .pool()
                    .begin()
                    .await
                    .map_err(StoreError::query("beginning a transaction"))?,
            ),
        };
        Ok(Self {
            inner,
            backend: store.backend(),
            outbox_signal: store.outbox_signal().clone(),
            enqueued: false,
        })
    }

    /// The connection to run queries on.
    pub fn conn(&mut self) -> &mut AnyConnection {
        match &mut self.inner {
            Inner::Own(tx) => tx,
            Inner::Turn(turn) => turn.conn(),
        }
    }

    /// For the rare statement that differs between the databases.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Commits (answers once the work is durable), then wakes the outbox relay when this
    /// transaction enqueued messages (after the commit, so the relay never looks before the
    /// rows are visible).
    ///
    /// # Errors
    /// [`StoreError::Query`] when the commit failed; on SQLite [`StoreError::GroupCommit`]
    /// when the group it was committed with failed. Either way nothing of it was kept.
    pub async fn commit(self) -> Result<(), StoreError> {
        match self.inner {
            Inner::Own(tx) => tx
                .commit()
                .await
                .map_err(StoreError::query("committing a transaction"))?,
            Inner::Turn(turn) => turn.commit().await?,
        }
        if self.enqueued {
            self.outbox_signal.notify_one();
        }
        Ok(())
    }

    /// Undoes the transaction's work.
    ///
    /// # Errors
    /// [`StoreError::Query`] when the rollback failed; on SQLite [`StoreError::GroupCommit`]
    /// when only its whole group could be rolled back.
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.inner {
            Inner::Own(tx) => tx
                .rollback()
                .await
                .map_err(StoreError::query("rolling back a transaction")),
            Inner::Turn(turn) => turn.rollback().await.map_err(StoreError::from),
        }
    }

    pub(crate) fn mark_enqueued(&mut self) {
        self.enqueued = true;
    }
}

impl Deref for Transaction {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match &self.inner {
            Inner::Own(tx) => tx,
            Inner::Turn(turn) => turn.conn_ref(),
        }
    }
}

impl DerefMut for Transaction {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.conn()
    }
}
