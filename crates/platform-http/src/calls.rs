//! The calls a gateway made to its outside system for one record, so a person asking "what
//! happened to shipment 83651?" sees `PUT /orders/ → 200 (34 ms)` next to the record's steps.
//!
//! The record reaches the HTTP layer without every call site passing it: the gRPC command
//! handler runs the command inside [`for_records`] (a tokio task-local scope naming the records
//! in business terms, `shipment shop/83651-1`, `order S83651`), and the one place each gateway
//! sends a request notes the call with [`CallNote`]. Outside a scope (the polls) nothing is
//! kept. What is kept of a call: method, path (the URL's path only: no scheme, host, user info,
//! query or fragment, so no secret or token can ride along), the HTTP status or the kind of
//! transport failure, how long it took, when it started, and the trace id of the work.
//!
//! ```text
//! handler:  let (answer, made) = calls::for_records(vec![key], command).await;
//!           log.keep(&made).await;                       // the gateway's own table
//! client:   let note = CallNote::start("PUT", &url);
//!           let answer = request.send().await;
//!           note.finish(answer.as_ref().map(reqwest::Response::status));
//! ```
//!
//! Layout: [`record`] (the keys, spelled once for the gateways that write and the admin page
//! that reads), [`for_records`] and [`Made`] (the scope and what it gathered), [`CallNote`] (one
//! call timed and noted), [`Call`], [`CallOutcome`], [`FailureKind`] (what is kept), and
//! [`path_of`] (a URL reduced to its path).

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The business keys calls are kept under.
pub mod record {
    /// A Centra shipment: `shipment <endpoint>/<shipment id>`.
    pub fn shipment(endpoint: &str, shipment_id: &str) -> String {
        format!("shipment {endpoint}/{shipment_id}")
    }

    /// A WMS order: `order <wms order number>`.
    pub fn order(wms_order_number: &str) -> String {
        format!("order {wms_order_number}")
    }

    /// A WMS article: `article <article number>`.
    pub fn article(article_number: &str) -> String {
        format!("article {article_number}")
    }

    /// A WMS return: `return <return id>` (returns-sync's id, also Centra's idempotency key).
    pub fn wms_return(return_id: &str) -> String {
        format!("return {return_id}")
    }

    /// A WMS purchase order: `purchase order <number>`.
    pub fn purchase_order(number: &str) -> String {
        format!("purchase order {number}")
    }

    /// A Centra supplier delivery: `delivery <endpoint>/<delivery id>`.
    pub fn delivery(endpoint: &str, delivery_id: &str) -> String {
        format!("delivery {endpoint}/{delivery_id}")
    }
}

/// At most this many calls are gathered in one scope (a command that pages through thousands
/// of rows keeps its last ones; the table keeps fewer per record anyway).
pub const GATHERED_MAX: usize = 200;

tokio::task_local! {
    static SCOPE: Scope;
}

struct Scope {
    records: Vec<String>,
    calls: Mutex<Vec<Call>>,
}

/// Why no HTTP answer came, in the words the journey shows. Made from `reqwest`'s error here,
/// at the boundary, never read back from text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The call took longer than the client's timeout.
    Timeout,
    /// No connection could be made (refused, DNS, TLS).
    Connect,
    /// The request could not be sent, or the connection dropped while it was.
    Request,
    /// The answer's body could not be read.
    Body,
    /// Anything else `reqwest` reports.
    Other,
}

impl FailureKind {
    /// The kind of `error`.
    pub fn of(error: &reqwest::Error) -> Self {
        if error.is_timeout() {
            Self::Timeout
        } else if error.is_connect() {
            Self::Connect
        } else if error.is_request() {
            Self::Request
        } else if error.is_body() || error.is_decode() {
            Self::Body
        } else {
            Self::Other
        }
    }

    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Timeout => "timeout",
            Self::Connect => "connect",
            Self::Request => "request",
            Self::Body => "body",
            Self::Other => "transport",
        }
    }

    /// The kind a stored word names; `None` for a word never written.
    pub fn parse(word: &str) -> Option<Self> {
        [
            Self::Timeout,
            Self::Connect,
            Self::Request,
            Self::Body,
            Self::Other,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == word)
    }
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// An answer came with this HTTP status (a 4xx or 5xx too).
    Status(u16),
    /// No answer came.
    Failed(FailureKind),
}

impl std::fmt::Display for CallOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Status(code) => write!(f, "{code}"),
            Self::Failed(kind) => f.write_str(kind.as_str()),
        }
    }
}

/// One call as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// Unix milliseconds when the request left.
    pub at: i64,
    pub method: String,
    /// The URL's path only (see [`path_of`]).
    pub path: String,
    pub outcome: CallOutcome,
    pub duration: Duration,
    /// The W3C trace id of the work that made the call; `None` when it was not traced.
    pub trace_id: Option<String>,
}

/// What a scope gathered: the records it named and the calls made inside it, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Made {
    pub records: Vec<String>,
    pub calls: Vec<Call>,
}

/// Runs `work` with its calls gathered for `records` (business keys, e.g. `order S83651`);
/// answers its output and what it called. An empty `records` gathers nothing (the work runs
/// as it is). Calls made by tasks `work` spawns are not gathered (the scope is the task's).
pub async fn for_records<F: Future>(records: Vec<String>, work: F) -> (F::Output, Made) {
    if records.is_empty() {
        return (work.await, Made::default());
    }
    let scope = Scope {
        records,
        calls: Mutex::new(Vec::new()),
    };
    SCOPE
        .scope(scope, async move {
            let output = work.await;
            // Taken out of the task-local while still inside it.
            let made = SCOPE.with(|s| Made {
                records: s.records.clone(),
                calls: std::mem::take(&mut *lock(&s.calls)),
            });
            (output, made)
        })
        .await
}

fn lock(calls: &Mutex<Vec<Call>>) -> std::sync::MutexGuard<'_, Vec<Call>> {
    // A panic while pushing leaves a whole Vec: the data is still good.
    calls
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The records the current scope names; empty outside one.
pub fn current_records() -> Vec<String> {
    SCOPE.try_with(|s| s.records.clone()).unwrap_or_default()
}

/// One call being timed; [`CallNote::finish`] adds it to the current scope, if any.
#[derive(Debug)]
pub struct CallNote {
    at: i64,
    method: String,
    path: String,
    started: Instant,
}

impl CallNote {
    /// Starts timing a `method` call to `url` (only its path is kept).
    pub fn start(method: &str, url: &str) -> Self {
        let at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Self {
            at,
            method: method.to_owned(),
            path: path_of(url).to_owned(),
            started: Instant::now(),
        }
    }

    /// Starts timing a `method` call of the named `operation` to `url`: the path kept is the
    /// URL's path and the operation's name (`/graphql SetStock`), because a GraphQL API answers
    /// every operation at one path and the path alone would not say what was asked. The name
    /// is the operation's static name in the client's checked-in query, never caller input.
    pub fn start_operation(method: &str, url: &str, operation: &str) -> Self {
        let mut note = Self::start(method, url);
        note.path = format!("{} {operation}", note.path);
        note
    }

    /// Ends the call with `answer` (its status, or why none came) and keeps it in the current
    /// scope; outside a scope it is dropped.
    pub fn finish(self, answer: Result<reqwest::StatusCode, &reqwest::Error>) {
        let outcome = match answer {
            Ok(status) => CallOutcome::Status(status.as_u16()),
            Err(error) => CallOutcome::Failed(FailureKind::of(error)),
        };
        self.finish_as(outcome);
    }

    /// [`Self::finish`] with the outcome already known.
    pub fn finish_as(self, outcome: CallOutcome) {
        let call = Call {
            at: self.at,
            method: self.method,
            path: self.path,
            outcome,
            duration: self.started.elapsed(),
            trace_id: platform_telemetry::current_trace_id().map(|id| id.to_string()),
        };
        let _outside_a_scope = SCOPE.try_with(|scope| {
            let mut calls = lock(&scope.calls);
            if calls.len() >= GATHERED_MAX {
                calls.remove(0);
            }
            calls.push(call);
        });
    }
}

/// The path of `url`: without scheme, user info, host and port, query and fragment (`/` when
/// it has none). A relative `url` keeps its path.
pub fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| {
        rest.find('/').map_or("", |slash| &rest[slash..])
    });
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    if path.is_empty() { "/" } else { path }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_operation_is_kept_after_the_path_and_only_inside_a_scope() {
        CallNote::start_operation("POST", "https://shop/graphql?x=1", "SetStock")
            .finish_as(CallOutcome::Status(200));
        let ((), made) = for_records(vec!["article A".into()], async {
            CallNote::start_operation("POST", "https://shop/graphql?x=1", "SetStock")
                .finish_as(CallOutcome::Status(429));
        })
        .await;
        let kept: Vec<(&str, &str, CallOutcome)> = made
            .calls
            .iter()
            .map(|c| (c.method.as_str(), c.path.as_str(), c.outcome))
            .collect();
        assert_eq!(
            kept,
            [("POST", "/graphql SetStock", CallOutcome::Status(429))],
            "the call outside the scope is not kept"
        );
    }

    #[test]
    fn a_path_keeps_no_host_credentials_query_or_fragment() {
        let cases = [
            (
                "https://user:s3cret@shop.centra.com:8443/api/order/shipments/7-1?token=abc",
                "/api/order/shipments/7-1",
            ),
            (
                "http://wms/api/v1/orders/?goodsOwnerId=5#top",
                "/api/v1/orders/",
            ),
            ("https://host", "/"),
            ("https://host?key=1", "/"),
            ("/orders?x=1", "/orders"),
            ("", "/"),
        ];
        for (url, path) in cases {
            assert_eq!(path_of(url), path, "{url}");
        }
    }

    #[test]
    fn failure_kinds_are_stored_and_read_back_as_words() {
        for kind in [
            FailureKind::Timeout,
            FailureKind::Connect,
            FailureKind::Request,
            FailureKind::Body,
            FailureKind::Other,
        ] {
            assert_eq!(FailureKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(FailureKind::parse("refused"), None);
        assert_eq!(CallOutcome::Status(404).to_string(), "404");
        assert_eq!(
            CallOutcome::Failed(FailureKind::Timeout).to_string(),
            "timeout"
        );
    }

    #[tokio::test]
    async fn calls_inside_a_scope_are_gathered_for_its_records_and_none_outside() {
        CallNote::start("GET", "http://wms/outside").finish_as(CallOutcome::Status(200));
        let (answer, made) = for_records(vec!["order S1".into()], async {
            assert_eq!(current_records(), ["order S1"]);
            CallNote::start("PUT", "http://wms/api/orders/?secret=x")
                .finish_as(CallOutcome::Status(200));
            CallNote::start("GET", "http://wms/api/orders/5")
                .finish_as(CallOutcome::Failed(FailureKind::Timeout));
            7
        })
        .await;
        assert_eq!(answer, 7);
        assert_eq!(made.records, ["order S1"]);
        let seen: Vec<(&str, &str, CallOutcome)> = made
            .calls
            .iter()
            .map(|c| (c.method.as_str(), c.path.as_str(), c.outcome))
            .collect();
        assert_eq!(
            seen,
            [
                ("PUT", "/api/orders/", CallOutcome::Status(200)),
                (
                    "GET",
                    "/api/orders/5",
                    CallOutcome::Failed(FailureKind::Timeout)
                ),
            ]
        );
        assert!(made.calls.iter().all(|c| c.at > 0), "{made:?}");
        assert!(current_records().is_empty(), "the scope ended");
    }

    #[tokio::test]
    async fn a_scope_gathers_at_most_its_bound_keeping_the_newest() {
        let (_, made) = for_records(vec!["article A".into()], async {
            for n in 0..GATHERED_MAX + 5 {
                CallNote::start("GET", &format!("http://wms/{n}"))
                    .finish_as(CallOutcome::Status(200));
            }
        })
        .await;
        assert_eq!(made.calls.len(), GATHERED_MAX);
        assert_eq!(made.calls[0].path, "/5");
        assert_eq!(
            made.calls.last().map(|c| c.path.as_str()),
            Some(format!("/{}", GATHERED_MAX + 4).as_str())
        );
    }

    #[tokio::test]
    async fn no_records_no_scope() {
        let (_, made) = for_records(Vec::new(), async {
            CallNote::start("GET", "http://wms/x").finish_as(CallOutcome::Status(200));
        })
        .await;
        assert_eq!(made, Made::default());
    }

    #[tokio::test]
    async fn a_real_failure_is_kept_as_its_kind() {
        // Nothing listens on port 9 of localhost: a connection failure, no answer.
        let client = reqwest::Client::new();
        let (_, made) = for_records(vec!["order S2".into()], async {
            let note = CallNote::start("GET", "http://127.0.0.1:9/orders");
            let answer = client.get("http://127.0.0.1:9/orders").send().await;
            note.finish(answer.as_ref().map(reqwest::Response::status));
        })
        .await;
        assert_eq!(
            made.calls[0].outcome,
            CallOutcome::Failed(FailureKind::Connect)
        );
    }
}
