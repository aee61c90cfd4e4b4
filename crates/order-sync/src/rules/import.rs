//! Whether a good-to-go shipment becomes a WMS order, and how.
//!
//! The order of the checks matters and is tested: the import mode first (an `orders` tenant
//! never imports shipments), then good-to-go and the import filter (domain
//! [`Settings::import_plan`]), then every line's article number (nothing is half-imported), then
//! the transporter. Capture happens only after all of these pass, so a shipment that would be
//! parked anyway is never captured, and the flow captures only once the WMS accepted the order
//! (a refusal there must not leave money taken for an order the warehouse does not have).

use domain::settings::ImportStep;
use domain::{ArticleLine, Settings, Shipment, ShippingMethod, Transporter};

use super::HoldReason;

/// What to do with a shipment offered for import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportDecision {
    /// The tenant does not import shipments (`import = "orders"`); not ours to keep.
    Ignore,
    /// Keep it aside with this reason.
    Hold(HoldReason),
    /// Send it to the warehouse (then capture, when the plan says so).
    Import(ImportOrder),
}

/// A shipment ready for the warehouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOrder {
    /// Capture the payment once the WMS accepted the order; a refused capture cancels that
    /// order, so the shipment never ships unpaid.
    pub capture: bool,
    /// `None`: no mapping table is configured at all, the warehouse chooses.
    pub transporter: Option<Transporter>,
    /// Every line as a WMS article line.
    pub lines: Vec<ArticleLine>,
}

/// Decides the import of `shipment` under `settings`.
pub fn decide_import(settings: &Settings, shipment: &Shipment) -> ImportDecision {
    if !settings.import.imports_shipments() {
        return ImportDecision::Ignore;
    }
    let step = match settings.import_plan(shipment) {
        Ok(step) => step,
        Err(reason) => return ImportDecision::Hold(HoldReason::Rule(reason)),
    };
    let lines =
        match shipment.article_lines(settings.article_number, settings.article_number_max_length) {
            Ok(lines) => lines,
            Err(reason) => return ImportDecision::Hold(HoldReason::Rule(reason)),
        };
    let transporter = match transporter(settings, &shipment.shipping_method) {
        Ok(transporter) => transporter,
        Err(reason) => return ImportDecision::Hold(reason),
    };
    ImportDecision::Import(ImportOrder {
        capture: step == ImportStep::CaptureThenImport,
        transporter,
        lines,
    })
}

/// The mapped transporter, else the default; when the tenant keeps a mapping table but neither
/// matches, the shipment is parked rather than shipped with a carrier nobody chose. A tenant
/// with no table and no default lets the warehouse choose (`None`).
pub(crate) fn transporter(
    settings: &Settings,
    method: &ShippingMethod,
) -> Result<Option<Transporter>, HoldReason> {
    match settings.transporter_for(method) {
        Some(found) => Ok(Some(found)),
        None if settings.shipping_methods.is_empty() => Ok(None),
        None => Err(HoldReason::UnmappedShippingMethod {
            method: describe(method),
        }),
    }
}

fn describe(method: &ShippingMethod) -> String {
    let parts: Vec<String> = [
        ("carrier", &method.carrier),
        ("service", &method.service),
        ("shipping list", &method.shipping_list),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name} {v:?}")))
    .collect();
    if parts.is_empty() {
        "(none given)".to_owned()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use domain::settings::{CapturePolicy, ImportFilter, ImportMode};
    use domain::{
        Address, CentraEndpoint, EndpointName, LineId, ParkReason, ShipmentId, ShipmentLine,
        ShippingMethodMapping,
    };

    pub(crate) fn endpoint() -> CentraEndpoint {
        serde_json::from_str(
            r#"{"name": "shop1", "base_url": "https://shop1.centra.com/api/order-api", "secret": "s"}"#,
        )
        .expect("end-point")
    }

    pub(crate) fn settings() -> Settings {
        Settings::new(vec![endpoint()], chrono_tz::UTC)
    }

    pub(crate) fn shipment() -> Shipment {
        Shipment {
            id: ShipmentId::parse("83651-1").expect("id"),
            endpoint: EndpointName::parse("shop1").expect("name"),
            paid: true,
            should_capture: false,
            good_to_go: true,
            delivery: Address {
                name: "Ada".into(),
                country_code: "SE".into(),
                ..Address::default()
            },
            shipping_method: ShippingMethod {
                carrier: Some("DHL".into()),
                ..ShippingMethod::default()
            },
            lines: vec![ShipmentLine {
                line_id: LineId::new("11"),
                sku: "A".into(),
                variant_sku: "B".into(),
                size_sku: "C".into(),
                ean: None,
                quantity: 2,
            }],
        }
    }

    fn import(decision: ImportDecision) -> ImportOrder {
        match decision {
            ImportDecision::Import(order) => order,
            other => panic!("expected an import, got {other:?}"),
        }
    }

    #[test]
    fn import_mode_decides_whether_shipments_are_ours() {
        let mut s = settings();
        for (mode, imported) in [
            (ImportMode::Shipments, true),
            (ImportMode::Both, true),
            (ImportMode::Orders, false),
        ] {
            s.import = mode;
            let decision = decide_import(&s, &shipment());
            assert_eq!(
                matches!(decision, ImportDecision::Import(_)),
                imported,
                "{mode:?}"
            );
            if !imported {
                assert_eq!(decision, ImportDecision::Ignore);
            }
        }
    }

    #[test]
    fn filter_none_imports_unpaid_shipments() {
        let mut unpaid = shipment();
        unpaid.paid = false;
        let order = import(decide_import(&settings(), &unpaid));
        assert!(!order.capture);
        assert_eq!(order.lines[0].article_number.as_str(), "ABC");
        assert_eq!(order.lines[0].quantity, 2);
    }

    #[test]
    fn filter_only_paid_parks_unpaid_and_imports_paid() {
        let mut s = settings();
        s.import_filter = ImportFilter::OnlyPaid;
        import(decide_import(&s, &shipment()));
        let mut unpaid = shipment();
        unpaid.paid = false;
        assert_eq!(
            decide_import(&s, &unpaid),
            ImportDecision::Hold(HoldReason::Rule(ParkReason::NotPaid))
        );
    }

    #[test]
    fn filter_capture_on_import_captures_capturable_and_parks_the_rest() {
        let mut s = settings();
        s.import_filter = ImportFilter::CaptureOnImport;
        s.capture = CapturePolicy::OnImport;
        let mut capturable = shipment();
        capturable.paid = false;
        capturable.should_capture = true;
        assert!(import(decide_import(&s, &capturable)).capture);
        // Already paid: nothing to capture, imported at once.
        assert!(!import(decide_import(&s, &shipment())).capture);
        let mut neither = shipment();
        neither.paid = false;
        assert_eq!(
            decide_import(&s, &neither),
            ImportDecision::Hold(HoldReason::Rule(ParkReason::NotPaid))
        );
    }

    #[test]
    fn capture_policy_decides_capture_at_import() {
        let mut capturable = shipment();
        capturable.should_capture = true;
        for (policy, capture) in [
            (CapturePolicy::Never, false),
            (CapturePolicy::OnImport, true),
            (CapturePolicy::OnCompletion, false),
        ] {
            let mut s = settings();
            s.capture = policy;
            assert_eq!(
                import(decide_import(&s, &capturable)).capture,
                capture,
                "{policy:?}"
            );
        }
    }

    #[test]
    fn a_parked_shipment_is_never_captured() {
        let mut s = settings();
        s.capture = CapturePolicy::OnImport;
        let mut bad = shipment();
        bad.should_capture = true;
        bad.lines[0].variant_sku = String::new();
        assert!(matches!(
            decide_import(&s, &bad),
            ImportDecision::Hold(HoldReason::Rule(ParkReason::UnresolvedArticles { .. }))
        ));
    }

    #[test]
    fn shipping_method_maps_then_defaults_then_parks() {
        let mut s = settings();
        // No table at all: the warehouse chooses.
        assert_eq!(import(decide_import(&s, &shipment())).transporter, None);
        s.shipping_methods.push(ShippingMethodMapping {
            carrier: Some("UPS".into()),
            service: None,
            shipping_list: None,
            transporter_code: "UPS".into(),
            transporter_service_code: None,
        });
        assert_eq!(
            decide_import(&s, &shipment()),
            ImportDecision::Hold(HoldReason::UnmappedShippingMethod {
                method: "carrier \"DHL\"".into()
            })
        );
        s.default_transporter = Some(Transporter {
            transporter_code: "PN".into(),
            transporter_service_code: None,
        });
        assert_eq!(
            import(decide_import(&s, &shipment()))
                .transporter
                .map(|t| t.transporter_code),
            Some("PN".into())
        );
        s.shipping_methods.push(ShippingMethodMapping {
            carrier: Some("dhl".into()),
            service: None,
            shipping_list: None,
            transporter_code: "DHL".into(),
            transporter_service_code: Some("EXP".into()),
        });
        let chosen = import(decide_import(&s, &shipment())).transporter;
        assert_eq!(chosen.map(|t| t.transporter_code), Some("DHL".into()));
    }

    #[test]
    fn not_good_to_go_and_empty_shipments_park() {
        let mut s = shipment();
        s.lines.clear();
        assert_eq!(
            decide_import(&settings(), &s),
            ImportDecision::Hold(HoldReason::Rule(ParkReason::NoLines))
        );
        s.good_to_go = false;
        assert_eq!(
            decide_import(&settings(), &s),
            ImportDecision::Hold(HoldReason::Rule(ParkReason::NotGoodToGo))
        );
    }
}
