//! Parked records: what a flow set aside in its own table for a person, with the reason, apart
//! from the dead letters (messages kept after a terminal error). Two services keep such
//! records and can list them: order-sync's parked (and failed) shipments
//! (`OrderAdmin.ListByState`) and returns-sync's parked WMS returns
//! (`ReturnsAdmin.ListReturns`). A signed-in person retries one (`OrderAdmin.Retry`,
//! `ReturnsAdmin.RetryReturn`: the services' own operator retry, as `centra-wms shipments
//! retry` and `centra-wms returns retry`) or discards it with a reason (`OrderAdmin.Discard`,
//! `ReturnsAdmin.DiscardReturn`: the record becomes `discarded` in its own state machine,
//! keeping the reason and the signed-in user; the service never picks it up again, and only a
//! retry takes it back). Every action needs the CSRF token and is audited. The other flows'
//! parked counts on the overview (catalog-sync's rejected sizes, the purchase orders) are on
//! the Dead letters and Products pages or have no list the page can read; the page names them.
//!
//! Layout: [`OperatorAction`] (Retry, or Discard with its reason) taken by one handler per
//! record kind ([`act_on_shipment`], [`act_on_return`]), both ending in [`acted`] (audit and
//! notice); [`render`] and the two tables draw the page.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use maud::{Markup, html};
use proto::admin::v1 as pb;
use proto::admin::v1::order_admin_client::OrderAdminClient;
use proto::admin::v1::returns_admin_client::ReturnsAdminClient;
use serde::Deserialize;

use super::{Nav, csrf_field, grpc_failure, layout, path_segment, sign_in_to, time};
use crate::Page;
use crate::security::{allow, from_htmx};
use crate::session::Session;

/// The services whose parked records the page lists.
const ORDERS: &str = "order-sync";
const RETURNS: &str = "returns-sync";
/// What the page asks of each service at most.
const PAGE_SIZE: u32 = 200;

/// The form of either action: Discard's reason is required, Retry has none.
#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: Option<String>,
    reason: Option<String>,
}

/// What a person does to a parked record: the one path both actions of both record kinds
/// take (check the session and token, ask the service, audit, show the outcome).
#[derive(Debug, Clone, PartialEq, Eq)]
enum OperatorAction {
    /// Run the record's next step again.
    Retry,
    /// Set it aside for good with the person's reason.
    Discard { reason: String },
}

impl OperatorAction {
    /// The action the URL's last segment names (`retry`, `discard`), with the form's reason;
    /// `None` for any other segment.
    fn named(segment: &str, form: &ActionForm) -> Option<Self> {
        match segment {
            "retry" => Some(Self::Retry),
            "discard" => Some(Self::Discard {
                reason: form.reason.as_deref().unwrap_or_default().trim().to_owned(),
            }),
            _ => None,
        }
    }

    /// The verb in the audit log and the service's failure line.
    fn verb(&self) -> &'static str {
        match self {
            Self::Retry => "retry",
            Self::Discard { .. } => "discard",
        }
    }

    /// The past tense shown: `Retried`, `Discarded`.
    fn done(&self) -> &'static str {
        match self {
            Self::Retry => "Retried",
            Self::Discard { .. } => "Discarded",
        }
    }

    /// What the service did, in a person's words: `ran shipment 7-1 again`, `set return R9
    /// aside (the reason)`.
    fn did(&self, record: &str) -> String {
        match self {
            Self::Retry => format!("ran {record} again"),
            Self::Discard { reason } => format!("set {record} aside ({reason})"),
        }
    }

    /// A Discard without a reason is refused before the service is asked.
    fn checked(self) -> Result<Self, String> {
        match &self {
            Self::Discard { reason } if reason.is_empty() => Err("give a reason.".to_owned()),
            _ => Ok(self),
        }
    }
}

/// What an action did, shown above the lists.
struct Notice {
    ok: bool,
    text: String,
}

/// `GET /parked`.
pub async fn list(State(page): State<Page>, Extension(session): Extension<Session>) -> Markup {
    render(&page, &session, None).await
}

/// `POST /parked/shipments/{endpoint}/{shipment_id}/{retry|discard}` (`OrderAdmin.Retry`,
/// `OrderAdmin.Discard`).
pub async fn act_on_shipment(
    State(page): State<Page>,
    Extension(session): Extension<Session>,
    Path((endpoint, shipment_id, segment)): Path<(String, String, String)>,
    headers: HeaderMap,
    Form(form): Form<ActionForm>,
) -> Response {
    let Some(action) = OperatorAction::named(&segment, &form) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let audited = format!("{} parked shipment", action.verb());
    let target = format!("{ORDERS}/{endpoint}/{shipment_id}");
    let user = match allow(
        &session,
        form.csrf.as_deref(),
        from_htmx(&headers),
        &page.audit,
        &audited,
        &target,
    ) {
        Ok(user) => user,
        Err(refusal) => return refusal.into_response(),
    };
    let key = Some(pb::OrderKey {
        endpoint: endpoint.clone(),
        id: Some(pb::order_key::Id::ShipmentId(shipment_id.clone())),
    });
    let what = format!("shipment {}", action.verb());
    let failed = |status: tonic::Status| grpc_failure(ORDERS, &what, &status);
    let answer = match (action.clone().checked(), page.directory.channel(ORDERS)) {
        (Err(line), _) => Err(line),
        (_, Err(error)) => Err(format!("{ORDERS}: {error}")),
        (Ok(OperatorAction::Retry), Ok(channel)) => OrderAdminClient::new(channel)
            .retry(pb::RetryOrderRequest { key })
            .await
            .map(|a| a.into_inner().state)
            .map_err(failed),
        (Ok(OperatorAction::Discard { reason }), Ok(channel)) => OrderAdminClient::new(channel)
            .discard(pb::DiscardOrderRequest {
                key,
                reason,
                by: user.to_owned(),
            })
            .await
            .map(|a| a.into_inner().state)
            .map_err(failed),
    };
    let outcome = answer.map(|state| {
        format!(
            "order-sync {}; it is now {}.",
            action.did(&format!("shipment {shipment_id}")),
            order_state(state)
        )
    });
    acted(
        &page,
        &session,
        user,
        &audited,
        &target,
        action.done(),
        outcome,
    )
    .await
}

/// `POST /parked/returns/{return_id}/{retry|discard}` (`ReturnsAdmin.RetryReturn`,
/// `ReturnsAdmin.DiscardReturn`).
pub async fn act_on_return(
    State(page): State<Page>,
    Extension(session): Extension<Session>,
    Path((return_id, segment)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<ActionForm>,
) -> Response {
    let Some(action) = OperatorAction::named(&segment, &form) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let audited = format!("{} parked return", action.verb());
    let target = format!("{RETURNS}/{return_id}");
    let user = match allow(
        &session,
        form.csrf.as_deref(),
        from_htmx(&headers),
        &page.audit,
        &audited,
        &target,
    ) {
        Ok(user) => user,
        Err(refusal) => return refusal.into_response(),
    };
    let what = format!("return {}", action.verb());
    let failed = |status: tonic::Status| grpc_failure(RETURNS, &what, &status);
    let answer = match (action.clone().checked(), page.directory.channel(RETURNS)) {
        (Err(line), _) => Err(line),
        (_, Err(error)) => Err(format!("{RETURNS}: {error}")),
        (Ok(OperatorAction::Retry), Ok(channel)) => ReturnsAdminClient::new(channel)
            .retry_return(pb::RetryReturnRequest {
                return_id: return_id.clone(),
            })
            .await
            .map(|a| a.into_inner().summary)
            .map_err(failed),
        (Ok(OperatorAction::Discard { reason }), Ok(channel)) => ReturnsAdminClient::new(channel)
            .discard_return(pb::DiscardReturnRequest {
                return_id: return_id.clone(),
                reason,
                by: user.to_owned(),
            })
            .await
            .map(|a| a.into_inner().summary)
            .map_err(failed),
    };
    let outcome = answer.map(|summary| {
        format!(
            "returns-sync {}; it is now {}.",
            action.did(&format!("return {return_id}")),
            summary.map_or("unknown", |summary| return_state(summary.state))
        )
    });
    acted(
        &page,
        &session,
        user,
        &audited,
        &target,
        action.done(),
        outcome,
    )
    .await
}

/// The page after an action: the outcome (what the service did, or why not) above the lists,
/// and in the audit log. `done` is the past tense shown: `Retried`, `Discarded`.
async fn acted(
    page: &Page,
    session: &Session,
    user: &str,
    action: &str,
    target: &str,
    done: &str,
    outcome: Result<String, String>,
) -> Response {
    let notice = match outcome {
        Ok(what) => Notice {
            ok: true,
            text: format!("{done}: {what}"),
        },
        Err(line) => Notice {
            ok: false,
            text: format!("Not {}: {line}", done.to_lowercase()),
        },
    };
    page.audit.record(user, action, target, &notice.text);
    render(page, session, Some(notice)).await.into_response()
}

async fn parked_shipments(page: &Page) -> Result<pb::ListOrdersByStateResponse, String> {
    let channel = page
        .directory
        .channel(ORDERS)
        .map_err(|error| format!("{ORDERS}: {error}"))?;
    OrderAdminClient::new(channel)
        .list_by_state(pb::ListOrdersByStateRequest {
            state: pb::OrderState::Parked.into(),
            page_size: PAGE_SIZE,
            ..pb::ListOrdersByStateRequest::default()
        })
        .await
        .map(|a| a.into_inner())
        .map_err(|status| grpc_failure(ORDERS, "shipment list", &status))
}

async fn parked_returns(page: &Page) -> Result<pb::ListReturnsResponse, String> {
    let channel = page
        .directory
        .channel(RETURNS)
        .map_err(|error| format!("{RETURNS}: {error}"))?;
    ReturnsAdminClient::new(channel)
        .list_returns(pb::ListReturnsRequest {
            state: pb::ReturnState::Parked.into(),
            limit: PAGE_SIZE,
            ..pb::ListReturnsRequest::default()
        })
        .await
        .map(|a| a.into_inner())
        .map_err(|status| grpc_failure(RETURNS, "return list", &status))
}

async fn render(page: &Page, session: &Session, notice: Option<Notice>) -> Markup {
    let (shipments, returns) = tokio::join!(parked_shipments(page), parked_returns(page));
    layout(
        "Parked records",
        Nav::Parked,
        session,
        html! {
            h1 { "Parked records" }
            p.muted { "Records a flow set aside for a person, with the reason. Retry runs the record's next step again once the cause is fixed. Discard sets a record aside for good with your reason (settled by hand): the service never picks it up again, its journey shows who discarded it and why, and only a retry (" code { "centra-wms shipments retry" } ", " code { "centra-wms returns retry" } ") takes it back. Messages kept after a terminal error are on the " a href="/dead-letters" { "Dead letters" } " page; rejected product sizes on the " a href="/products" { "Products" } " page." }
            @if let Some(notice) = &notice {
                p class=(if notice.ok { "notice" } else { "notice bad" }) role="status" { (notice.text) }
            }
            h2 { "Shipments (order-sync)" }
            (shipment_table(session, &shipments))
            p.muted { "Before discarding: fix the reason (the article, the transporter mapping, the payment) and Retry; complete a shipment the warehouse shipped by hand with " code { "centra-wms shipments complete SHIPMENT_ID --capture true|false" } "; or cancel the order in Centra, which cancels it here and in the warehouse. A shipment whose warehouse order is being cancelled cannot be discarded until that finishes." }
            h2 { "Returns (returns-sync)" }
            (return_table(session, &returns))
            p.muted { "Before discarding: fix the reason (import the order, correct the Centra shipment) and Retry. A discarded return is not acknowledged in the WMS, which keeps listing it; returns-sync leaves it alone." }
            p.muted { "Purchase orders parked by order-sync are counted on the overview; no admin operation lists them yet." }
        },
    )
}

fn shipment_table(
    session: &Session,
    shipments: &Result<pb::ListOrdersByStateResponse, String>,
) -> Markup {
    html! {
        @match shipments {
            Err(line) => p.notice.bad { (line) },
            Ok(listed) if listed.orders.is_empty() => p.muted { "None." },
            Ok(listed) => {
                table #parked-shipments {
                    thead { tr {
                        th scope="col" { "Shipment" } th scope="col" { "End-point" } th scope="col" { "Centra order" }
                        th scope="col" { "WMS order number" } th scope="col" { "Reason" } th scope="col" { "Last change" }
                        th scope="col" { "Action" }
                    } }
                    tbody {
                        @for (row, order) in listed.orders.iter().enumerate() {
                            tr {
                                td { a href=(format!("/find?q={}", path_segment(&order.shipment_id))) { (order.shipment_id) } }
                                td { (order.endpoint) }
                                td.mono { (order.order_id) }
                                td.mono { (order.wms_order_number) }
                                td { (order.last_error) }
                                td.mono { (time(order.updated_at.as_ref())) }
                                td {
                                    @if session.user.is_some() {
                                        form.inline method="post" action=(format!("/parked/shipments/{}/{}/retry", path_segment(&order.endpoint), path_segment(&order.shipment_id))) {
                                            (csrf_field(session))
                                            button type="submit" aria-label=(format!("Retry shipment {}", order.shipment_id)) { "Retry" }
                                        }
                                        form.inline method="post" action=(format!("/parked/shipments/{}/{}/discard", path_segment(&order.endpoint), path_segment(&order.shipment_id))) {
                                            (csrf_field(session))
                                            label for=(format!("discard-shipment-{row}")) { "Reason to discard shipment " (order.shipment_id) }
                                            input type="text" id=(format!("discard-shipment-{row}")) name="reason" required;
                                            button.secondary type="submit" aria-label=(format!("Discard shipment {}", order.shipment_id)) { "Discard" }
                                        }
                                    } @else {
                                        span.muted { "sign in to retry or discard" }
                                    }
                                }
                            }
                        }
                    }
                }
                @if !listed.next_page_token.is_empty() {
                    p.muted { "The first " (PAGE_SIZE) " are shown; `centra-wms shipments list --state parked` lists them all." }
                }
            }
        }
        @if session.user.is_none() { (sign_in_to("retry or discard a parked record")) }
    }
}

fn return_table(session: &Session, returns: &Result<pb::ListReturnsResponse, String>) -> Markup {
    html! {
        @match returns {
            Err(line) => p.notice.bad { (line) },
            Ok(listed) if listed.returns.is_empty() => p.muted { "None." },
            Ok(listed) => {
                table #parked-returns {
                    thead { tr {
                        th scope="col" { "Return" } th scope="col" { "WMS order number" } th scope="col" { "Shipment" }
                        th scope="col" { "Reason" } th scope="col" { "Last change" } th scope="col" { "Action" }
                    } }
                    tbody {
                        @for (row, parked) in listed.returns.iter().enumerate() {
                            tr {
                                td.mono { (parked.return_id) }
                                td.mono { (parked.order_number) }
                                td.mono { (parked.shipment_id) }
                                td { (parked.reason) }
                                td.mono { (time(parked.updated_at.as_ref())) }
                                td {
                                    @if session.user.is_some() {
                                        form.inline method="post" action=(format!("/parked/returns/{}/retry", path_segment(&parked.return_id))) {
                                            (csrf_field(session))
                                            button type="submit" aria-label=(format!("Retry return {}", parked.return_id)) { "Retry" }
                                        }
                                        form.inline method="post" action=(format!("/parked/returns/{}/discard", path_segment(&parked.return_id))) {
                                            (csrf_field(session))
                                            label for=(format!("discard-return-{row}")) { "Reason to discard return " (parked.return_id) }
                                            input type="text" id=(format!("discard-return-{row}")) name="reason" required;
                                            button.secondary type="submit" aria-label=(format!("Discard return {}", parked.return_id)) { "Discard" }
                                        }
                                    } @else {
                                        span.muted { "sign in to retry or discard" }
                                    }
                                }
                            }
                        }
                    }
                }
                @if !listed.next_page_token.is_empty() {
                    p.muted { "The first " (PAGE_SIZE) " are shown; `centra-wms returns list --state parked` lists them all." }
                }
            }
        }
    }
}

fn order_state(value: i32) -> &'static str {
    match pb::OrderState::try_from(value) {
        Ok(pb::OrderState::AwaitingCapture) => "awaiting capture",
        Ok(pb::OrderState::SentToWarehouse) => "sent to the warehouse",
        Ok(pb::OrderState::Shipped) => "shipped",
        Ok(pb::OrderState::Completed) => "completed",
        Ok(pb::OrderState::Cancelled) => "cancelled",
        Ok(pb::OrderState::Parked) => "parked",
        Ok(pb::OrderState::Discarded) => "discarded",
        _ => "unknown",
    }
}

fn return_state(value: i32) -> &'static str {
    match pb::ReturnState::try_from(value) {
        Ok(pb::ReturnState::Received) => "received",
        Ok(pb::ReturnState::Created) => "created in Centra",
        Ok(pb::ReturnState::Reported) => "reported in the WMS",
        Ok(pb::ReturnState::Parked) => "parked",
        Ok(pb::ReturnState::Discarded) => "discarded",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_names_the_action_and_a_discard_needs_a_reason() {
        let form = |reason: Option<&str>| ActionForm {
            csrf: None,
            reason: reason.map(str::to_owned),
        };
        assert_eq!(
            OperatorAction::named("retry", &form(Some("ignored"))),
            Some(OperatorAction::Retry)
        );
        let discard =
            OperatorAction::named("discard", &form(Some("  paid by invoice "))).expect("named");
        assert_eq!(
            discard,
            OperatorAction::Discard {
                reason: "paid by invoice".into()
            }
        );
        assert_eq!(OperatorAction::named("delete", &form(None)), None);
        assert_eq!(
            discard.did("shipment 7-1"),
            "set shipment 7-1 aside (paid by invoice)"
        );
        assert_eq!(
            OperatorAction::Retry.did("return R9"),
            "ran return R9 again"
        );
        assert_eq!((discard.verb(), discard.done()), ("discard", "Discarded"));
        let blank = OperatorAction::named("discard", &form(Some(" "))).expect("named");
        assert_eq!(blank.checked(), Err("give a reason.".to_owned()));
        assert_eq!(OperatorAction::Retry.checked(), Ok(OperatorAction::Retry));
    }

    fn parked() -> pb::ListOrdersByStateResponse {
        pb::ListOrdersByStateResponse {
            orders: vec![pb::OrderSummary {
                endpoint: "shop 1".into(),
                shipment_id: "7-1".into(),
                order_id: "7".into(),
                last_error: "article missing in the warehouse: <A1>".into(),
                state: pb::OrderState::Parked.into(),
                ..pb::OrderSummary::default()
            }],
            next_page_token: String::new(),
        }
    }

    #[test]
    fn a_signed_in_person_gets_a_retry_form_with_the_token_a_visitor_none() {
        let signed = Session::signed_in("admin");
        let html = shipment_table(&signed, &Ok(parked())).into_string();
        for text in [
            r#"action="/parked/shipments/shop%201/7-1/retry""#,
            &format!(r#"name="csrf" value="{}""#, signed.csrf),
            r#"aria-label="Retry shipment 7-1""#,
            "article missing in the warehouse: &lt;A1&gt;",
            r#"href="/find?q=7-1""#,
            r#"action="/parked/shipments/shop%201/7-1/discard""#,
            r#"<label for="discard-shipment-0">"#,
            r#"id="discard-shipment-0" name="reason" required"#,
            r#"aria-label="Discard shipment 7-1""#,
        ] {
            assert!(html.contains(text), "{text} in {html}");
        }
        let visitor = shipment_table(&Session::anonymous(), &Ok(parked())).into_string();
        assert!(!visitor.contains("<form"), "{visitor}");
        assert!(visitor.contains("sign in to retry or discard"), "{visitor}");
    }

    #[test]
    fn a_parked_return_shows_its_reason_and_retry() {
        let signed = Session::signed_in("admin");
        let listed = pb::ListReturnsResponse {
            returns: vec![pb::ReturnSummary {
                return_id: "R 9".into(),
                order_number: "S7-1".into(),
                reason: "order S7-1 is not imported".into(),
                state: pb::ReturnState::Parked.into(),
                ..pb::ReturnSummary::default()
            }],
            next_page_token: "more".into(),
        };
        let html = return_table(&signed, &Ok(listed)).into_string();
        for text in [
            r#"action="/parked/returns/R%209/retry""#,
            r#"action="/parked/returns/R%209/discard""#,
            r#"<label for="discard-return-0">"#,
            "order S7-1 is not imported",
            "returns list --state parked",
        ] {
            assert!(html.contains(text), "{text} in {html}");
        }
        let failed = return_table(&signed, &Err("returns-sync does not answer".into()));
        assert!(
            failed
                .into_string()
                .contains("returns-sync does not answer")
        );
    }
}
