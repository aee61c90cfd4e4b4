//! Capture on import: only once the warehouse accepted the order, never twice, and a refused
//! capture cancels that order so the shipment never ships unpaid; every step resumes after a
//! crash or an outage without writing the order again.

use std::collections::HashSet;

use domain::ParkReason;
use domain::settings::{CapturePolicy, ImportFilter};
use order_sync::fakes::Fault;
use order_sync::flow::FlowError;
use order_sync::rules::{HoldReason, ShipmentState};
use platform_store::MessageId;
use proto::events::v1 as events;

use crate::harness::{TestFlow, good_to_go, settings, shipped, spawn_flow};

/// A flow capturing on import, with `shipment_id` unpaid and capturable in Centra.
async fn capturing(shipment_id: &str) -> (TestFlow, events::ShipmentGoodToGo) {
    let mut s = settings();
    s.import_filter = ImportFilter::CaptureOnImport;
    s.capture = CapturePolicy::OnImport;
    let t = spawn_flow(s).await;
    t.centra.with(|c| c.unpaid.insert(shipment_id.into()));
    let mut event = good_to_go(shipment_id);
    event.paid = false;
    event.should_capture = true;
    (t, event)
}

fn captures(t: &TestFlow) -> Vec<String> {
    t.centra.with(|c| c.captures.clone())
}

#[tokio::test]
async fn an_order_the_warehouse_refuses_is_never_captured() {
    let (t, event) = capturing("3-1").await;
    t.wms
        .with(|w| w.known_articles = Some(HashSet::from(["ABD".to_owned()])));
    t.good_to_go("m", &event).await.expect("parked");
    let record = t.record("3-1").await;
    assert_eq!(
        record.hold_reason().map(HoldReason::kind),
        Some("article_missing")
    );
    assert!(!record.captured);
    assert!(captures(&t).is_empty(), "no money for a refused order");

    // The article arrives: the order goes in, then the capture, once.
    t.wms.with(|w| w.known_articles = None);
    let synced = events::ArticleSynced {
        warehouse: "main".into(),
        article_number: "ABC".into(),
        ..events::ArticleSynced::default()
    };
    t.flow
        .on_article_synced(&MessageId::new("a"), &synced)
        .await
        .expect("imported");
    let record = t.record("3-1").await;
    assert_eq!(record.state(), ShipmentState::Imported);
    assert!(record.captured);
    assert_eq!(captures(&t), vec!["3-1".to_owned()]);
    t.wms.with(|w| assert_eq!(w.creations, 1));
}

#[tokio::test]
async fn an_outage_of_the_wms_captures_nothing_then_imports_and_captures_once() {
    let (t, event) = capturing("3-2").await;
    t.wms.with(|w| w.next_fault = Fault::Down);
    assert!(matches!(
        t.good_to_go("m", &event).await,
        Err(FlowError::Unavailable(_))
    ));
    assert!(
        captures(&t).is_empty(),
        "nothing accepted, nothing captured"
    );
    t.good_to_go("m", &event).await.expect("retry");
    assert_eq!(t.record("3-2").await.state(), ShipmentState::Imported);
    assert_eq!(captures(&t), vec!["3-2".to_owned()]);
}

#[tokio::test]
async fn a_crash_between_the_order_and_the_capture_resumes_with_the_capture() {
    let (t, event) = capturing("5-1").await;
    // The order is accepted, then Centra is down: the capture is owed.
    t.centra.with(|c| c.next_fault = Fault::Down);
    assert!(matches!(
        t.good_to_go("m", &event).await,
        Err(FlowError::Unavailable(_))
    ));
    let record = t.record("5-1").await;
    assert_eq!(record.state(), ShipmentState::Received, "not imported yet");
    assert!(record.wms_order_id.is_some(), "the accepted order is saved");
    assert!(!record.captured);
    // The capture's answer is lost this time (Centra captured).
    t.centra.with(|c| c.next_fault = Fault::LoseAnswer);
    assert!(t.good_to_go("m", &event).await.is_err());
    t.good_to_go("m", &event).await.expect("third delivery");

    let record = t.record("5-1").await;
    assert_eq!(record.state(), ShipmentState::Imported);
    assert!(record.captured);
    assert_eq!(captures(&t), vec!["5-1".to_owned()], "captured once");
    t.wms.with(|w| {
        assert_eq!(w.upserts, 1, "the order is never written again");
        assert_eq!(w.cancel_calls, 0);
    });
    t.good_to_go("again", &event).await.expect("republished");
    t.wms.with(|w| assert_eq!(w.upserts, 1));
    assert_eq!(captures(&t).len(), 1);
}

#[tokio::test]
async fn a_refused_capture_cancels_the_order_so_it_never_ships() {
    let (t, event) = capturing("4-1").await;
    t.centra.with(|c| c.refuse_capture.insert("4-1".into()));
    t.good_to_go("m", &event).await.expect("handled");
    let record = t.record("4-1").await;
    assert_eq!(record.state(), ShipmentState::Failed);
    assert_eq!(
        record.hold_reason().cloned(),
        Some(HoldReason::Rule(ParkReason::CaptureFailed {
            message: "payment declined".into()
        }))
    );
    assert_eq!(record.wms_order_id, None, "no live warehouse order");
    t.wms.with(|w| {
        assert_eq!(w.upserts, 1, "accepted before the capture");
        assert!(w.cancelled.contains("S4-1"), "then cancelled");
    });
    t.good_to_go("m2", &event).await.expect("republished");
    t.wms.with(|w| {
        assert_eq!(w.upserts, 1, "never sent again");
        assert_eq!(w.cancel_calls, 1, "cancelled once");
    });
    // Even if the warehouse reported it shipped, it is not completed.
    t.shipped("s", &shipped("S4-1", &[("11", 2, 2)]))
        .await
        .expect("ignored");
    assert_eq!(t.completions(), 0);
    assert!(captures(&t).is_empty());
}

#[tokio::test]
async fn a_cancellation_lost_to_an_outage_is_finished_by_the_redelivery() {
    let (t, event) = capturing("4-2").await;
    t.centra.with(|c| c.next_fault = Fault::Down);
    assert!(t.good_to_go("m", &event).await.is_err(), "capture owed");
    // The capture is refused now, and the WMS is down for the cancellation.
    t.centra.with(|c| c.refuse_capture.insert("4-2".into()));
    t.wms.with(|w| w.next_fault = Fault::Down);
    assert!(matches!(
        t.good_to_go("m", &event).await,
        Err(FlowError::Unavailable(_))
    ));
    let record = t.record("4-2").await;
    assert_eq!(record.state(), ShipmentState::Failed);
    assert_eq!(
        record.hold_reason().map(HoldReason::kind),
        Some("capture_failed_cancelling"),
        "the cancellation owed is saved"
    );
    t.good_to_go("m", &event).await.expect("redelivery");
    let record = t.record("4-2").await;
    assert_eq!(
        record.hold_reason().map(HoldReason::kind),
        Some("capture_failed")
    );
    t.wms.with(|w| {
        assert_eq!(w.upserts, 1);
        assert_eq!(w.cancel_calls, 1);
        assert!(w.cancelled.contains("S4-2"));
    });
}

#[tokio::test]
async fn a_refused_capture_of_a_started_order_is_kept_for_a_person_who_retries_it() {
    let (t, event) = capturing("6-1").await;
    t.centra.with(|c| c.refuse_capture.insert("6-1".into()));
    // The warehouse starts picking the moment it has the order.
    t.wms.with(|w| w.work_started.insert("S6-1".into()));
    t.good_to_go("m", &event).await.expect("handled");
    let record = t.record("6-1").await;
    assert_eq!(record.state(), ShipmentState::Failed);
    let Some(HoldReason::CaptureFailedOrderKept { message, refusal }) = record.hold_reason() else {
        panic!("kept for a person: {:?}", record.hold_reason());
    };
    assert_eq!(message, "payment declined");
    assert!(refusal.contains("picking has started"), "{refusal}");
    assert!(record.wms_order_id.is_some(), "the order is still live");

    // The customer paid another way; a person retries: captured, never written again.
    t.centra.with(|c| c.refuse_capture.clear());
    let state = t.flow.retry("shop1", "6-1").await.expect("retried");
    assert_eq!(state, ShipmentState::Imported);
    assert_eq!(captures(&t), vec!["6-1".to_owned()]);
    t.wms.with(|w| {
        assert_eq!(w.upserts, 1);
        assert!(w.cancelled.is_empty());
    });
}
