//! [`Settings::validate`]: the rules a single field's type cannot express.

use std::collections::BTreeMap;
use std::time::Duration;

use super::lenient::SettingsError;
use super::return_stock::RETURN_STOCK_WITH_STOCK_PUSH;
use super::{CapturePolicy, ImportFilter, ImportMode, ReturnStock, Settings};
use crate::endpoint::{CentraApi, CentraEndpoint};
use crate::secret::Secret;

fn key(path: impl AsRef<str>) -> String {
    format!("settings.{}", path.as_ref())
}

/// Checks that a URL is `http(s)://host...` without pulling in a URL parser (the domain crate
/// stays dependency-light; `platform-config` parses URLs fully).
fn url_problem(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        None => Some(format!("{url:?} is not an http(s) url")),
        Some(rest) if rest.split(['/', '?', '#']).next().is_none_or(str::is_empty) => {
            Some(format!("{url:?} has no host"))
        }
        Some(_) if url.chars().any(char::is_whitespace) => {
            Some(format!("{url:?} contains whitespace"))
        }
        Some(_) => None,
    }
}

impl Settings {
    /// Checks every cross-field rule and returns *all* problems, each naming its key path
    /// (`settings.catalog_endpoint`, `settings.endpoints[1].secret`, ...).
    pub fn validate(&self) -> Result<(), Vec<SettingsError>> {
        let mut problems = Vec::new();
        let mut add =
            |path: String, problem: String| problems.push(SettingsError::new(key(path), problem));

        if self.sync_interval < Duration::from_secs(1) {
            add("sync_interval".into(), "must be at least 1s".into());
        }
        if self.stock_recheck_interval < Duration::from_millis(100) {
            add(
                "stock_recheck_interval".into(),
                "must be at least 100ms".into(),
            );
        }
        if self.stock_batch_window > super::MAX_STOCK_BATCH_WINDOW {
            add(
                "stock_batch_window".into(),
                format!(
                    "must be at most {}s (every stock change waits this long before it goes to Centra)",
                    super::MAX_STOCK_BATCH_WINDOW.as_secs()
                ),
            );
        }
        if self.stock_reconcile_interval < Duration::from_secs(1) {
            add(
                "stock_reconcile_interval".into(),
                "must be at least 1s".into(),
            );
        }

        // End-points.
        if self.endpoints.is_empty() {
            add(
                "endpoints".into(),
                "at least one end-point is required ([[settings.endpoints]] with name, base_url and secret)".into(),
            );
        }
        let mut names: BTreeMap<&str, usize> = BTreeMap::new();
        let mut prefixes: BTreeMap<&str, usize> = BTreeMap::new();
        let mut without_prefix: Option<usize> = None;
        for (i, endpoint) in self.endpoints.iter().enumerate() {
            let at = |field: &str| format!("endpoints[{i}].{field}");
            if let Some(first) = names.insert(endpoint.name.as_str(), i) {
                names.insert(endpoint.name.as_str(), first);
                add(
                    at("name"),
                    format!(
                        "end-point name {:?} is already used by endpoints[{first}]",
                        endpoint.name.as_str()
                    ),
                );
            }
            if let Some(problem) = url_problem(&endpoint.base_url) {
                add(at("base_url"), problem);
            }
            for (field, problem) in self.api_problems(endpoint) {
                add(at(field), problem);
            }
            if endpoint
                .webhook_secret
                .as_ref()
                .is_some_and(Secret::is_blank)
            {
                add(
                    at("webhook_secret"),
                    "is empty; leave it out instead".into(),
                );
            }
            match endpoint.order_number_prefix.as_deref() {
                None => {
                    if let Some(first) = without_prefix {
                        add(
                            at("order_number_prefix"),
                            format!(
                                "required: endpoints[{first}] already has no prefix, and with several end-points at most one may go without (wms order numbers must tell end-points apart)"
                            ),
                        );
                    } else {
                        without_prefix = Some(i);
                    }
                }
                Some(prefix) => {
                    if let Some(problem) = prefix_problem(prefix) {
                        add(at("order_number_prefix"), problem);
                    } else if let Some(first) = prefixes.insert(prefix, i) {
                        prefixes.insert(prefix, first);
                        add(
                            at("order_number_prefix"),
                            format!("prefix {prefix:?} is already used by endpoints[{first}]"),
                        );
                    }
                }
            }
        }
        let known = || names.keys().copied().collect::<Vec<_>>().join(", ");
        match &self.catalog_endpoint {
            None if self.endpoints.len() > 1 => add(
                "catalog_endpoint".into(),
                format!(
                    "required when there are several end-points and not exactly one has role = \"wholesale\": name the one articles and stock sync with (one of {})",
                    known()
                ),
            ),
            Some(name) if self.endpoint(name).is_none() && !self.endpoints.is_empty() => add(
                "catalog_endpoint".into(),
                format!(
                    "{:?} is not a configured end-point (one of {})",
                    name.as_str(),
                    known()
                ),
            ),
            _ => {}
        }

        if self.article_number_max_length == 0 {
            add(
                "article_number_max_length".into(),
                "must be at least 1".into(),
            );
        }
        if self.import_filter == ImportFilter::CaptureOnImport
            && self.capture != CapturePolicy::OnImport
        {
            add(
                "import_filter".into(),
                "capture_on_import needs capture = \"on_import\"".into(),
            );
        }
        if self.capture == CapturePolicy::OnImport && self.import == ImportMode::Orders {
            add(
                "capture".into(),
                "on_import captures shipments, but import = \"orders\" imports none; use on_completion or import shipments".into(),
            );
        }

        // Price.
        let currency = &self.price.currency;
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            add(
                "price.currency".into(),
                format!(
                    "{currency:?} is not an ISO 4217 currency code (three capital letters, e.g. \"EUR\")"
                ),
            );
        }
        if self
            .price
            .pricelist
            .as_deref()
            .is_some_and(|p| p.trim().is_empty())
        {
            add(
                "price.pricelist".into(),
                "is empty; leave it out to use the first pricelist in the currency".into(),
            );
        }

        // Shipping methods.
        let mut seen: BTreeMap<[Option<String>; 3], usize> = BTreeMap::new();
        for (i, mapping) in self.shipping_methods.iter().enumerate() {
            let at = |field: &str| format!("shipping_methods[{i}]{field}");
            if mapping.specificity() == 0 {
                add(
                    at(""),
                    "needs at least one of carrier, service, shipping_list (use default_transporter for a catch-all)".into(),
                );
            }
            for (field, value) in [
                ("carrier", &mapping.carrier),
                ("service", &mapping.service),
                ("shipping_list", &mapping.shipping_list),
                (
                    "transporter_service_code",
                    &mapping.transporter_service_code,
                ),
            ] {
                if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                    add(
                        at(&format!(".{field}")),
                        "is empty; leave it out instead".into(),
                    );
                }
            }
            if mapping.transporter_code.trim().is_empty() {
                add(at(".transporter_code"), "is empty".into());
            }
            if mapping.specificity() > 0
                && let Some(first) = seen.insert(mapping.criteria_key(), i)
            {
                seen.insert(mapping.criteria_key(), first);
                add(
                    at(""),
                    format!(
                        "matches the same carrier, service and shipping list as shipping_methods[{first}], so it would never be used"
                    ),
                );
            }
        }
        if let Some(default) = &self.default_transporter {
            if default.transporter_code.trim().is_empty() {
                add(
                    "default_transporter.transporter_code".into(),
                    "is empty".into(),
                );
            }
            if default
                .transporter_service_code
                .as_deref()
                .is_some_and(|v| v.trim().is_empty())
            {
                add(
                    "default_transporter.transporter_service_code".into(),
                    "is empty; leave it out instead".into(),
                );
            }
        }

        // WMS statuses.
        let status = &self.wms_status;
        let lists = [
            ("order_picked", &status.order_picked),
            ("order_shipped", &status.order_shipped),
            ("order_delivered", &status.order_delivered),
            ("order_cancelled", &status.order_cancelled),
        ];
        if status.order_shipped.is_empty() {
            add(
                "wms_status.order_shipped".into(),
                "must list at least one status, or no order would ever count as shipped".into(),
            );
        }
        if status.purchase_order_received.is_empty() {
            add(
                "wms_status.purchase_order_received".into(),
                "must list at least one status, or no purchase order would ever count as received"
                    .into(),
            );
        }
        for (i, (name, codes)) in lists.iter().enumerate() {
            for code in codes.iter() {
                if let Some((other, _)) = lists[..i]
                    .iter()
                    .find(|(_, earlier)| earlier.contains(code))
                {
                    add(
                        format!("wms_status.{name}"),
                        format!("status {code} is also in {other}"),
                    );
                }
                if *name != "order_cancelled" && *code < status.order_editable_below {
                    add(
                        "wms_status.order_editable_below".into(),
                        format!(
                            "{} is above status {code} in {name}; an order the warehouse worked on would count as editable",
                            status.order_editable_below
                        ),
                    );
                }
            }
        }

        if self.stock_to_centra && self.return_stock == ReturnStock::Yes {
            add("return_stock".into(), RETURN_STOCK_WITH_STOCK_PUSH.into());
        }

        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// A prefix must be non-empty, made of letters, digits, `-` and `_`, and must not end with a
/// digit (otherwise `W1` + `83651-1` and `W` + `183651-1` would both read `W183651-1`).
impl Settings {
    /// What is wrong with an end-point's credentials for its `api`, as `(field, problem)`.
    fn api_problems(&self, endpoint: &CentraEndpoint) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        match endpoint.api {
            CentraApi::OrderApi => {
                if endpoint.secret.is_blank() {
                    problems.push((
                        "secret",
                        "required with api = \"order_api\" (the plugin's secret API key)"
                            .to_owned(),
                    ));
                }
                if endpoint.token.is_some() {
                    problems.push((
                        "token",
                        "is read only with api = \"graphql\"; the Order API authenticates with secret".to_owned(),
                    ));
                }
                if endpoint.token_expires_on.is_some() {
                    problems.push((
                        "token_expires_on",
                        "is read only with api = \"graphql\" (the Order API's secret does not expire)".to_owned(),
                    ));
                }
                if endpoint.admin_user_id.is_some() {
                    problems.push((
                        "admin_user_id",
                        "is read only with api = \"graphql\" (the Order API accepts a supplier delivery without an admin user)".to_owned(),
                    ));
                }
            }
            CentraApi::Graphql => {
                if endpoint.token.as_ref().is_none_or(Secret::is_blank) {
                    problems.push((
                        "token",
                        "required with api = \"graphql\" (an Integration API token from AMS > System > API Tokens)".to_owned(),
                    ));
                }
                if !endpoint.secret.is_blank() {
                    problems.push((
                        "secret",
                        "is read only with api = \"order_api\"; the GraphQL adapter authenticates with token".to_owned(),
                    ));
                }
                if endpoint.requests_per_second.is_some() {
                    problems.push((
                        "requests_per_second",
                        "is read only with api = \"order_api\"; the GraphQL adapter paces itself by Centra's rateLimits".to_owned(),
                    ));
                }
                // Capturing at import needs a shipment's payment to be known authorised and
                // capturable (the Order API's `shouldCapture`, REF/107). Docs section 10 shows no
                // such field on an Integration API shipment, so the adapter cannot tell an
                // authorised payment from none: every unpaid shipment would be parked as not
                // paid, the setting half-acted on. Refused instead; capturing at completion
                // works there (`captureShipment`, then `completeShipment`).
                if self.import.imports_shipments() {
                    const WHY: &str = "needs a shipment's payment shown as authorised and capturable, which an Integration API shipment does not show (docs section 10; the Order API's shouldCapture); use capture = \"on_completion\" or api = \"order_api\" for this end-point";
                    if self.capture == CapturePolicy::OnImport {
                        problems.push(("api", format!("capture = \"on_import\" {WHY}")));
                    }
                    if self.import_filter == ImportFilter::CaptureOnImport {
                        problems.push((
                            "api",
                            format!("import_filter = \"capture_on_import\" {WHY}"),
                        ));
                    }
                }
                match endpoint.admin_user_id {
                    None if self.purchase_orders => problems.push((
                        "admin_user_id",
                        "required with api = \"graphql\" and purchase_orders = true: the Integration API accepts a supplier delivery as a Centra admin user with Supplier Module access rights; set that user's id in AMS".to_owned(),
                    )),
                    Some(id) if id <= 0 => problems.push((
                        "admin_user_id",
                        format!("is {id}; a Centra admin user's id is above 0"),
                    )),
                    _ => {}
                }
            }
        }
        problems
    }
}

fn prefix_problem(prefix: &str) -> Option<String> {
    if prefix.is_empty() {
        return Some("is empty; leave it out instead".into());
    }
    if let Some(c) = prefix
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Some(format!(
            "prefix {prefix:?} contains {c:?}; use only letters, digits, '-' and '_'"
        ));
    }
    if prefix.ends_with(|c: char| c.is_ascii_digit()) {
        return Some(format!(
            "prefix {prefix:?} ends with a digit, which makes order numbers ambiguous"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_rules() {
        assert_eq!(url_problem("https://x.centra.com/api/order-api"), None);
        assert_eq!(url_problem("http://127.0.0.1:8080/api"), None);
        assert!(url_problem("ftp://x").is_some());
        assert!(url_problem("https://").is_some());
        assert!(url_problem("https://a b").is_some());
    }

    #[test]
    fn prefix_rules() {
        assert_eq!(prefix_problem("WS-"), None);
        assert!(prefix_problem("").is_some());
        assert!(prefix_problem("W1").is_some());
        assert!(prefix_problem("W S").is_some());
    }

    fn read(endpoint: &str, extra: &str) -> Result<Settings, Vec<String>> {
        let text = format!(
            "centra_time_zone = \"UTC\"\n{extra}\n[[endpoints]]\nname = \"shop1\"\n{endpoint}"
        );
        let draft: super::super::SettingsDraft = toml::from_str(&text).expect("a draft");
        draft
            .into_settings()
            .map_err(|problems| problems.iter().map(ToString::to_string).collect())
    }

    /// Every flow runs through GraphQL: one GraphQL end-point that is the catalog end-point,
    /// imports shipments and orders, and takes stock, returns and purchase orders (with its
    /// admin user) is accepted.
    #[test]
    fn api_graphql_serves_every_flow() {
        let graphql =
            "api = \"graphql\"\nbase_url = \"https://shop1.centra.com/graphql\"\ntoken = \"t\"\n";
        let with_user = format!("{graphql}admin_user_id = 7\n");
        let settings = read(
            &with_user,
            "import = \"both\"\nstock_to_centra = true\nreturns_to_centra = true\npurchase_orders = true",
        )
        .expect("served");
        assert_eq!(settings.endpoints[0].api, CentraApi::Graphql);
        assert_eq!(settings.endpoints[0].admin_user_id, Some(7));
        read(graphql, "stock_to_centra = true\nreturns_to_centra = true")
            .expect("no admin user without purchase orders");
    }

    /// Capturing at import is refused on a GraphQL end-point that imports shipments (no
    /// capturable flag to act on), naming both settings; capturing at completion is served.
    #[test]
    fn api_graphql_refuses_capturing_at_import() {
        let graphql =
            "api = \"graphql\"\nbase_url = \"https://shop1.centra.com/graphql\"\ntoken = \"t\"\n";
        let problems = read(
            graphql,
            "capture = \"on_import\"\nimport_filter = \"capture_on_import\"",
        )
        .expect_err("refused");
        assert_eq!(problems.len(), 2, "{problems:?}");
        for (problem, setting) in problems.iter().zip([
            "capture = \"on_import\"",
            "import_filter = \"capture_on_import\"",
        ]) {
            assert!(
                problem.starts_with(&format!("settings.endpoints[0].api: {setting} needs"))
                    && problem.contains("use capture = \"on_completion\" or api = \"order_api\""),
                "{problem}"
            );
        }
        read(graphql, "capture = \"on_completion\"").expect("capturing at completion is served");
    }

    /// The order flow is served through GraphQL whatever it imports, on an end-point that runs
    /// only that (the catalog on another, Order API, end-point).
    #[test]
    fn api_graphql_serves_the_order_flow_alone() {
        for import in ["shipments", "orders", "both"] {
            let text = format!(
                "centra_time_zone = \"UTC\"\nimport = \"{import}\"\ncatalog_endpoint = \"catalog\"\n\
                 [[endpoints]]\nname = \"shop1\"\napi = \"graphql\"\n\
                 base_url = \"https://shop1.centra.com/graphql\"\ntoken = \"t\"\n\
                 [[endpoints]]\nname = \"catalog\"\nbase_url = \"https://shop1.centra.com/api/order-api\"\n\
                 secret = \"s\"\norder_number_prefix = \"C-\"\n"
            );
            let draft: super::super::SettingsDraft = toml::from_str(&text).expect("a draft");
            let accepted = draft.into_settings().expect("served");
            assert_eq!(accepted.endpoints[0].api, CentraApi::Graphql, "{import}");
        }
    }

    #[test]
    fn each_api_reads_its_own_credential_and_refuses_the_other() {
        let no_token = "api = \"graphql\"\nbase_url = \"https://x/graphql\"\nsecret = \"s\"\nrequests_per_second = 5\n";
        let problems = read(no_token, "").expect_err("refused");
        for (field, words) in [
            ("token", "required with api = \"graphql\""),
            ("secret", "is read only with api = \"order_api\""),
            ("requests_per_second", "paces itself by Centra's rateLimits"),
        ] {
            assert!(
                problems.iter().any(
                    |p| p.starts_with(&format!("settings.endpoints[0].{field}: "))
                        && p.contains(words)
                ),
                "{field}: {problems:?}"
            );
        }
        let order_api = "base_url = \"https://x/api/order-api\"\ntoken = \"t\"\n";
        let problems = read(order_api, "").expect_err("refused");
        assert!(
            problems.contains(
                &"settings.endpoints[0].secret: required with api = \"order_api\" (the plugin's secret API key)"
                    .to_owned()
            ),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p
                == "settings.endpoints[0].token: is read only with api = \"graphql\"; the Order API authenticates with secret"),
            "{problems:?}"
        );
        let expiring = "base_url = \"https://x/api/order-api\"\nsecret = \"s\"\ntoken_expires_on = \"2027-01-31\"\n";
        let problems = read(expiring, "").expect_err("refused");
        assert_eq!(
            problems,
            [
                "settings.endpoints[0].token_expires_on: is read only with api = \"graphql\" (the Order API's secret does not expire)"
            ],
        );
        let plain = "base_url = \"https://x/api/order-api\"\nsecret = \"s\"\n";
        let settings = read(plain, "").expect("the Order API needs only its secret");
        assert_eq!(settings.endpoints[0].api, CentraApi::OrderApi);
    }

    /// The Integration API accepts a supplier delivery as an admin user: a GraphQL end-point
    /// with purchase orders needs `admin_user_id` (a real id), the Order API takes none.
    #[test]
    fn admin_user_id_is_required_for_graphql_purchase_orders_and_refused_for_the_order_api() {
        let graphql =
            "api = \"graphql\"\nbase_url = \"https://shop1.centra.com/graphql\"\ntoken = \"t\"\n";
        let problems = read(graphql, "purchase_orders = true").expect_err("refused");
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("settings.endpoints[0].admin_user_id: required with api = \"graphql\" and purchase_orders = true")),
            "{problems:?}"
        );
        let zero = format!("{graphql}admin_user_id = 0\n");
        let problems = read(&zero, "").expect_err("refused");
        assert_eq!(
            problems,
            ["settings.endpoints[0].admin_user_id: is 0; a Centra admin user's id is above 0"]
        );
        let with_user = format!("{graphql}admin_user_id = 7\n");
        let settings = read(&with_user, "").expect("an admin user without purchase orders is kept");
        assert_eq!(settings.endpoints[0].admin_user_id, Some(7));

        let order_api =
            "base_url = \"https://x/api/order-api\"\nsecret = \"s\"\nadmin_user_id = 7\n";
        let problems = read(order_api, "purchase_orders = true").expect_err("refused");
        assert_eq!(
            problems,
            [
                "settings.endpoints[0].admin_user_id: is read only with api = \"graphql\" (the Order API accepts a supplier delivery without an admin user)"
            ]
        );
    }
}
