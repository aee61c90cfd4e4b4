//! What the gateway needs from the application configuration, in one place.

use std::net::SocketAddr;
use std::time::Duration;

use domain::Secret;
use domain::settings::WmsStatusMapping;
use platform_config::AppConfig;

use crate::client::ClientSettings;

/// The gateway's settings, derived from [`AppConfig`].
#[derive(Debug, Clone)]
pub struct GatewaySettings {
    /// Warehouse name: the `{warehouse}` of the API path and of `wms.<warehouse>.*`.
    pub warehouse: String,
    pub client: ClientSettings,
    /// Which status numbers mean what (`settings.wms_status`).
    pub statuses: WmsStatusMapping,
    /// How often the pollers run without a webhook hint.
    pub poll_interval: Duration,
    /// How far time-filtered polls reach back before their cursor, so a record changed at the
    /// boundary or under clock skew is read again rather than missed.
    pub cursor_overlap: Duration,
    /// The static token webhooks must carry; `None` accepts every call.
    pub webhook_token: Option<Secret>,
    /// The header that carries it (Ongoing lets the user choose; `X-Auth-Token` is customary).
    pub webhook_header: String,
    /// Which optional flows are watched.
    pub flows: Flows,
}

/// The optional flows, switched by the tenant settings. A flow that is off is not polled: no
/// API calls spent on it, and nothing in the WMS is marked reported that no one will report.
/// Shipped orders are always watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flows {
    /// `settings.purchase_orders`.
    pub purchase_orders: bool,
    /// `settings.returns_to_centra`.
    pub returns: bool,
    /// `settings.stock_to_centra`.
    pub stock: bool,
}

impl Flows {
    /// Every flow on.
    pub fn all() -> Self {
        Self {
            purchase_orders: true,
            returns: true,
            stock: true,
        }
    }
}

impl GatewaySettings {
    /// The settings, or `None` when `[wms] kind` names another WMS (this gateway then has
    /// nothing to speak to and must not run).
    pub fn from_config(config: &AppConfig) -> Option<Self> {
        let account = config.wms.ongoing()?;
        Some(Self {
            warehouse: config.wms.warehouse.clone(),
            client: ClientSettings::from_config(&config.wms.warehouse, account),
            statuses: config.settings.wms_status.clone(),
            poll_interval: config.settings.sync_interval,
            cursor_overlap: Duration::from_secs(10 * 60),
            webhook_token: account.webhook_token.clone(),
            webhook_header: "X-Auth-Token".to_owned(),
            flows: Flows {
                purchase_orders: config.settings.purchase_orders,
                returns: config.settings.returns_to_centra,
                stock: config.settings.stock_to_centra,
            },
        })
    }
}

/// Where the Ongoing webhook receiver listens (`runtime.ongoing_webhook_listen`).
pub fn webhook_listen(config: &AppConfig) -> SocketAddr {
    config.runtime.ongoing_webhook_listen
}
