//! The one transaction type repositories, the inbox, the outbox and dead letters all accept,
//! so a state change, its inbox entry and the events it causes commit or roll back together.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use sqlx::{Any, AnyConnection};
use tokio::sync::Notify;

use crate::write_gate::GateGuard;
use crate::{Backend, Store, StoreError};

/// An open transaction on a service's store. Dropping it without `commit` rolls it back.
///
/// Repository code runs its queries on [`Transaction::conn`] (or `&mut **tx`, as with a plain
/// sqlx transaction): `sqlx::query("…").bind(x).execute(tx.conn()).await`.
#[derive(Debug)]
pub struct Transaction {
    inner: sqlx::Transaction<'static, Any>,
    backend: Backend,
    outbox_signal: Arc<Notify>,
    enqueued: bool,
    /// SQLite: this process's writer gate of the file, held until the transaction ends.
    /// Declared after `inner`, so a dropped transaction queues its rollback first.
    _gate: Option<GateGuard>,
}

impl Transaction {
    pub(crate) async fn begin(store: &Store) -> Result<Self, StoreError> {
        let gate = match store.write_gate() {
            Some(gate) => Some(gate.enter().await?),
            None => None,
        };
        let inner = match store.backend() {
            Backend::Sqlite => store.pool().begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => store.pool().begin().await,
        }
        .map_err(StoreError::query("beginning a transaction"))?;
        Ok(Self {
            inner,
            backend: store.backend(),
            outbox_signal: store.outbox_signal().clone(),
            enqueued: false,
            _gate: gate,
        })
    }

    /// The connection to run queries on.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }

    /// For the rare statement that differs between the databases.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Commits, then wakes the outbox relay when this transaction enqueued messages (after the
    /// commit, so the relay never looks before the rows are visible).
    pub async fn commit(self) -> Result<(), StoreError> {
        let Self {
            inner,
            outbox_signal,
            enqueued,
            _gate: gate,
            ..
        } = self;
        inner
            .commit()
            .await
            .map_err(StoreError::query("committing a transaction"))?;
        drop(gate);
        if enqueued {
            outbox_signal.notify_one();
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        self.inner
            .rollback()
            .await
            .map_err(StoreError::query("rolling back a transaction"))
    }

    pub(crate) fn mark_enqueued(&mut self) {
        self.enqueued = true;
    }
}

impl Deref for Transaction {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.inner
    }
}

impl DerefMut for Transaction {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }
}
