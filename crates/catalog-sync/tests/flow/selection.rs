//! Manual selection (list, refresh, create selected) and the full reconcile.

use catalog_sync::flow::ListQuery;
use catalog_sync::rules::CatalogRules;
use catalog_sync::state::ItemState;
use platform_store::MessageId;

use crate::fakes::{Backend, product, size, spawn_flow, spawn_flow_on};

async fn states(t: &crate::fakes::TestFlow) -> Vec<(String, ItemState)> {
    t.flow
        .list(&ListQuery::default())
        .await
        .expect("list")
        .items
        .into_iter()
        .map(|(item, state)| (item.article_number.unwrap_or_default(), state))
        .collect()
}

on_both_stores!(
    manual_mode_writes_only_what_a_person_selects,
    manual_mode_scenario
);

async fn manual_mode_scenario(backend: Backend) {
    let Some(t) = spawn_flow_on(backend, "manual mode", CatalogRules::default(), true).await else {
        return;
    };
    let mut p = product("1", vec![size("100", "S"), size("101", "M")]);
    t.publish(&p);
    let report = t.flow.refresh().await.expect("refresh");
    assert_eq!((report.seen, report.new_items), (2, 2));
    assert_eq!(t.wms.write_count(), 0);
    assert_eq!(
        states(&t).await,
        [
            ("M411-740S".to_owned(), ItemState::NotSelected),
            ("M411-740M".to_owned(), ItemState::NotSelected)
        ]
    );
    // An event in manual mode records, never writes.
    t.flow
        .on_product_changed(&p, &MessageId::new("e1"))
        .await
        .expect("event");
    assert_eq!(t.wms.write_count(), 0);

    let outcomes = t
        .flow
        .create_selected(&["M411-740M".to_owned(), "NOPE".to_owned()])
        .await
        .expect("create");
    assert_eq!(outcomes.len(), 2);
    assert_eq!(outcomes[0].state, Some(ItemState::Synced));
    assert_eq!(outcomes[1].state, None);
    assert_eq!(
        outcomes[1].error,
        "article number NOPE is not in the product list; refresh it"
    );
    assert_eq!(t.wms.take_writes(), ["M411-740M"]);

    // Centra changes the selected size: it shows as changed since, until updated.
    p.sizes[1].harm_code = "61091001".into();
    t.publish(&p);
    let report = t.flow.refresh().await.expect("refresh");
    assert_eq!(report.changed_items, 1);
    assert_eq!(states(&t).await[1].1, ItemState::Outdated);
    assert_eq!(t.wms.write_count(), 0);
    t.flow
        .create_selected(&["M411-740M".to_owned()])
        .await
        .expect("update");
    assert_eq!(t.wms.take_writes(), ["M411-740M"]);
    assert_eq!(states(&t).await[1].1, ItemState::Synced);
}

on_both_stores!(
    reconcile_writes_only_the_differences_and_a_dry_run_writes_nothing,
    reconcile_scenario
);

async fn reconcile_scenario(backend: Backend) {
    let Some(t) = spawn_flow_on(backend, "reconcile", CatalogRules::default(), false).await else {
        return;
    };
    let sizes: Vec<_> = (0..30)
        .map(|n| size(&format!("{n}"), &format!("S{n}")))
        .collect();
    let mut p = product("1", sizes);
    t.publish(&p);
    let first = t.flow.reconcile(false).await.expect("first");
    assert_eq!((first.seen, first.written), (30, 30));
    t.wms.take_writes();

    let again = t.flow.reconcile(false).await.expect("again");
    assert_eq!((again.seen, again.written), (30, 0));

    for n in [3, 7, 11] {
        p.sizes[n].weight = "1".into();
    }
    t.publish(&p);
    let dry = t.flow.reconcile(true).await.expect("dry");
    assert_eq!((dry.queued, dry.written), (3, 0));
    assert_eq!(t.wms.write_count(), 0);
    let report = t.flow.reconcile(false).await.expect("reconcile");
    assert_eq!(report.written, 3);
    assert_eq!(
        t.wms.take_writes(),
        ["M411-740S3", "M411-740S7", "M411-740S11"]
    );
}

#[tokio::test]
async fn the_list_pages_and_searches() {
    let t = spawn_flow(CatalogRules::default(), false).await;
    let sizes: Vec<_> = (0..5)
        .map(|n| size(&format!("{n}"), &format!("S{n}")))
        .collect();
    t.publish(&product("1", sizes));
    t.flow.refresh().await.expect("refresh");
    let first = t
        .flow
        .list(&ListQuery {
            page_size: 2,
            ..ListQuery::default()
        })
        .await
        .expect("page");
    assert_eq!(first.items.len(), 2);
    let second = t
        .flow
        .list(&ListQuery {
            page_size: 2,
            page_token: first.next_page_token.clone(),
            ..ListQuery::default()
        })
        .await
        .expect("page");
    assert_eq!(second.items.len(), 2);
    assert_ne!(first.items[0].0, second.items[0].0);
    let found = t
        .flow
        .list(&ListQuery {
            search: "m411-740s3".into(),
            ..ListQuery::default()
        })
        .await
        .expect("search");
    assert_eq!(found.items.len(), 1);
}
