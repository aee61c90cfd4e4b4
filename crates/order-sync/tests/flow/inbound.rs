//! Supplier deliveries -> WMS purchase orders -> accepted once in Centra.

use order_sync::deliveries::{DeliveryRecord, DeliveryRecords, DeliveryState};
use order_sync::fakes::Fault;
use order_sync::flow::FlowError;
use platform_store::MessageId;
use proto::events::v1 as events;

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
        let lines: Vec<(&str, u32)> = po
            .lines
            .iter()
            .map(|l| (l.article_number.as_str(), l.quantity))
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
        assert_eq!(accepted.key, domain::CentraProductKey::JoinedSku);
        let quantities: Vec<(&str, u32)> = accepted
            .quantities
            .iter()
            .map(|(product, quantity)| (product.as_str(), *quantity))
            .collect();
        assert_eq!(quantities, vec![("ABC", 8), ("ABD", 6)]);
        assert_eq!(
            accepted.insert_stock, None,
            "Centra's default: add the units"
        );
    });
}

/// Centra's refusal to accept (e.g. the gateway's, for a receipt the Integration API cannot
/// accept as it stands) parks the delivery with the refusal's words for a person: not dropped,
/// not retried by itself. A receipt sent again once the delivery is put right accepts it.
#[tokio::test]
async fn a_refused_acceptance_parks_the_delivery_for_a_person() {
    let mut s = settings();
    s.purchase_orders = true;
    let t = spawn_flow(s).await;
    t.flow
        .on_supplier_delivery(&MessageId::new("d"), &delivery())
        .await
        .expect("purchase order");
    let refusal = "supplier delivery 42 (957-1): the received quantities differ from the delivery's (ABC: expected 10, received 8)";
    t.centra
        .with(|c| c.refuse_acceptance = Some(refusal.to_owned()));
    let short = received(&[("ABC", 8), ("ABD", 5)]);
    t.flow
        .on_purchase_order_received(&MessageId::new("r1"), &short)
        .await
        .expect("handled, not retried");
    t.flow
        .on_purchase_order_received(&MessageId::new("r1"), &short)
        .await
        .expect("a redelivery is seen");
    let record = delivery_record(&t).await;
    assert_eq!(record.state(), DeliveryState::Parked);
    assert!(
        record.reason().is_some_and(|r| r.contains(refusal)),
        "{:?}",
        record.reason()
    );
    t.centra.with(|c| {
        assert_eq!(c.refused_acceptances, 1, "asked once");
        assert!(c.acceptances.is_empty());
    });

    t.centra.with(|c| c.refuse_acceptance = None);
    t.flow
        .on_purchase_order_received(&MessageId::new("r2"), &received(&[("ABC", 10), ("ABD", 5)]))
        .await
        .expect("accepted");
    assert_eq!(delivery_record(&t).await.state(), DeliveryState::Accepted);
    t.centra.with(|c| assert_eq!(c.acceptances.len(), 1));
}

#[tokio::test]
async fn with_stock_to_centra_an_accepted_delivery_does_not_add_stock_twice() {
    let mut s = settings();
    s.purchase_orders = true;
    s.stock_to_centra = true;
    let t = spawn_flow(s).await;
    t.flow
        .on_supplier_delivery(&MessageId::new("d"), &delivery())
        .await
        .expect("purchase order");
    t.flow
        .on_purchase_order_received(&MessageId::new("r1"), &received(&[("ABC", 10)]))
        .await
        .expect("accepted");
    t.centra.with(|c| {
        assert_eq!(c.acceptances.len(), 1);
        assert_eq!(
            c.acceptances[0].insert_stock,
            Some(false),
            "stock-sync brings the received units; Centra must not add them as well"
        );
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

fn synced(article: &str) -> events::ArticleSynced {
    events::ArticleSynced {
        warehouse: "main".into(),
        article_number: article.into(),
        ..events::ArticleSynced::default()
    }
}

async fn delivery_record(t: &crate::harness::TestFlow) -> DeliveryRecord {
    DeliveryRecords::new(t.store.clone())
        .find_by_purchase_order("S957-1")
        .await
        .expect("read")
        .expect("delivery known")
}

/// Issue #11 point 7: a delivery that reaches the WMS before its articles waits for them and
/// is sent again, once, when the last one is synced; nobody has to retry it.
#[tokio::test]
async fn a_delivery_ahead_of_its_articles_is_sent_once_they_are_synced() {
    let mut s = settings();
    s.purchase_orders = true;
    let t = spawn_flow(s).await;
    t.wms
        .with(|w| w.known_articles = Some(std::collections::HashSet::new()));
    let mut early = delivery();
    early.message = "pallet 3".into();
    early.expected_arrival = Some(prost_types::Timestamp {
        seconds: 1_800_000_000,
        nanos: 0,
    });
    t.flow
        .on_supplier_delivery(&MessageId::new("d"), &early)
        .await
        .expect("parked, not failed");
    let parked = delivery_record(&t).await;
    assert_eq!(parked.state(), DeliveryState::Parked);
    assert_eq!(
        parked.waiting_for(),
        vec!["ABC".to_owned(), "ABD".to_owned()],
        "every article the warehouse lacks"
    );
    assert!(
        parked
            .reason()
            .is_some_and(|r| r.contains("waiting for articles") && r.contains("ABC")),
        "{parked:?}"
    );

    // An unrelated article changes nothing and sends nothing.
    t.flow
        .on_article_synced(&MessageId::new("a0"), &synced("XYZ"))
        .await
        .expect("unrelated");
    t.wms.with(|w| assert_eq!(w.purchase_order_calls, 1));

    // ABC arrives (the catalog import is half done): still waiting for ABD, nothing sent.
    t.wms
        .with(|w| w.known_articles = Some(["ABC".to_owned()].into()));
    t.flow
        .on_article_synced(&MessageId::new("a1"), &synced("ABC"))
        .await
        .expect("resumed");
    let waiting = delivery_record(&t).await;
    assert_eq!(waiting.state(), DeliveryState::Parked);
    assert_eq!(waiting.waiting_for(), vec!["ABD".to_owned()]);
    t.wms.with(|w| assert_eq!(w.purchase_order_calls, 1));

    // ABD arrives, but the warehouse is down: still waiting, the redelivery sends it.
    t.wms.with(|w| {
        w.known_articles = None;
        w.next_fault = Fault::Down;
    });
    assert!(matches!(
        t.flow
            .on_article_synced(&MessageId::new("a2"), &synced("ABD"))
            .await,
        Err(FlowError::Unavailable(_))
    ));
    assert_eq!(
        delivery_record(&t).await.waiting_for(),
        vec!["ABD".to_owned()]
    );
    t.flow
        .on_article_synced(&MessageId::new("a2"), &synced("ABD"))
        .await
        .expect("redelivered");
    let sent = delivery_record(&t).await;
    assert_eq!(sent.state(), DeliveryState::Sent);
    assert!(
        sent.waiting_for().is_empty() && sent.reason().is_none(),
        "{sent:?}"
    );
    t.wms.with(|w| {
        let po = &w.purchase_orders["S957-1"];
        assert_eq!(
            po.remark, "pallet 3",
            "the resent request is the whole request"
        );
        assert_eq!(po.in_date.map(|t| t.timestamp()), Some(1_800_000_000));
        assert_eq!(po.lines.len(), 2);
    });

    // Later syncs of the same articles (an edit in Centra) do not send it again.
    t.flow
        .on_article_synced(&MessageId::new("a3"), &synced("ABD"))
        .await
        .expect("again");
    t.wms.with(|w| {
        assert_eq!(
            w.purchase_order_calls, 2,
            "once when the last arrived, no more"
        )
    });
}

#[tokio::test]
async fn a_delivery_refused_for_another_reason_does_not_wait_for_articles() {
    let mut s = settings();
    s.purchase_orders = true;
    let t = spawn_flow(s).await;
    t.flow
        .on_supplier_delivery(&MessageId::new("d"), &delivery())
        .await
        .expect("sent");
    let mut bad = delivery();
    bad.delivery_number = "958-1".into();
    bad.lines[0].size_sku = String::new();
    t.flow
        .on_supplier_delivery(&MessageId::new("d2"), &bad)
        .await
        .expect("parked");
    let parked = DeliveryRecords::new(t.store.clone())
        .find_by_purchase_order("S958-1")
        .await
        .expect("read")
        .expect("known");
    assert_eq!(parked.state(), DeliveryState::Parked);
    assert!(parked.waiting_for().is_empty());
    t.flow
        .on_article_synced(&MessageId::new("a"), &synced("ABC"))
        .await
        .expect("nothing waits");
    t.wms.with(|w| assert_eq!(w.purchase_order_calls, 1));
}
