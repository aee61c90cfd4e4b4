//! A person discards a parked or failed shipment with a reason: the state machine allows it
//! only from parked or failed, the reason and who are kept with the record and shown in its
//! journey, nothing of the service picks it up again (a good-to-go redelivery, the
//! article-synced retry), and only a person's retry takes it back to the hold it replaced.

use std::collections::HashSet;

use order_sync::admin::Admin;
use order_sync::flow::{CommandRefusal, FlowError};
use order_sync::rules::{HoldReason, ShipmentState};
use platform_store::MessageId;
use proto::admin::v1 as pb;
use proto::admin::v1::order_admin_server::OrderAdmin;
use proto::events::v1 as events;
use tonic::{Code, Request};

use crate::harness::{good_to_go, settings, spawn_flow};

fn key(shipment_id: &str) -> Option<pb::OrderKey> {
    Some(pb::OrderKey {
        endpoint: "shop1".into(),
        id: Some(pb::order_key::Id::ShipmentId(shipment_id.into())),
    })
}

#[tokio::test]
async fn a_discarded_shipment_keeps_its_reason_is_never_picked_up_again_and_a_retry_takes_it_back()
{
    let t = spawn_flow(settings()).await;
    t.wms
        .with(|w| w.known_articles = Some(HashSet::from(["ABD".to_owned()])));
    t.good_to_go("m", &good_to_go("7-1")).await.expect("parked");
    assert_eq!(t.record("7-1").await.state(), ShipmentState::Parked);

    let admin = Admin::new(t.flow.clone());
    let answer = admin
        .discard(Request::new(pb::DiscardOrderRequest {
            key: key("7-1"),
            reason: "sent by hand from the shop".into(),
            by: "admin".into(),
        }))
        .await
        .expect("discarded")
        .into_inner();
    assert_eq!(answer.state, pb::OrderState::Discarded as i32);
    let record = t.record("7-1").await;
    assert_eq!(record.state(), ShipmentState::Discarded);
    assert_eq!(
        record.hold_reason().cloned(),
        Some(HoldReason::Discarded {
            reason: "sent by hand from the shop".into(),
            by: "admin".into(),
            hold: Box::new(HoldReason::ArticleMissing {
                articles: vec!["ABC".into()]
            }),
        })
    );

    // The journey shows the step with the reason and who.
    let found = admin
        .find_shipments(Request::new(pb::FindShipmentsRequest {
            query: "7-1".into(),
        }))
        .await
        .expect("found")
        .into_inner();
    let journey = &found.shipments[0].journey;
    let step = journey
        .iter()
        .find(|s| s.step == "discarded")
        .expect("a discarded step");
    assert!(
        step.detail
            .contains("discarded by admin: sent by hand from the shop"),
        "{}",
        step.detail
    );
    assert_eq!(found.shipments[0].state_name, "discarded");

    // Nothing of the service picks it up again: the article arrives, Centra says good to go.
    t.wms.with(|w| w.known_articles = None);
    t.flow
        .on_article_synced(
            &MessageId::new("a1"),
            &events::ArticleSynced {
                warehouse: "main".into(),
                article_number: "ABC".into(),
                ..events::ArticleSynced::default()
            },
        )
        .await
        .expect("article synced");
    t.good_to_go("m2", &good_to_go("7-1"))
        .await
        .expect("redelivered");
    assert_eq!(t.record("7-1").await.state(), ShipmentState::Discarded);
    t.wms.with(|w| assert_eq!(w.creations, 0, "never imported"));

    // Completion and resync by hand are refused until a person retries it.
    match t.flow.resync("shop1", "7-1").await {
        Err(FlowError::Precondition {
            refusal: CommandRefusal::Discarded,
            ..
        }) => {}
        other => panic!("expected a Discarded refusal, got {other:?}"),
    }

    // A person's retry restores the hold and runs it: the article exists now.
    let state = t.flow.retry("shop1", "7-1").await.expect("retried");
    assert_eq!(state, ShipmentState::Imported);
    t.wms.with(|w| assert_eq!(w.creations, 1));
}

#[tokio::test]
async fn only_a_parked_or_failed_shipment_with_a_reason_is_discarded() {
    let t = spawn_flow(settings()).await;
    t.good_to_go("g", &good_to_go("8-1")).await.expect("import");
    assert_eq!(t.record("8-1").await.state(), ShipmentState::Imported);
    match t
        .flow
        .discard("shop1", "8-1", "no longer wanted", "admin")
        .await
    {
        Err(FlowError::Precondition {
            shipment_id,
            refusal: CommandRefusal::NotHeld { state },
        }) => {
            assert_eq!(shipment_id, "8-1");
            assert_eq!(state, ShipmentState::Imported);
        }
        other => panic!("expected NotHeld, got {other:?}"),
    }
    assert_eq!(t.record("8-1").await.state(), ShipmentState::Imported);

    let admin = Admin::new(t.flow.clone());
    let refused = admin
        .discard(Request::new(pb::DiscardOrderRequest {
            key: key("8-1"),
            reason: "no longer wanted".into(),
            by: "admin".into(),
        }))
        .await
        .expect_err("imported is not discarded");
    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert!(refused.message().contains("8-1"), "{}", refused.message());

    t.wms
        .with(|w| w.known_articles = Some(HashSet::from(["ABD".to_owned()])));
    t.good_to_go("m", &good_to_go("9-1")).await.expect("parked");
    match t.flow.discard("shop1", "9-1", "  ", "admin").await {
        Err(FlowError::Precondition {
            refusal: CommandRefusal::NoReason,
            ..
        }) => {}
        other => panic!("expected NoReason, got {other:?}"),
    }
    let no_one = admin
        .discard(Request::new(pb::DiscardOrderRequest {
            key: key("9-1"),
            reason: "settled".into(),
            by: String::new(),
        }))
        .await
        .expect_err("who is required");
    assert_eq!(no_one.code(), Code::InvalidArgument);
    assert_eq!(t.record("9-1").await.state(), ShipmentState::Parked);
}
