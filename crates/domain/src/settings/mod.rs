//! The tenant's settings: every option of design.md section 5, with its documented default.
//!
//! Layout:
//! - `mod.rs`: [`Settings`] and the helpers flows call (`import_plan`, `transporter_for`, ...).
//! - `policies.rs`: import mode, capture, import filter, completion, product selection.
//! - `price.rs`, `wms_status.rs`: the price choice and the WMS status numbers.
//! - `draft.rs`: reading settings so that every problem is reported at once.
//! - `validate.rs`: [`Settings::validate`], the rules that span several keys.
//! - `lenient.rs`: the never-failing draft plumbing, shared with `platform-config`.
//! - `return_stock.rs`: whether returned units go back to stock in Centra.
//! - `setting_enum.rs`: enums spelled as words in configuration, with clear errors.
//!
//! In TOML the settings live under `[settings]`; every key is optional except
//! `centra_time_zone` and `endpoints`. Enum values are snake_case (`capture = "on_completion"`).
//! Unknown keys are errors, so a typo never silently falls back to a default.

mod draft;
mod lenient;
mod policies;
mod price;
mod return_stock;
mod setting_enum;
mod validate;
mod wms_status;

#[cfg(test)]
mod toml_tests;

use std::time::Duration;

use chrono_tz::Tz;
use serde::Serialize;

pub use draft::{HumanDuration, SettingsDraft};
pub use lenient::{FieldReport, Lenient, SettingsError, SettingsErrors, reindex};
pub use policies::{
    CapturePolicy, CompletionPolicy, ImportFilter, ImportMode, ImportStep, ProductSelection,
};
pub use price::{DEFAULT_CURRENCY, PriceSelection};
pub use return_stock::ReturnStock;
pub use setting_enum::UnknownSettingValue;
pub use wms_status::{WmsOrderState, WmsStatusMapping};

use crate::article_filter::ArticleFilter;
use crate::article_number::{
    ArticleNumber, ArticleNumberError, ArticleNumberRule, DEFAULT_MAX_ARTICLE_NUMBER_LEN,
    IdentifiesArticle,
};
use crate::endpoint::{CentraEndpoint, EndpointName};
use crate::park::ParkReason;
use crate::shipment::Shipment;
use crate::shipping::{ShippingMethod, ShippingMethodMapping, Transporter, find_transporter};

/// Default reconciliation interval (the seed's 15 minutes).
pub const DEFAULT_SYNC_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// Default delay before an article whose Centra stock does not yet sell exactly the WMS's
/// sellable stock (units in flight) is checked again; doubles up to `sync_interval`.
pub const DEFAULT_STOCK_RECHECK_INTERVAL: Duration = Duration::from_secs(60);

/// Default stock batching window: stock changes marked within half a second of each other go to
/// Centra in one stock write (a WMS poll's burst of changes arrives well within it), at the
/// cost of half a second more before Centra shows a change.
pub const DEFAULT_STOCK_BATCH_WINDOW: Duration = Duration::from_millis(500);

/// The longest stock batching window accepted: the window delays every stock change to Centra,
/// a decrease too, and Centra may sell the old value meanwhile.
pub const MAX_STOCK_BATCH_WINDOW: Duration = Duration::from_secs(60);

/// Default interval of the full stock reconcile (the daily safety net Centra's guide asks for).
pub const DEFAULT_STOCK_RECONCILE_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);

/// All tenant settings. Read them with `Deserialize` (which reports every problem at once, see
/// [`SettingsDraft`]) or build them with [`Settings::new`] and adjust fields.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(try_from = "SettingsDraft")]
pub struct Settings {
    /// Reconciliation poll interval; events make it a backstop. Default 15 minutes.
    #[serde(with = "humantime_serde")]
    pub sync_interval: Duration,
    /// Centra end-points (at least one, unique names).
    pub endpoints: Vec<CentraEndpoint>,
    /// The end-point articles and stock sync with. Defaults to the only end-point, else to the
    /// only one with `role = "wholesale"` (the catalogue usually lives in the wholesale
    /// store); required when that leaves a choice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog_endpoint: Option<EndpointName>,
    /// Shipments (default), orders or both.
    pub import: ImportMode,
    /// When to capture payment. Default never.
    pub capture: CapturePolicy,
    /// Which shipments to import. Default all.
    pub import_filter: ImportFilter,
    /// Automatic (default) or manual completion.
    pub completion: CompletionPolicy,
    /// How article numbers are made. Default sku + variant sku + size sku.
    pub article_number: ArticleNumberRule,
    /// Longest article number the WMS accepts (Ongoing documents none; default 50).
    pub article_number_max_length: usize,
    /// Which size rows become articles. Default active with all SKUs.
    pub article_filter: ArticleFilter,
    /// Push WMS stock to Centra. Default off.
    pub stock_to_centra: bool,
    /// First delay before an unsettled article's stock is checked again (doubling up to
    /// `sync_interval`). Default 1 minute.
    #[serde(with = "humantime_serde")]
    pub stock_recheck_interval: Duration,
    /// How long stock-sync gathers stock changes before checking them, so that changes close
    /// together go to Centra in one stock write instead of one each. `0s`: each change is
    /// checked as soon as it is marked. Default half a second, at most a minute.
    #[serde(with = "humantime_serde")]
    pub stock_batch_window: Duration,
    /// How often every article's stock is reconciled. Default 24 hours.
    #[serde(with = "humantime_serde")]
    pub stock_reconcile_interval: Duration,
    /// Sync supplier deliveries to WMS purchase orders and receipts back. Default off.
    pub purchase_orders: bool,
    /// Report WMS returns to Centra. Default off.
    pub returns_to_centra: bool,
    /// Whether returned units go back to stock in Centra (`returnStock`). Default: Centra's store
    /// default; with `stock_to_centra` always `false` ("yes" is refused: units counted twice).
    pub return_stock: ReturnStock,
    /// Automatic (default) or manual product selection.
    pub product_selection: ProductSelection,
    /// Which prices go to the WMS. Default first EUR pricelist.
    pub price: PriceSelection,
    /// The zone Centra's offset-less timestamps are in. Required.
    pub centra_time_zone: Tz,
    /// Centra carrier/service/shipping list to WMS transporter.
    pub shipping_methods: Vec<ShippingMethodMapping>,
    /// Transporter for shipments no mapping matches; `None` lets the warehouse choose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_transporter: Option<Transporter>,
    /// What the WMS status numbers mean.
    pub wms_status: WmsStatusMapping,
}

/// The catalog end-point when `catalog_endpoint` is not set: the only end-point, else the only
/// wholesale one (the catalogue usually lives in the wholesale store, which sells every
/// article); `None` when that leaves a choice.
pub fn default_catalog_endpoint(endpoints: &[CentraEndpoint]) -> Option<&EndpointName> {
    if let [only] = endpoints {
        return Some(&only.name);
    }
    let mut wholesale = endpoints
        .iter()
        .filter(|e| e.role == crate::endpoint::EndpointRole::Wholesale);
    match (wholesale.next(), wholesale.next()) {
        (Some(one), None) => Some(&one.name),
        _ => None,
    }
}

impl Settings {
    /// Settings with every default, the given end-points and time zone. The catalog end-point is
    /// set by [`default_catalog_endpoint`].
    pub fn new(endpoints: Vec<CentraEndpoint>, centra_time_zone: Tz) -> Self {
        let catalog_endpoint = default_catalog_endpoint(&endpoints).cloned();
        Self {
            sync_interval: DEFAULT_SYNC_INTERVAL,
            endpoints,
            catalog_endpoint,
            import: ImportMode::default(),
            capture: CapturePolicy::default(),
            import_filter: ImportFilter::default(),
            completion: CompletionPolicy::default(),
            article_number: ArticleNumberRule::default(),
            article_number_max_length: DEFAULT_MAX_ARTICLE_NUMBER_LEN,
            article_filter: ArticleFilter::default(),
            stock_to_centra: false,
            stock_recheck_interval: DEFAULT_STOCK_RECHECK_INTERVAL,
            stock_batch_window: DEFAULT_STOCK_BATCH_WINDOW,
            stock_reconcile_interval: DEFAULT_STOCK_RECONCILE_INTERVAL,
            purchase_orders: false,
            returns_to_centra: false,
            return_stock: ReturnStock::default(),
            product_selection: ProductSelection::default(),
            price: PriceSelection::default(),
            centra_time_zone,
            shipping_methods: Vec::new(),
            default_transporter: None,
            wms_status: WmsStatusMapping::default(),
        }
    }

    /// The end-point with this name.
    pub fn endpoint(&self, name: &EndpointName) -> Option<&CentraEndpoint> {
        self.endpoints.iter().find(|e| e.name == *name)
    }

    /// The end-point articles and stock sync with (always `Some` once [`Settings::validate`]
    /// passed).
    pub fn catalog(&self) -> Option<&CentraEndpoint> {
        self.catalog_endpoint
            .as_ref()
            .and_then(|n| self.endpoint(n))
    }

    /// The article number of an item under the configured rule and maximum length.
    pub fn article_number(
        &self,
        item: &impl IdentifiesArticle,
    ) -> Result<ArticleNumber, ArticleNumberError> {
        self.article_number
            .article_number_within(item, self.article_number_max_length)
    }

    /// The WMS transporter for a Centra shipping method, or `None` (the warehouse chooses).
    pub fn transporter_for(&self, method: &ShippingMethod) -> Option<Transporter> {
        find_transporter(
            &self.shipping_methods,
            self.default_transporter.as_ref(),
            method,
        )
    }

    /// Decides what to do with a shipment offered for import: park it (with the reason) or the
    /// first step to take. Article lines are checked separately ([`Shipment::article_lines`]).
    pub fn import_plan(&self, shipment: &Shipment) -> Result<ImportStep, ParkReason> {
        if !shipment.good_to_go {
            return Err(ParkReason::NotGoodToGo);
        }
        self.import_filter.admits(shipment)?;
        if self.capture.captures_on_import() && shipment.should_capture {
            Ok(ImportStep::CaptureThenImport)
        } else {
            Ok(ImportStep::Import)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::endpoint::EndpointRole;
    use crate::secret::Secret;
    use crate::shipment::tests::{line, shipment};

    pub(crate) fn endpoint(name: &str) -> CentraEndpoint {
        CentraEndpoint {
            name: EndpointName::parse(name).expect("name"),
            base_url: format!("https://{name}.centra.com/api/order-api"),
            secret: Secret::new(format!("{name}-secret")),
            role: EndpointRole::Retail,
            order_number_prefix: None,
            requests_per_second: None,
            api: crate::endpoint::CentraApi::OrderApi,
            token: None,
            token_expires_on: None,
            admin_user_id: None,
            webhook_secret: None,
        }
    }

    #[test]
    fn new_has_the_documented_defaults() {
        let s = Settings::new(vec![endpoint("shop1")], chrono_tz::Europe::Stockholm);
        assert_eq!(s.sync_interval, Duration::from_secs(900));
        assert_eq!(s.catalog().map(|e| e.name.as_str()), Some("shop1"));
        assert_eq!(s.import, ImportMode::Shipments);
        assert_eq!(s.capture, CapturePolicy::Never);
        assert_eq!(s.import_filter, ImportFilter::None);
        assert_eq!(s.completion, CompletionPolicy::Automatic);
        assert_eq!(s.article_number, ArticleNumberRule::SkuVariantSize);
        assert_eq!(s.article_number_max_length, 50);
        assert_eq!(s.article_filter, ArticleFilter::ActiveWithAllSkus);
        assert!(!s.stock_to_centra && !s.purchase_orders && !s.returns_to_centra);
        assert_eq!(s.product_selection, ProductSelection::Automatic);
        assert_eq!(s.price.currency, "EUR");
        assert_eq!(s.price.pricelist, None);
        assert_eq!(s.wms_status, WmsStatusMapping::default());
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn import_plan_parks_or_orders_capture() {
        let mut settings = Settings::new(vec![endpoint("shop1")], chrono_tz::UTC);
        let mut s = shipment(vec![line("1", "A", "B", "C", 1)]);
        assert_eq!(settings.import_plan(&s), Ok(ImportStep::Import));
        s.should_capture = true;
        s.paid = false;
        settings.capture = CapturePolicy::OnImport;
        assert_eq!(settings.import_plan(&s), Ok(ImportStep::CaptureThenImport));
        settings.import_filter = ImportFilter::OnlyPaid;
        assert_eq!(settings.import_plan(&s), Err(ParkReason::NotPaid));
        s.good_to_go = false;
        assert_eq!(settings.import_plan(&s), Err(ParkReason::NotGoodToGo));
    }

    #[test]
    fn transporter_lookup_uses_mappings_then_default() {
        let mut settings = Settings::new(vec![endpoint("shop1")], chrono_tz::UTC);
        let method = ShippingMethod {
            carrier: Some("DHL".into()),
            ..ShippingMethod::default()
        };
        assert_eq!(settings.transporter_for(&method), None);
        settings.default_transporter = Some(Transporter {
            transporter_code: "PN".into(),
            transporter_service_code: None,
        });
        assert_eq!(
            settings
                .transporter_for(&method)
                .map(|t| t.transporter_code),
            Some("PN".into())
        );
        settings.shipping_methods.push(ShippingMethodMapping {
            carrier: Some("dhl".into()),
            service: None,
            shipping_list: None,
            transporter_code: "DHL".into(),
            transporter_service_code: Some("EXP".into()),
        });
        assert_eq!(
            settings
                .transporter_for(&method)
                .map(|t| t.transporter_code),
            Some("DHL".into())
        );
    }
}
