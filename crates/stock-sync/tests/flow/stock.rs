//! The flow's behaviour on SQLite.

use std::error::Error as _;
use std::time::Duration;

use domain::{PortError, PortErrorKind};
use platform_store::MessageId;
use proto::events::v1 as events;
use stock_sync::flow::{FlowError, MissingSetting, StockFlow};
use stock_sync::rules::StockState;

use crate::harness::{flow_over, spawn_flow};
use stock_sync::fakes::Fault;

#[tokio::test]
async fn a_stock_event_writes_the_rule_on_fresh_numbers_and_skips_what_centra_has() {
    let t = spawn_flow().await;
    // At rest: WMS 10 physical, 7 sellable (3 booked); Centra allocates the 3 but has 4.
    t.article("A1", "1", (10, 7), (4, 3));
    // Already right: nothing to write.
    t.article("A2", "1", (5, 5), (5, 0));
    t.synced("s1", "A1", "1").await;
    t.synced("s2", "A2", "1").await;
    t.changed("m1", "A1").await;
    let report = t.drain().await;
    assert_eq!(
        (report.checked, report.written, report.unchanged),
        (2, 1, 1)
    );
    assert_eq!(t.centra_physical("A1"), 10);
    assert_eq!(t.centra_sells("A1"), 7);
    t.centra.with(|c| {
        assert_eq!(c.writes.len(), 1, "one call for the batch");
        assert_eq!(c.writes[0].len(), 1, "only the changed article");
    });
    let a1 = t.state("A1").await;
    assert_eq!(a1.state(), StockState::InSync);
    assert_eq!((a1.wms_physical, a1.wms_sellable), (Some(10), Some(7)));
    assert_eq!(a1.due_at, None);

    // Redelivery of the same message marks nothing again.
    t.changed("m1", "A1").await;
    assert_eq!(t.drain().await.checked, 0);
    // A second check on the same numbers writes nothing.
    t.changed("m2", "A1").await;
    let again = t.drain().await;
    assert_eq!((again.checked, again.written), (1, 0));
}

#[tokio::test]
async fn many_changed_articles_go_out_in_batches_of_a_hundred() {
    let t = spawn_flow().await;
    for i in 0..150 {
        let key = format!("B{i:03}");
        t.article(&key, &format!("{}", i / 10), (i, i), (0, 0));
        t.synced(&format!("s{i}"), &key, &format!("{}", i / 10))
            .await;
    }
    let report = t.drain().await;
    assert_eq!(report.checked, 150);
    // B000 has 0 in both: unchanged.
    assert_eq!((report.written, report.unchanged), (149, 1));
    t.centra.with(|c| {
        assert_eq!(c.writes.len(), 2);
        assert!(c.writes.iter().all(|w| w.len() <= 100));
    });
    t.wms.with(|w| assert_eq!(w.reads, 2));
}

#[tokio::test]
async fn products_centra_does_not_take_are_shown_and_never_fail_the_batch() {
    let t = spawn_flow().await;
    t.article("OK1", "1", (3, 3), (0, 0));
    t.article("BUNDLE", "1", (3, 3), (0, 0));
    t.centra.with(|c| c.item("BUNDLE").bundle = true);
    // Known in the WMS and mapped to a product whose rows lack it.
    t.wms.with(|w| {
        w.levels.insert(
            "GONE".into(),
            domain::WmsStock {
                physical: 2,
                sellable: 2,
            },
        );
    });
    // Not in the WMS at all.
    t.synced("s0", "NOWMS", "1").await;
    for (i, key) in ["OK1", "BUNDLE", "GONE"].iter().enumerate() {
        t.synced(&format!("s{}", i + 1), key, "1").await;
    }
    // In the WMS, but no Centra product known yet.
    t.changed("m1", "UNMAPPED").await;
    t.wms.with(|w| {
        w.levels.insert(
            "UNMAPPED".into(),
            domain::WmsStock {
                physical: 1,
                sellable: 1,
            },
        );
    });
    let report = t.drain().await;
    assert_eq!((report.checked, report.written, report.failed), (5, 1, 4));
    assert_eq!(t.centra_physical("OK1"), 3);
    let bundle = t.state("BUNDLE").await;
    assert_eq!(bundle.state(), StockState::Bundle);
    assert!(
        bundle
            .reason()
            .expect("reason")
            .contains("productsAreBundles")
    );
    let gone = t.state("GONE").await;
    assert_eq!(gone.state(), StockState::NotFound);
    assert!(gone.reason().expect("reason").contains("GONE"));
    assert_eq!(t.state("NOWMS").await.state(), StockState::NotInWms);
    assert_eq!(t.state("UNMAPPED").await.state(), StockState::Unmapped);
}

#[tokio::test]
async fn units_in_flight_are_never_oversold_and_settle_after_centra_completes() {
    let t = spawn_flow().await;
    // A Centra order of 2, imported and picked in the WMS: physical 8, sellable 8; Centra
    // still allocates 2 of its 10.
    t.article("F1", "1", (8, 8), (10, 2));
    t.synced("s1", "F1", "1").await;
    t.drain().await;
    assert_eq!(t.centra_physical("F1"), 8);
    assert!(t.centra_sells("F1") <= 8);
    let first = t.state("F1").await;
    assert_eq!(first.state(), StockState::Settling);
    assert!(first.due_at.is_some());
    // Centra completes the shipment: 2 out of physical and allocation.
    t.centra_completes("F1", 2);
    assert_eq!(t.centra_sells("F1"), 6, "undersold, never oversold");
    tokio::time::sleep(Duration::from_millis(120)).await;
    t.drain().await;
    assert_eq!(t.centra_physical("F1"), 8);
    assert_eq!(t.centra_sells("F1"), 8);
    assert_eq!(t.state("F1").await.state(), StockState::InSync);
}

/// The world moves while a check is between its two reads: the WMS ships a shipment and Centra
/// completes it, while Centra holds an order the WMS has not booked yet. Whatever the check read
/// first, Centra must not end up selling more than the WMS has once that order is booked.
#[tokio::test]
async fn a_shipment_shipped_and_completed_between_the_reads_is_never_oversold() {
    let t = spawn_flow().await;
    // At rest: 22 held, 4 booked (3 of them for shipment 11), Centra allocates the same 4.
    t.article("M1", "1", (22, 18), (22, 4));
    t.synced("s1", "M1", "1").await;
    t.drain().await;
    assert_eq!(t.centra_sells("M1"), 18);
    // A Centra order of 3 the WMS has not imported yet.
    t.centra.with(|c| c.item("M1").allocated += 3);
    let (wms, centra) = (t.wms.clone(), t.centra.clone());
    t.moves.set(move || {
        // The WMS ships shipment 11: 3 out of the shelf and out of the bookings.
        wms.with(|w| w.levels.get_mut("M1").expect("M1").physical -= 3);
        // Centra completes it: 3 out of physical and allocated stock.
        centra.with(|c| {
            let item = c.item("M1");
            item.physical -= 3;
            item.allocated -= 3;
        });
    });
    t.changed("c1", "M1").await;
    t.drain().await;
    // The WMS imports the Centra order: 3 more booked.
    t.wms
        .with(|w| w.levels.get_mut("M1").expect("M1").sellable -= 3);
    assert!(
        t.centra_sells("M1") <= 15,
        "centra sells {} of the 15 the WMS can deliver",
        t.centra_sells("M1")
    );
    tokio::time::sleep(Duration::from_millis(120)).await;
    t.changed("c2", "M1").await;
    t.drain().await;
    assert_eq!(t.centra_sells("M1"), 15);
    assert_eq!(t.state("M1").await.state(), StockState::InSync);
}

/// The WMS's stock event comes before the catalog flow's `ArticleSynced` (two consumers, no
/// order between them), so the first check of a new article finds no Centra product; the
/// product arrives while that check is between its reads. The check's save must not put the
/// product it read (none) back over the one learnt meanwhile, or the article stays unmapped
/// and Centra never gets its stock until the next catalog sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_learnt_during_a_check_is_kept_and_the_article_written() {
    let t = spawn_flow().await;
    t.article("N1", "1", (12, 12), (0, 0));
    t.changed("c1", "N1").await;
    let consumer = flow_over(&t.store, &t.centra, &t.wms);
    t.moves.set(move || {
        // The `ArticleSynced` consumer runs while the check waits for the WMS's answer.
        let event = events::ArticleSynced {
            warehouse: "main".into(),
            article_number: "N1".into(),
            endpoint: "shop1".into(),
            product_id: "1".into(),
            ..Default::default()
        };
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current()
                .block_on(consumer.on_article_synced(&MessageId::new("s1"), &event))
                .expect("article synced");
        });
    });
    t.flow.check_due().await.expect("first check");
    // That check found no product, but the row has one now: it is due again at once and shows
    // `pending`, never `unmapped` beside its product (a person, or a test's checkpoint, reads
    // the admin list while the recheck runs).
    let between = t.state("N1").await;
    assert_eq!(between.product_id.as_deref(), Some("1"), "{between:?}");
    assert_eq!(between.state(), StockState::Pending, "{between:?}");
    assert_eq!(between.reason(), None, "{between:?}");
    t.drain().await;
    let article = t.state("N1").await;
    assert_eq!(article.product_id.as_deref(), Some("1"), "{article:?}");
    assert_eq!(article.state(), StockState::InSync, "{article:?}");
    assert_eq!(t.centra_sells("N1"), 12);
}

/// An article checked before the catalog flow named its product is `unmapped`; the product's
/// `ArticleSynced` makes it `pending` at once (the check comes a batching window later), and a
/// mark without a product leaves `unmapped` as it is.
#[tokio::test]
async fn an_unmapped_article_shows_pending_once_its_product_is_known() {
    let t = spawn_flow().await;
    t.article("U1", "1", (5, 5), (0, 0));
    t.changed("c1", "U1").await;
    t.drain().await;
    assert_eq!(t.state("U1").await.state(), StockState::Unmapped);
    t.changed("c2", "U1").await;
    let still = t.state("U1").await;
    assert_eq!(still.state(), StockState::Unmapped, "{still:?}");
    assert!(still.reason().is_some(), "{still:?}");
    t.synced("s1", "U1", "1").await;
    let known = t.state("U1").await;
    assert_eq!(
        (known.state(), known.reason(), known.product_id.as_deref()),
        (StockState::Pending, None, Some("1")),
        "{known:?}"
    );
    t.drain().await;
    assert_eq!(t.state("U1").await.state(), StockState::InSync);
    assert_eq!(t.centra_sells("U1"), 5);
}

#[tokio::test]
async fn a_completion_that_releases_unpicked_units_is_checked_at_once() {
    let t = spawn_flow().await;
    // Ordered 3, the warehouse picked none of them yet and still books them: in sync.
    t.article("U1", "1", (10, 7), (10, 3));
    t.synced("s1", "U1", "1").await;
    t.drain().await;
    assert_eq!(t.state("U1").await.state(), StockState::InSync);
    // The warehouse ships the order without them and frees its booking; Centra completes the
    // shipment with 0 of them: its allocation drops, nothing else changes in Centra.
    t.wms.with(|w| {
        w.levels.insert(
            "U1".into(),
            domain::WmsStock {
                physical: 10,
                sellable: 10,
            },
        );
    });
    t.centra.with(|c| c.item("U1").allocated = 0);
    let event = events::ShipmentCompleted {
        endpoint: "shop1".into(),
        shipment_id: "1-1".into(),
        items: vec![events::CompletedItem {
            joined_sku: "U1".into(),
            ean: "7350000000017".into(),
        }],
        ..Default::default()
    };
    t.flow
        .on_shipment_completed(&MessageId::new("c1"), &event)
        .await
        .expect("marked");
    let report = t.drain().await;
    assert_eq!(
        report.checked, 1,
        "the article is due now, not at the next recheck"
    );
    assert_eq!(t.centra_sells("U1"), 10);
    // Another end-point's completion, and a key no article has, mark nothing.
    let other = events::ShipmentCompleted {
        endpoint: "retail".into(),
        ..event.clone()
    };
    t.flow
        .on_shipment_completed(&MessageId::new("c2"), &other)
        .await
        .expect("ignored");
    assert_eq!(t.drain().await.checked, 0);
    assert!(
        t.flow
            .articles()
            .find("7350000000017")
            .await
            .expect("find")
            .is_none()
    );
}

#[tokio::test]
async fn a_gateway_down_or_a_lost_answer_loses_nothing_and_writes_once() {
    let t = spawn_flow().await;
    t.article("D1", "1", (5, 5), (0, 0));
    t.synced("s1", "D1", "1").await;
    t.wms.with(|w| w.next_fault = Fault::Down);
    let error = t.flow.check_due().await.expect_err("wms down");
    assert!(matches!(error, FlowError::Unavailable(_)), "{error}");
    // The port error is the cause, whole: a log shows which service and why.
    let cause = error.source().and_then(|s| s.downcast_ref::<PortError>());
    assert_eq!(cause.map(PortError::kind), Some(PortErrorKind::Unavailable));
    // Given back, due again a few seconds later (not now).
    let article = t.state("D1").await;
    assert_eq!(article.state(), StockState::Pending);
    assert!(article.due_at.is_some());
    assert_eq!(t.drain().await.checked, 0);
    // A person need not wait: a reconcile of the article checks it now; the answer is lost.
    t.centra.with(|c| c.next_fault = Fault::LoseAnswer);
    t.flow
        .reconcile(&["D1".into()], false)
        .await
        .expect_err("answer lost");
    assert_eq!(
        t.centra_physical("D1"),
        5,
        "written before the answer was lost"
    );
    let report = t
        .flow
        .reconcile(&["D1".into()], false)
        .await
        .expect("again");
    assert_eq!((report.written, report.unchanged), (0, 1));
    t.centra.with(|c| assert_eq!(c.writes.len(), 1));
}

#[tokio::test]
async fn reconcile_maps_unknown_articles_writes_differences_and_is_safe_twice() {
    let t = spawn_flow().await;
    for i in 0..60 {
        // No ArticleSynced: the reconcile finds the products in Centra.
        t.article(
            &format!("R{i:02}"),
            &format!("{}", i / 4),
            (i, i),
            (i % 3, 0),
        );
    }
    let dry = t.flow.reconcile(&[], true).await.expect("dry run");
    assert_eq!(dry.checked, 60);
    assert!(dry.written > 0);
    t.centra
        .with(|c| assert!(c.writes.is_empty(), "a dry run writes nothing"));
    let first = t.flow.reconcile(&[], false).await.expect("reconcile");
    assert_eq!(first.checked, 60);
    assert_eq!(first.written, dry.written);
    for i in 0..60 {
        assert_eq!(t.centra_physical(&format!("R{i:02}")), i);
    }
    let second = t.flow.reconcile(&[], false).await.expect("again");
    assert_eq!(
        (second.checked, second.written, second.unchanged),
        (60, 0, 60)
    );
}

#[tokio::test]
async fn a_sale_during_the_reconcile_is_not_re_added() {
    let t = spawn_flow().await;
    t.article("S1", "1", (5, 5), (5, 0));
    t.synced("s1", "S1", "1").await;
    t.drain().await;
    // Sold in Centra, not yet in the WMS: Centra allocates 1; the WMS still says 5 sellable.
    t.centra.with(|c| c.item("S1").allocated = 1);
    t.flow.reconcile(&[], false).await.expect("reconcile");
    assert!(t.centra_sells("S1") <= 4, "the sold unit stays sold");
}

#[tokio::test]
async fn two_replicas_check_each_article_once() {
    let t = spawn_flow().await;
    for i in 0..80 {
        let key = format!("P{i:02}");
        t.article(&key, "1", (i, i), (0, 0));
        t.synced(&format!("s{i}"), &key, "1").await;
    }
    let other = flow_over(&t.store, &t.centra, &t.wms);
    let (a, b) = tokio::join!(t.flow.check_due(), other.check_due());
    let (a, b) = (a.expect("a"), b.expect("b"));
    assert_eq!(a.checked + b.checked + t.drain().await.checked, 80);
    let written: usize = t.centra.with(|c| c.written_products());
    assert_eq!(written, 79, "every changed article written exactly once");
}

#[tokio::test]
async fn an_event_without_an_article_number_names_the_field() {
    let t = spawn_flow().await;
    let error = t
        .flow
        .on_stock_changed(&MessageId::new("bad"), &events::WmsStockChanged::default())
        .await
        .expect_err("invalid");
    let FlowError::Invalid(invalid) = error else {
        panic!("not invalid: {error}");
    };
    assert_eq!(invalid.field, "article_number");
    assert_eq!(invalid.record, "message bad");
}

#[tokio::test]
async fn a_check_without_a_catalog_endpoint_is_refused_as_a_missing_setting() {
    let t = spawn_flow().await;
    let mut settings = crate::harness::settings();
    settings.catalog_endpoint = None;
    let flow = StockFlow::new(
        std::sync::Arc::new(settings),
        "main",
        t.flow.articles().clone(),
        t.wms.clone(),
        t.centra.clone(),
    );
    let error = flow.reconcile(&[], false).await.expect_err("no end-point");
    assert!(
        matches!(
            error,
            FlowError::Precondition(MissingSetting::CatalogEndpoint)
        ),
        "{error}"
    );
    t.centra
        .with(|c| assert!(c.writes.is_empty(), "nothing written"));
    t.wms.with(|w| assert_eq!(w.reads, 0, "nothing read"));
}

#[tokio::test]
async fn articles_of_other_end_points_are_not_followed() {
    let t = spawn_flow().await;
    let event = events::ArticleSynced {
        warehouse: "main".into(),
        article_number: "X1".into(),
        endpoint: "retail".into(),
        product_id: "9".into(),
        ..Default::default()
    };
    t.flow
        .on_article_synced(&MessageId::new("o1"), &event)
        .await
        .expect("handled");
    assert!(t.flow.articles().find("X1").await.expect("find").is_none());
}

#[tokio::test]
async fn one_replica_starts_each_periodic_reconcile() {
    let t = spawn_flow().await;
    let articles = t.flow.articles();
    assert!(
        articles
            .start_run("reconcile", 60_000)
            .await
            .expect("first")
    );
    assert!(
        !articles
            .start_run("reconcile", 60_000)
            .await
            .expect("again")
    );
    let other = flow_over(&t.store, &t.centra, &t.wms);
    assert!(
        !other
            .articles()
            .start_run("reconcile", 60_000)
            .await
            .expect("other replica"),
        "another replica waits for the next interval"
    );
    assert!(
        articles
            .run_started_at("reconcile")
            .await
            .expect("read")
            .is_some()
    );
    // A short interval has passed: the next run starts.
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(
        articles
            .start_run("reconcile", 10)
            .await
            .expect("next interval")
    );
}

/// A replica killed mid-check (its claim never finished nor released) holds its rows for one
/// lease only: another replica takes them half a minute later, not minutes later. Found by the
/// fault suite: stock-sync killed with a claim open left an article unequal past its wait.
#[tokio::test]
async fn a_killed_replicas_articles_are_due_again_after_one_lease() {
    use stock_sync::articles::CLAIM_LEASE_MS;
    let t = spawn_flow().await;
    t.article("K1", "1", (5, 5), (0, 0));
    t.synced("k1", "K1", "1").await;
    let now = platform_store::unix_millis();
    let articles = t.flow.articles();
    let dead = articles.claim(now, now, 10).await.expect("claim");
    assert_eq!(dead.len(), 1, "the first replica takes it, then dies");
    assert!(
        articles
            .claim(now + CLAIM_LEASE_MS - 1, now + CLAIM_LEASE_MS - 1, 10)
            .await
            .expect("claim")
            .is_empty(),
        "held while the lease runs"
    );
    let taken = articles
        .claim(now + CLAIM_LEASE_MS + 1, now + CLAIM_LEASE_MS + 1, 10)
        .await
        .expect("claim");
    assert_eq!(taken.len(), 1, "due again once the lease ended");
}

/// A replica still checking renews its lease: the rows stay with it past the first lease,
/// and a row marked meanwhile is not renewed (it is due now, for the change that came in).
#[tokio::test]
async fn a_renewed_claim_keeps_its_articles_and_leaves_new_marks_due() {
    use stock_sync::articles::CLAIM_LEASE_MS;
    let t = spawn_flow().await;
    for key in ["R1", "R2"] {
        t.article(key, "1", (5, 5), (0, 0));
        t.synced(&format!("m-{key}"), key, "1").await;
    }
    let now = platform_store::unix_millis();
    let articles = t.flow.articles();
    let claimed = articles.claim(now, now, 10).await.expect("claim");
    assert_eq!(claimed.len(), 2);
    let held = claimed[0].due_at.expect("leased");
    t.synced("m-R2-again", "R2", "1").await;
    let renewed = articles
        .renew(&claimed, held, now + 3 * CLAIM_LEASE_MS)
        .await
        .expect("renew");
    assert_eq!(renewed, 1, "only the row still held is renewed");
    let later = articles
        .claim(now + 2 * CLAIM_LEASE_MS, now + 2 * CLAIM_LEASE_MS, 10)
        .await
        .expect("claim");
    let numbers: Vec<&str> = later.iter().map(|a| a.article_number.as_str()).collect();
    assert_eq!(numbers, ["R2"], "R1 stays with its checker, R2 is due");
}

/// News of an article that comes in while its check reads (here: the WMS counts less during a
/// slow WMS read, and its event marks the article) holds back a raise decided on the old
/// numbers, so Centra never sells the units the WMS no longer has; a lower write of another
/// article marked the same way goes. Both are checked again at once, on fresh numbers.
#[tokio::test]
async fn a_raise_that_news_overtook_waits_for_the_next_check_and_a_lower_write_goes() {
    let t = spawn_flow().await;
    // A: the WMS holds 10, Centra 6: the check would raise Centra to 10.
    t.article("A", "1", (10, 10), (6, 0));
    // B: the WMS holds 3, Centra 6: the check lowers Centra to 3.
    t.article("B", "1", (3, 3), (6, 0));
    t.synced("s1", "A", "1").await;
    t.synced("s2", "B", "1").await;
    let check = t.check_reading_slowly().await;
    // Right after the WMS read, a stock-take finds 4 of A and 2 of B, and the poll's stock
    // events mark both articles.
    let wms = t.wms.clone();
    t.moves.set(move || {
        wms.with(|w| {
            w.levels.get_mut("A").expect("A").physical = 4;
            w.levels.get_mut("A").expect("A").sellable = 4;
            w.levels.get_mut("B").expect("B").physical = 2;
            w.levels.get_mut("B").expect("B").sellable = 2;
        });
    });
    t.changed("m1", "A").await;
    t.changed("m2", "B").await;
    let report = check.await.expect("joins").expect("check");
    assert_eq!((report.checked, report.written), (2, 1), "{report:?}");
    assert_eq!(t.centra_physical("A"), 6, "the raise to 10 was held back");
    assert_eq!(t.centra_physical("B"), 3, "the lower write went");
    assert_eq!(t.state("A").await.state(), StockState::Settling);

    // Both are due at once and checked on fresh numbers.
    t.drain().await;
    assert_eq!(t.centra_physical("A"), 4);
    assert_eq!(t.centra_physical("B"), 2);
    assert_eq!(t.centra_sells("A"), 4);
    assert_eq!(t.state("A").await.state(), StockState::InSync);
}

/// The shape of a `stock_returns_e2e` failure: a check reads Centra (12 physical, 5 allocated)
/// and then, slowly, the WMS (10 physical, 5 sellable), and decides to lower Centra to 10.
/// Meanwhile the warehouse ships the 5 booked units and Centra completes that shipment
/// (12 -> 7, 5 -> 0). Writing 10 then would let Centra sell 10 while the WMS has 5: the
/// completion's event came in during the check, so no write goes, and the next check, at once,
/// writes on fresh numbers.
#[tokio::test]
async fn a_completion_during_the_check_holds_back_even_a_lower_write() {
    let t = spawn_flow().await;
    t.article("P", "1", (10, 5), (12, 5));
    t.synced("s1", "P", "1").await;
    let check = t.check_reading_slowly().await;
    // The warehouse ships the 5 booked units (seen right after the WMS read), Centra completes
    // the shipment, and its event marks the article.
    let wms = t.wms.clone();
    t.moves.set(move || {
        wms.with(|w| w.levels.get_mut("P").expect("P").physical = 5);
    });
    t.centra_completes("P", 5);
    t.completed("c1", "9-1", "P").await;
    let report = check.await.expect("joins").expect("check");
    assert_eq!((report.checked, report.written), (1, 0), "{report:?}");
    assert_eq!(
        t.centra_physical("P"),
        7,
        "Centra as the completion left it, not 10 on the old allocation"
    );
    t.drain().await;
    assert_eq!((t.centra_physical("P"), t.centra_sells("P")), (5, 5));
}

/// The shape of a `stock_returns_e2e` failure at rest: a check reads Centra (14 physical, 2
/// allocated), then a customer orders one more unit, order-sync books it in the WMS, and the
/// check's WMS read sees the booking (14 physical, 11 sellable). On those numbers Centra at 13
/// sells exactly 11, so the check calls the article settled, while Centra, allocating 3, sells
/// 10. The shipment's good-to-go event marks the article, and the next check writes 14.
#[tokio::test]
async fn a_new_allocation_during_the_check_leaves_the_article_due() {
    let t = spawn_flow().await;
    t.article("P1", "1", (14, 12), (14, 2));
    t.synced("s1", "P1", "1").await;
    t.drain().await;
    assert_eq!(t.state("P1").await.state(), StockState::InSync);

    t.changed("m1", "P1").await;
    let check = t.check_reading_slowly().await;
    t.centra_allocates("P1", 1);
    t.wms
        .with(|w| w.levels.get_mut("P1").expect("P1").sellable = 11);
    t.good_to_go("g1", "7-1", "P1").await;
    let report = check.await.expect("joins").expect("check");
    assert_eq!((report.checked, report.written), (1, 1), "{report:?}");
    assert_eq!(
        t.centra_sells("P1"),
        10,
        "the lower write went, on an allocation that was one short"
    );
    assert!(
        t.state("P1").await.due_at.is_some(),
        "due again: the check's numbers looked settled"
    );

    t.drain().await;
    assert_eq!((t.centra_physical("P1"), t.centra_sells("P1")), (14, 11));
    assert_eq!(t.state("P1").await.state(), StockState::InSync);
}

/// A good-to-go shipment or a ready order marks only the followed articles of the catalog
/// end-point, by either key, once per message; a bundle header line marks nothing.
#[tokio::test]
async fn new_shipments_and_orders_mark_their_followed_articles_once() {
    let t = spawn_flow().await;
    t.article("AB", "1", (5, 5), (5, 0));
    t.synced("s1", "AB", "1").await;
    t.drain().await;
    let generation = t.state("AB").await.generation;
    let line = |is_bundle| events::ProductLine {
        sku: " A".into(),
        variant_sku: "B ".into(),
        is_bundle,
        ..Default::default()
    };
    let shipment = |endpoint: &str, lines| events::ShipmentGoodToGo {
        endpoint: endpoint.into(),
        shipment_id: "1-1".into(),
        lines,
        ..Default::default()
    };
    let mark = |id: &'static str, event: events::ShipmentGoodToGo| {
        let flow = t.flow.clone();
        async move {
            flow.on_shipment_good_to_go(&MessageId::new(id), &event)
                .await
                .expect("good to go");
        }
    };
    mark("other", shipment("wholesale", vec![line(false)])).await;
    mark("bundle", shipment("shop1", vec![line(true)])).await;
    assert_eq!(t.state("AB").await.generation, generation, "nothing marked");
    mark("g1", shipment("shop1", vec![line(false)])).await;
    mark("g1", shipment("shop1", vec![line(false)])).await;
    assert_eq!(
        t.state("AB").await.generation,
        generation + 1,
        "marked once"
    );
    let order = events::OrderReady {
        endpoint: "shop1".into(),
        order_id: "2".into(),
        lines: vec![events::ProductLine {
            ean: "AB".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    t.flow
        .on_order_ready(&MessageId::new("o1"), &order)
        .await
        .expect("order ready");
    assert_eq!(t.state("AB").await.generation, generation + 2, "by its EAN");
    assert!(t.state("AB").await.due_at.is_some());
}

/// A check still reading when the service stops ends a drain later: nothing is written, and
/// its articles are given back due now (not held until their claim's lease ends), while the
/// renewal under way, if any, is finished first (`with_renewals`, inside which the check is
/// dropped). A check that ends within the drain writes as usual.
#[tokio::test]
async fn a_check_running_past_the_drain_at_shutdown_gives_its_articles_back() {
    let t = spawn_flow().await;
    t.article("D1", "1", (5, 5), (2, 0));
    t.synced("d1", "D1", "1").await;
    let stop = platform_runtime::CancellationToken::new();
    let flow = t
        .flow
        .clone()
        .stopping_on(stop.clone(), Duration::from_millis(200))
        .with_claim_renewal(Duration::from_millis(50));
    t.wms.with(|w| w.read_delay = Duration::from_secs(60));
    let check = tokio::spawn(async move { flow.check_due().await });
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert!(
        t.state("D1").await.due_at.unwrap_or(0) > platform_store::unix_millis(),
        "claimed while the check reads"
    );
    let stopped_at = std::time::Instant::now();
    stop.cancel();
    let ended = check.await.expect("joins");
    assert!(matches!(ended, Err(FlowError::Stopped)), "{ended:?}");
    let waited = stopped_at.elapsed();
    assert!(
        waited >= Duration::from_millis(200) && waited < Duration::from_secs(5),
        "dropped a drain after the stop: {waited:?}"
    );
    assert_eq!(t.centra_physical("D1"), 2, "nothing written");
    let due = t.state("D1").await.due_at.expect("due");
    assert!(due <= platform_store::unix_millis(), "given back, due now");

    // Within the drain a check ends as usual.
    t.wms.with(|w| w.read_delay = Duration::from_millis(100));
    let stop = platform_runtime::CancellationToken::new();
    let flow = t
        .flow
        .clone()
        .stopping_on(stop.clone(), Duration::from_secs(5));
    let check = tokio::spawn(async move { flow.check_due().await });
    tokio::time::sleep(Duration::from_millis(20)).await;
    stop.cancel();
    let report = check.await.expect("joins").expect("the check ends");
    assert_eq!(report.written, 1);
    assert_eq!(t.centra_physical("D1"), 5);
}
