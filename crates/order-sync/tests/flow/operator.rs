//! The operator commands' refusals: each is a typed `FlowError` (`NotFound` naming the
//! shipment, `Precondition` with the `CommandRefusal` that stands in the way), matched here on
//! the variant and its fields; the admin service answers them with the matching gRPC code.

use domain::ParkReason;
use domain::settings::{CapturePolicy, CompletionPolicy, ImportFilter};
use order_sync::admin::Admin;
use order_sync::flow::{CommandRefusal, FlowError, ManualCompletion};
use order_sync::rules::{HoldReason, ShipmentState};
use platform_store::MessageId;
use proto::admin::v1 as pb;
use proto::admin::v1::order_admin_server::OrderAdmin;
use proto::events::v1 as events;
use tonic::{Code, Request};

use crate::harness::{good_to_go, settings, shipped, spawn_flow};

/// The refusal of `result`, failing the test on anything else.
fn refusal<T: std::fmt::Debug>(shipment: &str, result: Result<T, FlowError>) -> CommandRefusal {
    match result {
        Err(FlowError::Precondition {
            shipment_id,
            refusal,
        }) => {
            assert_eq!(shipment_id, shipment);
            refusal
        }
        other => panic!("expected a refusal of shipment {shipment}, got {other:?}"),
    }
}

#[tokio::test]
async fn every_command_names_the_shipment_it_cannot_find() {
    let t = spawn_flow(settings()).await;
    let answers = [
        t.flow.retry("shop1", "404-1").await.map(|_| ()),
        t.flow
            .complete_manually("shop1", "404-1", ManualCompletion::default())
            .await
            .map(|_| ()),
        t.flow.resync("shop1", "404-1").await.map(|_| ()),
    ];
    for answer in answers {
        match answer {
            Err(FlowError::NotFound {
                endpoint,
                shipment_id,
            }) => {
                assert_eq!(
                    (endpoint.as_str(), shipment_id.as_str()),
                    ("shop1", "404-1")
                );
            }
            other => panic!("expected NotFound, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn completion_by_hand_is_refused_for_a_shipment_outside_the_warehouse() {
    let mut s = settings();
    s.import_filter = ImportFilter::OnlyPaid;
    let t = spawn_flow(s).await;
    let mut unpaid = good_to_go("1-1");
    unpaid.paid = false;
    t.good_to_go("g1", &unpaid).await.expect("parked");
    let refused = refusal(
        "1-1",
        t.flow
            .complete_manually("shop1", "1-1", ManualCompletion::default())
            .await,
    );
    assert!(
        matches!(
            &refused,
            CommandRefusal::NeverInWarehouse {
                hold: Some(HoldReason::Rule(ParkReason::NotPaid))
            }
        ),
        "{refused:?}"
    );
    assert_eq!(t.completions(), 0);
}

#[tokio::test]
async fn completion_by_hand_of_a_failed_capture_names_the_state() {
    let mut s = settings();
    s.import_filter = ImportFilter::CaptureOnImport;
    s.capture = CapturePolicy::OnImport;
    let t = spawn_flow(s).await;
    t.centra.with(|c| {
        c.unpaid.insert("2-1".into());
        c.refuse_capture.insert("2-1".into());
    });
    let mut event = good_to_go("2-1");
    event.paid = false;
    event.should_capture = true;
    t.good_to_go("g", &event).await.expect("failed capture");
    let refused = refusal(
        "2-1",
        t.flow
            .complete_manually("shop1", "2-1", ManualCompletion::default())
            .await,
    );
    assert!(
        matches!(
            refused,
            CommandRefusal::NotInWarehouse {
                state: ShipmentState::Failed
            }
        ),
        "{refused:?}"
    );
}

#[tokio::test]
async fn completion_by_hand_keeps_the_completion_rules() {
    let mut s = settings();
    s.completion = CompletionPolicy::Manual;
    let t = spawn_flow(s).await;
    t.good_to_go("g", &good_to_go("3-1")).await.expect("import");
    t.shipped("s", &shipped("S3-1", &[("11", 2, 0), ("12", 1, 0)]))
        .await
        .expect("waits for a person");
    let refused = refusal(
        "3-1",
        t.flow
            .complete_manually("shop1", "3-1", ManualCompletion::default())
            .await,
    );
    assert!(
        matches!(
            refused,
            CommandRefusal::Completion(HoldReason::NothingPicked)
        ),
        "{refused:?}"
    );
    assert_eq!(t.completions(), 0);
    assert_eq!(t.record("3-1").await.state(), ShipmentState::Shipped);
}

#[tokio::test]
async fn resync_is_refused_once_the_warehouse_order_is_final_or_cancelled() {
    let t = spawn_flow(settings()).await;
    t.good_to_go("g4", &good_to_go("4-1"))
        .await
        .expect("import");
    t.shipped("s4", &shipped("S4-1", &[("11", 2, 2), ("12", 1, 1)]))
        .await
        .expect("completed");
    let refused = refusal("4-1", t.flow.resync("shop1", "4-1").await);
    assert!(
        matches!(
            refused,
            CommandRefusal::WarehouseOrderFinal {
                state: ShipmentState::Completed
            }
        ),
        "{refused:?}"
    );

    t.good_to_go("g5", &good_to_go("5-1"))
        .await
        .expect("import");
    t.wms.with(|w| {
        w.work_started.insert("S5-1".into());
    });
    let cancelled = events::ShipmentCancelled {
        endpoint: "shop1".into(),
        shipment_id: "5-1".into(),
        order_id: "5".into(),
        reason: "order cancelled".into(),
        ..events::ShipmentCancelled::default()
    };
    t.flow
        .on_shipment_cancelled(&MessageId::new("c5"), &cancelled)
        .await
        .expect("cancellation refused, parked");
    let refused = refusal("5-1", t.flow.resync("shop1", "5-1").await);
    assert!(
        matches!(refused, CommandRefusal::CancelledInCentra),
        "{refused:?}"
    );
    t.wms
        .with(|w| assert_eq!(w.upserts, 2, "neither was written again"));
}

/// The admin service answers a refusal with `FAILED_PRECONDITION` and the flow error's text.
#[tokio::test]
async fn the_admin_answers_a_refusal_as_a_failed_precondition() {
    let t = spawn_flow(settings()).await;
    t.good_to_go("g", &good_to_go("6-1")).await.expect("import");
    t.shipped("s", &shipped("S6-1", &[("11", 2, 2), ("12", 1, 1)]))
        .await
        .expect("completed");
    let expected = t
        .flow
        .resync("shop1", "6-1")
        .await
        .expect_err("refused")
        .to_string();
    let error = Admin::new(t.flow.clone())
        .resync(Request::new(pb::ResyncOrderRequest {
            key: Some(pb::OrderKey {
                endpoint: "shop1".into(),
                id: Some(pb::order_key::Id::ShipmentId("6-1".into())),
            }),
        }))
        .await
        .expect_err("refused");
    assert_eq!(error.code(), Code::FailedPrecondition);
    assert_eq!(error.message(), expected);
    assert_eq!(
        expected,
        "shipment 6-1 is completed; the warehouse order can no longer change"
    );
}
