//! The log of API calls (`GET /_sim/requests?since=N`).
//!
//! Same shape as the other simulators (simulators.md): `seq`, `method`, `path` (as sent, before
//! the case-insensitive routing folds it), `query`, `status`, `body` (JSON when it parses, else
//! text). Each entry is written on arrival and completed when the answer is ready;
//! `arrivedTick < startedTick < completedTick` come from one counter shared by all entries, so
//! a test can check how many calls a client keeps in flight. Token requests are logged too, their
//! form body as a JSON object with `client_secret`, `password` and `refresh_token` masked.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

/// One API call as received.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RequestEntry {
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// The answer's status; null while in flight; set (and `lost` true) for an answer that was
    /// dropped on purpose.
    pub status: Option<u16>,
    /// The body as received: JSON when it parses, else text, null when empty.
    pub body: Value,
    pub arrived_at: String,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub arrived_tick: u64,
    pub started_tick: Option<u64>,
    pub completed_tick: Option<u64>,
    /// The fault injected, if any: `throttle`, `error`, `lost`.
    pub fault: Option<String>,
    pub lost: bool,
}

#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: Mutex<Vec<RequestEntry>>,
    ticks: AtomicU64,
    seqs: AtomicU64,
}

impl RequestLog {
    fn tick(&self) -> u64 {
        self.ticks.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn with<R>(&self, f: impl FnOnce(&mut Vec<RequestEntry>) -> R) -> R {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut entries)
    }

    /// Records an arriving call; returns its `seq`.
    pub(crate) fn arrive(&self, method: &str, path: &str, query: Option<&str>, body: &[u8]) -> u64 {
        let body = if body.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            serde_json::from_slice(body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
        };
        let now = Utc::now();
        self.with(|entries| {
            let seq = self.seqs.fetch_add(1, Ordering::SeqCst) + 1;
            entries.push(RequestEntry {
                seq,
                method: method.to_owned(),
                path: path.to_owned(),
                query: query.map(str::to_owned),
                status: None,
                body,
                arrived_at: crate::clock::format(now),
                started_at: None,
                completed_at: None,
                arrived_tick: self.tick(),
                started_tick: None,
                completed_tick: None,
                fault: None,
                lost: false,
            });
            seq
        })
    }

    /// The call passed faults and auth and is being processed.
    pub(crate) fn start(&self, seq: u64) {
        let now = Utc::now();
        self.with(|entries| {
            if let Some(entry) = entries.iter_mut().rev().find(|e| e.seq == seq) {
                entry.started_at = Some(crate::clock::format(now));
                entry.started_tick = Some(self.tick());
            }
        });
    }

    pub(crate) fn complete(&self, seq: u64, status: u16, fault: Option<&str>) {
        let now: DateTime<Utc> = Utc::now();
        self.with(|entries| {
            if let Some(entry) = entries.iter_mut().rev().find(|e| e.seq == seq) {
                entry.status = Some(status);
                entry.completed_at = Some(crate::clock::format(now));
                entry.completed_tick = Some(self.tick());
                entry.fault = fault.map(str::to_owned);
                entry.lost = fault == Some("lost");
            }
        });
    }

    pub(crate) fn since(&self, since: u64) -> Vec<RequestEntry> {
        // In `seq` order (numbered under the lock as appended): bisect rather than scan, as
        // tests read the log every few milliseconds during long runs.
        self.with(|entries| entries[entries.partition_point(|e| e.seq <= since)..].to_vec())
    }

    /// Empties the log; `seq` keeps counting so `since` cursors of a test stay valid.
    pub(crate) fn clear(&self) {
        self.with(Vec::clear);
    }
}
