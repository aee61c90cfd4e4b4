//! Connection: the Test button. It runs what `centra-wms test-connection` runs (the binary
//! hands its checks in as a [`ConnectionTest`], so both run one implementation) and shows one
//! line per check; the last run stays on the page until the next.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use maud::{Markup, html};
use platform_config::AppConfig;
use platform_runtime::ServiceDirectory;
use serde::Deserialize;

use super::{Nav, csrf_field, layout, sign_in_to};
use crate::Page;
use crate::security::{allow, from_htmx};
use crate::session::Session;

/// One check's outcome, as `test-connection` prints it: `ok  centra shop1 ...: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckLine {
    pub ok: bool,
    /// `centra` or `wms`.
    pub system: String,
    pub name: String,
    pub message: String,
}

impl fmt::Display for CheckLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.ok { "ok  " } else { "FAIL" };
        write!(
            f,
            "{verdict} {} {}: {}",
            self.system, self.name, self.message
        )
    }
}

/// What the Test button runs: every check `centra-wms test-connection` makes, through the
/// running gateways.
#[async_trait]
pub trait ConnectionTest: Send + Sync + fmt::Debug + 'static {
    /// Runs the checks for `config`, reaching the gateways through `directory`. A check that
    /// cannot be made (a gateway that does not answer) is a failed line, never an error.
    async fn run(&self, config: &AppConfig, directory: &ServiceDirectory) -> Vec<CheckLine>;
}

/// The last run of the checks.
#[derive(Debug, Clone)]
pub struct TestRun {
    pub at: SystemTime,
    pub by: String,
    pub lines: Arc<Vec<CheckLine>>,
}

/// The Test form.
#[derive(Debug, Deserialize)]
pub struct TestForm {
    csrf: Option<String>,
}

/// `GET /connection`.
pub async fn page(State(page): State<Page>, Extension(session): Extension<Session>) -> Markup {
    let last = page
        .last_test
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    whole(&session, last.as_ref())
}

/// `POST /connection/test`: runs the checks; htmx gets the result alone.
pub async fn test(
    State(page): State<Page>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Form(form): Form<TestForm>,
) -> Response {
    let htmx = from_htmx(&headers);
    let user = match allow(
        &session,
        form.csrf.as_deref(),
        htmx,
        &page.audit,
        "test connection",
        "all end-points and the wms",
    ) {
        Ok(user) => user.to_owned(),
        Err(refusal) => return refusal.into_response(),
    };
    let lines = page.connection.run(&page.config, &page.directory).await;
    let failed = lines.iter().filter(|l| !l.ok).count();
    let outcome = if failed == 0 {
        format!("all {} checks passed", lines.len())
    } else {
        format!("{failed} of {} checks failed", lines.len())
    };
    page.audit.record(
        &user,
        "test connection",
        "all end-points and the wms",
        &outcome,
    );
    let run = TestRun {
        at: SystemTime::now(),
        by: user,
        lines: Arc::new(lines),
    };
    *page.last_test.lock().unwrap_or_else(|p| p.into_inner()) = Some(run.clone());
    if htmx {
        checks(Some(&run)).into_response()
    } else {
        whole(&session, Some(&run)).into_response()
    }
}

fn whole(session: &Session, last: Option<&TestRun>) -> Markup {
    layout(
        "Connection",
        Nav::Connection,
        session,
        html! {
            h1 { "Connection" }
            p {
                "Checks, through the running gateways, each Order API group every Centra end-point's flows need, "
                "the WMS credentials and goods owner, and the transporters the shipping methods map to: "
                "what " code { "centra-wms test-connection" } " prints."
            }
            @if session.user.is_some() {
                form method="post" action="/connection/test" hx-post="/connection/test" hx-target="#checks" hx-swap="outerHTML" {
                    (csrf_field(session))
                    button type="submit" { "Test" }
                }
            } @else {
                (sign_in_to("run the test"))
            }
            (checks(last))
        },
    )
}

fn checks(last: Option<&TestRun>) -> Markup {
    html! {
        div id="checks" aria-live="polite" {
            @match last {
                None => p.muted { "Not tested since this process started." },
                Some(run) => {
                    @let failed = run.lines.iter().filter(|l| !l.ok).count();
                    h2 {
                        @if failed == 0 { span.ok { "All " (run.lines.len()) " checks passed" } }
                        @else { span.bad { (failed) " of " (run.lines.len()) " checks failed" } }
                    }
                    p.muted { "Run by " (run.by) " at " (super::time(Some(&timestamp(run.at)))) "." }
                    table {
                        thead { tr { th scope="col" { "Result" } th scope="col" { "System" } th scope="col" { "Check" } th scope="col" { "Message" } } }
                        tbody {
                            @for line in run.lines.iter() {
                                tr {
                                    td class=(if line.ok { "ok" } else { "bad" }) { (if line.ok { "ok" } else { "FAIL" }) }
                                    td { (line.system) }
                                    td { (line.name) }
                                    td { (line.message) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn timestamp(at: SystemTime) -> prost_types::Timestamp {
    let seconds = at
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    prost_types::Timestamp { seconds, nanos: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_reads_as_test_connection_prints_it() {
        let line = CheckLine {
            ok: false,
            system: "wms".into(),
            name: "sandbox".into(),
            message: "refused".into(),
        };
        assert_eq!(line.to_string(), "FAIL wms sandbox: refused");
    }
}
