//! Configuration of one simulated Centra store and the builder that makes it.

use std::future::Future;
use std::net::SocketAddr;

use chrono_tz::Tz;
use tokio::net::TcpListener;

use crate::error::SimError;
use crate::server::{self, RunningSim};

/// The secret of a fresh simulator (simulators.md).
pub const DEFAULT_SECRET: &str = "sandbox-secret";
/// The plugin URI of a fresh simulator: `…/api/order-api/…` (POS guide).
pub const DEFAULT_BASE_PATH: &str = "/api/order-api";
/// The store zone of a fresh simulator. Any IANA zone works; Centra has one per installation.
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::Europe::Stockholm;

/// Settings of one simulated Order API plugin.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Value expected in the `API-Authorization` header.
    pub secret: String,
    /// Path prefix of the plugin, e.g. `/api/order-api`.
    pub base_path: String,
    /// The store's system-wide time zone.
    pub time_zone: Tz,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            secret: DEFAULT_SECRET.into(),
            base_path: DEFAULT_BASE_PATH.into(),
            time_zone: DEFAULT_TIME_ZONE,
        }
    }
}

/// A configured, not yet running simulator.
#[derive(Debug, Clone)]
pub struct CentraSim {
    config: SimConfig,
}

/// Builds a [`CentraSim`]; every setting has the documented default.
#[derive(Debug, Clone, Default)]
pub struct CentraSimBuilder {
    config: SimConfig,
    time_zone_name: Option<String>,
}

impl CentraSim {
    pub fn builder() -> CentraSimBuilder {
        CentraSimBuilder::default()
    }

    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// Binds `addr` (use port 0 for any free port) and serves in a background task.
    pub async fn spawn(self, addr: SocketAddr) -> Result<RunningSim, SimError> {
        server::spawn(self.config, addr).await
    }

    /// Serves on `listener` until `shutdown` completes, then drains open connections.
    pub async fn serve<F>(self, listener: TcpListener, shutdown: F) -> Result<(), SimError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        server::serve(self.config, listener, shutdown).await
    }
}

impl CentraSimBuilder {
    /// The `API-Authorization` secret.
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.config.secret = secret.into();
        self
    }

    /// The plugin path, e.g. `/api/order-api` or `/api/wms`.
    pub fn base_path(mut self, base_path: impl Into<String>) -> Self {
        self.config.base_path = base_path.into();
        self
    }

    /// The store's time zone.
    pub fn time_zone(mut self, zone: Tz) -> Self {
        self.config.time_zone = zone;
        self.time_zone_name = None;
        self
    }

    /// The store's time zone by IANA name (checked by [`build`](Self::build)).
    pub fn time_zone_name(mut self, name: impl Into<String>) -> Self {
        self.time_zone_name = Some(name.into());
        self
    }

    pub fn build(self) -> Result<CentraSim, SimError> {
        let mut config = self.config;
        if let Some(name) = self.time_zone_name {
            config.time_zone = name
                .parse()
                .map_err(|_| SimError::UnknownTimeZone(name.clone()))?;
        }
        config.base_path = normalise_base_path(&config.base_path)?;
        Ok(CentraSim { config })
    }

    /// `build()` then [`CentraSim::spawn`].
    pub async fn spawn(self, addr: SocketAddr) -> Result<RunningSim, SimError> {
        self.build()?.spawn(addr).await
    }
}

fn normalise_base_path(raw: &str) -> Result<String, SimError> {
    let invalid = |reason| SimError::InvalidBasePath {
        path: raw.to_owned(),
        reason,
    };
    let trimmed = raw.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return Err(invalid("must name a path such as /api/order-api"));
    }
    if !trimmed.starts_with('/') {
        return Err(invalid("must start with /"));
    }
    if trimmed == "/_sim" || trimmed.starts_with("/_sim/") {
        return Err(invalid("/_sim is reserved for the control API"));
    }
    if trimmed == crate::graphql::GRAPHQL_PATH {
        return Err(invalid("/graphql is reserved for the Integration API"));
    }
    if trimmed.contains(['?', '#', '{', '}', '*']) {
        return Err(invalid("must be a plain path"));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths_are_normalised_or_refused() {
        assert_eq!(normalise_base_path("/api/wms/").unwrap(), "/api/wms");
        assert!(normalise_base_path("api/wms").is_err());
        assert!(normalise_base_path("/").is_err());
        assert!(normalise_base_path("/_sim").is_err());
    }

    #[test]
    fn unknown_time_zones_are_refused() {
        let err = CentraSim::builder()
            .time_zone_name("Mars/Olympus")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("Mars/Olympus"));
    }
}
