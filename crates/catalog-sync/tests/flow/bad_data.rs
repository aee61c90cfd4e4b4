//! Every bad-data case of issue 6: rejected with a readable reason, listed, never stopping the
//! other sizes, and written once the data is fixed.

use catalog_sync::flow::ListQuery;
use catalog_sync::rules::CatalogRules;
use catalog_sync::rules::ItemState;
use platform_store::MessageId;

use crate::harness::{Backend, product, size, spawn_flow, spawn_flow_on};

async fn rejected_reasons(t: &crate::harness::TestFlow) -> Vec<(String, String)> {
    t.flow
        .list(&ListQuery {
            state: Some(ItemState::Rejected),
            ..ListQuery::default()
        })
        .await
        .expect("list")
        .items
        .into_iter()
        .map(|(item, _)| {
            (
                item.stock_item_id,
                item.problem.map(|p| p.reason).unwrap_or_default(),
            )
        })
        .collect()
}

on_both_stores!(
    each_bad_size_is_rejected_with_its_reason_and_the_good_one_is_written,
    bad_sizes_scenario
);

async fn bad_sizes_scenario(backend: Backend) {
    let rules = CatalogRules {
        max_len: 12,
        ..CatalogRules::default()
    };
    let Some(t) = spawn_flow_on(backend, "bad sizes", rules, false).await else {
        return;
    };
    let mut missing_sku = size("101", "M");
    missing_sku.variant_sku = String::new();
    let too_long = size("102", "XXXXXXXXL");
    let mut bad_ean = size("103", "L");
    bad_ean.ean = "4006381333932".into();
    let mut negative = size("104", "XL");
    negative.weight = "-2".into();
    let mut p = product(
        "1",
        vec![size("100", "S"), missing_sku, too_long, bad_ean, negative],
    );
    let report = t
        .flow
        .on_product_changed(&p.clone().into(), &MessageId::new("e1"))
        .await
        .expect("bad data never fails the run");
    assert_eq!((report.written, report.rejected), (2, 3));
    // Issue #11 point 1: a typo in the EAN does not block the article under the default rule:
    // it is written without a bar code and listed with a warning.
    assert_eq!(t.wms.take_writes(), ["M411-740S", "M411-740L"]);
    let typo = t
        .flow
        .list(&ListQuery {
            search: "M411-740L".into(),
            ..ListQuery::default()
        })
        .await
        .expect("list")
        .items;
    assert_eq!(typo.len(), 1);
    let (item, state) = &typo[0];
    assert_eq!(*state, ItemState::Synced);
    assert_eq!(item.article.as_ref().and_then(|a| a.bar_code.clone()), None);
    assert_eq!(
        item.warning.as_deref(),
        Some(
            "ean 4006381333932 is not a valid gtin: check digit is 2, expected 1; the article \
             is in the wms without a bar code until the ean is fixed in centra"
        )
    );
    assert_eq!(
        rejected_reasons(&t).await,
        [
            ("101".to_owned(), "missing variant sku".to_owned()),
            (
                "102".to_owned(),
                "article number M411-740XXXXXXXXL is 17 characters, the wms accepts at most 12"
                    .to_owned()
            ),
            ("104".to_owned(), "weight -2 kg is negative".to_owned()),
        ]
    );
    // Also on the service's dead-letter list, keyed by end-point and stock item.
    let letters = t.open_dead_letters().await;
    assert_eq!(letters.len(), 3, "a warning is no dead letter");
    assert!(letters.contains(&(
        "shop1:104".to_owned(),
        "weight -2 kg is negative".to_owned()
    )));

    // The data is fixed in Centra: the next event writes them and clears the dead letters.
    p.sizes[1].variant_sku = "-740".into();
    p.sizes[2].size_sku = "XXL".into();
    p.sizes[3].ean = "4006381333931".into();
    p.sizes[4].weight = "2".into();
    let report = t
        .flow
        .on_product_changed(&p.clone().into(), &MessageId::new("e2"))
        .await
        .expect("run");
    assert_eq!((report.written, report.rejected), (4, 0));
    assert_eq!(
        t.wms.take_writes(),
        ["M411-740M", "M411-740XXL", "M411-740L", "M411-740XL"]
    );
    assert!(rejected_reasons(&t).await.is_empty());
    assert!(t.open_dead_letters().await.is_empty());
    let fixed = t.flow.items().all("shop1").await.expect("items");
    assert!(fixed.iter().all(|i| i.warning.is_none()), "{fixed:?}");
    let l = fixed
        .iter()
        .find(|i| i.stock_item_id == "103")
        .expect("103");
    assert_eq!(
        l.article.as_ref().and_then(|a| a.bar_code.as_deref()),
        Some("4006381333931"),
        "the fixed ean is written as the bar code"
    );
}

#[tokio::test]
async fn two_sizes_with_one_number_are_both_rejected_until_one_is_fixed() {
    let t = spawn_flow(CatalogRules::default(), false).await;
    let a = product("1", vec![size("100", "S")]);
    let mut b = product("2", vec![size("200", "S")]);
    t.flow
        .on_product_changed(&a.clone().into(), &MessageId::new("a1"))
        .await
        .expect("a");
    assert_eq!(t.wms.take_writes(), ["M411-740S"]);
    // Product 2 claims the number product 1 holds: only the newcomer is rejected.
    t.flow
        .on_product_changed(&b.clone().into(), &MessageId::new("b1"))
        .await
        .expect("b");
    assert_eq!(t.wms.write_count(), 0);
    assert_eq!(
        rejected_reasons(&t).await,
        [(
            "200".to_owned(),
            "article number M411-740S is already used by size item 100 (product 1)".to_owned()
        )]
    );
    b.sizes[0].sku = "M412".into();
    t.flow
        .on_product_changed(&b.clone().into(), &MessageId::new("b2"))
        .await
        .expect("b fixed");
    assert_eq!(t.wms.take_writes(), ["M412-740S"]);
    assert!(rejected_reasons(&t).await.is_empty());
}

on_both_stores!(
    new_colliding_sizes_are_all_rejected_and_freed_when_one_changes,
    collision_scenario
);

async fn collision_scenario(backend: Backend) {
    let Some(t) = spawn_flow_on(backend, "collisions", CatalogRules::default(), false).await else {
        return;
    };
    let a = product("1", vec![size("100", "S")]);
    let mut b = product("2", vec![size("200", "S")]);
    // Both new in one catalogue: nobody holds the number, both are rejected.
    t.publish(&a);
    t.publish(&b);
    let report = t.flow.reconcile(false).await.expect("reconcile");
    assert_eq!((report.written, report.rejected), (0, 2));
    let reasons = rejected_reasons(&t).await;
    assert_eq!(reasons.len(), 2);
    assert_eq!(
        reasons[0].1,
        "collision: size item 100 (product 1), size item 200 (product 2) all map to article number M411-740S"
    );
    // Product 2 gets its own sku: product 1 is free again and written in the same run.
    b.sizes[0].sku = "M412".into();
    let report = t
        .flow
        .on_product_changed(&b.clone().into(), &MessageId::new("b2"))
        .await
        .expect("b fixed");
    assert_eq!(report.written, 2);
    let mut writes = t.wms.take_writes();
    writes.sort();
    assert_eq!(writes, ["M411-740S", "M412-740S"]);
    assert!(rejected_reasons(&t).await.is_empty());
}

#[tokio::test]
async fn inactive_sizes_are_filtered_or_written_inactive_on_request() {
    let t = spawn_flow(CatalogRules::default(), false).await;
    let mut inactive = size("101", "M");
    inactive.active = false;
    let p = product("1", vec![size("100", "S"), inactive]);
    let report = t
        .flow
        .on_product_changed(&p.clone().into(), &MessageId::new("e1"))
        .await
        .expect("run");
    assert_eq!((report.written, report.filtered), (1, 1));
    let filtered = t
        .flow
        .list(&ListQuery {
            state: Some(ItemState::FilteredOut),
            ..ListQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(filtered.items.len(), 1);
    assert!(
        t.open_dead_letters().await.is_empty(),
        "a filter is no error"
    );

    let t = spawn_flow(
        CatalogRules {
            filter: domain::ArticleFilter::IncludeInactive,
            ..CatalogRules::default()
        },
        false,
    )
    .await;
    t.flow
        .on_product_changed(&p.clone().into(), &MessageId::new("e1"))
        .await
        .expect("run");
    assert!(!t.wms.article("M411-740M").expect("written").active);
}
