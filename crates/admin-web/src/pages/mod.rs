//! The pages, one module each, and what they share: the layout (navigation, who is signed in,
//! the htmx and license notice), time and status helpers.
//!
//! Layout:
//! - `find.rs`: a shipment found by its ids, with its journey (`OrderAdmin.FindShipments`),
//!   and the articles an article number or EAN names (`articles.rs`,
//!   `CatalogAdmin.FindArticles`); the calls the gateways made for the shipment merged into
//!   its journey (`calls.rs`, `ExternalCalls`).
//! - `overview.rs`: every flow of every service (`FlowStatus`), refreshed by htmx polling;
//!   the recent actions.
//! - `products.rs`: the webshop's products by product, state per size (`CatalogAdmin`);
//!   Refresh, and Create for the selected ones under manual selection.
//! - `dead_letters.rs`: every service's dead letters (`DeadLetters`), one with its payload and
//!   history; Retry and Discard (with a reason).
//! - `parked.rs`: order-sync's parked shipments and returns-sync's parked returns with their
//!   reasons (`OrderAdmin`, `ReturnsAdmin`); Retry, and Discard (with a reason).
//! - `connection.rs`: the Test button, running what `centra-wms test-connection` runs.
//! - `settings.rs`: the effective settings, secrets masked, with default and meaning.
//! - `sign_in.rs`: sign-in and sign-out.

pub mod articles;
pub mod calls;
pub mod connection;
pub mod dead_letters;
pub mod find;
pub mod overview;
pub mod parked;
pub mod products;
pub mod settings;
pub mod sign_in;

use std::time::{SystemTime, UNIX_EPOCH};

use axum::Extension;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::assets::HTMX_VERSION;
use crate::session::Session;

/// The pages in the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Overview,
    Find,
    Products,
    DeadLetters,
    Parked,
    Connection,
    Settings,
    None,
}

const NAVIGATION: [(Nav, &str, &str); 7] = [
    (Nav::Overview, "/", "Overview"),
    (Nav::Find, "/find", "Find"),
    (Nav::Products, "/products", "Products"),
    (Nav::DeadLetters, "/dead-letters", "Dead letters"),
    (Nav::Parked, "/parked", "Parked"),
    (Nav::Connection, "/connection", "Connection"),
    (Nav::Settings, "/settings", "Settings"),
];

/// htmx's settings: no style element of its own and no eval, so the CSP needs no exception.
const HTMX_CONFIG: &str =
    r#"{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}"#;

/// The whole page around `body`.
pub fn layout(title: &str, current: Nav, session: &Session, body: Markup) -> Markup {
    let PreEscaped(body) = body;
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="htmx-config" content=(HTMX_CONFIG);
                title { (title) " · centra-wms" }
                link rel="stylesheet" href="/assets/style.css";
                script src="/assets/htmx.min.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header {
                    span.brand { "centra-wms" }
                    nav aria-label="Main" {
                        ul {
                            @for (nav, href, label) in NAVIGATION {
                                li {
                                    @if nav == current {
                                        a href=(href) aria-current="page" { (label) }
                                    } @else {
                                        a href=(href) { (label) }
                                    }
                                }
                            }
                        }
                    }
                    form.find method="get" action="/find" role="search" {
                        label.sr-only for="nav-find" { "Find a shipment or article by Centra order id, shipment id, WMS order number, article number or EAN" }
                        input type="search" id="nav-find" name="q" placeholder="Order, shipment, WMS number, article or EAN";
                        button.secondary type="submit" { "Find" }
                    }
                    div.who {
                        @match &session.user {
                            Some(user) => {
                                span { "Signed in as " strong { (user) } }
                                form.inline method="post" action="/sign-out" {
                                    (csrf_field(session))
                                    button.secondary type="submit" { "Sign out" }
                                }
                            }
                            None => {
                                span.muted { "Read-only" }
                                a href="/sign-in" { "Sign in" }
                            }
                        }
                    }
                }
                main id="main" { (PreEscaped(body)) }
                footer {
                    "Served by this centra-wms process; nothing is loaded from elsewhere. Uses htmx "
                    (HTMX_VERSION) " ("
                    a href="/assets/htmx-LICENSE.txt" { "Zero-Clause BSD license" }
                    ")."
                }
            }
        }
    }
}

/// The hidden field every form of `session` carries.
pub fn csrf_field(session: &Session) -> Markup {
    html! { input type="hidden" name="csrf" value=(session.csrf); }
}

/// A line for a visitor who may read only.
pub fn sign_in_to(what: &str) -> Markup {
    html! { p.muted { a href="/sign-in" { "Sign in" } " to " (what) "." } }
}

/// A protobuf time to the second (`2026-12-04T16:20:01Z`), or `-`.
pub fn time(timestamp: Option<&prost_types::Timestamp>) -> String {
    timestamp.map_or_else(
        || "-".to_owned(),
        |t| {
            prost_types::Timestamp {
                seconds: t.seconds,
                nanos: 0,
            }
            .to_string()
        },
    )
}

/// How long ago `timestamp` was, as a person reads it (`12 s ago`, `3 min ago`), or `-`.
pub fn ago(timestamp: Option<&prost_types::Timestamp>) -> String {
    let Some(t) = timestamp else {
        return "-".to_owned();
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let seconds = (now - t.seconds).max(0);
    match seconds {
        0..60 => format!("{seconds} s ago"),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86400 => format!("{} h ago", seconds / 3600),
        _ => format!("{} days ago", seconds / 86400),
    }
}

/// `text` as one percent-encoded path segment (or query value): everything but unreserved
/// characters encoded.
pub fn path_segment(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// A gRPC failure of `service` as one line for the page.
pub fn grpc_failure(service: &str, what: &str, status: &tonic::Status) -> String {
    match status.code() {
        tonic::Code::Unimplemented => format!("{service} serves no {what}"),
        tonic::Code::NotFound => format!("{service}: not found: {}", status.message()),
        tonic::Code::Unavailable => {
            format!("{service} does not answer: {}", status.message())
        }
        code => format!("{service} {what} failed ({code:?}): {}", status.message()),
    }
}

/// Any other path.
pub async fn not_found(Extension(session): Extension<Session>) -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        layout(
            "Not found",
            Nav::None,
            &session,
            html! {
                h1 { "Not found" }
                p { "There is no such page. " a href="/" { "Back to the overview" } "." }
            },
        ),
    )
}
