//! Capture on import when the warehouse ships first: the capture was still being retried (a
//! 5xx, a 429, a lost answer) as the order shipped. The shipped report makes that capture,
//! once, after the quantities of a partial pick and before completing; Centra's `paid` is read
//! before every attempt, so a capture whose answer was lost is never sent again; a declined one
//! fails the shipment as any declined capture on import.

use domain::settings::{CapturePolicy, ImportFilter};
use order_sync::fakes::Fault;
use order_sync::flow::FlowError;
use order_sync::rules::{HoldReason, ShipmentState};

use crate::harness::{TestFlow, good_to_go, settings, shipped, spawn_flow};

/// A flow capturing on import whose good-to-go for `shipment_id` got the WMS order accepted
/// while Centra was down for the capture: the capture is owed, its retry not yet run.
async fn capture_in_retry(shipment_id: &str) -> TestFlow {
    let mut s = settings();
    s.import_filter = ImportFilter::CaptureOnImport;
    s.capture = CapturePolicy::OnImport;
    let t = spawn_flow(s).await;
    t.centra.with(|c| c.unpaid.insert(shipment_id.into()));
    let mut event = good_to_go(shipment_id);
    event.paid = false;
    event.should_capture = true;
    t.centra.with(|c| c.next_fault = Fault::Down);
    assert!(matches!(
        t.good_to_go("g", &event).await,
        Err(FlowError::Unavailable(_))
    ));
    let record = t.record(shipment_id).await;
    assert_eq!(record.state(), ShipmentState::Received);
    assert!(record.wms_order_id.is_some() && !record.captured);
    t
}

/// The good-to-go of [`capture_in_retry`] again, as its redelivery brings it.
fn redelivered(shipment_id: &str) -> proto::events::v1::ShipmentGoodToGo {
    let mut event = good_to_go(shipment_id);
    event.paid = false;
    event.should_capture = true;
    event
}

#[tokio::test]
async fn a_capture_still_retried_when_the_warehouse_ships_is_made_once_then_completed_once() {
    let t = capture_in_retry("7-1").await;
    let report = shipped("S7-1", &[("11", 2, 2), ("12", 1, 1)]);
    // Centra is down again for the capture at shipping: nothing completed, the report kept.
    t.centra.with(|c| c.next_fault = Fault::Down);
    assert!(matches!(
        t.shipped("s", &report).await,
        Err(FlowError::Unavailable(_))
    ));
    let record = t.record("7-1").await;
    assert_eq!(record.state(), ShipmentState::Shipped, "{record:?}");
    assert!(record.shipped.is_some());
    assert_eq!(t.completions(), 0);

    // The good-to-go's retry comes now: the shipped report owns the capture, nothing is sent.
    t.good_to_go("g", &redelivered("7-1"))
        .await
        .expect("good to go again");
    t.centra.with(|c| assert!(c.captures.is_empty()));

    // The shipped report's redelivery: captured, then completed without a capture flag.
    t.shipped("s", &report).await.expect("redelivery");
    let record = t.record("7-1").await;
    assert_eq!(record.state(), ShipmentState::Completed);
    assert!(record.captured);
    t.centra.with(|c| {
        assert_eq!(c.captures, vec!["7-1".to_owned()], "captured once");
        assert_eq!(c.completions.len(), 1, "completed once");
        assert!(!c.completions[0].capture, "the capture was on import");
        assert!(c.quantity_updates.is_empty(), "a full pick");
    });

    // Republished and redelivered events change nothing.
    t.shipped("s2", &report).await.expect("republished");
    t.good_to_go("g2", &redelivered("7-1"))
        .await
        .expect("good to go, republished");
    t.centra.with(|c| {
        assert_eq!(c.captures.len(), 1);
        assert_eq!(c.completions.len(), 1);
    });
    t.wms
        .with(|w| assert_eq!(w.upserts, 1, "the order is never written again"));
}

#[tokio::test]
async fn a_capture_answer_lost_at_shipping_is_read_from_centra_never_sent_again() {
    let t = capture_in_retry("7-2").await;
    let report = shipped("S7-2", &[("11", 2, 2), ("12", 1, 1)]);
    t.centra.with(|c| c.next_fault = Fault::LoseAnswer);
    assert!(t.shipped("s", &report).await.is_err(), "outcome unknown");
    t.shipped("s", &report).await.expect("redelivery");
    assert_eq!(t.record("7-2").await.state(), ShipmentState::Completed);
    t.centra.with(|c| {
        assert_eq!(c.capture_calls, 2, "one at import (down), one at shipping");
        assert_eq!(c.captures, vec!["7-2".to_owned()]);
        assert_eq!(c.completions.len(), 1);
    });
}

#[tokio::test]
async fn a_partial_pick_sets_the_quantities_then_captures_what_shipped_then_completes() {
    let t = capture_in_retry("7-3").await;
    let report = shipped("S7-3", &[("11", 2, 1), ("12", 1, 1)]);
    // The capture goes through but its answer is lost: Centra is paid now, for what shipped.
    t.centra.with(|c| c.next_capture_fault = Fault::LoseAnswer);
    assert!(t.shipped("s", &report).await.is_err(), "outcome unknown");
    let record = t.record("7-3").await;
    assert_eq!(record.state(), ShipmentState::Shipped);
    assert!(record.captured_after_shipping, "the intent is saved");
    t.centra.with(|c| {
        assert_eq!(
            c.quantity_updates.len(),
            1,
            "the quantities before the capture"
        );
        assert_eq!(c.captures.len(), 1);
    });

    // Paid now, but by our capture after the quantities: completed, not parked.
    t.shipped("s", &report).await.expect("redelivery");
    assert_eq!(t.record("7-3").await.state(), ShipmentState::Completed);
    t.centra.with(|c| {
        assert_eq!(c.capture_calls, 2, "one at import (down), one at shipping");
        assert_eq!(c.captures, vec!["7-3".to_owned()]);
        assert_eq!(c.quantity_updates.len(), 1);
        let lines: Vec<(String, u32)> = c.quantity_updates[0]
            .lines
            .iter()
            .map(|(line, units)| (line.as_str().to_owned(), *units))
            .collect();
        assert_eq!(lines, vec![("11".to_owned(), 1), ("12".to_owned(), 1)]);
        assert_eq!(c.completions.len(), 1);
        assert!(!c.completions[0].capture);
    });
}

#[tokio::test]
async fn a_capture_declined_at_shipping_fails_the_shipment_as_at_import() {
    let t = capture_in_retry("7-4").await;
    t.centra.with(|c| c.refuse_capture.insert("7-4".into()));
    // The warehouse shipped: it refuses to cancel the order.
    t.wms.with(|w| w.work_started.insert("S7-4".into()));
    let report = shipped("S7-4", &[("11", 2, 2), ("12", 1, 1)]);
    t.shipped("s", &report).await.expect("handled");
    let record = t.record("7-4").await;
    assert_eq!(record.state(), ShipmentState::Failed);
    let Some(HoldReason::CaptureFailedOrderKept { message, refusal }) = record.hold_reason() else {
        panic!("kept for a person: {:?}", record.hold_reason());
    };
    assert_eq!(message, "payment declined");
    assert!(refusal.contains("picking has started"), "{refusal}");
    t.shipped("s2", &report).await.expect("republished");
    assert_eq!(t.completions(), 0, "never completed unpaid");
    t.centra.with(|c| assert!(c.captures.is_empty()));
    t.wms.with(|w| assert_eq!(w.cancel_calls, 1));
}

#[tokio::test]
async fn a_cancellation_owed_after_a_capture_declined_at_shipping_is_finished_by_the_redelivery() {
    let t = capture_in_retry("7-5").await;
    t.centra.with(|c| c.refuse_capture.insert("7-5".into()));
    t.wms.with(|w| {
        w.work_started.insert("S7-5".into());
        w.next_fault = Fault::Down;
    });
    let report = shipped("S7-5", &[("11", 2, 2), ("12", 1, 1)]);
    assert!(matches!(
        t.shipped("s", &report).await,
        Err(FlowError::Unavailable(_))
    ));
    assert_eq!(
        t.record("7-5").await.hold_reason().map(HoldReason::kind),
        Some("capture_failed_cancelling"),
        "the cancellation owed is saved"
    );
    t.shipped("s", &report).await.expect("redelivery");
    assert_eq!(
        t.record("7-5").await.hold_reason().map(HoldReason::kind),
        Some("capture_failed_order_kept")
    );
    assert_eq!(t.completions(), 0);
    t.centra
        .with(|c| assert_eq!(c.capture_calls, 2, "never captured again"));
}
