//! Manual selection (list, refresh, create selected) and the full reconcile.

use catalog_sync::admin::CatalogAdminService;
use catalog_sync::flow::{ListQuery, ProductPage, ProductQuery, ProductSelection};
use catalog_sync::rules::{CatalogRules, WmsArticle};
use catalog_sync::rules::{ItemState, ProductState};
use platform_store::MessageId;
use proto::admin::v1 as pb;
use proto::admin::v1::catalog_admin_server::CatalogAdmin as _;
use tonic::Request;

use crate::harness::{Backend, product, size, spawn_flow, spawn_flow_on};

async fn states(t: &crate::harness::TestFlow) -> Vec<(String, ItemState)> {
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
        .on_product_changed(&p.clone().into(), &MessageId::new("e1"))
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

fn product_states(page: &ProductPage) -> Vec<(String, ProductState, usize)> {
    page.products
        .iter()
        .map(|p| (p.product_id.clone(), p.state, p.sizes.len()))
        .collect()
}

on_both_stores!(
    manual_selection_works_per_product_as_on_myogos_product_page,
    per_product_scenario
);

/// Issue #11 point 2: the list groups sizes under their product with a state per product, and
/// a person creates every admitted size of chosen products (or of all).
async fn per_product_scenario(backend: Backend) {
    let Some(t) = spawn_flow_on(backend, "per product", CatalogRules::default(), true).await else {
        return;
    };
    let mut inactive = size("102", "L");
    inactive.active = false;
    let mut missing_sku = size("103", "XL");
    missing_sku.size_sku = String::new();
    missing_sku.ean = "7350000000047".into();
    let shirt = product("1", vec![size("100", "S"), size("101", "M"), inactive]);
    let mut trousers = product("2", vec![size("200", "30"), missing_sku]);
    for s in &mut trousers.sizes {
        s.sku = "T77".into();
    }
    let mut jacket = product("3", vec![size("300", "M")]);
    jacket.sizes[0].sku = "J5".into();
    for p in [&shirt, &trousers, &jacket] {
        t.publish(p);
    }
    t.flow.refresh().await.expect("refresh");
    let all = t
        .flow
        .list_products(&ProductQuery::default())
        .await
        .expect("list");
    assert_eq!(
        product_states(&all),
        [
            ("1".to_owned(), ProductState::NotInWms, 3),
            ("2".to_owned(), ProductState::Rejected, 2),
            ("3".to_owned(), ProductState::NotInWms, 1),
        ]
    );
    let summary = t.flow.summary().await.expect("summary");
    assert_eq!(summary.product_count, 3);
    assert_eq!(summary.products.get("not-in-wms"), Some(&2));
    assert_eq!(summary.rejected_items, 1);

    // Create product 1: its two active sizes, not the inactive one; an unknown id is named.
    let outcomes = t
        .flow
        .create_products(&ProductSelection::Products(vec![
            "1".to_owned(),
            "99".to_owned(),
        ]))
        .await
        .expect("create");
    let mut written = t.wms.take_writes();
    written.sort();
    assert_eq!(written, ["M411-740M", "M411-740S"]);
    assert_eq!(outcomes.len(), 3, "{outcomes:?}");
    assert!(outcomes[..2].iter().all(|o| o.error.is_empty()));
    assert_eq!(
        outcomes[2].error,
        "product 99 is not in the product list; refresh it"
    );
    let one = t
        .flow
        .list_products(&ProductQuery {
            product_id: "1".into(),
            ..ProductQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(
        product_states(&one),
        [("1".to_owned(), ProductState::InWms, 3)]
    );

    // Centra changes one size of product 1: changed since.
    let mut shirt = shirt;
    shirt.sizes[0].harm_code = "61091001".into();
    t.publish(&shirt);
    t.flow.refresh().await.expect("refresh");
    let changed = t
        .flow
        .list_products(&ProductQuery {
            state: Some(ProductState::ChangedSince),
            ..ProductQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(
        product_states(&changed),
        [("1".to_owned(), ProductState::ChangedSince, 3)]
    );

    // --all: every admitted size of every product (the changed one again, 2's good size, 3).
    t.flow
        .create_products(&ProductSelection::All)
        .await
        .expect("all");
    let mut written = t.wms.take_writes();
    written.sort();
    assert_eq!(written, ["J5-740M", "M411-740S", "T77-74030"]);
    let after = t
        .flow
        .list_products(&ProductQuery::default())
        .await
        .expect("list");
    assert_eq!(
        product_states(&after),
        [
            ("1".to_owned(), ProductState::InWms, 3),
            ("2".to_owned(), ProductState::Rejected, 2),
            ("3".to_owned(), ProductState::InWms, 1),
        ]
    );
    // A search lists the whole product of a matching size.
    let found = t
        .flow
        .list_products(&ProductQuery {
            search: "J5-740M".into(),
            ..ProductQuery::default()
        })
        .await
        .expect("search");
    assert_eq!(
        product_states(&found),
        [("3".to_owned(), ProductState::InWms, 1)]
    );
    found_by_article_number_or_ean(&t).await;
}

/// Issue #17 (the admin page's Find): `CatalogAdmin.FindArticles` answers an article number
/// or EAN, exactly, with the size item's record: the Centra size, its state, the rejected
/// reason, the number last written and the WMS's id; anything else is not found.
async fn found_by_article_number_or_ean(t: &crate::harness::TestFlow) {
    let admin = CatalogAdminService::new(t.flow.clone());
    let find = |query: &str| {
        admin.find_articles(Request::new(pb::FindArticlesRequest {
            query: query.into(),
        }))
    };
    let written = find("t77-74030")
        .await
        .expect("an article number in the WMS")
        .into_inner()
        .articles;
    assert_eq!(written.len(), 1, "{written:?}");
    let article = &written[0];
    let item = article.item.clone().expect("the item");
    assert_eq!(
        (item.article_number.as_str(), item.product_id.as_str()),
        ("T77-74030", "2")
    );
    assert_eq!(item.state, pb::CatalogItemState::Synced as i32);
    assert!(item.last_synced_at.is_some(), "{item:?}");
    assert_eq!(article.stock_item_id, "200");
    assert_eq!(article.written_article_number, "T77-74030");
    assert!(article.wms_article_id > 0, "{article:?}");
    assert!(article.problem_kind.is_empty(), "{article:?}");

    // The rejected size has no article number; its EAN finds it with the reason.
    let rejected = find("7350000000047")
        .await
        .expect("the rejected size's EAN")
        .into_inner()
        .articles;
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    let item = rejected[0].item.clone().expect("the item");
    assert_eq!(item.state, pb::CatalogItemState::Failed as i32);
    assert!(!item.last_error.is_empty(), "{item:?}");
    assert_eq!(rejected[0].problem_kind, "rejected");
    assert_eq!(rejected[0].stock_item_id, "103");
    assert!(rejected[0].written_article_number.is_empty());
    assert_eq!(rejected[0].wms_article_id, 0);

    for query in ["T77", "7350000000", "NOPE-1"] {
        let status = find(query).await.expect_err(query);
        assert_eq!(status.code(), tonic::Code::NotFound, "{query}: {status:?}");
    }
    let status = find(" ").await.expect_err("empty");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
}

on_both_stores!(
    resync_rewrites_what_the_wms_actually_holds_otherwise,
    resync_scenario
);

/// Issue #11 point 3: `resync articles` reads what the WMS holds and rewrites any article that
/// differs from Centra (edited or deleted by hand in the WMS), not only rows whose stored hash
/// changed; it reads the WMS once and writes only the differences.
async fn resync_scenario(backend: Backend) {
    let Some(t) = spawn_flow_on(backend, "resync", CatalogRules::default(), false).await else {
        return;
    };
    let mut p = product(
        "1",
        vec![size("100", "S"), size("101", "M"), size("102", "L")],
    );
    t.publish(&p);
    t.flow.reconcile(false).await.expect("first sync");
    assert_eq!(t.wms.take_writes().len(), 3);

    let report = t.flow.resync(false).await.expect("resync");
    assert_eq!(
        (
            report.wms_articles,
            report.missing_in_wms,
            report.differing_in_wms,
            report.written
        ),
        (3, 0, 0, 0),
        "nothing differs: nothing written"
    );

    // A person edits one article and deletes another in the WMS.
    let original = t.wms.article("M411-740M").expect("held");
    t.wms.articles.lock().expect("lock").insert(
        "M411-740M".into(),
        WmsArticle {
            name: "edited by hand".into(),
            weight_kg: Some("9".into()),
            ..original.clone()
        },
    );
    t.wms.articles.lock().expect("lock").remove("M411-740L");
    // The stored hashes did not change: a hash-only reconcile sees nothing.
    assert_eq!(t.flow.reconcile(false).await.expect("reconcile").written, 0);

    let dry = t.flow.resync(true).await.expect("dry run");
    assert_eq!(
        (dry.missing_in_wms, dry.differing_in_wms, dry.queued),
        (1, 1, 2)
    );
    assert_eq!(t.wms.write_count(), 0, "a dry run writes nothing");

    let reads_before = *t.wms.reads.lock().expect("lock");
    let report = t.flow.resync(false).await.expect("resync");
    assert_eq!(
        *t.wms.reads.lock().expect("lock"),
        reads_before + 1,
        "one read of the wms"
    );
    assert_eq!((report.missing_in_wms, report.differing_in_wms), (1, 1));
    assert_eq!(t.wms.take_writes(), ["M411-740M", "M411-740L"]);
    assert_eq!(t.wms.article("M411-740M"), Some(original));
    assert!(t.wms.article("M411-740L").is_some(), "recreated");

    // Safe to run twice.
    assert_eq!(t.flow.resync(false).await.expect("again").written, 0);
    assert_eq!(t.wms.write_count(), 0);

    // A change in Centra is a difference too, and only it is written.
    p.sizes[0].harm_code = "61091001".into();
    t.publish(&p);
    let report = t.flow.resync(false).await.expect("resync");
    assert_eq!(report.differing_in_wms, 1);
    assert_eq!(t.wms.take_writes(), ["M411-740S"]);

    // The WMS cannot be read: nothing is written, the error says so.
    *t.wms.down.lock().expect("lock") = true;
    assert!(t.flow.resync(false).await.is_err());
}
