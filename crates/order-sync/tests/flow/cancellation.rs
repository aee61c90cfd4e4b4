//! Centra cancellations: cancelled in the WMS while it allows it, otherwise parked for a person;
//! never imported afterwards; completed shipments untouched; redelivery changes nothing.

use bytes::Bytes;
use order_sync::consumers::{Feed, handle};
use order_sync::fakes::Fault;
use order_sync::flow::{FlowError, SHIPMENT_CANCELLED};
use order_sync::rules::{HoldReason, ShipmentState};
use platform_runtime::Handled;
use platform_store::MessageId;
use prost::Message;
use proto::events::v1 as events;

use crate::harness::{TestFlow, good_to_go, settings, shipped, spawn_flow};

fn cancelled(shipment_id: &str) -> events::ShipmentCancelled {
    events::ShipmentCancelled {
        endpoint: "shop1".into(),
        shipment_id: shipment_id.into(),
        order_id: shipment_id.split('-').next().unwrap_or_default().into(),
        reason: "order cancelled".into(),
        ..events::ShipmentCancelled::default()
    }
}

impl TestFlow {
    async fn cancel(&self, id: &str, event: &events::ShipmentCancelled) -> Result<(), FlowError> {
        self.flow
            .on_shipment_cancelled(&MessageId::new(id), event)
            .await
    }
}

#[tokio::test]
async fn an_imported_shipment_is_cancelled_in_the_wms_once() {
    let t = spawn_flow(settings()).await;
    t.good_to_go("g", &good_to_go("1-1")).await.expect("import");
    t.cancel("c", &cancelled("1-1")).await.expect("cancel");
    t.cancel("c", &cancelled("1-1")).await.expect("redelivery");
    t.cancel("c2", &cancelled("1-1"))
        .await
        .expect("republished");

    let record = t.record("1-1").await;
    assert_eq!(record.state(), ShipmentState::Cancelled);
    assert_eq!(record.hold_reason().cloned(), None);
    t.wms.with(|w| {
        assert!(w.cancelled.contains("S1-1"));
        assert_eq!(w.cancel_calls, 1, "redeliveries call the wms no more");
    });
    assert!(
        t.store
            .inbox()
            .contains(SHIPMENT_CANCELLED, &MessageId::new("c"))
            .await
            .expect("inbox")
    );
}

#[tokio::test]
async fn a_shipment_not_yet_imported_is_cancelled_and_never_imported_later() {
    let t = spawn_flow(settings()).await;
    t.cancel("c", &cancelled("2-1")).await.expect("cancel");
    let record = t.record("2-1").await;
    assert_eq!(record.state(), ShipmentState::Cancelled);
    assert_eq!(record.wms_order_number, "S2-1");
    assert_eq!(record.order_id, "2");

    t.good_to_go("g", &good_to_go("2-1"))
        .await
        .expect("late good to go");
    assert_eq!(t.record("2-1").await.state(), ShipmentState::Cancelled);
    t.wms.with(|w| {
        assert_eq!(w.upserts, 0, "a cancelled shipment is never imported");
        assert_eq!(w.cancel_calls, 0, "nothing to cancel in the warehouse");
    });
}

#[tokio::test]
async fn a_refusal_because_work_started_parks_it_for_a_person() {
    let t = spawn_flow(settings()).await;
    t.good_to_go("g", &good_to_go("3-1")).await.expect("import");
    t.wms.with(|w| {
        w.work_started.insert("S3-1".into());
    });
    t.cancel("c", &cancelled("3-1")).await.expect("handled");

    let record = t.record("3-1").await;
    assert_eq!(record.state(), ShipmentState::Parked);
    match record.hold_reason() {
        Some(HoldReason::CancellationRefused { reason, message }) => {
            assert_eq!(reason, "order cancelled");
            assert!(message.contains("picking has started"), "{message}");
        }
        other => panic!("unexpected hold {other:?}"),
    }
    assert!(
        record
            .hold_reason()
            .is_some_and(|h| h.to_string().contains("refused to cancel"))
    );

    // A good-to-go redelivery does not import it again.
    t.good_to_go("g2", &good_to_go("3-1")).await.expect("again");
    assert_eq!(t.record("3-1").await.state(), ShipmentState::Parked);
    t.wms.with(|w| assert_eq!(w.upserts, 1));

    // Once the warehouse stops the work, a person's retry finishes the cancellation.
    t.wms.with(|w| {
        w.work_started.clear();
    });
    let state = t.flow.retry("shop1", "3-1").await.expect("retry");
    assert_eq!(state, ShipmentState::Cancelled);
    t.wms.with(|w| assert!(w.cancelled.contains("S3-1")));
}

#[tokio::test]
async fn an_outage_keeps_the_intent_and_the_redelivery_finishes_it() {
    let t = spawn_flow(settings()).await;
    t.good_to_go("g", &good_to_go("4-1")).await.expect("import");
    t.wms.with(|w| w.next_fault = Fault::Down);
    assert!(matches!(
        t.cancel("c", &cancelled("4-1")).await,
        Err(FlowError::Unavailable(_))
    ));
    let record = t.record("4-1").await;
    assert_eq!(record.state(), ShipmentState::Parked);
    assert!(matches!(
        record.hold_reason().cloned(),
        Some(HoldReason::CancellationPending { .. })
    ));
    assert!(
        !t.store
            .inbox()
            .contains(SHIPMENT_CANCELLED, &MessageId::new("c"))
            .await
            .expect("inbox")
    );
    // The answer of the next try is lost after the WMS cancelled: "already cancelled" is success.
    t.wms.with(|w| w.next_fault = Fault::LoseAnswer);
    assert!(t.cancel("c", &cancelled("4-1")).await.is_err());
    t.cancel("c", &cancelled("4-1")).await.expect("third try");
    assert_eq!(t.record("4-1").await.state(), ShipmentState::Cancelled);
}

#[tokio::test]
async fn shipped_is_flagged_and_completed_is_never_touched() {
    let t = spawn_flow(settings()).await;
    // Shipped without tracking waits (not completed), so the cancellation finds it shipped.
    let mut settings = settings();
    settings.completion = domain::settings::CompletionPolicy::Manual;
    let t_shipped = spawn_flow(settings).await;
    t_shipped
        .good_to_go("g", &good_to_go("5-1"))
        .await
        .expect("import");
    t_shipped
        .shipped("s", &shipped("S5-1", &[("11", 2, 2), ("12", 1, 1)]))
        .await
        .expect("shipped");
    assert_eq!(
        t_shipped.record("5-1").await.state(),
        ShipmentState::Shipped
    );
    t_shipped
        .cancel("c", &cancelled("5-1"))
        .await
        .expect("cancel");
    let record = t_shipped.record("5-1").await;
    assert_eq!(record.state(), ShipmentState::Parked);
    assert!(matches!(
        record.hold_reason().cloned(),
        Some(HoldReason::CancelledAfterShipping { .. })
    ));
    t_shipped.wms.with(|w| assert_eq!(w.cancel_calls, 0));

    t.good_to_go("g", &good_to_go("6-1")).await.expect("import");
    t.shipped("s", &shipped("S6-1", &[("11", 2, 2), ("12", 1, 1)]))
        .await
        .expect("shipped");
    assert_eq!(t.record("6-1").await.state(), ShipmentState::Completed);
    t.cancel("c", &cancelled("6-1")).await.expect("cancel");
    assert_eq!(t.record("6-1").await.state(), ShipmentState::Completed);
    t.wms.with(|w| assert_eq!(w.cancel_calls, 0));
}

#[tokio::test]
async fn the_consumer_reads_cancellations_and_rejects_bad_ones() {
    let t = spawn_flow(settings()).await;
    assert_eq!(
        Feed::ShipmentCancelled.filter("main"),
        "centra.*.shipment.cancelled"
    );
    assert_eq!(
        Feed::ShipmentCancelled.consumer(),
        "order-sync-shipment-cancelled"
    );
    let payload = Bytes::from(cancelled("7-1").encode_to_vec());
    let done = handle(
        &t.flow,
        Feed::ShipmentCancelled,
        MessageId::new("m"),
        payload,
        1,
    )
    .await;
    assert!(matches!(done, Handled::Done), "{done:?}");
    assert_eq!(t.record("7-1").await.state(), ShipmentState::Cancelled);

    let bad = Bytes::from(cancelled("not a shipment").encode_to_vec());
    let rejected = handle(
        &t.flow,
        Feed::ShipmentCancelled,
        MessageId::new("n"),
        bad,
        1,
    )
    .await;
    assert!(matches!(rejected, Handled::Rejected { .. }), "{rejected:?}");
}

#[tokio::test]
async fn orders_mode_keeps_no_shipment_records_for_cancellations() {
    let mut s = settings();
    s.import = domain::settings::ImportMode::Orders;
    let t = spawn_flow(s).await;
    t.cancel("c", &cancelled("8-1")).await.expect("ignored");
    assert!(
        t.flow
            .records()
            .find("shop1", "8-1")
            .await
            .expect("query")
            .is_none()
    );
    assert!(
        t.store
            .inbox()
            .contains(SHIPMENT_CANCELLED, &MessageId::new("c"))
            .await
            .expect("inbox")
    );
}

#[tokio::test]
async fn an_order_whose_import_answer_was_lost_is_still_cancelled_in_the_wms() {
    let t = spawn_flow(settings()).await;
    t.wms.with(|w| w.next_fault = Fault::LoseAnswer);
    assert!(t.good_to_go("g", &good_to_go("9-1")).await.is_err());
    assert_eq!(t.record("9-1").await.wms_order_id, None);
    t.wms.with(|w| w.next_fault = Fault::Down);
    assert!(t.cancel("c", &cancelled("9-1")).await.is_err());
    t.cancel("c", &cancelled("9-1")).await.expect("redelivery");
    assert_eq!(t.record("9-1").await.state(), ShipmentState::Cancelled);
    t.wms
        .with(|w| assert!(w.cancelled.contains("S9-1"), "the wms order was cancelled"));
}
