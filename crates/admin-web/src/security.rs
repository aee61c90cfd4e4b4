//! What every answer carries and what every action passes.
//!
//! - [`headers`]: a Content-Security-Policy allowing only the page's own scripts, styles and
//!   forms (no inline script, no framing), `X-Content-Type-Options: nosniff`, no referrer, no
//!   caching of pages that may show a signed-in view.
//! - [`allow`]: an action (any POST but sign-in) needs a signed-in session (else 303 to the
//!   sign-in form, or 401 with `HX-Redirect` for htmx) and the session's CSRF token in its
//!   form (else 403). Both refusals are written to the audit log.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use subtle::ConstantTimeEq as _;

use crate::audit::AuditLog;
use crate::session::Session;

/// The policy: everything from the page itself, nothing inline, never inside a frame.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; \
     object-src 'none'; frame-ancestors 'none'";

/// Adds the security headers to every answer.
pub async fn headers(State(behind_tls): State<bool>, mut response: Response) -> Response {
    let set = response.headers_mut();
    let fixed = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    for (name, value) in fixed {
        set.insert(name, HeaderValue::from_static(value));
    }
    if behind_tls {
        set.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

/// Whether the request came from htmx (it then follows `HX-Redirect` instead of a 303).
pub fn from_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Nobody is signed in.
    NotSignedIn { htmx: bool },
    /// The form carried no token, or not this session's.
    BadToken,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::NotSignedIn { htmx: false } => Redirect::to("/sign-in").into_response(),
            Self::NotSignedIn { htmx: true } => (
                StatusCode::UNAUTHORIZED,
                [("hx-redirect", "/sign-in")],
                "sign in first",
            )
                .into_response(),
            Self::BadToken => (
                StatusCode::FORBIDDEN,
                "refused: the form's security token is missing or wrong; reload the page and \
                 try again",
            )
                .into_response(),
        }
    }
}

/// Lets `action` on `target` through when `session` is signed in and `token` is its CSRF
/// token; returns the user. A refusal is written to `audit`.
///
/// # Errors
/// [`Refusal::NotSignedIn`] or [`Refusal::BadToken`].
pub fn allow<'a>(
    session: &'a Session,
    token: Option<&str>,
    htmx: bool,
    audit: &AuditLog,
    action: &str,
    target: &str,
) -> Result<&'a str, Refusal> {
    let Some(user) = session.user.as_deref() else {
        audit.record(session.who(), action, target, "refused: not signed in");
        return Err(Refusal::NotSignedIn { htmx });
    };
    if !token_matches(&session.csrf, token) {
        audit.record(user, action, target, "refused: missing or wrong csrf token");
        return Err(Refusal::BadToken);
    }
    Ok(user)
}

/// Compares in constant time; no token never matches.
pub fn token_matches(expected: &str, given: Option<&str>) -> bool {
    given.is_some_and(|given| {
        !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_must_be_there_and_equal() {
        assert!(token_matches("abc", Some("abc")));
        assert!(!token_matches("abc", Some("abd")));
        assert!(!token_matches("abc", Some("")));
        assert!(!token_matches("abc", None));
        assert!(!token_matches("", Some("")));
    }

    #[test]
    fn nobody_signed_in_is_sent_to_sign_in_and_a_bad_token_is_forbidden() {
        let audit = AuditLog::default();
        let visitor = Session::anonymous();
        let refused = allow(&visitor, Some(&visitor.csrf), false, &audit, "retry", "x");
        assert_eq!(refused, Err(Refusal::NotSignedIn { htmx: false }));
        let signed = Session::signed_in("admin");
        assert_eq!(
            allow(&signed, Some("forged"), false, &audit, "retry", "x"),
            Err(Refusal::BadToken)
        );
        assert_eq!(
            allow(&signed, Some(&signed.csrf), false, &audit, "retry", "x"),
            Ok("admin")
        );
        let outcomes: Vec<String> = audit.recent().into_iter().map(|e| e.outcome).collect();
        assert_eq!(
            outcomes,
            [
                "refused: missing or wrong csrf token",
                "refused: not signed in"
            ],
            "newest first"
        );
    }
}
