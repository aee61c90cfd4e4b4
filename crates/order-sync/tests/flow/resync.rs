//! Writing an accepted WMS order again: never on a redelivery, and on a person's resync only
//! while the warehouse has not started on it (a started order is refused by name and kept).

use domain::PortErrorKind;
use order_sync::convert::shipment_from_event;
use order_sync::flow::FlowError;
use order_sync::rules::ShipmentState;

use crate::harness::{TestFlow, good_to_go, line, settings, spawn_flow};

/// `shipment_id` imported, and Centra now showing it with 5 of its first line.
async fn imported_then_changed(shipment_id: &str) -> TestFlow {
    let t = spawn_flow(settings()).await;
    t.good_to_go("g", &good_to_go(shipment_id))
        .await
        .expect("import");
    let mut changed = good_to_go(shipment_id);
    changed.lines[0] = line("11", "C", 5);
    let fresh = shipment_from_event(&changed).expect("shipment");
    t.centra
        .with(|c| c.shipments.insert(shipment_id.to_owned(), fresh));
    t
}

fn first_line_quantity(t: &TestFlow, order_number: &str) -> u32 {
    t.wms.with(|w| w.orders[order_number].lines[0].quantity)
}

#[tokio::test]
async fn a_redelivered_good_to_go_of_an_imported_shipment_makes_no_call() {
    let t = imported_then_changed("7-1").await;
    t.wms.with(|w| w.work_started.insert("S7-1".into()));
    let mut changed = good_to_go("7-1");
    changed.lines[0] = line("11", "C", 5);
    t.good_to_go("g", &changed).await.expect("redelivered");
    t.good_to_go("g-again", &changed)
        .await
        .expect("republished");
    t.wms.with(|w| {
        assert_eq!(w.upserts, 1, "no second write");
        assert_eq!(w.cancel_calls, 0);
    });
    assert_eq!(first_line_quantity(&t, "S7-1"), 2);
    assert_eq!(t.record("7-1").await.state(), ShipmentState::Imported);
}

#[tokio::test]
async fn a_resync_of_an_order_the_warehouse_started_is_refused_naming_it() {
    let t = imported_then_changed("7-2").await;
    t.wms.with(|w| w.work_started.insert("S7-2".into()));
    let error = t
        .flow
        .resync("shop1", "7-2")
        .await
        .expect_err("the warehouse started");
    let FlowError::OrderKept {
        shipment,
        wms_order_number,
        refusal,
    } = &error
    else {
        panic!("expected OrderKept, got {error:?}");
    };
    assert_eq!(shipment, "shop1/7-2");
    assert_eq!(wms_order_number, "S7-2");
    assert_eq!(refusal.kind(), PortErrorKind::Refused);
    assert!(error.to_string().contains("S7-2"), "{error}");

    let record = t.record("7-2").await;
    assert_eq!(
        record.state(),
        ShipmentState::Imported,
        "the record as it was"
    );
    assert_eq!(record.shipment.lines[0].quantity, 2);
    assert_eq!(first_line_quantity(&t, "S7-2"), 2, "the order as it was");
}

#[tokio::test]
async fn a_resync_of_an_order_not_started_updates_it() {
    let t = imported_then_changed("7-3").await;
    let state = t.flow.resync("shop1", "7-3").await.expect("resynced");
    assert_eq!(state, ShipmentState::Imported);
    assert_eq!(first_line_quantity(&t, "S7-3"), 5);
    assert_eq!(t.record("7-3").await.shipment.lines[0].quantity, 5);
    t.wms.with(|w| {
        assert_eq!(w.upserts, 2);
        assert_eq!(w.creations, 1, "the same order, updated");
    });
}
