//! `[wms]`: the Ongoing WMS account centra-wms works for.

use domain::secret::Secret;
use domain::settings::FieldReport;
use serde::Serialize;

use crate::checks::{token_problem, url_problem};

/// The Ongoing goods owner and the API user that belongs to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WmsConfig {
    /// Host of the Ongoing REST API, e.g. `https://api.ongoingsystems.se` (the simulator's
    /// address in tests). The warehouse and `/api/v1/` are appended, see [`WmsConfig::api_root`].
    pub base_url: String,
    /// Warehouse name from the login URL (`https://<warehouse>.ongoingsystems.se/<warehouse>`).
    pub warehouse: String,
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

impl WmsConfig {
    /// The REST root, `<base_url>/<warehouse>/api/v1/`, ending with a slash so relative paths
    /// join under it.
    pub fn api_root(&self) -> String {
        format!(
            "{}/{}/api/v1/",
            self.base_url.trim_end_matches('/'),
            self.warehouse
        )
    }
}

domain::lenient_section! {
    /// `[wms]` as written.
    pub struct WmsDraft {
        base_url: String,
        warehouse: String,
        user: String,
        password: Secret,
        goods_owner_id: i64,
        webhook_token: Secret,
    }
}

impl WmsDraft {
    /// Checks every key; `None` when a required value is missing or unreadable (all problems
    /// are in `report`, prefix `wms`).
    pub fn resolve(self, report: &mut FieldReport) -> Option<WmsConfig> {
        let base_url = report.required(
            "base_url",
            self.base_url,
            "the Ongoing API host, e.g. \"https://api.ongoingsystems.se\"",
        );
        let warehouse = report.required(
            "warehouse",
            self.warehouse,
            "the warehouse name from the Ongoing login url",
        );
        let user = report.required("user", self.user, "the Ongoing API user");
        let password = report.required("password", self.password, "the Ongoing API password");
        let goods_owner_id = report.required(
            "goods_owner_id",
            self.goods_owner_id,
            "the goods owner id of the API user",
        );
        let webhook_token = report.optional("webhook_token", self.webhook_token);
        report.unknown_keys(&self.unknown);

        if let Some(problem) = base_url
            .as_deref()
            .and_then(|url| url_problem(url, &["http", "https"]))
        {
            report.problem("base_url", problem);
        }
        if let Some(problem) = warehouse
            .as_deref()
            .and_then(|w| token_problem("warehouse", w))
        {
            report.problem("warehouse", problem);
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

        Some(WmsConfig {
            base_url: base_url?,
            warehouse: warehouse?,
            user: user?,
            password: password?,
            goods_owner_id: goods_owner_id?,
            webhook_token,
        })
    }
}
