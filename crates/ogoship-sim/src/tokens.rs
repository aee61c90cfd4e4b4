//! The OAuth2 token server `POST /OAuth/Token` and the bearer check of every API call
//! (ogoship-api.md §2).
//!
//! - Body **form-encoded only**. A JSON body is refused the way OWIN's OAuth server (the
//!   `/OAuth/Token` path is OWIN's default, so myOGO most plausibly runs it) refuses it: it
//!   finds no `grant_type` and answers `400 {"error":"unsupported_grant_type"}`.
//! - `grant_type=password`: `client_id`, `client_secret`, `username` (merchant ID), `password`
//!   (merchant secret), `scope`. `grant_type=refresh_token`: `refresh_token`, `client_id`,
//!   `client_secret`.
//! - Answer `{access_token, token_type:"Bearer", expires_in:5400, refresh_token}`.
//! - Refresh tokens live 2 weeks and are **single use**: a refresh returns a new pair and the
//!   old refresh token is refused afterwards (`invalid_grant`).
//!
//! Access tokens are opaque random strings, not JWTs: the docs say JWT (G1) but no client
//! reads the claims, and an opaque token keeps the simulator free of a signing key.
//! Doc gap: scopes are recorded but not enforced (§2 lists them; which call needs which scope
//! is not documented). Doc gap: a refresh does not revoke the access token issued with the old
//! refresh token; it stays valid until it expires. Doc gap: the `X-OgoKey` method (S1) is not
//! modelled; only bearer tokens are accepted.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand::distr::Alphanumeric;
use serde::Deserialize;
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::config::SimConfig;
use crate::error::OAuthError;
use crate::state::Sim;

#[derive(Debug, Clone)]
struct Issued {
    expires: DateTime<Utc>,
    scope: String,
}

/// Issued tokens; `revoke_all` models a rotated merchant secret.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    inner: Mutex<TokenMaps>,
}

#[derive(Debug, Default)]
struct TokenMaps {
    access: HashMap<String, Issued>,
    refresh: HashMap<String, Issued>,
}

/// One successful grant, as answered.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
}

fn random_token(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

fn equal(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

fn lifetime(duration: std::time::Duration) -> Duration {
    Duration::from_std(duration).unwrap_or(Duration::MAX)
}

impl Tokens {
    fn with<R>(&self, f: impl FnOnce(&mut TokenMaps) -> R) -> R {
        f(&mut self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    fn issue(&self, config: &SimConfig, scope: String, now: DateTime<Utc>) -> Grant {
        let grant = Grant {
            access_token: random_token(48),
            refresh_token: random_token(40),
            expires_in: config.access_token_lifetime.as_secs(),
        };
        self.with(|maps| {
            maps.access.retain(|_, issued| issued.expires > now);
            maps.refresh.retain(|_, issued| issued.expires > now);
            maps.access.insert(
                grant.access_token.clone(),
                Issued {
                    expires: now + lifetime(config.access_token_lifetime),
                    scope: scope.clone(),
                },
            );
            maps.refresh.insert(
                grant.refresh_token.clone(),
                Issued {
                    expires: now + lifetime(config.refresh_token_lifetime),
                    scope,
                },
            );
        });
        grant
    }

    /// Whether `token` is a live access token at `now`.
    pub(crate) fn valid(&self, token: &str, now: DateTime<Utc>) -> bool {
        self.with(|maps| {
            maps.access
                .get(token)
                .is_some_and(|issued| issued.expires > now)
        })
    }

    /// Removes `refresh_token` (single use) and returns its scope when it was live.
    fn consume_refresh(&self, refresh_token: &str, now: DateTime<Utc>) -> Option<String> {
        self.with(|maps| maps.refresh.remove(refresh_token))
            .filter(|issued| issued.expires > now)
            .map(|issued| issued.scope)
    }

    pub(crate) fn revoke_all(&self) -> usize {
        self.with(|maps| {
            let count = maps.access.len() + maps.refresh.len();
            maps.access.clear();
            maps.refresh.clear();
            count
        })
    }
}

#[derive(Debug, Default, Deserialize)]
struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    username: Option<String>,
    password: Option<String>,
    scope: Option<String>,
    refresh_token: Option<String>,
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
}

fn check_client(config: &SimConfig, request: &TokenRequest) -> Result<(), OAuthError> {
    let id = request.client_id.as_deref().unwrap_or_default();
    let secret = request.client_secret.as_deref().unwrap_or_default();
    if equal(id, &config.client_id) && equal(secret, &config.client_secret) {
        Ok(())
    } else {
        Err(OAuthError::new(
            "invalid_client",
            "The client_id or client_secret is incorrect.",
        ))
    }
}

/// Applies one token request to the token store.
fn grant(sim: &Sim, request: &TokenRequest) -> Result<Grant, OAuthError> {
    let config = &sim.config;
    let now = sim.clock.now();
    match request.grant_type.as_deref().map(str::trim) {
        None | Some("") => Err(OAuthError::new(
            "unsupported_grant_type",
            "grant_type is missing; the body must be application/x-www-form-urlencoded.",
        )),
        Some("password") => {
            check_client(config, request)?;
            let user = request.username.as_deref().unwrap_or_default();
            let password = request.password.as_deref().unwrap_or_default();
            if !(equal(user, &config.merchant_id) && equal(password, &config.merchant_secret)) {
                return Err(OAuthError::new(
                    "invalid_grant",
                    "The merchant ID or secret token is incorrect.",
                ));
            }
            let scope = request.scope.clone().unwrap_or_default();
            Ok(sim.tokens.issue(config, scope, now))
        }
        Some("refresh_token") => {
            check_client(config, request)?;
            let Some(refresh) = request.refresh_token.as_deref().filter(|t| !t.is_empty()) else {
                return Err(OAuthError::new(
                    "invalid_request",
                    "refresh_token is missing.",
                ));
            };
            let scope = sim.tokens.consume_refresh(refresh, now).ok_or_else(|| {
                OAuthError::new(
                    "invalid_grant",
                    "The refresh token is invalid, expired or already used.",
                )
            })?;
            Ok(sim.tokens.issue(config, scope, now))
        }
        Some(_) => Err(OAuthError::new(
            "unsupported_grant_type",
            "Only password and refresh_token grants are supported.",
        )),
    }
}

/// `POST /OAuth/Token`.
pub(crate) async fn token(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // A body that is not a form reads as an empty form, as OWIN does: no grant_type.
    let request: TokenRequest = if is_form(&headers) {
        match serde_urlencoded::from_bytes(&body) {
            Ok(request) => request,
            Err(err) => {
                return OAuthError::new("invalid_request", format!("malformed form body: {err}"))
                    .into_response();
            }
        }
    } else {
        TokenRequest::default()
    };
    match grant(&sim, &request) {
        Ok(grant) => {
            let mut response = Json(json!({
                "access_token": grant.access_token,
                "token_type": "Bearer",
                "expires_in": grant.expires_in,
                "refresh_token": grant.refresh_token,
            }))
            .into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(err) => {
            tracing::debug!(error = %err, "token request refused");
            err.into_response()
        }
    }
}

/// The bearer token of a request, if it carries one.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_are_single_use_and_expire() {
        let tokens = Tokens::default();
        let config = SimConfig::default();
        let now = Utc::now();
        let grant = tokens.issue(&config, "read:order".into(), now);
        assert!(tokens.valid(&grant.access_token, now));
        assert!(!tokens.valid(&grant.access_token, now + Duration::seconds(5400)));
        assert_eq!(
            tokens.consume_refresh(&grant.refresh_token, now).as_deref(),
            Some("read:order")
        );
        assert!(tokens.consume_refresh(&grant.refresh_token, now).is_none());
        let later = tokens.issue(&config, String::new(), now);
        assert!(
            tokens
                .consume_refresh(&later.refresh_token, now + Duration::days(15))
                .is_none()
        );
    }

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer abc"),
        );
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&headers), None);
    }
}
