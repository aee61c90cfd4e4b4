//! `ProductChanged` handling: writes, incremental skips, inbox, outages, other end-points.

use catalog_sync::consumers::{ProductDelivery, handle_product_changed};
use catalog_sync::flow::{FlowError, ListQuery};
use catalog_sync::rules::CatalogRules;
use catalog_sync::rules::ItemState;
use platform_runtime::Handled;
use platform_store::MessageId;
use prost::Message;
use proto::events::v1 as pb;

use crate::harness::{product, size, spawn_flow};

fn delivery(endpoint: &str, product: &pb::Product, id: &str) -> ProductDelivery {
    let event = pb::ProductChanged {
        meta: None,
        endpoint: endpoint.into(),
        product: Some(product.clone()),
    };
    ProductDelivery {
        id: MessageId::new(id),
        subject: format!("centra.{endpoint}.product.changed"),
        payload: event.encode_to_vec().into(),
        delivery_count: 1,
    }
}

#[tokio::test]
async fn a_new_product_becomes_articles_with_one_event_each() {
    let t = spawn_flow(CatalogRules::default(), false).await;
    let p = product("1", vec![size("100", "S"), size("101", "M")]);
    let handled = handle_product_changed(&t.flow, delivery("shop1", &p, "e1")).await;
    assert!(matches!(handled, Handled::Done), "{handled:?}");
    assert_eq!(t.wms.take_writes(), ["M411-740S", "M411-740M"]);
    let article = t.wms.article("M411-740M").expect("written");
    assert_eq!(article.name, "Shirt Blue M");
    assert_eq!(article.weight_kg.as_deref(), Some("0.3"));
    assert_eq!(
        t.store.outbox().unpublished_count().await.expect("outbox"),
        2
    );
    let page = t.flow.list(&ListQuery::default()).await.expect("list");
    assert!(page.items.iter().all(|(_, s)| *s == ItemState::Synced));
}

#[tokio::test]
async fn a_redelivered_event_writes_nothing() {
    let t = spawn_flow(CatalogRules::default(), false).await;
    let p = product("1", vec![size("100", "S")]);
    handle_product_changed(&t.flow, delivery("shop1", &p, "e1")).await;
    assert_eq!(t.wms.take_writes().len(), 1);
    let again = t
        .flow
        .on_product_changed(&p.clone().into(), &MessageId::new("e1"))
        .await
        .expect("run");
    assert!(again.duplicate);
    assert_eq!(t.wms.write_count(), 0);
}

#[tokio::test]
async fn unchanged_content_is_not_written_again_and_one_change_writes_one_article() {
    let t = spawn_flow(CatalogRules::default(), false).await;
    let mut p = product(
        "1",
        vec![size("100", "S"), size("101", "M"), size("102", "L")],
    );
    t.flow
        .on_product_changed(&p.clone().into(), &MessageId::new("v1"))
        .await
        .expect("first");
    assert_eq!(t.wms.take_writes().len(), 3);

    // A new version id (the gateway saw a change elsewhere), same article content.
    p.description = "new text the wms never sees".into();
    let report = t
        .flow
        .on_product_changed(&p.clone().into(), &MessageId::new("v2"))
        .await
        .expect("second");
    assert_eq!(report.written, 0);
    assert_eq!(t.wms.write_count(), 0);

    p.sizes[1].prices[0].amount = "49".into();
    let report = t
        .flow
        .on_product_changed(&p.clone().into(), &MessageId::new("v3"))
        .await
        .expect("third");
    assert_eq!(report.written, 1);
    assert_eq!(t.wms.take_writes(), ["M411-740M"]);
    assert_eq!(
        t.wms.article("M411-740M").and_then(|a| a.price).as_deref(),
        Some("49")
    );
}

#[tokio::test]
async fn a_wms_outage_is_retried_and_the_event_is_not_recorded() {
    let t = spawn_flow(CatalogRules::default(), false).await;
    let p = product("1", vec![size("100", "S")]);
    *t.wms.down.lock().expect("lock") = true;
    let handled = handle_product_changed(&t.flow, delivery("shop1", &p, "e1")).await;
    assert!(matches!(handled, Handled::Retry { .. }), "{handled:?}");
    let error = t
        .flow
        .on_product_changed(&p.clone().into(), &MessageId::new("e1"))
        .await
        .expect_err("down");
    assert!(matches!(error, FlowError::Port(_)));
    let page = t.flow.list(&ListQuery::default()).await.expect("list");
    assert_eq!(page.items[0].1, ItemState::Pending);

    *t.wms.down.lock().expect("lock") = false;
    let handled = handle_product_changed(&t.flow, delivery("shop1", &p, "e1")).await;
    assert!(matches!(handled, Handled::Done));
    assert_eq!(t.wms.take_writes(), ["M411-740S"]);
}

#[tokio::test]
async fn products_of_other_end_points_are_ignored() {
    let t = spawn_flow(CatalogRules::default(), false).await;
    let p = product("1", vec![size("100", "S")]);
    let handled = handle_product_changed(&t.flow, delivery("wholesale", &p, "e1")).await;
    assert!(matches!(handled, Handled::Done));
    assert_eq!(t.wms.write_count(), 0);
    let page = t.flow.list(&ListQuery::default()).await.expect("list");
    assert!(page.items.is_empty());
}

#[tokio::test]
async fn an_unreadable_event_is_rejected_and_kept() {
    let t = spawn_flow(CatalogRules::default(), false).await;
    let bad = ProductDelivery {
        id: MessageId::new("junk"),
        subject: "centra.shop1.product.changed".into(),
        payload: vec![0xff, 0xff, 0xff].into(),
        delivery_count: 1,
    };
    let handled = handle_product_changed(&t.flow, bad).await;
    assert!(matches!(handled, Handled::Rejected { .. }), "{handled:?}");
    let letters = t.open_dead_letters().await;
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].0, "junk");
}

#[tokio::test]
async fn wms_refusal_is_listed_and_retried_on_the_next_run() {
    let t = spawn_flow(CatalogRules::default(), false).await;
    let p = product("1", vec![size("100", "S"), size("101", "M")]);
    t.wms
        .refuse
        .lock()
        .expect("lock")
        .insert("M411-740M".into());
    let report = t
        .flow
        .on_product_changed(&p.clone().into(), &MessageId::new("e1"))
        .await
        .expect("run");
    assert_eq!((report.written, report.refused), (1, 1));
    let rejected = t
        .flow
        .list(&ListQuery {
            state: Some(ItemState::Rejected),
            ..ListQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(rejected.items.len(), 1);
    assert_eq!(
        rejected.items[0]
            .0
            .problem
            .as_ref()
            .map(|p| p.reason.as_str()),
        Some("the wms refused article M411-740M: articleName: too long")
    );
    t.wms.refuse.lock().expect("lock").clear();
    t.wms.take_writes();
    let report = t
        .flow
        .on_product_changed(&p.clone().into(), &MessageId::new("e2"))
        .await
        .expect("run");
    assert_eq!(report.written, 1);
    assert_eq!(t.wms.take_writes(), ["M411-740M"]);
    assert!(t.open_dead_letters().await.is_empty());
}
