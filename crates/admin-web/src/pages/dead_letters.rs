//! Dead letters: the records each service kept for a person (reason, payload, error history),
//! through its `DeadLetters` gRPC service, as `centra-wms dead-letters` shows them; Retry and
//! Discard (with a reason, kept with the record) for a signed-in person.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use maud::{Markup, html};
use proto::admin::v1 as pb;
use proto::admin::v1::dead_letters_client::DeadLettersClient;
use serde::Deserialize;

use super::{Nav, csrf_field, grpc_failure, layout, path_segment, sign_in_to, time};
use crate::Page;
use crate::security::{allow, from_htmx};
use crate::session::Session;

/// What the list asks of each service at most.
const PAGE_SIZE: u32 = 200;

/// The Retry form.
#[derive(Debug, Deserialize)]
pub struct RetryForm {
    csrf: Option<String>,
}

/// The Discard form.
#[derive(Debug, Deserialize)]
pub struct DiscardForm {
    csrf: Option<String>,
    reason: Option<String>,
}

fn client(
    page: &Page,
    service: &str,
) -> Result<DeadLettersClient<platform_runtime::GrpcChannel>, String> {
    page.directory
        .channel(service)
        .map(DeadLettersClient::new)
        .map_err(|error| format!("{service}: {error}"))
}

/// The page's services only: a path naming another is not found.
fn known(page: &Page, service: &str) -> bool {
    page.services().contains(&service)
}

/// `GET /dead-letters`: every service's open dead letters.
pub async fn list(State(page): State<Page>, Extension(session): Extension<Session>) -> Markup {
    let mut sections = Vec::new();
    for service in page.services() {
        let answer = match client(&page, service) {
            Ok(mut client) => client
                .list(pb::ListDeadLettersRequest {
                    page_size: PAGE_SIZE,
                    ..pb::ListDeadLettersRequest::default()
                })
                .await
                .map(|a| a.into_inner())
                .map_err(|status| grpc_failure(service, "dead letters", &status)),
            Err(line) => Err(line),
        };
        sections.push((service, answer));
    }
    layout(
        "Dead letters",
        Nav::DeadLetters,
        &session,
        html! {
            h1 { "Dead letters" }
            p.muted { "Records a service kept for a person: a terminal error, or retries used up. Open one to see its payload and history." }
            @for (service, answer) in &sections {
                h2 { (service) }
                @match answer {
                    Err(line) => p.notice.bad { (line) },
                    Ok(listed) if listed.dead_letters.is_empty() => p.muted { "None." },
                    Ok(listed) => {
                        table {
                            thead { tr {
                                th scope="col" { "Record" } th scope="col" { "Flow" } th scope="col" { "State" }
                                th scope="col" { "Attempts" } th scope="col" { "Reason" } th scope="col" { "Last failed" }
                            } }
                            tbody {
                                @for letter in &listed.dead_letters {
                                    tr {
                                        td { a href=(detail_path(service, &letter.id)) { (letter.record_key) } }
                                        td { (letter.flow) }
                                        td { (state(letter.state)) }
                                        td.num { (letter.attempts) }
                                        td { (letter.reason) }
                                        td.mono { (time(letter.last_failed_at.as_ref())) }
                                    }
                                }
                            }
                        }
                        @if !listed.next_page_token.is_empty() {
                            p.muted { "The first " (PAGE_SIZE) " are shown; `centra-wms dead-letters list --service " (service) "` lists them all." }
                        }
                    }
                }
            }
        },
    )
}

/// `GET /dead-letters/{service}/{id}`.
pub async fn show(
    State(page): State<Page>,
    Extension(session): Extension<Session>,
    Path((service, id)): Path<(String, String)>,
) -> Response {
    detail(&page, &session, &service, &id, None).await
}

/// `POST /dead-letters/{service}/{id}/retry`.
pub async fn retry(
    State(page): State<Page>,
    Extension(session): Extension<Session>,
    Path((service, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<RetryForm>,
) -> Response {
    let target = format!("{service}/{id}");
    let user = match allow(
        &session,
        form.csrf.as_deref(),
        from_htmx(&headers),
        &page.audit,
        "retry dead letter",
        &target,
    ) {
        Ok(user) => user,
        Err(refusal) => return refusal.into_response(),
    };
    if !known(&page, &service) {
        return super::not_found(Extension(session)).await.into_response();
    }
    let outcome = match client(&page, &service) {
        Err(line) => Err(line),
        Ok(mut client) => client
            .retry(pb::RetryDeadLettersRequest {
                selection: Some(pb::retry_dead_letters_request::Selection::Ids(
                    pb::DeadLetterIds {
                        ids: vec![id.clone()],
                    },
                )),
            })
            .await
            .map(|a| a.into_inner())
            .map_err(|status| grpc_failure(&service, "dead letters", &status)),
    };
    let notice = match outcome {
        Ok(answer) if answer.retried_ids.contains(&id) => {
            Notice::done(format!("Retried: {service} put the record back to work."))
        }
        Ok(_) => Notice::failed("Not retried: no parked dead letter with this id.".to_owned()),
        Err(line) => Notice::failed(format!("Not retried: {line}")),
    };
    page.audit
        .record(user, "retry dead letter", &target, &notice.outcome());
    detail(&page, &session, &service, &id, Some(notice)).await
}

/// `POST /dead-letters/{service}/{id}/discard`: needs a reason.
pub async fn discard(
    State(page): State<Page>,
    Extension(session): Extension<Session>,
    Path((service, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<DiscardForm>,
) -> Response {
    let target = format!("{service}/{id}");
    let user = match allow(
        &session,
        form.csrf.as_deref(),
        from_htmx(&headers),
        &page.audit,
        "discard dead letter",
        &target,
    ) {
        Ok(user) => user,
        Err(refusal) => return refusal.into_response(),
    };
    if !known(&page, &service) {
        return super::not_found(Extension(session)).await.into_response();
    }
    let reason = form.reason.unwrap_or_default().trim().to_owned();
    if reason.is_empty() {
        page.audit.record(
            user,
            "discard dead letter",
            &target,
            "refused: no reason given",
        );
        let notice = Notice::failed("Not discarded: give a reason.".to_owned());
        let mut answer = detail(&page, &session, &service, &id, Some(notice)).await;
        *answer.status_mut() = StatusCode::BAD_REQUEST;
        return answer;
    }
    let outcome = match client(&page, &service) {
        Err(line) => Err(line),
        Ok(mut client) => client
            .discard(pb::DiscardDeadLettersRequest {
                ids: vec![id.clone()],
                reason: format!("{reason} (by {user} on the admin web page)"),
            })
            .await
            .map(|a| a.into_inner())
            .map_err(|status| grpc_failure(&service, "dead letters", &status)),
    };
    let notice = match outcome {
        Ok(answer) if answer.discarded_ids.contains(&id) => {
            Notice::done(format!("Discarded: {reason}"))
        }
        Ok(_) => Notice::failed("Not discarded: no parked dead letter with this id.".to_owned()),
        Err(line) => Notice::failed(format!("Not discarded: {line}")),
    };
    page.audit
        .record(user, "discard dead letter", &target, &notice.outcome());
    detail(&page, &session, &service, &id, Some(notice)).await
}

/// What an action did, shown above the record.
#[derive(Debug)]
struct Notice {
    ok: bool,
    text: String,
}

impl Notice {
    fn done(text: String) -> Self {
        Self { ok: true, text }
    }

    fn failed(text: String) -> Self {
        Self { ok: false, text }
    }

    fn outcome(&self) -> String {
        self.text.clone()
    }
}

async fn detail(
    page: &Page,
    session: &Session,
    service: &str,
    id: &str,
    notice: Option<Notice>,
) -> Response {
    if !known(page, service) {
        return super::not_found(Extension(session.clone()))
            .await
            .into_response();
    }
    let shown = match client(page, service) {
        Err(line) => Err(line),
        Ok(mut client) => client
            .show(pb::ShowDeadLetterRequest { id: id.to_owned() })
            .await
            .map(|a| a.into_inner())
            .map_err(|status| grpc_failure(service, "dead letters", &status)),
    };
    let status = match &shown {
        Err(_) => StatusCode::NOT_FOUND,
        Ok(_) => StatusCode::OK,
    };
    let body = html! {
        p { a href="/dead-letters" { "← All dead letters" } }
        h1 { "Dead letter of " (service) }
        @if let Some(notice) = &notice {
            p class=(if notice.ok { "notice" } else { "notice bad" }) role="status" { (notice.text) }
        }
        @match &shown {
            Err(line) => p.notice.bad { (line) },
            Ok(shown) => {
                @let letter = shown.dead_letter.clone().unwrap_or_default();
                table {
                    tbody {
                        tr { th scope="row" { "Id" } td.mono { (letter.id) } }
                        tr { th scope="row" { "State" } td { (state(letter.state)) } }
                        tr { th scope="row" { "Flow" } td { (letter.flow) } }
                        tr { th scope="row" { "Record" } td.mono { (letter.record_key) } }
                        tr { th scope="row" { "Reason" } td { (letter.reason) } }
                        tr { th scope="row" { "Last error" } td { (letter.last_error) } }
                        tr { th scope="row" { "Attempts" } td { (letter.attempts) } }
                        tr { th scope="row" { "First failed" } td.mono { (time(letter.first_failed_at.as_ref())) } }
                        tr { th scope="row" { "Last failed" } td.mono { (time(letter.last_failed_at.as_ref())) } }
                        tr { th scope="row" { "Trace id" } td.mono { (letter.trace_id) } }
                    }
                }
                h2 { "Payload" }
                pre { (pretty(&shown.payload_json)) }
                h2 { "History" }
                @if shown.error_history.is_empty() {
                    p.muted { "No earlier errors." }
                } @else {
                    ol { @for error in &shown.error_history { li { (error) } } }
                }
                @if letter.state == pb::DeadLetterState::Parked as i32 {
                    h2 { "Actions" }
                    @if session.user.is_some() {
                        form.inline method="post" action=(format!("{}/retry", detail_path(service, id))) {
                            (csrf_field(session))
                            button type="submit" { "Retry" }
                        }
                        form.stack method="post" action=(format!("{}/discard", detail_path(service, id))) {
                            (csrf_field(session))
                            label for="reason" { "Reason for discarding (kept with the record)" }
                            textarea id="reason" name="reason" rows="2" required {}
                            div { button.secondary type="submit" { "Discard" } }
                        }
                    } @else {
                        (sign_in_to("retry or discard it"))
                    }
                }
            }
        }
    };
    (
        status,
        layout("Dead letter", Nav::DeadLetters, session, body),
    )
        .into_response()
}

/// The payload pretty-printed when it is JSON, else as it came.
fn pretty(json: &str) -> String {
    serde_json::from_str::<serde_json::Value>(json)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| json.to_owned())
}

fn state(value: i32) -> &'static str {
    match pb::DeadLetterState::try_from(value) {
        Ok(pb::DeadLetterState::Parked) => "parked",
        Ok(pb::DeadLetterState::RetryRequested) => "retry requested",
        Ok(pb::DeadLetterState::Discarded) => "discarded",
        _ => "unknown",
    }
}

/// `/dead-letters/{service}/{id}` with the id percent-encoded.
fn detail_path(service: &str, id: &str) -> String {
    format!("/dead-letters/{service}/{}", path_segment(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_encoded_in_paths() {
        assert_eq!(
            detail_path("catalog-sync", "shop1:111/a b"),
            "/dead-letters/catalog-sync/shop1%3A111%2Fa%20b"
        );
    }

    #[test]
    fn json_payloads_are_pretty_and_others_kept() {
        assert_eq!(pretty(r#"{"a":1}"#), "{\n  \"a\": 1\n}");
        assert_eq!(pretty("not json"), "not json");
    }
}
