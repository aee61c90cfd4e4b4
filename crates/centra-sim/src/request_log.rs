//! The log of API calls received (`GET /_sim/requests?since=N`), refused and faulted ones
//! included, so a test can see exactly what a client sent and what it was told.

use std::sync::{Mutex, PoisonError};

use serde::Serialize;
use serde_json::Value;

/// One API call as received.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    /// 1, 2, 3, … in the order the answers were decided.
    pub seq: u64,
    pub method: String,
    pub path: String,
    /// The raw query string, without `?`; `null` when there was none.
    pub query: Option<String>,
    /// The HTTP status decided (for a lost response: the one that was never sent).
    pub status: u16,
    /// The body as received: JSON when it parses, else text, `null` when empty.
    pub body: Value,
    /// The injected fault, if any: `error`, `throttle` or `lost_response`.
    pub fault: Option<&'static str>,
    /// For `/graphql` calls: the operation (`operationType`, `operationName`, top-level
    /// `fields`, `complexity`, `rateLimited`). Absent for Order API calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub graphql: Option<Value>,
}

/// What a call looked like on arrival.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub body: Value,
}

impl Arrival {
    /// Keeps the body as JSON when it parses, else as text.
    pub fn body_value(bytes: &[u8]) -> Value {
        if bytes.is_empty() {
            return Value::Null;
        }
        serde_json::from_slice(bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
    }
}

#[derive(Debug, Default)]
struct Entries {
    next_seq: u64,
    list: Vec<LoggedRequest>,
}

/// Append-only request log.
#[derive(Debug, Default)]
pub struct RequestLog {
    entries: Mutex<Entries>,
}

impl RequestLog {
    pub fn record(&self, arrival: Arrival, status: u16, fault: Option<&'static str>) -> u64 {
        self.record_with(arrival, status, fault, None)
    }

    /// [`Self::record`] with the GraphQL operation of a `/graphql` call.
    pub fn record_with(
        &self,
        arrival: Arrival,
        status: u16,
        fault: Option<&'static str>,
        graphql: Option<Value>,
    ) -> u64 {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.next_seq += 1;
        let seq = entries.next_seq;
        entries.list.push(LoggedRequest {
            seq,
            method: arrival.method,
            path: arrival.path,
            query: arrival.query,
            status,
            body: arrival.body,
            fault,
            graphql,
        });
        seq
    }

    /// Entries with `seq > since`, oldest first. The list is in `seq` order (numbered under
    /// the lock as it is appended), so the start is found by bisection: a test reading the log
    /// every few milliseconds during a long run must not scan the whole log each time.
    pub fn since(&self, since: u64) -> Vec<LoggedRequest> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let start = entries.list.partition_point(|e| e.seq <= since);
        entries.list[start..].to_vec()
    }

    pub fn clear(&self) {
        *self.entries.lock().unwrap_or_else(PoisonError::into_inner) = Entries::default();
    }
}
