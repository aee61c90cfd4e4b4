//! Supplier deliveries -> WMS purchase orders -> accepted once in Centra.

use order_sync::flow::FlowError;
use platform_store::MessageId;
use proto::centra::v1 as centra;
use proto::events::v1 as events;

use crate::fakes::Fault;
use crate::harness::{settings, spawn_flow};

fn delivery() -> events::SupplierDeliveryCreated {
    let line = |size: &str, quantity: i64| events::SupplierDeliveryLine {
        sku: "A".into(),
        variant_sku: "B".into(),
        size_sku: size.into(),
        quantity,
        ..events::SupplierDeliveryLine::default()
    };
    events::SupplierDeliveryCreated {
        endpoint: "shop1".into(),
        delivery_id: "42".into(),
        delivery_number: "957-1".into(),
        supplier_name: "Weaver AB".into(),
        lines: vec![line("C", 10), line("D", 5)],
        ..events::SupplierDeliveryCreated::default()
    }
}

fn received(lines: &[(&str, i64)]) -> events::WmsPurchaseOrderReceived {
    events::WmsPurchaseOrderReceived {
        warehouse: "main".into(),
        purchase_order_id: 7001,
        purchase_order_number: "S957-1".into(),
        status_code: 500,
        lines: lines
            .iter()
            .map(|(article, qty)| events::ReceivedLine {
                article_number: (*article).into(),
                received_number_of_items: *qty,
                ..events::ReceivedLine::default()
            })
            .collect(),
        ..events::WmsPurchaseOrderReceived::default()
    }
}

#[tokio::test]
async fn purchase_orders_are_off_by_default() {
    let t = spawn_flow(settings()).await;
    t.flow
        .on_supplier_delivery(&MessageId::new("d"), &delivery())
        .await
        .expect("ignored");
    t.wms.with(|w| assert!(w.purchase_orders.is_empty()));
}

#[tokio::test]
async fn a_delivery_becomes_a_purchase_order_and_is_accepted_exactly_once() {
    let mut s = settings();
    s.purchase_orders = true;
    let t = spawn_flow(s).await;
    t.flow
        .on_supplier_delivery(&MessageId::new("d"), &delivery())
        .await
        .expect("purchase order");
    t.wms.with(|w| {
        let po = &w.purchase_orders["S957-1"];
        assert_eq!(po.supplier_name, "Weaver AB");
        let lines: Vec<(&str, i64)> = po
            .lines
            .iter()
            .map(|l| (l.article_number.as_str(), l.number_of_items))
            .collect();
        assert_eq!(lines, vec![("ABC", 10), ("ABD", 5)]);
    });

    // Under-delivered ABC, over-delivered ABD; the answer of the first acceptance is lost.
    let report = received(&[("ABC", 8), ("ABD", 6)]);
    t.centra.with(|c| c.next_fault = Fault::LoseAnswer);
    assert!(matches!(
        t.flow
            .on_purchase_order_received(&MessageId::new("r1"), &report)
            .await,
        Err(FlowError::Unavailable(_))
    ));
    t.flow
        .on_purchase_order_received(&MessageId::new("r1"), &report)
        .await
        .expect("redelivered");
    t.flow
        .on_purchase_order_received(&MessageId::new("r2"), &report)
        .await
        .expect("republished");
    t.centra.with(|c| {
        assert_eq!(c.acceptances.len(), 1, "accepted exactly once");
        let accepted = &c.acceptances[0];
        assert_eq!(accepted.delivery_id, "42");
        assert_eq!(accepted.key_kind, centra::ProductKeyKind::JoinedSku as i32);
        let quantities: Vec<(&str, i64)> = accepted
            .quantities
            .iter()
            .map(|q| (q.product.as_str(), q.quantity))
            .collect();
        assert_eq!(quantities, vec![("ABC", 8), ("ABD", 6)]);
    });
}

#[tokio::test]
async fn a_bad_delivery_number_names_the_field() {
    let mut s = settings();
    s.purchase_orders = true;
    let t = spawn_flow(s).await;
    let mut bad = delivery();
    bad.delivery_number = "957".into();
    match t
        .flow
        .on_supplier_delivery(&MessageId::new("d"), &bad)
        .await
    {
        Err(FlowError::Invalid(e)) => assert_eq!(e.field, "delivery_number"),
        other => panic!("expected invalid, got {other:?}"),
    }
}
