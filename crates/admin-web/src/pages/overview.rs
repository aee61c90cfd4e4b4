//! Overview: every flow of every service as its `FlowStatus` reports it (status, last run, lag
//! since the last success, backlog, parked and failed counts, last error), refreshed every
//! [`REFRESH_SECONDS`] by htmx polling `/flows` (no reload); below, the recent actions of the
//! audit log.

use std::time::UNIX_EPOCH;

use axum::Extension;
use axum::extract::State;
use maud::{Markup, html};
use proto::admin::v1 as pb;
use proto::admin::v1::flow_status_client::FlowStatusClient;

use super::{Nav, ago, grpc_failure, layout, time};
use crate::Page;
use crate::session::Session;

/// How often the flow table refreshes itself.
pub const REFRESH_SECONDS: u32 = 5;

/// `GET /`.
pub async fn page(State(page): State<Page>, Extension(session): Extension<Session>) -> Markup {
    let flows = flows_table(&page).await;
    let recent = page.audit.recent();
    layout(
        "Overview",
        Nav::Overview,
        &session,
        html! {
            h1 { "Overview" }
            p.muted { "Every flow of every service; refreshes every " (REFRESH_SECONDS) " seconds." }
            (flows)
            h2 { "Recent actions" }
            @if recent.is_empty() {
                p.muted { "No action since this process started." }
            } @else {
                table {
                    thead { tr { th { "When" } th { "Who" } th { "Action" } th { "Record" } th { "Outcome" } } }
                    tbody {
                        @for entry in &recent {
                            tr {
                                td.mono { (unix_time(entry.at)) }
                                td { (entry.user) }
                                td { (entry.action) }
                                td.mono { (entry.target) }
                                td { (entry.outcome) }
                            }
                        }
                    }
                }
                p.muted {
                    "Kept in memory until the process stops; every action is also a log line with target "
                    code { "audit" } "."
                }
            }
        },
    )
}

/// `GET /flows`: the table alone, for htmx.
pub async fn flows(State(page): State<Page>) -> Markup {
    flows_table(&page).await
}

/// One flow's status in a word: off, failing (an error after the last success), parked
/// (records wait for a person), ok.
fn status(report: &pb::FlowReport) -> (&'static str, &'static str) {
    let seconds = |t: &Option<prost_types::Timestamp>| t.as_ref().map(|t| t.seconds);
    if !report.enabled {
        ("off", "muted")
    } else if !report.last_error.is_empty()
        && seconds(&report.last_error_at) >= seconds(&report.last_success_at)
    {
        ("failing", "bad")
    } else if report.parked > 0 || report.failed > 0 {
        ("needs a person", "bad")
    } else {
        ("ok", "ok")
    }
}

async fn flows_table(page: &Page) -> Markup {
    let mut rows = Vec::new();
    let mut silent = Vec::new();
    for service in page.services() {
        let channel = match page.directory.channel(service) {
            Ok(channel) => channel,
            Err(error) => {
                silent.push(format!("{service}: {error}"));
                continue;
            }
        };
        match FlowStatusClient::new(channel)
            .list(pb::ListFlowsRequest::default())
            .await
        {
            Ok(answer) => rows.extend(
                answer
                    .into_inner()
                    .flows
                    .into_iter()
                    .map(|report| (service, report)),
            ),
            Err(status) => silent.push(grpc_failure(service, "flow status", &status)),
        }
    }
    let every = format!("every {REFRESH_SECONDS}s");
    html! {
        div id="flows" hx-get="/flows" hx-trigger=(every) hx-swap="outerHTML" {
            table {
                caption.muted { "Flows (as of " (unix_time(std::time::SystemTime::now())) ")" }
                thead {
                    tr {
                        th scope="col" { "Service" } th scope="col" { "Flow" } th scope="col" { "Status" }
                        th scope="col" { "Last run" } th scope="col" { "Last success" }
                        th scope="col" { "Backlog" } th scope="col" { "Parked" } th scope="col" { "Failed" }
                        th scope="col" { "Last error" }
                    }
                }
                tbody {
                    @for (service, report) in &rows {
                        @let (word, class) = status(report);
                        tr {
                            td { (service) }
                            td { (report.flow) }
                            td class=(class) { (word) }
                            td.mono { (time(report.last_run_at.as_ref())) }
                            td { (ago(report.last_success_at.as_ref())) }
                            td.num { (report.backlog) }
                            td.num { (report.parked) }
                            td.num { (report.failed) }
                            td {
                                @if report.last_error.is_empty() { "-" } @else {
                                    span.mono { (time(report.last_error_at.as_ref())) } " " (report.last_error)
                                }
                            }
                        }
                    }
                }
            }
            @for line in &silent {
                p.notice.bad { (line) }
            }
        }
    }
}

/// A system time to the second, RFC 3339.
fn unix_time(at: std::time::SystemTime) -> String {
    let seconds = at
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    prost_types::Timestamp { seconds, nanos: 0 }.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Option<prost_types::Timestamp> {
        Some(prost_types::Timestamp { seconds, nanos: 0 })
    }

    #[test]
    fn an_error_after_the_last_success_is_failing() {
        let report = pb::FlowReport {
            enabled: true,
            last_error: "centra refused".into(),
            last_error_at: at(20),
            last_success_at: at(10),
            ..pb::FlowReport::default()
        };
        assert_eq!(status(&report).0, "failing");
        let healed = pb::FlowReport {
            last_success_at: at(30),
            ..report.clone()
        };
        assert_eq!(status(&healed).0, "ok");
        let parked = pb::FlowReport {
            parked: 2,
            ..healed
        };
        assert_eq!(status(&parked).0, "needs a person");
        let off = pb::FlowReport {
            enabled: false,
            ..report
        };
        assert_eq!(status(&off).0, "off");
    }
}
