//! Find a record: "where is order 83651?". The search box in the navigation asks, at once,
//! order-sync's `OrderAdmin.FindShipments` for the shipments a Centra order id, shipment id or
//! WMS order number names, and catalog-sync's `CatalogAdmin.FindArticles` for the size items an
//! article number or EAN names ([`super::articles`], each with the shipments holding it). Each shipment shows its end-point, ids,
//! state, parked reason and trace id (a link into the trace UI when `[admin_web] trace_url` is
//! set) and its journey as a table: time, step, detail, with the calls centra-gateway and the
//! WMS gateway made for it (method, path, HTTP status, duration) merged in time order
//! ([`super::calls`]). returns-sync's `ReturnsAdmin.FindReturns` is asked too: a WMS return id
//! or WMS order number shows each return with its state, reason and journey (received,
//! created in Centra, reported, parked, discarded, retried, and the calls to Centra for it). The same call answers the orders of
//! order import (import mode `orders` or `both`) a Centra order id or WMS order number names:
//! each shows its end-point, ids, WMS order id, state and parked reason. Read-only. Not found
//! (404) when neither service knows the id.

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use platform_config::AdminWebConfig;
use proto::admin::v1 as pb;
use proto::admin::v1::order_admin_client::OrderAdminClient;
use proto::admin::v1::returns_admin_client::ReturnsAdminClient;
use serde::Deserialize;

use super::articles::{self, ArticleHits};
use super::calls::{self, Gathered};
use super::{Nav, grpc_failure, layout, time};
use crate::Page;
use crate::session::Session;

/// The service that keeps shipments and their journeys.
const SERVICE: &str = "order-sync";

/// The service that keeps returns and their journeys.
const RETURNS: &str = "returns-sync";

/// `GET /find?q=..`.
#[derive(Debug, Default, Deserialize)]
pub struct FindQuery {
    q: Option<String>,
}

/// What the search found.
enum Outcome {
    /// No search yet.
    Asked,
    /// Shipments with their journeys, and order import's orders.
    Found(Vec<pb::FoundShipment>, Vec<pb::FoundOrder>),
    NotFound(String),
    Failed(String),
}

/// `GET /find`: the form, and the matches of `q` with their journeys.
pub async fn page(
    State(page): State<Page>,
    Extension(session): Extension<Session>,
    Query(query): Query<FindQuery>,
) -> Response {
    let q = query.q.unwrap_or_default().trim().to_owned();
    let (outcome, hits, returns) = if q.is_empty() {
        (Outcome::Asked, ArticleHits::NotFound, Ok(Vec::new()))
    } else {
        tokio::join!(
            find(&page, &q),
            articles::find(&page, &q),
            find_returns(&page, &q)
        )
    };
    let (mut centra, mut wms): (Vec<String>, Vec<String>) = match &outcome {
        Outcome::Found(shipments, _) => shipments
            .iter()
            .map(|s| calls::shipment_records(&s.summary.clone().unwrap_or_default()))
            .unzip(),
        _ => (Vec::new(), Vec::new()),
    };
    let found_returns = returns.as_deref().unwrap_or_default();
    // A return's calls are kept under the same record at both gateways: creating it in
    // Centra, acknowledging its units in the WMS.
    let return_records: Vec<String> = found_returns
        .iter()
        .map(|r| calls::return_record(&r.summary.clone().unwrap_or_default()))
        .collect();
    centra.extend(return_records.iter().cloned());
    wms.extend(return_records);
    if let ArticleHits::Found(found) = &hits {
        wms.extend(
            found
                .iter()
                .filter_map(|(article, _)| calls::article_record(article)),
        );
    }
    let gathered = calls::gather(&page, centra, wms).await;
    // A return found answers the search as a shipment would.
    let outcome = match outcome {
        Outcome::NotFound(_) if !found_returns.is_empty() => Outcome::Found(Vec::new(), Vec::new()),
        other => other,
    };
    let status = status(&outcome, &hits);
    // A miss on one side is a quiet line when the other side found something.
    let nothing = status != StatusCode::OK;
    let body = html! {
        h1 { "Find a record" }
        form.actions method="get" action="/find" role="search" {
            label for="find-q" { "Centra order id, shipment id, WMS order number, article number or EAN" }
            input type="search" id="find-q" name="q" value=(q) required;
            button type="submit" { "Find" }
        }
        @match &outcome {
            Outcome::Asked => p.muted { "Shipments and articles are found by an exact id: a shipment shows its journey through the flow, an article its record in catalog-sync." },
            Outcome::NotFound(line) if !nothing => p.muted { (line) },
            Outcome::NotFound(line) | Outcome::Failed(line) => p.notice.bad { (line) },
            Outcome::Found(shipments, orders) => {
                @for shipment in shipments { (found(&page.config.admin_web, shipment, &gathered)) }
                @for order in orders { (found_order(order)) }
            }
        }
        @for found in found_returns { (found_return(&page.config.admin_web, found, &gathered)) }
        @if let Err(line) = &returns {
            p.muted { "Returns not searched: " (line) }
        }
        @if !q.is_empty() {
            @match &hits {
                ArticleHits::Found(found) => {
                    @for (article, holding) in found { (articles::found(article, holding, &gathered)) }
                }
                ArticleHits::NotFound if nothing => p.notice.bad { "No article has article number or EAN " (q) "." },
                ArticleHits::NotFound => p.muted { "No article has article number or EAN " (q) "." },
                ArticleHits::Failed(line) => p.notice.bad { (line) },
            }
        }
    };
    (status, layout("Find", Nav::Find, &session, body)).into_response()
}

/// 200 when either service found something (or nothing was asked), 502 when one failed and
/// the other found nothing, 404 when neither knows the id.
fn status(outcome: &Outcome, hits: &ArticleHits) -> StatusCode {
    match (outcome, hits) {
        (Outcome::Asked | Outcome::Found(..), _) | (_, ArticleHits::Found(_)) => StatusCode::OK,
        (Outcome::Failed(_), _) | (_, ArticleHits::Failed(_)) => StatusCode::BAD_GATEWAY,
        (Outcome::NotFound(_), ArticleHits::NotFound) => StatusCode::NOT_FOUND,
    }
}

async fn find(page: &Page, q: &str) -> Outcome {
    let channel = match page.directory.channel(SERVICE) {
        Ok(channel) => channel,
        Err(error) => return Outcome::Failed(format!("{SERVICE}: {error}")),
    };
    let answer = OrderAdminClient::new(channel)
        .find_shipments(pb::FindShipmentsRequest {
            query: q.to_owned(),
        })
        .await;
    match answer {
        Ok(answer) => {
            let answer = answer.into_inner();
            Outcome::Found(answer.shipments, answer.orders)
        }
        Err(status) if status.code() == tonic::Code::NotFound => Outcome::NotFound(format!(
            "No shipment has order id, shipment id or WMS order number {q}, and no imported order has order id or WMS order number {q}."
        )),
        Err(status) => Outcome::Failed(grpc_failure(SERVICE, "shipment search", &status)),
    }
}

/// The returns a WMS return id or WMS order number names (returns-sync), with their journeys.
async fn find_returns(page: &Page, q: &str) -> Result<Vec<pb::FoundReturn>, String> {
    let channel = page
        .directory
        .channel(RETURNS)
        .map_err(|error| format!("{RETURNS}: {error}"))?;
    ReturnsAdminClient::new(channel)
        .find_returns(pb::FindReturnsRequest {
            query: q.to_owned(),
        })
        .await
        .map(|answer| answer.into_inner().returns)
        .map_err(|status| grpc_failure(RETURNS, "return search", &status))
}

/// The trace id, linked to the trace UI when one is configured.
fn trace(config: &AdminWebConfig, trace_id: &str) -> Markup {
    if trace_id.is_empty() {
        return html! { span.muted { "none" } };
    }
    match config.trace_link(trace_id) {
        Some(href) => html! { a.mono href=(href) rel="noopener" { (trace_id) } },
        None => html! { span.mono { (trace_id) } },
    }
}

fn found(config: &AdminWebConfig, shipment: &pb::FoundShipment, gathered: &Gathered) -> Markup {
    let summary = shipment.summary.clone().unwrap_or_default();
    let (centra, wms) = calls::shipment_records(&summary);
    let records = [centra, wms];
    let journey = calls::merge(&shipment.journey, gathered.of(&records));
    let heading_id = format!("shipment-{}-{}", summary.endpoint, summary.shipment_id);
    html! {
        section.shipment aria-labelledby=(heading_id) {
            h2 id=(heading_id) { "Shipment " (summary.shipment_id) }
            table.facts {
                tbody {
                    tr { th scope="row" { "End-point" } td { (summary.endpoint) } }
                    tr { th scope="row" { "Centra order" } td.mono { (summary.order_id) } }
                    tr { th scope="row" { "WMS order number" } td.mono { (summary.wms_order_number) } }
                    tr { th scope="row" { "State" } td.state { (shipment.state_name) } }
                    tr {
                        th scope="row" { "Parked reason" }
                        td { @if summary.last_error.is_empty() { span.muted { "none" } } @else { span.bad { (summary.last_error) } } }
                    }
                    tr { th scope="row" { "Trace" } td { (trace(config, &shipment.trace_id)) } }
                    tr { th scope="row" { "Last change" } td.mono { (time(summary.updated_at.as_ref())) } }
                }
            }
            (journey_table(&journey, gathered))
        }
    }
}

/// A WMS return with its state, reason and journey (the calls to Centra for it merged in), and
/// the trace of the latest work on it (a return keeps no trace of its own; each step keeps the
/// trace of the work that made it).
fn found_return(config: &AdminWebConfig, found: &pb::FoundReturn, gathered: &Gathered) -> Markup {
    let summary = found.summary.clone().unwrap_or_default();
    let latest_trace = found
        .journey
        .iter()
        .rev()
        .map(|step| step.trace_id.as_str())
        .find(|id| !id.is_empty())
        .unwrap_or_default();
    let heading_id = format!("return-{}", summary.return_id);
    let records = [calls::return_record(&summary)];
    let journey = calls::merge(&found.journey, gathered.of(&records));
    let state = pb::ReturnState::try_from(summary.state)
        .map_or("unknown", |s| s.as_str_name())
        .trim_start_matches("RETURN_STATE_")
        .to_lowercase();
    html! {
        section.return aria-labelledby=(heading_id) {
            h2 id=(heading_id) { "Return " (summary.return_id) }
            table.facts {
                tbody {
                    tr { th scope="row" { "WMS order number" } td.mono { (summary.order_number) } }
                    tr { th scope="row" { "Warehouse" } td { (summary.warehouse) } }
                    tr { th scope="row" { "Centra shipment" } td.mono { (summary.endpoint) "/" (summary.shipment_id) } }
                    tr {
                        th scope="row" { "Centra return" }
                        td.mono { @if summary.centra_return_id.is_empty() { span.muted { "none yet" } } @else { (summary.centra_return_id) } }
                    }
                    tr { th scope="row" { "State" } td.state { (state) } }
                    tr {
                        th scope="row" { "Parked reason" }
                        td { @if summary.reason.is_empty() { span.muted { "none" } } @else { span.bad { (summary.reason) } } }
                    }
                    tr { th scope="row" { "Trace of the latest work" } td { (trace(config, latest_trace)) } }
                    tr { th scope="row" { "Last change" } td.mono { (time(summary.updated_at.as_ref())) } }
                }
            }
            (journey_table(&journey, gathered))
        }
    }
}

/// A journey as a table: time, step, detail; a call's row is marked `call`.
fn journey_table(journey: &[calls::Row], gathered: &Gathered) -> Markup {
    html! {
        table.journey {
            caption.muted { "Journey, oldest step first" }
            thead { tr { th scope="col" { "Time" } th scope="col" { "Step" } th scope="col" { "Detail" } } }
            tbody {
                @for step in journey {
                    tr.(if step.step == "call" { "call" } else { "step" }) {
                        td.mono { (time(step.at.as_ref())) }
                        td { (step.step) }
                        td { (step.detail) }
                    }
                }
            }
        }
        @if journey.is_empty() {
            p.muted { "No steps kept (the record was last saved before journeys were kept)." }
        }
        @for line in &gathered.failures {
            p.muted { "Calls not shown: " (line) }
        }
    }
}

/// An order of order import: imported as itself, so it has no shipment journey.
fn found_order(order: &pb::FoundOrder) -> Markup {
    let heading_id = format!("order-{}-{}", order.endpoint, order.order_id);
    html! {
        section.order aria-labelledby=(heading_id) {
            h2 id=(heading_id) { "Order " (order.order_id) " (order import)" }
            table.facts {
                tbody {
                    tr { th scope="row" { "End-point" } td { (order.endpoint) } }
                    tr { th scope="row" { "Centra order" } td.mono { (order.order_id) } }
                    tr { th scope="row" { "WMS order number" } td.mono { (order.wms_order_number) } }
                    tr {
                        th scope="row" { "WMS order id" }
                        td.mono { @if order.wms_order_id == 0 { span.muted { "none yet" } } @else { (order.wms_order_id) } }
                    }
                    tr { th scope="row" { "State" } td.state { (order.state_name) } }
                    tr {
                        th scope="row" { "Parked reason" }
                        td { @if order.reason.is_empty() { span.muted { "none" } } @else { span.bad { (order.reason) } } }
                    }
                }
            }
            p.muted { "Imported as one WMS order from the Centra order; order-sync keeps no step-by-step journey for order import." }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipment() -> pb::FoundShipment {
        let at = Some(prost_types::Timestamp {
            seconds: 1_796_400_000,
            nanos: 0,
        });
        pb::FoundShipment {
            summary: Some(pb::OrderSummary {
                endpoint: "shop1".into(),
                shipment_id: "7-1".into(),
                order_id: "7".into(),
                wms_order_number: "S7-1".into(),
                last_error: "shipment has no lines".into(),
                ..pb::OrderSummary::default()
            }),
            state_name: "parked".into(),
            trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(),
            journey: vec![
                pb::JourneyStep {
                    at,
                    step: "state".into(),
                    detail: "- -> parked".into(),
                    trace_id: String::new(),
                },
                pb::JourneyStep {
                    at,
                    step: "parked".into(),
                    detail: "shipment has <no> lines".into(),
                    trace_id: String::new(),
                },
            ],
        }
    }

    #[test]
    fn the_page_is_found_when_either_service_finds_the_id() {
        let miss = || Outcome::NotFound("no shipment".into());
        let failed = || Outcome::Failed("order-sync does not answer".into());
        let hit = || {
            ArticleHits::Found(vec![(
                pb::FoundArticle::default(),
                Ok(pb::ShipmentsHoldingArticleResponse::default()),
            )])
        };
        assert_eq!(
            status(&miss(), &ArticleHits::NotFound),
            StatusCode::NOT_FOUND
        );
        assert_eq!(status(&miss(), &hit()), StatusCode::OK);
        assert_eq!(
            status(&Outcome::Found(vec![], vec![]), &ArticleHits::NotFound),
            StatusCode::OK
        );
        assert_eq!(status(&failed(), &hit()), StatusCode::OK);
        assert_eq!(
            status(&failed(), &ArticleHits::NotFound),
            StatusCode::BAD_GATEWAY
        );
        assert_eq!(
            status(&miss(), &ArticleHits::Failed("catalog-sync down".into())),
            StatusCode::BAD_GATEWAY
        );
        assert_eq!(
            status(&Outcome::Asked, &ArticleHits::NotFound),
            StatusCode::OK
        );
    }

    #[test]
    fn a_shipment_shows_its_facts_and_journey_with_the_trace_linked_when_configured() {
        let linked = AdminWebConfig {
            trace_url: Some("https://jaeger.example/trace/{trace_id}".into()),
            ..AdminWebConfig::default()
        };
        let gathered = Gathered {
            calls: vec![pb::ExternalCall {
                record: "order S7-1".into(),
                at: Some(prost_types::Timestamp {
                    seconds: 1_796_400_000,
                    nanos: 0,
                }),
                system: "ongoing".into(),
                method: "PUT".into(),
                path: "/api/v1/orders/".into(),
                status: 200,
                duration_ms: 34,
                ..pb::ExternalCall::default()
            }],
            failures: vec!["centra-gateway does not answer: down".into()],
        };
        let html = found(&linked, &shipment(), &gathered).into_string();
        assert!(
            html.contains(
                r#"href="https://jaeger.example/trace/4bf92f3577b34da6a3ce929d0e0e4736""#
            ),
            "{html}"
        );
        for text in [
            "S7-1",
            "parked",
            "shipment has no lines",
            r#"<th scope="col">Step</th>"#,
            "- -&gt; parked",
            "shipment has &lt;no&gt; lines",
            "2026-12-04T",
            "ongoing: PUT /api/v1/orders/ → 200 (34 ms)",
            "Calls not shown: centra-gateway does not answer: down",
        ] {
            assert!(html.contains(text), "{text} in {html}");
        }
        let plain = found(
            &AdminWebConfig::default(),
            &shipment(),
            &Gathered::default(),
        )
        .into_string();
        assert!(!plain.contains("href="), "no trace UI, no link: {plain}");
        assert!(
            plain.contains("4bf92f3577b34da6a3ce929d0e0e4736"),
            "{plain}"
        );
    }

    #[test]
    fn a_return_shows_its_state_reason_and_journey_with_its_calls() {
        let at = Some(prost_types::Timestamp {
            seconds: 1_796_400_000,
            nanos: 0,
        });
        let found = pb::FoundReturn {
            summary: Some(pb::ReturnSummary {
                return_id: "100:a".into(),
                order_number: "S1-1".into(),
                state: pb::ReturnState::Discarded as i32,
                reason: "discarded by admin: credited <by hand>".into(),
                ..pb::ReturnSummary::default()
            }),
            journey: vec![
                pb::JourneyStep {
                    at,
                    step: "parked".into(),
                    detail: "centra refused".into(),
                    trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(),
                },
                pb::JourneyStep {
                    at,
                    step: "discarded".into(),
                    detail: "discarded by admin".into(),
                    trace_id: String::new(),
                },
            ],
        };
        let linked = AdminWebConfig {
            trace_url: Some("https://jaeger.example/trace/{trace_id}".into()),
            ..AdminWebConfig::default()
        };
        let gathered = Gathered {
            calls: vec![pb::ExternalCall {
                record: "return 100:a".into(),
                at,
                system: "centra".into(),
                method: "POST".into(),
                path: "/return".into(),
                status: 400,
                duration_ms: 12,
                ..pb::ExternalCall::default()
            }],
            failures: Vec::new(),
        };
        let html = found_return(&linked, &found, &gathered).into_string();
        for text in [
            "Return 100:a",
            r#"<td class="state">discarded</td>"#,
            "credited &lt;by hand&gt;",
            "none yet",
            "centra: POST /return → 400 (12 ms)",
            r#"<tr class="call">"#,
            // The latest step with a trace: the untraced discard after it does not hide it.
            r#"href="https://jaeger.example/trace/4bf92f3577b34da6a3ce929d0e0e4736""#,
        ] {
            assert!(html.contains(text), "{text} in {html}");
        }
    }

    #[test]
    fn an_imported_order_shows_its_ids_state_and_reason() {
        let html = found_order(&pb::FoundOrder {
            endpoint: "shop1".into(),
            order_id: "83651".into(),
            wms_order_number: "S83651".into(),
            state_name: "parked".into(),
            reason: "order is on <hold>".into(),
            wms_order_id: 0,
        })
        .into_string();
        for text in [
            "Order 83651 (order import)",
            "S83651",
            r#"<td class="state">parked</td>"#,
            "order is on &lt;hold&gt;",
            "none yet",
        ] {
            assert!(html.contains(text), "{text} in {html}");
        }
    }
}
