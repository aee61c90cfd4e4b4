//! Whether a ready Centra order becomes one WMS order (`import = "orders"` or `"both"`).
//!
//! Under `both` a Centra order reaches the warehouse once, either as itself or as its shipments,
//! never both. The rule: **the first to arrive wins**. An order is imported only while no
//! shipment of it is known to order-sync; once the order is imported, a good-to-go shipment of
//! it is parked "order already imported as <wms number>" for a person. Under `orders` shipments
//! are never imported, so every ready order is. An order imported as itself cannot be reported
//! back to Centra (completion is per shipment): that is said in the log and the hold reasons.

use domain::{
    Address, ArticleLine, CentraOrderId, EndpointName, LineProblem, Settings, ShipmentLine,
    ShippingMethod,
};

use super::import::transporter;
use super::{HoldReason, ImportOrder};

/// A ready Centra order as the import needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadyOrder {
    pub endpoint: EndpointName,
    pub id: CentraOrderId,
    pub on_hold: bool,
    pub waiting_for_payment: bool,
    pub delivery: Address,
    pub shipping_method: ShippingMethod,
    pub lines: Vec<ShipmentLine>,
}

/// What order-sync already knows of the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OrderFacts {
    /// The order itself was imported before.
    pub imported: bool,
    /// A shipment of the order is known (imported, waiting, or cancelled).
    pub has_shipment: bool,
}

/// What to do with a ready order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderImportDecision {
    /// The tenant does not import orders, or it already is in the warehouse.
    Ignore,
    /// Under `both`: the order goes to the warehouse as its shipments.
    ImportedAsShipments,
    /// Waits for a later version of the order (or a person), with this reason.
    Hold(OrderHold),
    Import(ImportOrder),
}

/// Why a ready order waits, typed so the flow and the tests match on the variant; the text is
/// what a person reads as the order record's reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderHold {
    /// Centra holds the order; a later version of it is imported once released.
    #[error("the order is on hold in centra")]
    OnHoldInCentra,
    /// Centra has not seen the payment yet.
    #[error("the order waits for payment in centra")]
    WaitsForPayment,
    /// Nothing to ship.
    #[error("the order has no lines to ship")]
    NoLines,
    /// Lines without an article number under the tenant's rule; nothing is half-imported.
    #[error("{}", describe_lines(.lines))]
    UnresolvedLines { lines: Vec<LineProblem> },
    /// No transporter for the order's shipping method
    /// ([`HoldReason::UnmappedShippingMethod`], as for shipments).
    #[error(transparent)]
    Transporter(HoldReason),
    /// The warehouse refused the order (in its own words).
    #[error("the warehouse refused the order: {message}")]
    WmsRefused { message: String },
}

fn describe_lines(lines: &[LineProblem]) -> String {
    lines
        .iter()
        .map(|l| format!("line {}: {}", l.line_id.as_str(), l.problem))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Decides the import of `order` under `settings`, given what is known of it.
pub fn decide_order_import(
    settings: &Settings,
    order: &ReadyOrder,
    facts: OrderFacts,
) -> OrderImportDecision {
    if !settings.import.imports_orders() || facts.imported {
        return OrderImportDecision::Ignore;
    }
    if settings.import.imports_shipments() && facts.has_shipment {
        return OrderImportDecision::ImportedAsShipments;
    }
    if order.on_hold {
        return OrderImportDecision::Hold(OrderHold::OnHoldInCentra);
    }
    if order.waiting_for_payment {
        return OrderImportDecision::Hold(OrderHold::WaitsForPayment);
    }
    if order.lines.is_empty() {
        return OrderImportDecision::Hold(OrderHold::NoLines);
    }
    let mut lines = Vec::with_capacity(order.lines.len());
    let mut problems = Vec::new();
    for (row, line) in (1u32..).zip(&order.lines) {
        match settings
            .article_number
            .article_number_within(line, settings.article_number_max_length)
        {
            Ok(article_number) => lines.push(ArticleLine {
                row_number: row,
                line_id: line.line_id.clone(),
                article_number,
                quantity: line.quantity,
            }),
            Err(e) => problems.push(LineProblem {
                line_id: line.line_id.clone(),
                problem: e.to_string(),
            }),
        }
    }
    if !problems.is_empty() {
        return OrderImportDecision::Hold(OrderHold::UnresolvedLines { lines: problems });
    }
    match transporter(settings, &order.shipping_method) {
        Ok(transporter) => OrderImportDecision::Import(ImportOrder {
            capture: false,
            transporter,
            lines,
        }),
        Err(reason) => OrderImportDecision::Hold(OrderHold::Transporter(reason)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::LineId;
    use domain::settings::ImportMode;

    fn order() -> ReadyOrder {
        ReadyOrder {
            endpoint: EndpointName::parse("shop1").expect("name"),
            id: CentraOrderId::parse("83651").expect("id"),
            on_hold: false,
            waiting_for_payment: false,
            delivery: Address::default(),
            shipping_method: ShippingMethod::default(),
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

    fn settings(mode: ImportMode) -> Settings {
        let mut s = super::super::import::tests::settings();
        s.import = mode;
        s
    }

    #[test]
    fn only_order_modes_import_orders() {
        let decision = decide_order_import(
            &settings(ImportMode::Shipments),
            &order(),
            OrderFacts::default(),
        );
        assert_eq!(decision, OrderImportDecision::Ignore);
        for mode in [ImportMode::Orders, ImportMode::Both] {
            match decide_order_import(&settings(mode), &order(), OrderFacts::default()) {
                OrderImportDecision::Import(o) => {
                    assert!(!o.capture);
                    assert_eq!(o.lines[0].article_number.as_str(), "ABC");
                }
                other => panic!("{mode:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn under_both_a_known_shipment_wins_and_an_imported_order_is_never_imported_again() {
        let shipment = OrderFacts {
            imported: false,
            has_shipment: true,
        };
        assert_eq!(
            decide_order_import(&settings(ImportMode::Both), &order(), shipment),
            OrderImportDecision::ImportedAsShipments
        );
        assert!(matches!(
            decide_order_import(&settings(ImportMode::Orders), &order(), shipment),
            OrderImportDecision::Import(_)
        ));
        let imported = OrderFacts {
            imported: true,
            has_shipment: false,
        };
        assert_eq!(
            decide_order_import(&settings(ImportMode::Both), &order(), imported),
            OrderImportDecision::Ignore
        );
    }

    #[test]
    fn held_and_unpaid_orders_wait() {
        let mut held = order();
        held.on_hold = true;
        assert!(matches!(
            decide_order_import(&settings(ImportMode::Orders), &held, OrderFacts::default()),
            OrderImportDecision::Hold(r) if r == OrderHold::OnHoldInCentra && r.to_string().contains("on hold")
        ));
        let mut unpaid = order();
        unpaid.waiting_for_payment = true;
        assert!(matches!(
            decide_order_import(&settings(ImportMode::Orders), &unpaid, OrderFacts::default()),
            OrderImportDecision::Hold(r) if r == OrderHold::WaitsForPayment && r.to_string().contains("payment")
        ));
    }

    /// Every hold by its variant, with the words a person reads on the order record (as they
    /// were while the rule answered text).
    #[test]
    fn every_hold_is_typed_with_the_reason_a_person_reads() {
        let hold = |order: &ReadyOrder, settings: &Settings| match decide_order_import(
            settings,
            order,
            OrderFacts::default(),
        ) {
            OrderImportDecision::Hold(reason) => reason,
            other => panic!("expected a hold, got {other:?}"),
        };
        let orders = settings(ImportMode::Orders);
        let mut held = order();
        held.on_hold = true;
        let mut unpaid = order();
        unpaid.waiting_for_payment = true;
        let mut empty = order();
        empty.lines.clear();
        let mut unresolved = order();
        unresolved.lines[0].variant_sku = String::new();
        let mut unmapped_settings = orders.clone();
        unmapped_settings
            .shipping_methods
            .push(domain::ShippingMethodMapping {
                carrier: Some("UPS".into()),
                service: None,
                shipping_list: None,
                transporter_code: "UPS".into(),
                transporter_service_code: None,
            });
        let cases = [
            (hold(&held, &orders), "the order is on hold in centra"),
            (
                hold(&unpaid, &orders),
                "the order waits for payment in centra",
            ),
            (hold(&empty, &orders), "the order has no lines to ship"),
        ];
        assert_eq!(cases[0].0, OrderHold::OnHoldInCentra);
        assert_eq!(cases[1].0, OrderHold::WaitsForPayment);
        assert_eq!(cases[2].0, OrderHold::NoLines);
        for (reason, text) in &cases {
            assert_eq!(reason.to_string(), *text);
        }
        match hold(&unresolved, &orders) {
            OrderHold::UnresolvedLines { lines } => {
                assert_eq!(lines.len(), 1);
                assert_eq!(lines[0].line_id.as_str(), "11");
                let text = OrderHold::UnresolvedLines {
                    lines: lines.clone(),
                }
                .to_string();
                assert!(text.starts_with("line 11: "), "{text}");
                assert_eq!(text, format!("line 11: {}", lines[0].problem));
            }
            other => panic!("{other:?}"),
        }
        match hold(&order(), &unmapped_settings) {
            OrderHold::Transporter(reason @ HoldReason::UnmappedShippingMethod { .. }) => {
                assert_eq!(
                    OrderHold::Transporter(reason.clone()).to_string(),
                    reason.to_string()
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            OrderHold::WmsRefused {
                message: "Artikel fehlt".into()
            }
            .to_string(),
            "the warehouse refused the order: Artikel fehlt"
        );
    }
}
