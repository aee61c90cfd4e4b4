//! The session: who is signed in (if anyone) and the CSRF token of its forms, kept in one
//! private cookie (encrypted and authenticated with the page's key, so a visitor can neither
//! read nor forge it).
//!
//! Every request gets a session: the cookie's when it is valid and younger than
//! [`LIFETIME`], else a fresh anonymous one with a new token (the sign-in form needs a token
//! too, so a foreign site cannot sign a visitor in). A handler that changes the session (sign
//! in, sign out) puts the new one into its answer's extensions; [`layer`] writes the cookie.
//! Signing in draws a new token, so a token seen before sign-in is worthless after it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::PrivateCookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use base64::Engine as _;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};

use crate::Page;

/// The cookie's name.
pub const COOKIE: &str = "centra_wms_admin";
/// How long a session lasts after it began (sign-in starts a new one).
pub const LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// One visitor's session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The signed-in user, or `None` for a visitor who only reads.
    pub user: Option<String>,
    /// The token every form of this session carries (`csrf` field).
    pub csrf: String,
    /// When the session began, in seconds since the Unix epoch.
    pub began: u64,
}

impl Session {
    /// A visitor who has not signed in, with a fresh token.
    pub fn anonymous() -> Self {
        Self {
            user: None,
            csrf: new_token(),
            began: now(),
        }
    }

    /// `user` signed in: a new session with a new token.
    pub fn signed_in(user: &str) -> Self {
        Self {
            user: Some(user.to_owned()),
            ..Self::anonymous()
        }
    }

    /// Who acts, for the audit log: the user or `anonymous`.
    pub fn who(&self) -> &str {
        self.user.as_deref().unwrap_or("anonymous")
    }

    fn expired(&self) -> bool {
        now().saturating_sub(self.began) > LIFETIME.as_secs()
    }

    /// The session in `jar`, unless missing, unreadable (another key, tampered) or expired.
    fn from_jar(jar: &PrivateCookieJar) -> Option<Self> {
        let cookie = jar.get(COOKIE)?;
        let session: Self = serde_json::from_str(cookie.value()).ok()?;
        (!session.expired()).then_some(session)
    }

    fn cookie(&self, secure: bool) -> Cookie<'static> {
        let value = serde_json::to_string(self).unwrap_or_default();
        let mut cookie = Cookie::new(COOKIE, value);
        cookie.set_http_only(true);
        cookie.set_same_site(SameSite::Strict);
        cookie.set_secure(secure);
        cookie.set_path("/");
        cookie
    }
}

/// 32 random bytes, URL-safe base64.
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Gives every request its [`Session`] (as an extension) and writes the cookie when the
/// session is new or a handler replaced it.
pub async fn layer(
    State(page): State<Page>,
    jar: PrivateCookieJar,
    mut request: Request,
    next: Next,
) -> Response {
    let kept = Session::from_jar(&jar);
    let session = kept.clone().unwrap_or_else(Session::anonymous);
    request.extensions_mut().insert(session.clone());
    let mut response = next.run(request).await;
    let written = match response.extensions_mut().remove::<Session>() {
        Some(replaced) => Some(replaced),
        None if kept.is_none() => Some(session),
        None => None,
    };
    match written {
        Some(session) => {
            let jar = jar.add(session.cookie(page.config.admin_web.behind_tls));
            (jar, response).into_response()
        }
        None => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_in_draws_a_new_token() {
        let visitor = Session::anonymous();
        let signed = Session::signed_in("admin");
        assert_ne!(visitor.csrf, signed.csrf);
        assert_eq!(signed.who(), "admin");
        assert_eq!(visitor.who(), "anonymous");
        assert_eq!(signed.csrf.len(), 43, "32 bytes of base64");
    }

    #[test]
    fn an_old_session_has_expired() {
        let mut session = Session::signed_in("admin");
        assert!(!session.expired());
        session.began -= LIFETIME.as_secs() + 1;
        assert!(session.expired());
    }

    #[test]
    fn the_cookie_is_http_only_and_strict() {
        let cookie = Session::anonymous().cookie(true);
        assert_eq!(cookie.http_only(), Some(true));
        assert_eq!(cookie.same_site(), Some(SameSite::Strict));
        assert_eq!(cookie.secure(), Some(true));
        assert_eq!(Session::anonymous().cookie(false).secure(), Some(false));
    }
}
