//! Whether a ready Centra order becomes one WMS order (`import = "orders"` or `"both"`).
//!
//! Under `both` a Centra order reaches the warehouse once, either as itself or as its shipments,
//! never both. The rule: **the first to arrive wins**. An order is imported only while no
//! shipment of it is known to order-sync; once the order is imported, a good-to-go shipment of
//! it is parked "order already imported as <wms number>" for a person. Under `orders` shipments
//! are never imported, so every ready order is. An order imported as itself cannot be reported
//! back to Centra (completion is per shipment): that is said in the log and the hold reasons.

use domain::{
    Address, ArticleLine, CentraOrderId, EndpointName, Settings, ShipmentLine, ShippingMethod,
};

use super::ImportOrder;
use super::import::transporter;

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
    Hold(String),
    Import(ImportOrder),
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
        return OrderImportDecision::Hold("the order is on hold in centra".into());
    }
    if order.waiting_for_payment {
        return OrderImportDecision::Hold("the order waits for payment in centra".into());
    }
    if order.lines.is_empty() {
        return OrderImportDecision::Hold("the order has no lines to ship".into());
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
            Err(e) => problems.push(format!("line {}: {e}", line.line_id.as_str())),
        }
    }
    if !problems.is_empty() {
        return OrderImportDecision::Hold(problems.join("; "));
    }
    match transporter(settings, &order.shipping_method) {
        Ok(transporter) => OrderImportDecision::Import(ImportOrder {
            capture: false,
            transporter,
            lines,
        }),
        Err(reason) => OrderImportDecision::Hold(reason.to_string()),
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
            OrderImportDecision::Hold(r) if r.contains("on hold")
        ));
        let mut unpaid = order();
        unpaid.waiting_for_payment = true;
        assert!(matches!(
            decide_order_import(&settings(ImportMode::Orders), &unpaid, OrderFacts::default()),
            OrderImportDecision::Hold(r) if r.contains("payment")
        ));
    }
}
