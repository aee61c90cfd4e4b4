//! Good to go -> WMS order (or parked, or failed), exactly once.

use std::collections::HashSet;

use domain::settings::{ImportFilter, ImportMode};
use domain::{ShippingMethodMapping, Transporter};
use order_sync::fakes::Fault;
use order_sync::flow::FlowError;
use order_sync::rules::{HoldReason, ShipmentState};
use platform_store::MessageId;
use proto::events::v1 as events;

use crate::harness::{good_to_go, settings, spawn_flow};

#[tokio::test]
async fn good_to_go_becomes_one_wms_order_whatever_is_redelivered() {
    let t = spawn_flow(settings()).await;
    let event = good_to_go("83651-1");
    t.good_to_go("gtg-1", &event).await.expect("import");
    t.good_to_go("gtg-1", &event).await.expect("redelivery");
    t.good_to_go("gtg-1-again", &event)
        .await
        .expect("republished");

    let record = t.record("83651-1").await;
    assert_eq!(record.state(), ShipmentState::Imported);
    assert_eq!(record.wms_order_number, "S83651-1");
    t.wms.with(|w| {
        assert_eq!(w.upserts, 1, "imported exactly once");
        let order = &w.orders["S83651-1"];
        assert_eq!(order.warehouse, "main");
        assert_eq!(order.centra_order_id, "83651");
        let consignee = &order.consignee;
        assert_eq!(consignee.name, "Ada Lovelace");
        assert_eq!(consignee.country_code, "SE");
        assert_eq!(consignee.email.as_deref(), Some("ada@example.com"));
        assert_eq!(order.lines.len(), 2);
        assert_eq!(order.lines[0].article_number.as_str(), "ABC");
        assert_eq!(order.lines[0].quantity, 2);
        assert_eq!(order.lines[0].line_id.as_str(), "11");
        assert_eq!(order.lines[1].row_number, 2);
        assert_eq!(
            order.transporter, None,
            "no mapping table: the warehouse chooses"
        );
    });
    assert_eq!(t.centra.with(|c| c.captures.len()), 0);
}

#[tokio::test]
async fn an_outage_is_retried_and_a_lost_answer_creates_no_second_order() {
    let t = spawn_flow(settings()).await;
    let event = good_to_go("1-1");
    t.wms.with(|w| w.next_fault = Fault::Down);
    assert!(matches!(
        t.good_to_go("m", &event).await,
        Err(FlowError::Unavailable(_))
    ));
    assert!(
        !t.store
            .inbox()
            .contains(order_sync::flow::GOOD_TO_GO, &MessageId::new("m"))
            .await
            .expect("inbox")
    );
    t.wms.with(|w| w.next_fault = Fault::LoseAnswer);
    assert!(t.good_to_go("m", &event).await.is_err());
    t.good_to_go("m", &event).await.expect("third delivery");
    assert_eq!(t.record("1-1").await.state(), ShipmentState::Imported);
    t.wms.with(|w| assert_eq!(w.creations, 1));
}

#[tokio::test]
async fn import_mode_orders_leaves_shipments_alone_and_both_imports_them() {
    let mut s = settings();
    s.import = ImportMode::Orders;
    let t = spawn_flow(s).await;
    t.good_to_go("m", &good_to_go("1-1"))
        .await
        .expect("ignored");
    assert!(
        t.flow
            .records()
            .find("shop1", "1-1")
            .await
            .expect("query")
            .is_none()
    );
    t.wms.with(|w| assert_eq!(w.upserts, 0));

    let mut s = settings();
    s.import = ImportMode::Both;
    let t = spawn_flow(s).await;
    t.good_to_go("m", &good_to_go("1-1")).await.expect("import");
    assert_eq!(t.record("1-1").await.state(), ShipmentState::Imported);
}

#[tokio::test]
async fn only_paid_parks_unpaid_and_imports_it_once_paid() {
    let mut s = settings();
    s.import_filter = ImportFilter::OnlyPaid;
    let t = spawn_flow(s).await;
    let mut event = good_to_go("2-1");
    event.paid = false;
    t.good_to_go("unpaid", &event).await.expect("parked");
    let record = t.record("2-1").await;
    assert_eq!(record.state(), ShipmentState::Parked);
    assert_eq!(record.hold_reason().map(HoldReason::kind), Some("not_paid"));
    t.wms.with(|w| assert_eq!(w.upserts, 0));
    event.paid = true;
    t.good_to_go("paid", &event).await.expect("imported");
    assert_eq!(t.record("2-1").await.state(), ShipmentState::Imported);
}

#[tokio::test]
async fn shipping_methods_map_default_or_park() {
    let mapping = ShippingMethodMapping {
        carrier: Some("dhl".into()),
        service: None,
        shipping_list: None,
        transporter_code: "DHL".into(),
        transporter_service_code: Some("EXP".into()),
    };
    let mut s = settings();
    s.shipping_methods.push(mapping);
    let t = spawn_flow(s.clone()).await;
    t.good_to_go("a", &good_to_go("5-1")).await.expect("mapped");
    let mut ups = good_to_go("5-2");
    ups.shipping_method = Some(events::ShippingMethod {
        carrier: "UPS".into(),
        ..events::ShippingMethod::default()
    });
    t.good_to_go("b", &ups).await.expect("parked");
    t.wms.with(|w| {
        let t = w.orders["S5-1"].transporter.clone().expect("transporter");
        assert_eq!(
            (
                t.transporter_code.as_str(),
                t.transporter_service_code.as_deref()
            ),
            ("DHL", Some("EXP"))
        );
        assert!(!w.orders.contains_key("S5-2"));
    });
    let parked = t.record("5-2").await;
    assert_eq!(parked.state(), ShipmentState::Parked);
    assert_eq!(
        parked.hold_reason().map(|h| h.to_string()),
        Some("shipping method carrier \"UPS\" is not mapped to a transporter and no default is configured".to_owned())
    );

    s.default_transporter = Some(Transporter {
        transporter_code: "PN".into(),
        transporter_service_code: None,
    });
    let t = spawn_flow(s).await;
    t.good_to_go("b", &ups).await.expect("default");
    t.wms.with(|w| {
        assert_eq!(
            w.orders["S5-2"]
                .transporter
                .as_ref()
                .map(|t| t.transporter_code.as_str()),
            Some("PN")
        );
    });
}

#[tokio::test]
async fn missing_article_parks_until_that_article_is_synced() {
    let t = spawn_flow(settings()).await;
    t.wms
        .with(|w| w.known_articles = Some(HashSet::from(["ABD".to_owned()])));
    t.good_to_go("m", &good_to_go("6-1")).await.expect("parked");
    let record = t.record("6-1").await;
    assert_eq!(record.state(), ShipmentState::Parked);
    assert_eq!(
        record.hold_reason().cloned(),
        Some(HoldReason::ArticleMissing {
            articles: vec!["ABC".into()]
        })
    );
    let synced = |article: &str| events::ArticleSynced {
        warehouse: "main".into(),
        article_number: article.into(),
        ..events::ArticleSynced::default()
    };
    t.flow
        .on_article_synced(&MessageId::new("a1"), &synced("XYZ"))
        .await
        .expect("unrelated article");
    assert_eq!(t.record("6-1").await.state(), ShipmentState::Parked);

    t.wms.with(|w| w.known_articles = None);
    t.wms.with(|w| w.next_fault = Fault::Down);
    assert!(
        t.flow
            .on_article_synced(&MessageId::new("a2"), &synced("ABC"))
            .await
            .is_err()
    );
    assert_eq!(
        t.record("6-1").await.state(),
        ShipmentState::Parked,
        "still waiting after an outage"
    );
    t.flow
        .on_article_synced(&MessageId::new("a2"), &synced("ABC"))
        .await
        .expect("retried");
    assert_eq!(t.record("6-1").await.state(), ShipmentState::Imported);
    t.wms.with(|w| assert_eq!(w.creations, 1));
}

#[tokio::test]
async fn a_bad_event_is_invalid_and_names_the_field() {
    let t = spawn_flow(settings()).await;
    let mut event = good_to_go("7-1");
    event.shipment_id = "7".into();
    match t.good_to_go("bad", &event).await {
        Err(FlowError::Invalid(e)) => assert_eq!(e.field, "shipment_id"),
        other => panic!("expected invalid, got {other:?}"),
    }
    let mut other_shop = good_to_go("7-1");
    other_shop.endpoint = "shop9".into();
    match t.good_to_go("bad2", &other_shop).await {
        Err(FlowError::Invalid(e)) => assert_eq!(e.field, "endpoint"),
        other => panic!("expected invalid, got {other:?}"),
    }
}
