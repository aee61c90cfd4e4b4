//! What the gateway needs from the application configuration, in one place.

use std::net::SocketAddr;
use std::time::Duration;

use domain::Secret;
use platform_config::AppConfig;

use crate::client::ClientSettings;
use crate::subscription::Subscription;

/// The gateway's settings: built by [`GatewaySettings::new`] (tests) or
/// [`GatewaySettings::from_config`].
#[derive(Debug, Clone)]
pub struct GatewaySettings {
    /// Warehouse name: the `<warehouse>` of `wms.<warehouse>.*`.
    pub warehouse: String,
    pub client: ClientSettings,
    /// How often the pollers run without a webhook hint.
    pub poll_interval: Duration,
    /// How far `modifiedAfter` polls reach back before their cursor, so a record changed at
    /// the boundary (or stamped late by OGOship) is read again rather than missed.
    pub cursor_overlap: Duration,
    /// The key OGOship signs callbacks with (`X-OGOship-Hmac-SHA256`); `None`: not checked.
    pub webhook_key: Option<Secret>,
    /// Where the webhook receiver listens.
    pub webhook_listen: SocketAddr,
    /// Where OGOship should call, registered at start (`[wms] webhook_url` with
    /// `webhook_key`); `None`: nothing is registered.
    pub subscription: Option<Subscription>,
    /// The merchant's shipping methods, answered as transporter contracts (OGOship lists none
    /// over the API).
    pub shipping_codes: Vec<String>,
    /// The currency of the articles' customer price (`[settings.price] currency`, which
    /// catalog-sync picks the Centra price by): written as the product's `currencyCode`.
    pub price_currency: String,
    /// Which optional flows are watched.
    pub flows: Flows,
}

/// The optional flows, switched by the tenant settings. A flow that is off is not polled.
/// Shipped orders are always watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flows {
    pub purchase_orders: bool,
    pub returns: bool,
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
    /// Settings with every flow on, a 60 s poll, a 10 min overlap, no webhook key, the
    /// receiver on an ephemeral local port, nothing registered, no shipping codes and
    /// customer prices in EUR.
    pub fn new(warehouse: impl Into<String>, client: ClientSettings) -> Self {
        Self {
            warehouse: warehouse.into(),
            client,
            poll_interval: Duration::from_secs(60),
            cursor_overlap: Duration::from_secs(10 * 60),
            webhook_key: None,
            webhook_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            subscription: None,
            shipping_codes: Vec::new(),
            price_currency: domain::settings::DEFAULT_CURRENCY.to_owned(),
            flows: Flows::all(),
        }
    }

    /// The settings, or `None` when `[wms] kind` names another WMS (this gateway then has
    /// nothing to speak to and must not run).
    ///
    /// The webhook receiver listens on `runtime.ongoing_webhook_listen`: the configuration has
    /// one WMS webhook address and only the configured kind's gateway runs.
    pub fn from_config(config: &AppConfig) -> Option<Self> {
        let account = config.wms.ogoship()?;
        let warehouse = config.wms.warehouse.clone();
        // The config check refuses a webhook_url without a key.
        let subscription = account
            .webhook_url
            .clone()
            .zip(account.webhook_key.clone())
            .map(|(url, key)| Subscription { url, key });
        Some(Self {
            client: ClientSettings::from_config(&warehouse, account),
            warehouse,
            poll_interval: config.settings.sync_interval,
            cursor_overlap: Duration::from_secs(10 * 60),
            webhook_key: account.webhook_key.clone(),
            webhook_listen: config.runtime.ongoing_webhook_listen,
            subscription,
            shipping_codes: account.shipping_codes.clone(),
            price_currency: config.settings.price.currency.clone(),
            flows: Flows {
                purchase_orders: config.settings.purchase_orders,
                returns: config.settings.returns_to_centra,
                stock: config.settings.stock_to_centra,
            },
        })
    }
}
