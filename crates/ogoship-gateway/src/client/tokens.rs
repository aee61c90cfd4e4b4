//! OAuth2 tokens (ogoship-api.md §2): a password grant at first, then the single-use refresh
//! token, which rotates on every refresh.
//!
//! - The access token is kept in memory until shortly before `expires_in` runs out.
//! - The refresh token is kept in the gateway's store (`oauth_refresh`, one row per token
//!   server, client and merchant, replaced in ONE statement), because it is single use: a
//!   restart must continue with the newest one, and a half-written pair must never exist.
//! - A refused refresh (`invalid_grant`: used, expired, revoked) falls back to ONE password
//!   grant; a refused password grant is [`OgoshipError::CredentialsRefused`], terminal.
//! - Grants are made under one lock, so two calls of this process never spend the same
//!   refresh token. (Two processes may: the loser's refresh is refused and it falls back to a
//!   password grant.)
//!
//! No secret is ever logged: the form goes only into the request body.

use std::time::{Duration, Instant};

use domain::Secret;
use platform_store::{Store, StoreError, unix_millis};
use reqwest::header::{ACCEPT, HeaderValue};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::ClientSettings;
use super::error::{OgoshipError, error_message};

/// The token endpoint's answer.
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    refresh_token: Option<String>,
}

#[derive(Debug, Default)]
struct Cached {
    access: Option<(Secret, Instant)>,
}

/// Keeps the tokens of one OGOship account.
#[derive(Debug)]
pub(crate) struct TokenKeeper {
    http: reqwest::Client,
    settings: ClientSettings,
    store: Store,
    /// The row of `oauth_refresh`: token server, client and merchant, so a changed account
    /// never tries another account's refresh token.
    account: String,
    cached: Mutex<Cached>,
}

/// How long before its expiry an access token is replaced: a tenth of its life, at most five
/// minutes (a call must not leave with a token that expires on the way).
fn renew_at(now: Instant, lifetime: Duration) -> Instant {
    now + lifetime.saturating_sub((lifetime / 10).min(Duration::from_secs(300)))
}

/// Documented 1.5 h; used when `expires_in` is missing or unreadable.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(5400);

fn lifetime(value: Option<&serde_json::Value>) -> Duration {
    let seconds = match value {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    seconds.map_or(DEFAULT_LIFETIME, Duration::from_secs)
}

impl TokenKeeper {
    pub(crate) fn new(http: reqwest::Client, settings: ClientSettings, store: Store) -> Self {
        let account = format!(
            "{} {} {}",
            settings.token_url, settings.client_id, settings.merchant_id
        );
        Self {
            http,
            settings,
            store,
            account,
            cached: Mutex::default(),
        }
    }

    /// A live access token: the cached one, else a new grant.
    pub(crate) async fn bearer(&self) -> Result<Secret, OgoshipError> {
        let mut cached = self.cached.lock().await;
        if let Some((token, renew)) = &cached.access
            && Instant::now() < *renew
        {
            return Ok(token.clone());
        }
        self.obtain(&mut cached).await
    }

    /// A new access token after `stale` was refused (401); when another call already replaced
    /// it, that one.
    pub(crate) async fn renew(&self, stale: &Secret) -> Result<Secret, OgoshipError> {
        let mut cached = self.cached.lock().await;
        if let Some((token, renew)) = &cached.access
            && token.expose() != stale.expose()
            && Instant::now() < *renew
        {
            return Ok(token.clone());
        }
        cached.access = None;
        self.obtain(&mut cached).await
    }

    /// Refresh with the stored token when there is one; a refused refresh falls back to one
    /// password grant.
    async fn obtain(&self, cached: &mut Cached) -> Result<Secret, OgoshipError> {
        if let Some(refresh) = self.load_refresh().await? {
            let form = [
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.expose()),
                ("client_id", self.settings.client_id.as_str()),
                ("client_secret", self.settings.client_secret.expose()),
            ];
            match self.grant("refresh_token grant", &form).await {
                Ok(answer) => return self.keep(cached, answer).await,
                Err(OgoshipError::Status {
                    status: 400 | 401,
                    message,
                    ..
                }) => {
                    tracing::info!(%message, "ogoship refused the refresh token; password grant");
                }
                Err(error) => return Err(error),
            }
        }
        let form = [
            ("grant_type", "password"),
            ("client_id", self.settings.client_id.as_str()),
            ("client_secret", self.settings.client_secret.expose()),
            ("username", self.settings.merchant_id.as_str()),
            ("password", self.settings.merchant_secret.expose()),
            ("scope", self.settings.scope.as_str()),
        ];
        match self.grant("password grant", &form).await {
            Ok(answer) => self.keep(cached, answer).await,
            Err(OgoshipError::Status {
                status: 400 | 401 | 403,
                message,
                ..
            }) => Err(OgoshipError::CredentialsRefused { message }),
            Err(error) => Err(error),
        }
    }

    /// One `POST` of a form to the token endpoint.
    async fn grant(
        &self,
        operation: &str,
        form: &[(&str, &str)],
    ) -> Result<TokenAnswer, OgoshipError> {
        let operation = format!("POST token ({operation})");
        let transport = |source| OgoshipError::Transport {
            operation: operation.clone(),
            source,
        };
        let call = platform_telemetry::ExternalCall::start(
            "ogoship",
            &self.settings.warehouse,
            "POST",
            &self.settings.token_url,
        );
        let response = self
            .http
            .post(&self.settings.token_url)
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .form(form)
            .send()
            .await;
        call.finish(response.as_ref().ok().map(|r| r.status().as_u16()));
        let response = response.map_err(transport)?;
        let status = response.status().as_u16();
        let retry_after = platform_http::parse_retry_after(response.headers().get("retry-after"));
        let body = platform_http::read_limited(response, platform_http::MAX_ANSWER_BYTES)
            .await
            .map_err(|error| super::read_error(&operation, error))?;
        if status >= 400 {
            let (message, oauth_error) = error_message(&body);
            return Err(OgoshipError::Status {
                operation,
                status,
                message,
                oauth_error,
                retry_after,
            });
        }
        serde_json::from_slice(&body).map_err(|e| OgoshipError::Decode {
            operation,
            reason: format!("not a token answer: {e}"),
        })
    }

    /// Stores the new refresh token (before the access token is used), caches the access token.
    async fn keep(&self, cached: &mut Cached, answer: TokenAnswer) -> Result<Secret, OgoshipError> {
        if let Some(refresh) = answer.refresh_token.as_deref().filter(|t| !t.is_empty()) {
            self.save_refresh(refresh).await?;
        }
        let token = Secret::new(answer.access_token);
        let life = lifetime(answer.expires_in.as_ref());
        cached.access = Some((token.clone(), renew_at(Instant::now(), life)));
        tracing::debug!(
            expires_in_s = life.as_secs(),
            "ogoship access token obtained"
        );
        Ok(token)
    }

    async fn load_refresh(&self) -> Result<Option<Secret>, StoreError> {
        let token: Option<String> =
            sqlx::query_scalar("SELECT refresh_token FROM oauth_refresh WHERE account = $1")
                .bind(&self.account)
                .fetch_optional(self.store.pool())
                .await
                .map_err(StoreError::query("loading the ogoship refresh token"))?;
        Ok(token.map(Secret::new))
    }

    /// Replaces the refresh token in one statement.
    async fn save_refresh(&self, token: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oauth_refresh (account, refresh_token, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account) DO UPDATE SET refresh_token = excluded.refresh_token, \
             updated_at = excluded.updated_at",
        )
        .bind(&self.account)
        .bind(token)
        .bind(unix_millis())
        .execute(self.store.pool())
        .await
        .map_err(StoreError::query("saving the ogoship refresh token"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_renewed_before_they_expire() {
        let now = Instant::now();
        assert_eq!(
            renew_at(now, Duration::from_secs(5400)),
            now + Duration::from_secs(5100)
        );
        assert_eq!(
            renew_at(now, Duration::from_secs(60)),
            now + Duration::from_secs(54)
        );
        assert_eq!(
            lifetime(Some(&serde_json::json!("120"))),
            Duration::from_secs(120)
        );
        assert_eq!(lifetime(None), DEFAULT_LIFETIME);
    }
}
