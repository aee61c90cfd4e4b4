//! Loading and validating the whole centra-wms configuration.
//!
//! One TOML file (documented key by key in `config/centra-wms.example.toml`) plus environment
//! overrides `CENTRA_WMS__<SECTION>__<KEY>` (e.g. `CENTRA_WMS__RUNTIME__NATS_URL`,
//! `CENTRA_WMS__WMS__PASSWORD`; list items as `CENTRA_WMS__SETTINGS__ENDPOINTS[0]__SECRET`).
//! Everything is checked at start and *every* problem is reported with its key, so an operator
//! fixes a config in one round. Secrets print as `***` everywhere, including in errors.
//!
//! Layout:
//! - `app_config.rs`: [`AppConfig`], [`ConfigLoader`], the effective-config rendering.
//! - `runtime.rs`: `[runtime]`, embedded or distributed, addresses, telemetry.
//! - `redelivery.rs`: `[runtime.redelivery]`, how a failing bus message is tried again before
//!   it is kept as a dead letter.
//! - `retention.rs`: `[runtime.retention]`, how long the bus, inboxes, outboxes and resolved
//!   dead letters keep what they hold, and how often they are pruned.
//! - `admin_web.rs`: `[admin_web]`, the admin web page's address and sign-in.
//! - `wms.rs`: `[wms]`, which WMS (`kind`: Ongoing or OGOship), the warehouse and its account.
//! - `connection_url.rs`: URLs whose passwords never print.
//! - `error.rs`: [`ConfigError`].
//!
//! `[settings]` is `domain::Settings` (tenant options with the documented defaults).

mod admin_web;
mod app_config;
mod checks;
mod connection_url;
mod error;
mod redelivery;
mod retention;
mod runtime;
mod wms;

pub use admin_web::{
    AdminWebConfig, DEFAULT_ADMIN_WEB_LISTEN, DEFAULT_ADMIN_WEB_USER, MIN_SESSION_KEY_LENGTH,
};
pub use app_config::{AppConfig, ConfigLoader, ENV_PREFIX, ENV_SEPARATOR};
pub use connection_url::ConnectionUrl;
pub use error::{ConfigError, ConfigProblem};
pub use redelivery::{
    DEFAULT_FIRST_REDELIVERY_DELAY, DEFAULT_MAX_DELIVERIES, DEFAULT_MAX_REDELIVERY_DELAY,
    Redelivery,
};
pub use retention::{
    DEFAULT_BUS_RETENTION, DEFAULT_INBOX_RETENTION, DEFAULT_PRUNE_EVERY,
    DEFAULT_PUBLISHED_OUTBOX_RETENTION, DEFAULT_RESOLVED_DEAD_LETTER_RETENTION, Retention,
};
pub use runtime::{
    DEFAULT_CENTRA_WEBHOOK_LISTEN, DEFAULT_DATA_DIR, DEFAULT_LOG_FILTER,
    DEFAULT_ONGOING_WEBHOOK_LISTEN, DEFAULT_STREAM_PREFIX, GrpcServices, RuntimeConfig,
    RuntimeMode, ServiceAddress,
};
pub use wms::{OgoshipAccount, OngoingAccount, WmsAccount, WmsConfig, WmsKind};
