//! What the end-to-end suites share: both simulators, demo catalogue rows, the settings that
//! point the services at the simulators, and polling waits.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use platform_config::{AppConfig, WmsKind};
use serde_json::{Value, json};

use crate::wms::WmsSim;

/// Sizes per product in the demo catalogue rows.
pub const SIZES_PER_PRODUCT: usize = 10;

/// Which of Centra's APIs `shop1` is spoken to through (`centra_wms_tests::suite`'s API
/// axis): the suites' one name for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CentraAdapter {
    /// `shop1` on the Order API (the catalog on it too).
    OrderApi,
    /// `shop1` on the Integration API (GraphQL), the catalog on it too.
    Graphql,
}

/// Centra's documented example quotas of a fresh instance (docs section 10; "may differ per
/// client"), in centra-sim's control API's names: (type, interval, quota).
pub const GRAPHQL_QUOTAS: [(&str, &str, u64); 6] = [
    ("REQUEST_COUNT", "TEN_SECONDS", 20),
    ("REQUEST_COUNT", "ONE_HOUR", 10_000),
    ("QUERY_COMPLEXITY", "TEN_SECONDS", 150_000),
    ("QUERY_COMPLEXITY", "ONE_HOUR", 20_000_000),
    ("MUTATION_COUNT", "TEN_SECONDS", 100),
    ("MUTATION_COUNT", "ONE_HOUR", 1_000),
];

/// The documented quota of bucket `kind`/`interval` times `scale`.
///
/// # Panics
/// On a bucket [`GRAPHQL_QUOTAS`] does not name (a typo).
pub fn graphql_quota(kind: &str, interval: &str, scale: u64) -> u64 {
    GRAPHQL_QUOTAS
        .iter()
        .find(|(k, i, _)| *k == kind && *i == interval)
        .map(|(_, _, quota)| quota * scale)
        .unwrap_or_else(|| panic!("no bucket {kind}/{interval}"))
}

/// The body of centra-sim's `POST /_sim/graphql/rate-limits` that sets every bucket to
/// `scale` times its documented quota, full.
pub fn graphql_quotas(scale: u64) -> Value {
    let quotas: Vec<Value> = GRAPHQL_QUOTAS
        .iter()
        .map(|(kind, interval, quota)| {
            json!({"type": kind, "interval": interval, "quota": quota * scale})
        })
        .collect();
    json!({"quotas": quotas, "refill": true})
}

/// A port that is free now (see [`test_support::free_port`]).
pub fn free_port() -> SocketAddr {
    test_support::free_port()
}

/// A valid GTIN-13 (the simulators check nothing, the flows do).
pub fn ean(n: usize) -> String {
    let body = format!("735{n:09}");
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 { d * 3 } else { d }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// One active Centra size row for `/_sim/products`; tests change fields as they need.
pub fn size_row(product: usize, size: usize) -> Value {
    let n = product * SIZES_PER_PRODUCT + size;
    json!({
        "productId": 1000 + product, "product": format!("Shirt {product}"),
        "name": format!("Shirt {product}"), "variantId": 5000 + product, "variant": "Blue",
        "sku": format!("P{product}"), "variantSku": "-BL", "stockItemId": 100_000 + n,
        "size": format!("S{size}"), "sizeSku": format!("-{size}"), "ean": ean(n),
        "active": true, "weight": "0.25", "weightUnit": "kg", "countryOfOrigin": "PT",
        "harmCode": "6109100010",
        "prices": [{"pricelist": "EUR Europe", "currency": "EUR", "price": "45.00"}],
        "physicalStock": 50
    })
}

/// The WMS article number of `size_row(product, size)` under the default rule.
pub fn article_number(product: usize, size: usize) -> String {
    format!("P{product}-BL-{size}")
}

/// Polls `done` every 250 ms; fails the test after `limit`.
pub async fn wait_for<F, Fut>(what: &str, limit: Duration, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < limit, "{what} within {limit:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Both simulators with their sandbox credentials, on free ports.
#[derive(Debug)]
pub struct Sims {
    pub http: reqwest::Client,
    pub centra: centra_sim::RunningSim,
    pub ongoing: ongoing_sim::RunningSim,
}

impl Sims {
    pub async fn start() -> Self {
        let centra = centra_sim::CentraSim::builder()
            .build()
            .expect("centra sim")
            .spawn("127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("centra sim starts");
        let ongoing = ongoing_sim::OngoingSim::builder()
            .build()
            .spawn("127.0.0.1:0")
            .await
            .expect("ongoing sim starts");
        Self {
            http: reqwest::Client::new(),
            centra,
            ongoing,
        }
    }

    /// A control-API POST that must succeed; its JSON answer (null when none).
    pub async fn post(&self, url: String, body: &Value) -> Value {
        crate::wms::post(&self.http, url, body).await
    }

    /// The same fault settings (`/_sim/faults`) in both simulators.
    pub async fn faults(&self, body: &Value) {
        self.post(format!("{}/_sim/faults", self.centra.url()), body)
            .await;
        self.post(format!("{}/_sim/faults", self.ongoing.base_url()), body)
            .await;
    }

    /// A control-API GET as JSON.
    pub async fn get(&self, url: String) -> Value {
        crate::wms::get(&self.http, url).await
    }

    /// The bodies of every `PUT .../articles` the WMS received after request-log seq
    /// `since`, and the last seq seen (the next call's `since`).
    pub async fn article_puts(&self, since: u64) -> (Vec<Value>, u64) {
        let log = self
            .get(format!(
                "{}/_sim/requests?since={since}",
                self.ongoing.base_url()
            ))
            .await;
        let entries = log.as_array().cloned().unwrap_or_default();
        let last = entries
            .iter()
            .filter_map(|e| e["seq"].as_u64())
            .max()
            .unwrap_or(since);
        let puts = entries
            .into_iter()
            .filter(|e| {
                e["method"] == "PUT" && e["path"].as_str().is_some_and(|p| p.ends_with("/articles"))
            })
            .map(|mut e| e["body"].take())
            .collect();
        (puts, last)
    }

    /// Upserts size rows in the Centra simulator, 500 per call.
    pub async fn seed_products(&self, rows: Vec<Value>) {
        for chunk in rows.chunks(500) {
            self.post(
                format!("{}/_sim/products", self.centra.url()),
                &json!({ "products": chunk }),
            )
            .await;
        }
    }

    /// Settings pointing one Centra end-point and the WMS at the simulators; `extra` lines go
    /// into `[settings]`. Webhook receivers get free ports.
    pub fn config(&self, sync_interval: &str, extra: &str) -> AppConfig {
        let text = format!(
            r#"
[settings]
centra_time_zone = "Europe/Stockholm"
sync_interval = "{sync_interval}"
{extra}

[[settings.endpoints]]
name = "shop1"
base_url = "{}"
secret = "sandbox-secret"
webhook_secret = "sandbox-webhook-secret"

[wms]
base_url = "{}"
warehouse = "sandbox"
user = "sandbox"
password = "sandbox"
goods_owner_id = 1
"#,
            self.centra.base_url(),
            self.ongoing.base_url()
        );
        let mut config = AppConfig::from_toml_str(&text).expect("config");
        config.runtime.centra_webhook_listen = free_port();
        config.runtime.ongoing_webhook_listen = free_port();
        config
    }
}

/// The Centra simulator and the WMS simulator of `kind` ([`WmsSim`]), for suites that run
/// against every WMS. ([`Sims`] is the Ongoing-only set the other suites and benches still use.)
#[derive(Debug)]
pub struct WmsSims {
    pub http: reqwest::Client,
    pub centra: centra_sim::RunningSim,
    pub wms: WmsSim,
}

impl WmsSims {
    pub async fn start(kind: WmsKind) -> Self {
        let centra = centra_sim::CentraSim::builder()
            .build()
            .expect("centra sim")
            .spawn("127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("centra sim starts");
        Self {
            http: reqwest::Client::new(),
            centra,
            wms: WmsSim::start(kind).await,
        }
    }

    pub fn kind(&self) -> WmsKind {
        self.wms.kind()
    }

    /// A control-API POST that must succeed; its JSON answer (null when none).
    pub async fn post(&self, url: String, body: &Value) -> Value {
        crate::wms::post(&self.http, url, body).await
    }

    /// A control-API GET as JSON.
    pub async fn get(&self, url: String) -> Value {
        crate::wms::get(&self.http, url).await
    }

    /// The same fault settings (`/_sim/faults`) in both simulators.
    pub async fn faults(&self, body: &Value) {
        self.post(format!("{}/_sim/faults", self.centra.url()), body)
            .await;
        self.wms.faults(&self.http, body).await;
    }

    /// Upserts size rows in the Centra simulator, 500 per call.
    pub async fn seed_products(&self, rows: Vec<Value>) {
        for chunk in rows.chunks(500) {
            self.post(
                format!("{}/_sim/products", self.centra.url()),
                &json!({ "products": chunk }),
            )
            .await;
        }
    }

    /// Settings pointing one Centra end-point and the WMS gateway of the simulator's kind at
    /// the simulators; `extra` lines go into `[settings]`. Webhook receivers get free ports.
    pub fn config(&self, sync_interval: &str, extra: &str) -> AppConfig {
        let text = format!(
            r#"
[settings]
centra_time_zone = "Europe/Stockholm"
sync_interval = "{sync_interval}"
{extra}

[[settings.endpoints]]
name = "shop1"
base_url = "{}"
secret = "sandbox-secret"
webhook_secret = "sandbox-webhook-secret"

{}"#,
            self.centra.base_url(),
            self.wms.config_table()
        );
        let mut config = AppConfig::from_toml_str(&text).expect("config");
        config.runtime.centra_webhook_listen = free_port();
        config.runtime.ongoing_webhook_listen = free_port();
        config
    }

    /// [`Self::config`] or [`Self::config_graphql`], as `api` says.
    pub fn config_for(&self, api: CentraAdapter, sync_interval: &str, extra: &str) -> AppConfig {
        match api {
            CentraAdapter::OrderApi => self.config(sync_interval, extra),
            CentraAdapter::Graphql => self.config_graphql(sync_interval, extra),
        }
    }

    /// [`Self::config`] with `shop1` on Centra's Integration API (`api = "graphql"`, the
    /// simulator's default token): the only end-point, so the catalog (and stock, returns and
    /// purchase orders, when `extra` turns them on) run through GraphQL too.
    pub fn config_graphql(&self, sync_interval: &str, extra: &str) -> AppConfig {
        let text = format!(
            r#"
[settings]
centra_time_zone = "Europe/Stockholm"
sync_interval = "{sync_interval}"
{extra}

[[settings.endpoints]]
name = "shop1"
api = "graphql"
base_url = "{}/graphql"
token = "{}"
webhook_secret = "sandbox-webhook-secret"
# The admin user supplier deliveries are accepted as (centra-sim keeps no admin users and
# takes any id above 0); read only when `extra` turns purchase orders on.
admin_user_id = 1

{}"#,
            self.centra.url(),
            centra_sim::graphql::DEFAULT_TOKEN,
            self.wms.config_table()
        );
        let mut config = AppConfig::from_toml_str(&text).expect("config");
        config.runtime.centra_webhook_listen = free_port();
        config.runtime.ongoing_webhook_listen = free_port();
        config
    }
}
