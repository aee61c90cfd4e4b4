//! Reading `[settings]` so that every problem is reported at once (see `lenient.rs`).

use std::time::Duration;

use chrono_tz::Tz;
use serde::{Deserialize, Deserializer};

use super::lenient::{FieldReport, Lenient, SettingsError, SettingsErrors, reindex};
use super::{
    CapturePolicy, CompletionPolicy, DEFAULT_STOCK_BATCH_WINDOW, DEFAULT_STOCK_RECHECK_INTERVAL,
    DEFAULT_STOCK_RECONCILE_INTERVAL, DEFAULT_SYNC_INTERVAL, ImportFilter, ImportMode,
    PriceSelection, ProductSelection, ReturnStock, Settings, WmsStatusMapping,
};
use crate::article_filter::ArticleFilter;
use crate::article_number::{ArticleNumberRule, DEFAULT_MAX_ARTICLE_NUMBER_LEN};
use crate::endpoint::{CentraEndpoint, EndpointName};
use crate::shipping::{ShippingMethodMapping, Transporter};

/// A duration written the human way (`15m`, `1h 30m`, `90s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        humantime_serde::deserialize(deserializer).map(Self)
    }
}

crate::lenient_section! {
    /// `[settings]` as written, before defaults and validation. Convert with
    /// [`SettingsDraft::into_settings`].
    pub struct SettingsDraft {
        sync_interval: HumanDuration,
        endpoints: Vec<Lenient<CentraEndpoint>>,
        catalog_endpoint: EndpointName,
        import: ImportMode,
        capture: CapturePolicy,
        import_filter: ImportFilter,
        completion: CompletionPolicy,
        article_number: ArticleNumberRule,
        article_number_max_length: usize,
        article_filter: ArticleFilter,
        stock_to_centra: bool,
        stock_recheck_interval: HumanDuration,
        stock_batch_window: HumanDuration,
        stock_reconcile_interval: HumanDuration,
        purchase_orders: bool,
        returns_to_centra: bool,
        return_stock: ReturnStock,
        product_selection: ProductSelection,
        price: PriceSelection,
        centra_time_zone: String,
        shipping_methods: Vec<Lenient<ShippingMethodMapping>>,
        default_transporter: Transporter,
        wms_status: WmsStatusMapping,
    }
}

const TIME_ZONE_HINT: &str = "the IANA time zone of the Centra installation, e.g. \
    \"Europe/Stockholm\" (Order API timestamps carry no offset)";

/// Parses an IANA zone name, suggesting the right spelling for a case mistake.
pub(crate) fn parse_time_zone(text: &str) -> Result<Tz, String> {
    text.parse::<Tz>().map_err(|_| {
        match chrono_tz::TZ_VARIANTS
            .iter()
            .find(|tz| tz.name().eq_ignore_ascii_case(text.trim()))
        {
            Some(tz) => format!(
                "{text:?} is not an IANA time zone; did you mean {:?}?",
                tz.name()
            ),
            None => format!("{text:?} is not an IANA time zone"),
        }
    })
}

impl SettingsDraft {
    /// Applies defaults and validates, returning every problem with its key
    /// (`settings.centra_time_zone: "Mars/Base" is not an IANA time zone`).
    pub fn into_settings(self) -> Result<Settings, Vec<SettingsError>> {
        let mut r = FieldReport::new("settings");
        let sync_interval = r.optional("sync_interval", self.sync_interval);
        let catalog_given = self.catalog_endpoint.is_some();
        let endpoints_given = self.endpoints.is_some();
        let (endpoint_positions, endpoints): (Vec<usize>, Vec<CentraEndpoint>) = r
            .indexed_list("endpoints", self.endpoints)
            .into_iter()
            .unzip();
        let catalog_endpoint = r.optional("catalog_endpoint", self.catalog_endpoint);
        let import = r.or_default("import", self.import);
        let capture = r.or_default("capture", self.capture);
        let import_filter = r.or_default("import_filter", self.import_filter);
        let completion = r.or_default("completion", self.completion);
        let article_number = r.or_default("article_number", self.article_number);
        let max_len = r.optional("article_number_max_length", self.article_number_max_length);
        let article_filter = r.or_default("article_filter", self.article_filter);
        let stock_to_centra = r.or_default("stock_to_centra", self.stock_to_centra);
        let stock_recheck = r.optional("stock_recheck_interval", self.stock_recheck_interval);
        let stock_batch_window = r.optional("stock_batch_window", self.stock_batch_window);
        let stock_reconcile = r.optional("stock_reconcile_interval", self.stock_reconcile_interval);
        let purchase_orders = r.or_default("purchase_orders", self.purchase_orders);
        let returns_to_centra = r.or_default("returns_to_centra", self.returns_to_centra);
        let return_stock = r.or_default("return_stock", self.return_stock);
        let product_selection = r.or_default("product_selection", self.product_selection);
        let price = r.or_default("price", self.price);
        let zone = r
            .required("centra_time_zone", self.centra_time_zone, TIME_ZONE_HINT)
            .and_then(|text| match parse_time_zone(&text) {
                Ok(tz) => Some(tz),
                Err(problem) => {
                    r.problem("centra_time_zone", problem);
                    None
                }
            });
        let (method_positions, shipping_methods): (Vec<usize>, Vec<ShippingMethodMapping>) = r
            .indexed_list("shipping_methods", self.shipping_methods)
            .into_iter()
            .unzip();
        let default_transporter = r.optional("default_transporter", self.default_transporter);
        let wms_status = r.or_default("wms_status", self.wms_status);
        r.unknown_keys(&self.unknown);

        // Fill unreadable fields with defaults so the cross-key rules can still run and report
        // problems elsewhere; problems on keys that were unreadable are dropped below.
        let mut settings = Settings::new(endpoints, zone.unwrap_or(chrono_tz::UTC));
        if catalog_given {
            settings.catalog_endpoint = catalog_endpoint;
        }
        settings.sync_interval = sync_interval.map_or(DEFAULT_SYNC_INTERVAL, |d| d.0);
        settings.import = import.unwrap_or_default();
        settings.capture = capture.unwrap_or_default();
        settings.import_filter = import_filter.unwrap_or_default();
        settings.completion = completion.unwrap_or_default();
        settings.article_number = article_number.unwrap_or_default();
        settings.article_number_max_length = max_len.unwrap_or(DEFAULT_MAX_ARTICLE_NUMBER_LEN);
        settings.article_filter = article_filter.unwrap_or_default();
        settings.stock_to_centra = stock_to_centra.unwrap_or_default();
        settings.stock_recheck_interval =
            stock_recheck.map_or(DEFAULT_STOCK_RECHECK_INTERVAL, |d| d.0);
        settings.stock_batch_window =
            stock_batch_window.map_or(DEFAULT_STOCK_BATCH_WINDOW, |d| d.0);
        settings.stock_reconcile_interval =
            stock_reconcile.map_or(DEFAULT_STOCK_RECONCILE_INTERVAL, |d| d.0);
        settings.purchase_orders = purchase_orders.unwrap_or_default();
        settings.returns_to_centra = returns_to_centra.unwrap_or_default();
        settings.return_stock = return_stock.unwrap_or_default();
        settings.product_selection = product_selection.unwrap_or_default();
        settings.price = price.unwrap_or_default();
        settings.shipping_methods = shipping_methods;
        settings.default_transporter = default_transporter;
        settings.wms_status = wms_status.unwrap_or_default();

        if let Err(problems) = settings.validate() {
            // Problems that follow from an unreadable value are noise: the value was replaced by
            // a default. Lists keep their readable items, so only list-wide problems are noise.
            let endpoints_unreadable = r.has_problem_at("endpoints");
            let unreadable: Vec<String> = r
                .problems()
                .iter()
                .filter_map(|p| p.key.strip_prefix("settings."))
                .map(|k| k.split(['.', '[']).next().unwrap_or_default().to_owned())
                .collect();
            for problem in problems {
                let field = problem
                    .key
                    .strip_prefix("settings.")
                    .unwrap_or(&problem.key)
                    .split(['.', '['])
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let is_list = field == "endpoints" || field == "shipping_methods";
                let list_wide = problem.key == format!("settings.{field}");
                let noise = (unreadable.contains(&field) && (!is_list || list_wide))
                    || (endpoints_unreadable && field == "catalog_endpoint")
                    || (!endpoints_given && field == "catalog_endpoint");
                if !noise {
                    let key = reindex(&problem.key, "endpoints", &endpoint_positions);
                    let key = reindex(&key, "shipping_methods", &method_positions);
                    let text = reindex(&problem.problem, "endpoints", &endpoint_positions);
                    let text = reindex(&text, "shipping_methods", &method_positions);
                    r.push(SettingsError::new(key, text));
                }
            }
        }
        let problems = r.into_problems();
        if problems.is_empty() {
            Ok(settings)
        } else {
            Err(problems)
        }
    }
}

impl TryFrom<SettingsDraft> for Settings {
    type Error = SettingsErrors;
    fn try_from(draft: SettingsDraft) -> Result<Self, Self::Error> {
        draft.into_settings().map_err(SettingsErrors)
    }
}
