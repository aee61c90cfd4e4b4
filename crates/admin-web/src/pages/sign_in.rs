//! Sign-in with the configured user and password (its argon2 hash in `[admin_web]
//! password_hash`), and sign-out. The sign-in form carries the visitor's CSRF token too, so no
//! other site can sign a visitor in; a success starts a new session with a new token. An
//! address that used up its attempts ([`crate::sign_in_limit`]) is refused with 429 before
//! its password is checked.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use maud::{Markup, html};
use serde::Deserialize;
use subtle::ConstantTimeEq as _;

use super::{Nav, csrf_field, layout};
use crate::Page;
use crate::password;
use crate::security::{Refusal, allow, from_htmx, token_matches};
use crate::session::Session;

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    csrf: Option<String>,
    user: Option<String>,
    password: Option<String>,
}

/// The sign-out form.
#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    csrf: Option<String>,
}

/// `GET /sign-in`.
pub async fn form(State(page): State<Page>, Extension(session): Extension<Session>) -> Markup {
    sign_in_page(&page, &session, None)
}

/// `POST /sign-in`.
pub async fn sign_in(
    State(page): State<Page>,
    Extension(session): Extension<Session>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Form(form): Form<SignInForm>,
) -> Response {
    let user = form.user.unwrap_or_default();
    if !token_matches(&session.csrf, form.csrf.as_deref()) {
        page.audit.record(
            &user,
            "sign in",
            "admin web",
            "refused: missing or wrong csrf token",
        );
        return Refusal::BadToken.into_response();
    }
    if let Err(wait) = page.sign_in_limit.attempt(client.ip()) {
        page.audit.record(
            &user,
            "sign in",
            "admin web",
            &format!("refused: too many sign-in attempts from {}", client.ip()),
        );
        return too_many(&page, &session, wait);
    }
    let Some(hash) = page.config.admin_web.password_hash.clone() else {
        page.audit.record(
            &user,
            "sign in",
            "admin web",
            "refused: no password hash configured",
        );
        return (
            StatusCode::UNAUTHORIZED,
            sign_in_page(&page, &session, Some(NO_HASH)),
        )
            .into_response();
    };
    let expected_user = page.config.admin_web.user.clone();
    let password = form.password.unwrap_or_default();
    // argon2 takes tens of milliseconds of CPU on purpose: off the async workers.
    let checked =
        tokio::task::spawn_blocking(move || password::verify(&password, hash.expose())).await;
    let user_matches = bool::from(user.as_bytes().ct_eq(expected_user.as_bytes()));
    match checked {
        Ok(Ok(true)) if user_matches => {
            page.audit
                .record(&user, "sign in", "admin web", "signed in");
            let mut answer = Redirect::to("/").into_response();
            answer.extensions_mut().insert(Session::signed_in(&user));
            answer
        }
        Ok(Ok(_)) => {
            page.audit.record(
                &user,
                "sign in",
                "admin web",
                "refused: wrong user or password",
            );
            (
                StatusCode::UNAUTHORIZED,
                sign_in_page(&page, &session, Some("Wrong user or password.")),
            )
                .into_response()
        }
        Ok(Err(error)) => {
            tracing::error!(%error, "admin web sign-in cannot check the password");
            page.audit.record(
                &user,
                "sign in",
                "admin web",
                "refused: the password hash is unreadable",
            );
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                sign_in_page(
                    &page,
                    &session,
                    Some("The configured password hash is unreadable; see the log."),
                ),
            )
                .into_response()
        }
        Err(error) => {
            tracing::error!(%error, "admin web sign-in check stopped");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the password check stopped",
            )
                .into_response()
        }
    }
}

/// `POST /sign-out`.
pub async fn sign_out(
    State(page): State<Page>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Form(form): Form<SignOutForm>,
) -> Response {
    let user = match allow(
        &session,
        form.csrf.as_deref(),
        from_htmx(&headers),
        &page.audit,
        "sign out",
        "admin web",
    ) {
        Ok(user) => user.to_owned(),
        Err(refusal) => return refusal.into_response(),
    };
    page.audit
        .record(&user, "sign out", "admin web", "signed out");
    let mut answer = Redirect::to("/").into_response();
    answer.extensions_mut().insert(Session::anonymous());
    answer
}

/// 429 with `Retry-After`, saying how long to wait.
fn too_many(page: &Page, session: &Session, wait: Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let problem = format!(
        "Too many sign-in attempts from your address ({} in a row). Wait {seconds} s and try \
         again.",
        crate::sign_in_limit::ATTEMPTS
    );
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, seconds.to_string())],
        sign_in_page(page, session, Some(&problem)),
    )
        .into_response()
}

const NO_HASH: &str = "Nobody can sign in: no [admin_web] password_hash is configured. Make one \
                       with `centra-wms admin-web hash-password`; until then the page is \
                       read-only.";

fn sign_in_page(page: &Page, session: &Session, problem: Option<&str>) -> Markup {
    let configured = page.config.admin_web.password_hash.is_some();
    layout(
        "Sign in",
        Nav::None,
        session,
        html! {
            h1 { "Sign in" }
            @if let Some(problem) = problem {
                p.notice.bad role="alert" { (problem) }
            } @else if !configured {
                p.notice.bad { (NO_HASH) }
            }
            @if let Some(user) = &session.user {
                p { "You are signed in as " strong { (user) } "." }
            }
            form.stack method="post" action="/sign-in" {
                (csrf_field(session))
                label for="user" { "User" }
                input id="user" type="text" name="user" autocomplete="username" required autofocus;
                label for="password" { "Password" }
                input id="password" type="password" name="password" autocomplete="current-password" required;
                div { button type="submit" { "Sign in" } }
            }
        },
    )
}
