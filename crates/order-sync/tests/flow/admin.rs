//! The `OrderAdmin` service over the flow.

use order_sync::admin::Admin;
use proto::admin::v1 as pb;
use proto::admin::v1::order_admin_server::OrderAdmin;
use tonic::{Code, Request};

use crate::harness::{good_to_go, settings, spawn_flow};

fn key(shipment_id: &str) -> Option<pb::OrderKey> {
    Some(pb::OrderKey {
        endpoint: "shop1".into(),
        id: Some(pb::order_key::Id::ShipmentId(shipment_id.into())),
    })
}

#[tokio::test]
async fn lists_by_state_with_pages_and_reasons() {
    let t = spawn_flow(settings()).await;
    for n in 1..=3 {
        t.good_to_go(&format!("g{n}"), &good_to_go(&format!("{n}-1")))
            .await
            .expect("import");
    }
    let mut empty = good_to_go("4-1");
    empty.lines.clear();
    t.good_to_go("g4", &empty).await.expect("parked");
    let admin = Admin::new(t.flow.clone());

    let page = admin
        .list_by_state(Request::new(pb::ListOrdersByStateRequest {
            state: pb::OrderState::SentToWarehouse as i32,
            page_size: 2,
            ..Default::default()
        }))
        .await
        .expect("list")
        .into_inner();
    assert_eq!(page.orders.len(), 2);
    assert_eq!(page.next_page_token, "shop1/2-1");
    let rest = admin
        .list_by_state(Request::new(pb::ListOrdersByStateRequest {
            state: pb::OrderState::SentToWarehouse as i32,
            page_size: 2,
            page_token: page.next_page_token,
            ..Default::default()
        }))
        .await
        .expect("list")
        .into_inner();
    assert_eq!(rest.orders.len(), 1);
    assert_eq!(rest.orders[0].wms_order_number, "S3-1");
    assert!(rest.next_page_token.is_empty());

    let parked = admin
        .list_by_state(Request::new(pb::ListOrdersByStateRequest {
            state: pb::OrderState::Parked as i32,
            ..Default::default()
        }))
        .await
        .expect("list")
        .into_inner();
    assert_eq!(parked.orders.len(), 1);
    assert_eq!(parked.orders[0].last_error, "shipment has no lines");
}

#[tokio::test]
async fn complete_manually_requires_an_explicit_capture_flag() {
    let t = spawn_flow(settings()).await;
    t.good_to_go("g", &good_to_go("1-1")).await.expect("import");
    let admin = Admin::new(t.flow.clone());
    let err = admin
        .complete_manually(Request::new(pb::CompleteManuallyRequest {
            key: key("1-1"),
            capture: None,
            ..Default::default()
        }))
        .await
        .expect_err("capture missing");
    assert_eq!(err.code(), Code::InvalidArgument);
    let done = admin
        .complete_manually(Request::new(pb::CompleteManuallyRequest {
            key: Some(pb::OrderKey {
                endpoint: String::new(),
                id: Some(pb::order_key::Id::WmsOrderNumber("S1-1".into())),
            }),
            capture: Some(false),
            tracking_numbers: vec!["T1".into()],
            ..Default::default()
        }))
        .await
        .expect("completed")
        .into_inner();
    assert_eq!(done.state, pb::OrderState::Completed as i32);
    assert_eq!(t.completions(), 1);
}

#[tokio::test]
async fn retry_and_resync_name_missing_shipments() {
    let t = spawn_flow(settings()).await;
    let admin = Admin::new(t.flow.clone());
    let err = admin
        .retry(Request::new(pb::RetryOrderRequest { key: key("404-1") }))
        .await
        .expect_err("unknown");
    assert_eq!(err.code(), Code::NotFound);
    let missing = order_sync::flow::FlowError::NotFound {
        endpoint: "shop1".into(),
        shipment_id: "404-1".into(),
    };
    assert_eq!(err.message(), missing.to_string());
    t.good_to_go("g", &good_to_go("1-1")).await.expect("import");
    let mut fresh = good_to_go("1-1");
    fresh.lines.truncate(1);
    t.centra.with(|c| {
        c.shipments.insert(
            "1-1".into(),
            order_sync::convert::shipment_from_event(&fresh).expect("shipment"),
        )
    });
    let state = admin
        .resync(Request::new(pb::ResyncOrderRequest { key: key("1-1") }))
        .await
        .expect("resync")
        .into_inner()
        .state;
    assert_eq!(state, pb::OrderState::SentToWarehouse as i32);
    t.wms.with(|w| {
        assert_eq!(w.creations, 1, "updated in place");
        assert_eq!(w.orders["S1-1"].lines.len(), 1, "written again from centra");
    });
}

fn find(query: &str) -> Request<pb::FindShipmentsRequest> {
    Request::new(pb::FindShipmentsRequest {
        query: query.into(),
    })
}

fn steps(found: &pb::FoundShipment) -> Vec<(String, String)> {
    found
        .journey
        .iter()
        .map(|s| (s.step.clone(), s.detail.clone()))
        .collect()
}

/// A shipment's import and completion are journaled as they are saved, redeliveries add
/// nothing, and the shipment is found by its Centra order id, shipment id and WMS order number.
#[tokio::test]
async fn a_shipment_is_found_by_any_id_with_its_journey_from_import_to_completion() {
    let t = spawn_flow(settings()).await;
    t.good_to_go("g", &good_to_go("7-1")).await.expect("import");
    let admin = Admin::new(t.flow.clone());
    let imported = admin
        .find_shipments(find("7-1"))
        .await
        .expect("found")
        .into_inner();
    assert_eq!(imported.shipments.len(), 1);
    let journey_imported = steps(&imported.shipments[0]);

    let report = crate::harness::shipped("S7-1", &[("11", 2, 2), ("12", 1, 1)]);
    t.shipped("s", &report).await.expect("complete");
    t.shipped("s", &report).await.expect("redelivery");
    t.good_to_go("g-late", &good_to_go("7-1"))
        .await
        .expect("late copy");

    for query in ["7", "7-1", "S7-1", " S7-1 "] {
        let answer = admin
            .find_shipments(find(query))
            .await
            .unwrap_or_else(|e| panic!("{query}: {e}"))
            .into_inner();
        assert_eq!(answer.shipments.len(), 1, "{query}");
        let found = &answer.shipments[0];
        let summary = found.summary.as_ref().expect("summary");
        assert_eq!(
            (
                summary.endpoint.as_str(),
                summary.shipment_id.as_str(),
                summary.order_id.as_str(),
                summary.wms_order_number.as_str()
            ),
            ("shop1", "7-1", "7", "S7-1")
        );
        assert_eq!(found.state_name, "completed");
        assert_eq!(summary.last_error, "");
        let journey = steps(found);
        assert!(
            journey.starts_with(&journey_imported),
            "the import's steps stay first: {journey:?}"
        );
        let names: Vec<&str> = journey.iter().map(|(step, _)| step.as_str()).collect();
        assert_eq!(names[0], "received", "{journey:?}");
        assert!(names.contains(&"wms order accepted"), "{journey:?}");
        assert!(names.contains(&"shipped report"), "{journey:?}");
        let states: Vec<&str> = journey
            .iter()
            .filter(|(step, _)| step == "state")
            .map(|(_, detail)| detail.as_str())
            .collect();
        assert_eq!(
            states.first().copied(),
            Some("- -> received"),
            "{journey:?}"
        );
        assert_eq!(
            states.last().copied(),
            Some("shipped -> completed"),
            "{journey:?}"
        );
        assert!(states.contains(&"received -> imported"), "{journey:?}");
        assert_eq!(
            states
                .iter()
                .filter(|s| s.ends_with("-> completed"))
                .count(),
            1,
            "the redelivery and the late copy add nothing: {journey:?}"
        );
        assert!(found.journey.iter().all(|s| s.at.is_some()));
    }
}

#[tokio::test]
async fn a_parked_shipment_shows_its_reason_and_unknown_ids_are_not_found() {
    let t = spawn_flow(settings()).await;
    let mut empty = good_to_go("8-1");
    empty.lines.clear();
    t.good_to_go("g", &empty).await.expect("parked");
    let admin = Admin::new(t.flow.clone());
    let answer = admin
        .find_shipments(find("8-1"))
        .await
        .expect("found")
        .into_inner();
    let found = &answer.shipments[0];
    assert_eq!(found.state_name, "parked");
    let reason = &found.summary.as_ref().expect("summary").last_error;
    assert_eq!(reason, "shipment has no lines");
    assert_eq!(
        steps(found).last(),
        Some(&("parked".to_owned(), reason.clone())),
        "the hold is the last step"
    );

    let missing = admin
        .find_shipments(find("999-1"))
        .await
        .expect_err("unknown");
    assert_eq!(missing.code(), Code::NotFound);
    assert!(missing.message().contains("999-1"), "{missing:?}");
    let blank = admin.find_shipments(find("  ")).await.expect_err("blank");
    assert_eq!(blank.code(), Code::InvalidArgument);
}

/// The index follows a shipment whose lines change: parked for a missing article, good to go
/// again with one line less, it no longer holds the article it dropped, and saving it again
/// unchanged keeps what it holds.
#[tokio::test]
async fn the_article_index_follows_changed_lines() {
    let t = spawn_flow(settings()).await;
    t.wms.with(|w| {
        w.known_articles = Some(std::collections::HashSet::from(["ABC".to_owned()]));
    });
    t.good_to_go("g1", &good_to_go("41-1"))
        .await
        .expect("parked");
    let records = t.flow.records();
    let holding = |article: &'static str| {
        let records = records.clone();
        async move {
            records
                .holding(article, 10)
                .await
                .expect("holding")
                .iter()
                .map(|r| r.shipment.id.to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(holding("ABD").await, ["41-1"]);
    let mut fewer = good_to_go("41-1");
    fewer.lines.truncate(1);
    t.good_to_go("g2", &fewer).await.expect("imported");
    assert!(
        holding("ABD").await.is_empty(),
        "the dropped line's article"
    );
    assert_eq!(holding("ABC").await, ["41-1"]);
    t.wms.with(|w| w.known_articles = None);
    t.good_to_go("g3", &fewer).await.expect("again, unchanged");
    assert_eq!(holding("ABC").await, ["41-1"]);
}

/// The shipments holding an article, by its WMS article number or its EAN, from the index the
/// save keeps; an article no shipment holds lists none.
#[tokio::test]
async fn the_shipments_holding_an_article_are_listed_by_article_number_and_ean() {
    let t = spawn_flow(settings()).await;
    let mut first = good_to_go("31-1");
    first.lines[1].ean = "7350000000999".into();
    t.good_to_go("g1", &first).await.expect("import");
    let mut other = good_to_go("32-1");
    other.lines.truncate(1);
    t.good_to_go("g2", &other).await.expect("import");
    let admin = Admin::new(t.flow.clone());
    let holding = |article: &str| {
        let admin = admin.clone();
        let article = article.to_owned();
        async move {
            admin
                .shipments_holding_article(Request::new(pb::ShipmentsHoldingArticleRequest {
                    article,
                }))
                .await
                .expect("answered")
                .into_inner()
        }
    };
    let article_of = |line: usize| {
        let line = &first.lines[line];
        format!("{}{}{}", line.sku, line.variant_sku, line.size_sku)
    };
    let mut ids: Vec<String> = holding(&article_of(0))
        .await
        .shipments
        .into_iter()
        .map(|s| s.shipment_id)
        .collect();
    ids.sort();
    assert_eq!(ids, vec!["31-1".to_owned(), "32-1".to_owned()]);
    let second = holding(&article_of(1)).await;
    assert_eq!(
        second
            .shipments
            .iter()
            .map(|s| s.shipment_id.as_str())
            .collect::<Vec<_>>(),
        vec!["31-1"]
    );
    assert!(!second.more);
    assert_eq!(article_of(1), "ABD");
    let by_ean = holding("7350000000999").await;
    assert_eq!(by_ean.shipments.len(), 1, "by EAN");
    assert_eq!(by_ean.shipments[0].shipment_id, "31-1");
    assert!(holding("NO-SUCH-ARTICLE").await.shipments.is_empty());
    let empty = admin
        .shipments_holding_article(Request::new(pb::ShipmentsHoldingArticleRequest {
            article: " ".into(),
        }))
        .await
        .expect_err("an article is required");
    assert_eq!(empty.code(), Code::InvalidArgument);
}
