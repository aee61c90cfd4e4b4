//! SQLite writers of one file take turns in this process, and the transactions of turns that
//! follow each other closely are committed together (group commit). The stores
//! (`platform-store`) and the embedded bus (`platform-bus`) both write through it.
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
//! WriteGate::begin   wait for the gate (FIFO, bounded by the wait given)
//!                    BEGIN IMMEDIATE; SAVEPOINT turn (one call) when no group is open,
//!                    else SAVEPOINT turn
//! Turn::commit       the group commits now (COMMIT, which ends the savepoint too) when
//!                    nobody waits for the gate, when it has GROUP_MEMBERS turns or is
//!                    GROUP_AGE old; else RELEASE turn and the gate passes to the next
//!                    writer. Either way: wait for the group's outcome.
//! Turn::rollback     ROLLBACK TO turn (only this turn's work goes); the same end of turn,
//!                    without waiting for the group
//! drop of a Turn     the rollback above in a spawned task that holds the gate meanwhile
//! WriteGate::flush   commits an open group first: a write outside a transaction runs on
//!                    another connection, which must not meet the group's write lock
//! ```
//!
//! Rules every path keeps:
//! - a turn's work is committed with its group or not at all: a group whose `COMMIT`, or any
//!   turn's `SAVEPOINT`, `RELEASE` or `ROLLBACK TO`, fails is rolled back whole, and every
//!   turn in it hears [`GateError::Group`] (retryable: nothing of it was kept, as for a failed
//!   commit);
//! - a turn never waits for a group forever: a turn that hears nothing after [`NUDGE`]
//!   commits the group itself if nobody holds the gate (the writer that should have ended it
//!   gave up waiting for the gate after its permit was handed over);
//! - writers of one file in this process share one gate ([`WriteGate::for_file`], keyed by the
//!   file); a wait past the bound is [`GateError::Timeout`] (retryable); writes outside a turn
//!   and other processes on the same file still meet SQLite's busy handler, the backstop;
//! - a turn reads what the turns before it in its group wrote (one connection), and that is
//!   safe because it answers only once the group is durable: a failed group fails it too;
//! - an in-memory database (one connection) commits every turn at once: a group would keep
//!   its only connection from the readers;
//! - a writer may give up at any await (a timeout around a write, a task dropped at
//!   shutdown): a connection whose `BEGIN IMMEDIATE` may have run is closed, never returned
//!   to the pool inside a transaction, and a writer that stops waiting for the gate is no
//!   longer counted as waiting.
//!
//! Layout:
//! - `gate`: [`WriteGate`], the queue and the open group, committing or failing a group;
//! - `turn`: [`Turn`], one writer's savepoint in the group, and how it ends;
//! - `database`: [`GateDatabase`], running the gate's own statements on a sqlx connection;
//! - `error`: [`GateError`].

mod database;
mod error;
mod gate;
mod turn;

#[cfg(test)]
mod tests;

pub use database::GateDatabase;
pub use error::GateError;
pub use gate::{GateGuard, NUDGE, Turns, WriteGate};
pub use turn::Turn;
