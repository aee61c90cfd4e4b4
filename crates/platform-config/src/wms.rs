//! `[wms]`: the warehouse centra-wms works for: which WMS (`kind`), the warehouse's name on the
//! bus, and the account keys of that WMS.
//!
//! ```toml
//! [wms]
//! kind = "ongoing"          # or "ogoship"; default "ongoing"
//! warehouse = "main"
//! # kind = "ongoing": base_url, user, password, goods_owner_id, webhook_token
//! # kind = "ogoship": api_url, token_url, client_id, client_secret, merchant_id,
//! #                   merchant_secret, webhook_key, webhook_url, shipping_codes
//! ```
//!
//! A key of the other kind is refused by name, so a half-converted file never starts.

use domain::secret::Secret;
use domain::settings::FieldReport;
use serde::Serialize;

use crate::checks::{token_problem, url_problem};

/// Which WMS the merchant's warehouse runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WmsKind {
    /// Ongoing WMS (REST API v1), served by ongoing-gateway.
    Ongoing,
    /// OGOship / myOGO (API v1), served by ogoship-gateway.
    Ogoship,
}

impl WmsKind {
    /// As written in `[wms] kind`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ongoing => "ongoing",
            Self::Ogoship => "ogoship",
        }
    }

    /// The service that speaks to this WMS.
    pub fn gateway(self) -> &'static str {
        match self {
            Self::Ongoing => "ongoing-gateway",
            Self::Ogoship => "ogoship-gateway",
        }
    }
}

/// The warehouse and the account of its WMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WmsConfig {
    /// The warehouse's name: the `<warehouse>` of `wms.<warehouse>.*` on the bus (and, for
    /// Ongoing, the name in the API path and login URL).
    pub warehouse: String,
    /// The account keys of the configured kind.
    #[serde(flatten)]
    pub account: WmsAccount,
}

/// The account keys, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum WmsAccount {
    Ongoing(OngoingAccount),
    Ogoship(OgoshipAccount),
}

/// The Ongoing goods owner and the API user that belongs to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OngoingAccount {
    /// Host of the Ongoing REST API, e.g. `https://api.ongoingsystems.se` (the simulator's
    /// address in tests). The warehouse and `/api/v1/` are appended, see [`WmsConfig::api_root`].
    pub base_url: String,
    /// API user (HTTP Basic).
    pub user: String,
    /// API password (HTTP Basic).
    pub password: Secret,
    /// Goods owner id of the API user.
    pub goods_owner_id: i64,
    /// Static token Ongoing webhooks must carry in a custom header (Ongoing has no signatures);
    /// `None` means webhooks are not checked, which only suits private networks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_token: Option<Secret>,
}

/// The OGOship merchant and the API client it was issued (ogoship-api.md, section 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OgoshipAccount {
    /// API host, e.g. `https://api.ogoship.com`; `/api/v1/` is appended.
    pub api_url: String,
    /// The OAuth2 token endpoint, e.g. `https://my.ogoship.com/OAuth/Token`.
    pub token_url: String,
    /// OAuth2 client id (requested from OGOship).
    pub client_id: String,
    pub client_secret: Secret,
    /// Merchant ID (the password grant's `username`).
    pub merchant_id: String,
    /// Merchant secret token (the password grant's `password`).
    pub merchant_secret: Secret,
    /// Key of the webhooks the gateway registers: callbacks are signed with it
    /// (`X-OGOship-Hmac-SHA256`); `None`: every callback is refused (none could be checked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_key: Option<Secret>,
    /// Where OGOship calls the gateway's webhook receiver, as OGOship reaches it (a public
    /// `https://…/webhooks/ogoship`). With `webhook_key`, the gateway registers the
    /// `OrderShipped` and `ProductStockLevelChanged` webhooks there at start (§9); `None`:
    /// none are registered and the polls alone find changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    /// The merchant's shipping codes as set up in myOGO (API v1 lists none, §10). The
    /// gateway answers them as its transporters, so `test-connection` can tell a
    /// shipping-method map that names a code OGOship does not know.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shipping_codes: Vec<String>,
}

impl WmsConfig {
    pub fn kind(&self) -> WmsKind {
        match self.account {
            WmsAccount::Ongoing(_) => WmsKind::Ongoing,
            WmsAccount::Ogoship(_) => WmsKind::Ogoship,
        }
    }

    /// The Ongoing account, when the kind is Ongoing.
    pub fn ongoing(&self) -> Option<&OngoingAccount> {
        match &self.account {
            WmsAccount::Ongoing(account) => Some(account),
            WmsAccount::Ogoship(_) => None,
        }
    }

    /// The OGOship account, when the kind is OGOship.
    pub fn ogoship(&self) -> Option<&OgoshipAccount> {
        match &self.account {
            WmsAccount::Ogoship(account) => Some(account),
            WmsAccount::Ongoing(_) => None,
        }
    }

    /// Ongoing's REST root, `<base_url>/<warehouse>/api/v1/`, ending with a slash so relative
    /// paths join under it; `None` for another kind.
    pub fn api_root(&self) -> Option<String> {
        self.ongoing().map(|account| {
            format!(
                "{}/{}/api/v1/",
                account.base_url.trim_end_matches('/'),
                self.warehouse
            )
        })
    }
}

domain::lenient_section! {
    /// `[wms]` as written.
    pub struct WmsDraft {
        kind: String,
        warehouse: String,
        base_url: String,
        user: String,
        password: Secret,
        goods_owner_id: i64,
        webhook_token: Secret,
        api_url: String,
        token_url: String,
        client_id: String,
        client_secret: Secret,
        merchant_id: String,
        merchant_secret: Secret,
        webhook_key: Secret,
        webhook_url: String,
        shipping_codes: Vec<String>,
    }
}

const ONGOING_KEYS: [&str; 5] = [
    "base_url",
    "user",
    "password",
    "goods_owner_id",
    "webhook_token",
];
const OGOSHIP_KEYS: [&str; 9] = [
    "api_url",
    "token_url",
    "client_id",
    "client_secret",
    "merchant_id",
    "merchant_secret",
    "webhook_key",
    "webhook_url",
    "shipping_codes",
];

impl WmsDraft {
    /// Checks every key; `None` when a required value is missing or unreadable (all problems
    /// are in `report`, prefix `wms`).
    pub fn resolve(self, report: &mut FieldReport) -> Option<WmsConfig> {
        let kind = match report.optional("kind", self.kind).as_deref().map(str::trim) {
            None | Some("ongoing") => Some(WmsKind::Ongoing),
            Some("ogoship") => Some(WmsKind::Ogoship),
            Some(other) => {
                report.problem(
                    "kind",
                    format!("{other:?} is not a WMS centra-wms speaks; expected \"ongoing\" or \"ogoship\""),
                );
                None
            }
        };
        let warehouse = report.required(
            "warehouse",
            self.warehouse,
            "the warehouse name (for Ongoing: the name from the login url)",
        );
        if let Some(problem) = warehouse
            .as_deref()
            .and_then(|w| token_problem("warehouse", w))
        {
            report.problem("warehouse", problem);
        }
        report.unknown_keys(&self.unknown);
        let present = |key: &str| -> bool {
            match key {
                "base_url" => self.base_url.is_some(),
                "user" => self.user.is_some(),
                "password" => self.password.is_some(),
                "goods_owner_id" => self.goods_owner_id.is_some(),
                "webhook_token" => self.webhook_token.is_some(),
                "api_url" => self.api_url.is_some(),
                "token_url" => self.token_url.is_some(),
                "client_id" => self.client_id.is_some(),
                "client_secret" => self.client_secret.is_some(),
                "merchant_id" => self.merchant_id.is_some(),
                "merchant_secret" => self.merchant_secret.is_some(),
                "webhook_key" => self.webhook_key.is_some(),
                "webhook_url" => self.webhook_url.is_some(),
                "shipping_codes" => self.shipping_codes.is_some(),
                _ => false,
            }
        };
        let foreign: &[&str] = match kind? {
            WmsKind::Ongoing => &OGOSHIP_KEYS,
            WmsKind::Ogoship => &ONGOING_KEYS,
        };
        for key in foreign.iter().filter(|key| present(key)) {
            report.problem(
                key,
                format!(
                    "belongs to another kind of WMS; kind = {:?} here",
                    kind?.name()
                ),
            );
        }
        let account = match kind? {
            WmsKind::Ongoing => WmsAccount::Ongoing(resolve_ongoing(
                report,
                self.base_url,
                self.user,
                self.password,
                self.goods_owner_id,
                self.webhook_token,
            )?),
            WmsKind::Ogoship => WmsAccount::Ogoship(resolve_ogoship(
                report,
                OgoshipDraft {
                    api_url: self.api_url,
                    token_url: self.token_url,
                    client_id: self.client_id,
                    client_secret: self.client_secret,
                    merchant_id: self.merchant_id,
                    merchant_secret: self.merchant_secret,
                    webhook_key: self.webhook_key,
                    webhook_url: self.webhook_url,
                    shipping_codes: self.shipping_codes,
                },
            )?),
        };
        Some(WmsConfig {
            warehouse: warehouse?,
            account,
        })
    }
}

type Lenient<T> = Option<domain::settings::Lenient<T>>;

fn resolve_ongoing(
    report: &mut FieldReport,
    base_url: Lenient<String>,
    user: Lenient<String>,
    password: Lenient<Secret>,
    goods_owner_id: Lenient<i64>,
    webhook_token: Lenient<Secret>,
) -> Option<OngoingAccount> {
    let base_url = report.required(
        "base_url",
        base_url,
        "the Ongoing API host, e.g. \"https://api.ongoingsystems.se\"",
    );
    let user = report.required("user", user, "the Ongoing API user");
    let password = report.required("password", password, "the Ongoing API password");
    let goods_owner_id = report.required(
        "goods_owner_id",
        goods_owner_id,
        "the goods owner id of the API user",
    );
    let webhook_token = report.optional("webhook_token", webhook_token);
    if let Some(problem) = base_url
        .as_deref()
        .and_then(|url| url_problem(url, &["http", "https"]))
    {
        report.problem("base_url", problem);
    }
    if user.as_deref().is_some_and(|u| u.trim().is_empty()) {
        report.problem("user", "is empty");
    }
    if password.as_ref().is_some_and(Secret::is_blank) {
        report.problem("password", "is empty");
    }
    if goods_owner_id.is_some_and(|id| id <= 0) {
        report.problem("goods_owner_id", "must be a positive number");
    }
    if webhook_token.as_ref().is_some_and(Secret::is_blank) {
        report.problem("webhook_token", "is empty; leave it out instead");
    }
    Some(OngoingAccount {
        base_url: base_url?,
        user: user?,
        password: password?,
        goods_owner_id: goods_owner_id?,
        webhook_token,
    })
}

struct OgoshipDraft {
    api_url: Lenient<String>,
    token_url: Lenient<String>,
    client_id: Lenient<String>,
    client_secret: Lenient<Secret>,
    merchant_id: Lenient<String>,
    merchant_secret: Lenient<Secret>,
    webhook_key: Lenient<Secret>,
    webhook_url: Lenient<String>,
    shipping_codes: Lenient<Vec<String>>,
}

fn resolve_ogoship(report: &mut FieldReport, draft: OgoshipDraft) -> Option<OgoshipAccount> {
    let api_url = report.required(
        "api_url",
        draft.api_url,
        "the OGOship API host, e.g. \"https://api.ogoship.com\"",
    );
    let token_url = report.required(
        "token_url",
        draft.token_url,
        "the OGOship token endpoint, e.g. \"https://my.ogoship.com/OAuth/Token\"",
    );
    let client_id = report.required(
        "client_id",
        draft.client_id,
        "the OAuth client id OGOship issued",
    );
    let client_secret = report.required(
        "client_secret",
        draft.client_secret,
        "the OAuth client secret OGOship issued",
    );
    let merchant_id = report.required(
        "merchant_id",
        draft.merchant_id,
        "the merchant ID from myOGO (Edit Merchant, Integrations, API Information)",
    );
    let merchant_secret = report.required(
        "merchant_secret",
        draft.merchant_secret,
        "the merchant secret token from myOGO",
    );
    let webhook_key = report.optional("webhook_key", draft.webhook_key);
    for (key, url) in [("api_url", &api_url), ("token_url", &token_url)] {
        if let Some(problem) = url
            .as_deref()
            .and_then(|url| url_problem(url, &["http", "https"]))
        {
            report.problem(key, problem);
        }
    }
    for (key, text) in [("client_id", &client_id), ("merchant_id", &merchant_id)] {
        if text.as_deref().is_some_and(|t| t.trim().is_empty()) {
            report.problem(key, "is empty");
        }
    }
    for (key, secret) in [
        ("client_secret", &client_secret),
        ("merchant_secret", &merchant_secret),
    ] {
        if secret.as_ref().is_some_and(Secret::is_blank) {
            report.problem(key, "is empty");
        }
    }
    if webhook_key.as_ref().is_some_and(Secret::is_blank) {
        report.problem("webhook_key", "is empty; leave it out instead");
    }
    let webhook_url = report.optional("webhook_url", draft.webhook_url);
    if let Some(url) = &webhook_url {
        if let Some(problem) = url_problem(url, &["http", "https"]) {
            report.problem("webhook_url", problem);
        } else if webhook_key.is_none() {
            // OGOship requires a key on every webhook (`WebHook{url*, key*, type*}`) and signs
            // each callback with it; without ours, the receiver could not check them.
            report.problem(
                "webhook_url",
                "needs webhook_key: OGOship signs every callback with the webhook's key",
            );
        }
    }
    let shipping_codes = report
        .optional("shipping_codes", draft.shipping_codes)
        .unwrap_or_default();
    for (index, code) in shipping_codes.iter().enumerate() {
        if code.trim().is_empty() {
            report.problem(&format!("shipping_codes[{index}]"), "is empty");
        }
    }
    Some(OgoshipAccount {
        api_url: api_url?,
        token_url: token_url?,
        client_id: client_id?,
        client_secret: client_secret?,
        merchant_id: merchant_id?,
        merchant_secret: merchant_secret?,
        webhook_key,
        webhook_url,
        shipping_codes,
    })
}
