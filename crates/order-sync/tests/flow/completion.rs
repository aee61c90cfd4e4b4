//! Shipped -> quantities (when partial) -> completed once, with an explicit capture flag.

use domain::settings::{CapturePolicy, CompletionPolicy};
use order_sync::fakes::Fault;
use order_sync::flow::ManualCompletion;
use order_sync::rules::{HoldReason, ShipmentState};
use proto::events::v1 as events;

use crate::harness::{good_to_go, settings, shipped, spawn_flow};

#[tokio::test]
async fn shipped_with_tracking_completes_once_with_capture_false() {
    let t = spawn_flow(settings()).await;
    t.good_to_go("g", &good_to_go("1-1")).await.expect("import");
    let report = shipped("S1-1", &[("11", 2, 2), ("12", 1, 1)]);
    t.shipped("s", &report).await.expect("complete");
    t.shipped("s", &report).await.expect("redelivery");
    t.shipped("s2", &report).await.expect("republished");
    assert_eq!(t.record("1-1").await.state(), ShipmentState::Completed);
    t.centra.with(|c| {
        assert_eq!(c.completions.len(), 1);
        let done = &c.completions[0];
        assert!(!done.capture, "never: capture:false sent explicitly");
        assert_eq!(done.tracking_numbers, vec!["WB123".to_owned()]);
        assert_eq!(done.carrier, "DHL");
        assert_eq!(done.service, "EXP");
        assert_eq!(done.order_id, "1");
        assert!(c.quantity_updates.is_empty());
        assert!(c.captures.is_empty());
    });
    // stock-sync hears of it: one event with the shipment's items, whatever the redeliveries.
    let id = domain::EventId::from_parts(["centra", "shop1", "shipment", "1-1", "completed"]);
    let entry = t
        .store
        .outbox()
        .get(&platform_store::MessageId::new(id.as_str()))
        .await
        .expect("outbox")
        .expect("a completion event");
    assert_eq!(entry.message.subject, "centra.shop1.shipment.completed");
    let event =
        <events::ShipmentCompleted as prost::Message>::decode(entry.message.payload.as_ref())
            .expect("a ShipmentCompleted");
    assert_eq!(event.shipment_id, "1-1");
    assert_eq!(event.items.len(), 2);
    assert_eq!(
        t.store.outbox().unpublished_count().await.expect("count"),
        1
    );
    // A late good-to-go copy does not import again.
    t.good_to_go("g-late", &good_to_go("1-1"))
        .await
        .expect("late");
    t.wms.with(|w| {
        assert_eq!(w.upserts, 1);
        assert_eq!(w.acknowledged.len(), 1, "picked quantities acknowledged");
    });
}

#[tokio::test]
async fn a_lost_completion_answer_does_not_complete_twice() {
    let t = spawn_flow(settings()).await;
    t.good_to_go("g", &good_to_go("2-1")).await.expect("import");
    t.centra.with(|c| c.next_fault = Fault::LoseAnswer);
    let report = shipped("S2-1", &[("11", 2, 2), ("12", 1, 1)]);
    assert!(t.shipped("s", &report).await.is_err());
    assert_eq!(t.record("2-1").await.state(), ShipmentState::Shipped);
    t.shipped("s", &report).await.expect("redelivered");
    assert_eq!(t.record("2-1").await.state(), ShipmentState::Completed);
    assert_eq!(t.completions(), 1);
}

#[tokio::test]
async fn capture_on_completion_sends_capture_true() {
    let mut s = settings();
    s.capture = CapturePolicy::OnCompletion;
    let t = spawn_flow(s).await;
    t.centra.with(|c| c.unpaid.insert("3-1".into()));
    let mut event = good_to_go("3-1");
    event.paid = false;
    t.good_to_go("g", &event).await.expect("import");
    t.shipped("s", &shipped("S3-1", &[("11", 2, 2), ("12", 1, 1)]))
        .await
        .expect("complete");
    t.centra.with(|c| {
        assert!(c.completions[0].capture);
        assert_eq!(c.captures, vec!["3-1".to_owned()]);
    });
}

#[tokio::test]
async fn on_import_policy_completes_with_capture_false() {
    let mut s = settings();
    s.capture = CapturePolicy::OnImport;
    let t = spawn_flow(s).await;
    t.good_to_go("g", &good_to_go("9-1")).await.expect("import");
    t.shipped("s", &shipped("S9-1", &[("11", 2, 2), ("12", 1, 1)]))
        .await
        .expect("complete");
    t.centra.with(|c| assert!(!c.completions[0].capture));
}

#[tokio::test]
async fn unpaid_under_never_is_parked_once_shipped_and_never_captured() {
    let t = spawn_flow(settings()).await;
    t.centra.with(|c| c.unpaid.insert("4-1".into()));
    let mut event = good_to_go("4-1");
    event.paid = false;
    t.good_to_go("g", &event)
        .await
        .expect("imported: filter none");
    t.shipped("s", &shipped("S4-1", &[("11", 2, 2), ("12", 1, 1)]))
        .await
        .expect("parked");
    let record = t.record("4-1").await;
    assert_eq!(record.state(), ShipmentState::Parked);
    assert_eq!(
        record.hold_reason().cloned(),
        Some(HoldReason::UnpaidAtCompletion)
    );
    t.centra.with(|c| {
        assert!(c.completions.is_empty());
        assert!(c.captures.is_empty());
    });
    // Paid elsewhere, a person retries: now it completes.
    t.centra.with(|c| c.unpaid.clear());
    let state = t.flow.retry("shop1", "4-1").await.expect("retry");
    assert_eq!(state, ShipmentState::Completed);
    assert_eq!(t.completions(), 1);
}

#[tokio::test]
async fn partial_picks_update_quantities_before_completing() {
    let mut s = settings();
    s.capture = CapturePolicy::OnCompletion;
    let t = spawn_flow(s).await;
    t.centra.with(|c| c.unpaid.insert("5-1".into()));
    let mut event = good_to_go("5-1");
    event.paid = false;
    t.good_to_go("g", &event).await.expect("import");
    t.centra.with(|c| c.next_fault = Fault::LoseAnswer);
    let report = shipped("S5-1", &[("11", 2, 1), ("12", 1, 1)]);
    assert!(
        t.shipped("s", &report).await.is_err(),
        "quantity answer lost"
    );
    t.shipped("s", &report).await.expect("redelivered");
    t.centra.with(|c| {
        assert_eq!(c.quantity_updates.len(), 1);
        let lines: Vec<(String, u32)> = c.quantity_updates[0]
            .lines
            .iter()
            .map(|(line, quantity)| (line.as_str().to_owned(), *quantity))
            .collect();
        assert_eq!(lines, vec![("11".to_owned(), 1), ("12".to_owned(), 1)]);
        assert_eq!(c.completions.len(), 1);
        assert!(c.completions[0].capture);
    });
}

#[tokio::test]
async fn a_partial_pick_of_a_paid_shipment_is_parked() {
    let t = spawn_flow(settings()).await;
    t.good_to_go("g", &good_to_go("5-2")).await.expect("import");
    t.shipped("s", &shipped("S5-2", &[("11", 2, 1), ("12", 1, 1)]))
        .await
        .expect("parked");
    let record = t.record("5-2").await;
    assert_eq!(record.state(), ShipmentState::Parked);
    assert_eq!(
        record.hold_reason().cloned(),
        Some(HoldReason::PartialPickOfPaidShipment)
    );
    t.centra.with(|c| {
        assert!(c.quantity_updates.is_empty());
        assert!(c.completions.is_empty());
    });
}

#[tokio::test]
async fn completion_waits_for_tracking_and_keeps_every_parcel() {
    let t = spawn_flow(settings()).await;
    t.good_to_go("g", &good_to_go("6-1")).await.expect("import");
    let mut report = shipped("S6-1", &[("11", 2, 2), ("12", 1, 1)]);
    report.tracking.clear();
    t.shipped("s1", &report).await.expect("waits");
    assert_eq!(t.record("6-1").await.state(), ShipmentState::Shipped);
    assert_eq!(t.completions(), 0);
    report.tracking = vec![events::Tracking {
        number: "WB9".into(),
        ..events::Tracking::default()
    }];
    report.parcels = vec![
        events::Parcel {
            parcel_number: "P1".into(),
            ..events::Parcel::default()
        },
        events::Parcel {
            parcel_number: "P2".into(),
            ..events::Parcel::default()
        },
    ];
    t.shipped("s2", &report).await.expect("complete");
    t.centra.with(|c| {
        assert_eq!(c.completions.len(), 1);
        assert_eq!(c.completions[0].tracking_numbers, vec!["WB9", "P1", "P2"]);
        assert_eq!(c.completions[0].packages, 2);
    });
}

#[tokio::test]
async fn manual_completion_waits_for_a_person_with_an_explicit_flag() {
    let mut s = settings();
    s.completion = CompletionPolicy::Manual;
    let t = spawn_flow(s).await;
    t.good_to_go("g", &good_to_go("7-1")).await.expect("import");
    t.shipped("s", &shipped("S7-1", &[("11", 2, 2), ("12", 1, 1)]))
        .await
        .expect("waits");
    assert_eq!(t.record("7-1").await.state(), ShipmentState::Shipped);
    assert_eq!(t.completions(), 0);
    let (already, state) = t
        .flow
        .complete_manually(
            "shop1",
            "7-1",
            ManualCompletion {
                capture: false,
                note: "checked by hand".into(),
                ..ManualCompletion::default()
            },
        )
        .await
        .expect("completed");
    assert!(!already);
    assert_eq!(state, ShipmentState::Completed);
    t.centra.with(|c| {
        assert!(!c.completions[0].capture);
        assert_eq!(c.completions[0].tracking_numbers, vec!["WB123".to_owned()]);
        assert_eq!(c.completions[0].internal_comment, "checked by hand");
    });
    let (already, _) = t
        .flow
        .complete_manually("shop1", "7-1", ManualCompletion::default())
        .await
        .expect("again");
    assert!(already);
    assert_eq!(t.completions(), 1);
}

#[tokio::test]
async fn already_completed_in_centra_is_success() {
    let t = spawn_flow(settings()).await;
    t.good_to_go("g", &good_to_go("8-1")).await.expect("import");
    t.centra.with(|c| c.completed.insert("8-1".into()));
    t.shipped("s", &shipped("S8-1", &[("11", 2, 2), ("12", 1, 1)]))
        .await
        .expect("done");
    assert_eq!(t.record("8-1").await.state(), ShipmentState::Completed);
    assert_eq!(t.completions(), 0);
}

#[tokio::test]
async fn shipped_orders_we_never_imported_are_ignored() {
    let t = spawn_flow(settings()).await;
    t.shipped("s", &shipped("S99-1", &[("11", 1, 1)]))
        .await
        .expect("unknown");
    t.shipped("s2", &shipped("OTHER-1", &[("11", 1, 1)]))
        .await
        .expect("foreign");
    assert_eq!(t.completions(), 0);
}
