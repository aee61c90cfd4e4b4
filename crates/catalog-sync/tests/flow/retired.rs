//! Articles that leave the catalogue (made inactive, or gone from Centra's list) are written
//! once as inactive; batches of events; the product list of one product.

use catalog_sync::flow::{ListQuery, ProductEvent};
use catalog_sync::rules::CatalogRules;
use catalog_sync::rules::ItemState;
use platform_store::MessageId;

use crate::harness::{Backend, product, size, spawn_flow, spawn_flow_on};

fn event(p: &proto::events::v1::Product, id: &str) -> ProductEvent {
    ProductEvent {
        product: p.clone().into(),
        event_id: MessageId::new(id),
    }
}

on_both_stores!(
    a_size_made_inactive_is_written_once_as_inactive,
    made_inactive_scenario
);

async fn made_inactive_scenario(backend: Backend) {
    let Some(t) = spawn_flow_on(backend, "made inactive", CatalogRules::default(), false).await
    else {
        return;
    };
    let mut p = product("1", vec![size("100", "S"), size("101", "M")]);
    t.flow
        .on_product_changed(&p.clone().into(), &MessageId::new("v1"))
        .await
        .expect("first");
    assert_eq!(t.wms.take_writes().len(), 2);

    p.sizes[1].active = false;
    let report = t
        .flow
        .on_product_changed(&p.clone().into(), &MessageId::new("v2"))
        .await
        .expect("inactive");
    assert_eq!((report.written, report.filtered), (1, 1));
    assert_eq!(t.wms.take_writes(), ["M411-740M"]);
    let article = t.wms.article("M411-740M").expect("still in the wms");
    assert!(!article.active, "written as inactive");
    assert_eq!(article.name, "Shirt Blue M", "with its last content");

    // Once: a later event and a full reconcile write nothing more.
    t.publish(&p);
    t.flow
        .on_product_changed(&p.clone().into(), &MessageId::new("v3"))
        .await
        .expect("again");
    let report = t.flow.reconcile(false).await.expect("reconcile");
    assert_eq!(report.written, 0);
    assert_eq!(t.wms.write_count(), 0);
    let listed = t.flow.list(&ListQuery::default()).await.expect("list");
    let inactive = listed
        .items
        .iter()
        .find(|(item, _)| item.stock_item_id == "101")
        .expect("listed");
    assert_eq!(inactive.1, ItemState::FilteredOut);
    assert_eq!(t.open_dead_letters().await, [], "not bad data");

    // Active again: written as active.
    p.sizes[1].active = true;
    t.flow
        .on_product_changed(&p.clone().into(), &MessageId::new("v4"))
        .await
        .expect("active again");
    assert_eq!(t.wms.take_writes(), ["M411-740M"]);
    assert!(t.wms.article("M411-740M").expect("article").active);
}

#[tokio::test]
async fn an_inactive_size_never_synced_is_not_written() {
    let t = spawn_flow(CatalogRules::default(), false).await;
    let mut inactive = size("101", "M");
    inactive.active = false;
    let p = product("1", vec![size("100", "S"), inactive]);
    t.flow
        .on_product_changed(&p.clone().into(), &MessageId::new("v1"))
        .await
        .expect("run");
    assert_eq!(t.wms.take_writes(), ["M411-740S"]);
}

on_both_stores!(
    a_size_gone_from_centra_is_written_once_as_inactive,
    removed_scenario
);

async fn removed_scenario(backend: Backend) {
    let Some(t) = spawn_flow_on(backend, "removed size", CatalogRules::default(), false).await
    else {
        return;
    };
    let whole = product("1", vec![size("100", "S"), size("101", "M")]);
    let other = product("2", vec![size("200", "XL")]);
    t.publish(&whole);
    t.publish(&other);
    t.flow.reconcile(false).await.expect("import");
    assert_eq!(t.wms.take_writes().len(), 3);

    // Size M and product 2 disappear from Centra's list.
    t.publish(&product("1", vec![size("100", "S")]));
    t.catalog.products.lock().expect("lock").remove("2");
    let report = t.flow.reconcile(false).await.expect("reconcile");
    assert_eq!(report.seen, 1);
    assert_eq!(report.written, 2);
    let mut written = t.wms.take_writes();
    written.sort();
    assert_eq!(written, ["M411-740M", "M411-740XL"]);
    assert!(!t.wms.article("M411-740M").expect("article").active);
    assert!(!t.wms.article("M411-740XL").expect("article").active);
    assert!(t.wms.article("M411-740S").expect("article").active);

    // Once.
    let report = t.flow.reconcile(false).await.expect("again");
    assert_eq!((report.written, report.queued), (0, 0));
    let listed = t.flow.list(&ListQuery::default()).await.expect("list");
    let gone: Vec<(&str, ItemState, &str)> = listed
        .items
        .iter()
        .filter(|(item, _)| item.stock_item_id != "100")
        .map(|(item, state)| {
            (
                item.stock_item_id.as_str(),
                *state,
                item.problem.as_ref().map_or("", |p| p.reason.as_str()),
            )
        })
        .collect();
    assert_eq!(
        gone,
        [
            (
                "101",
                ItemState::FilteredOut,
                "size item is no longer in the centra product list"
            ),
            (
                "200",
                ItemState::FilteredOut,
                "size item is no longer in the centra product list"
            ),
        ]
    );
    assert_eq!(t.open_dead_letters().await, [], "not bad data");
}

#[tokio::test]
async fn a_size_missing_from_its_product_event_is_retired() {
    let t = spawn_flow(CatalogRules::default(), false).await;
    let p = product("1", vec![size("100", "S"), size("101", "M")]);
    t.flow
        .on_product_changed(&p.clone().into(), &MessageId::new("v1"))
        .await
        .expect("first");
    t.wms.take_writes();
    let fewer = product("1", vec![size("100", "S")]);
    t.flow
        .on_product_changed(&fewer.clone().into(), &MessageId::new("v2"))
        .await
        .expect("fewer sizes");
    assert_eq!(t.wms.take_writes(), ["M411-740M"]);
    assert!(!t.wms.article("M411-740M").expect("article").active);
}

#[tokio::test]
async fn a_batch_of_events_is_one_run_and_the_later_version_wins() {
    let t = spawn_flow(CatalogRules::default(), false).await;
    let a = product("1", vec![size("100", "S"), size("101", "M")]);
    let mut b = product("2", vec![size("200", "XL")]);
    let mut b_later = b.clone();
    b_later.sizes[0].prices[0].amount = "50".into();
    let report = t
        .flow
        .on_products_changed(&[event(&a, "a1"), event(&b, "b1"), event(&b_later, "b2")])
        .await
        .expect("batch");
    assert_eq!((report.seen, report.written), (3, 3));
    assert_eq!(
        t.wms.article("M411-740XL").and_then(|a| a.price).as_deref(),
        Some("50")
    );
    t.wms.take_writes();

    // Every event of the batch is recorded: delivered again, nothing happens; a new one does.
    b.sizes[0].prices[0].amount = "55".into();
    let report = t
        .flow
        .on_products_changed(&[event(&a, "a1"), event(&b_later, "b2"), event(&b, "b3")])
        .await
        .expect("second batch");
    assert_eq!(report.written, 1);
    assert_eq!(t.wms.take_writes(), ["M411-740XL"]);
    let again = t
        .flow
        .on_products_changed(&[event(&a, "a1"), event(&b, "b3")])
        .await
        .expect("redelivered");
    assert!(again.duplicate);
    assert_eq!(t.wms.write_count(), 0);
}

#[tokio::test]
async fn the_list_can_show_one_product() {
    let t = spawn_flow(CatalogRules::default(), true).await;
    t.publish(&product("1", vec![size("100", "S"), size("101", "M")]));
    t.publish(&product("2", vec![size("200", "XL")]));
    t.flow.refresh().await.expect("refresh");
    let page = t
        .flow
        .list(&ListQuery {
            product_id: "1".into(),
            page_size: 1,
            ..ListQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].0.stock_item_id, "100");
    let next = t
        .flow
        .list(&ListQuery {
            product_id: "1".into(),
            page_token: page.next_page_token,
            ..ListQuery::default()
        })
        .await
        .expect("next page");
    let ids: Vec<&str> = next
        .items
        .iter()
        .map(|(i, _)| i.stock_item_id.as_str())
        .collect();
    assert_eq!(ids, ["101"]);
    assert!(next.next_page_token.is_empty());
}
