//! Order import: `orders` imports each ready order once as one WMS order; under `both` the
//! first to arrive (order or shipment) wins and the other is not imported.

use bytes::Bytes;
use domain::settings::ImportMode;
use order_sync::consumers::{Feed, handle};
use order_sync::fakes::Fault;
use order_sync::flow::{FlowError, ORDER_READY};
use order_sync::orders::{OrderRecords, OrderState};
use order_sync::rules::{HoldReason, ShipmentState};
use platform_runtime::Handled;
use platform_store::MessageId;
use prost::Message;
use proto::events::v1 as events;

use crate::harness::{TestFlow, good_to_go, line, settings, spawn_flow};

fn ready(order_id: &str) -> events::OrderReady {
    let shipment = good_to_go(&format!("{order_id}-1"));
    events::OrderReady {
        endpoint: "shop1".into(),
        order_id: order_id.into(),
        order_status: "CONFIRMED".into(),
        delivery_address: shipment.delivery_address,
        shipping_method: shipment.shipping_method,
        lines: vec![line("11", "C", 2), line("12", "D", 1)],
        ..events::OrderReady::default()
    }
}

async fn flow(mode: ImportMode) -> TestFlow {
    let mut s = settings();
    s.import = mode;
    spawn_flow(s).await
}

impl TestFlow {
    async fn order_ready(&self, id: &str, event: &events::OrderReady) -> Result<(), FlowError> {
        self.flow.on_order_ready(&MessageId::new(id), event).await
    }

    async fn order_state(&self, order_id: &str) -> Option<OrderState> {
        OrderRecords::new(self.store.clone())
            .find("shop1", order_id)
            .await
            .expect("query")
            .map(|o| o.state())
    }
}

#[tokio::test]
async fn orders_mode_imports_each_order_once_by_its_deterministic_number() {
    let t = flow(ImportMode::Orders).await;
    t.order_ready("o", &ready("83651")).await.expect("import");
    t.order_ready("o", &ready("83651"))
        .await
        .expect("redelivery");
    t.order_ready("o2", &ready("83651"))
        .await
        .expect("a new version");
    assert_eq!(t.order_state("83651").await, Some(OrderState::Imported));
    t.wms.with(|w| {
        assert_eq!(w.upserts, 1, "imported exactly once");
        let order = &w.orders["S83651"];
        assert_eq!(order.centra_order_id, "83651");
        assert_eq!(order.lines.len(), 2);
        assert_eq!(order.lines[0].article_number.as_str(), "ABC");
        assert_eq!(order.consignee.name, "Ada Lovelace");
    });
    assert!(
        t.store
            .inbox()
            .contains(ORDER_READY, &MessageId::new("o"))
            .await
            .expect("inbox")
    );
}

#[tokio::test]
async fn a_held_order_waits_for_a_later_version() {
    let t = flow(ImportMode::Orders).await;
    let mut held = ready("5");
    held.on_hold = true;
    t.order_ready("o1", &held).await.expect("parked");
    assert_eq!(t.order_state("5").await, Some(OrderState::Parked));
    t.wms.with(|w| assert_eq!(w.upserts, 0));
    t.order_ready("o2", &ready("5")).await.expect("released");
    assert_eq!(t.order_state("5").await, Some(OrderState::Imported));
}

#[tokio::test]
async fn an_outage_keeps_the_intent_and_a_shipment_waits_behind_it() {
    let t = flow(ImportMode::Both).await;
    t.wms.with(|w| w.next_fault = Fault::Down);
    assert!(matches!(
        t.order_ready("o", &ready("6")).await,
        Err(FlowError::Unavailable(_))
    ));
    assert_eq!(t.order_state("6").await, Some(OrderState::Importing));
    // The order may be in the warehouse already: its shipment is not imported meanwhile.
    t.good_to_go("g", &good_to_go("6-1")).await.expect("parked");
    assert_eq!(t.record("6-1").await.state(), ShipmentState::Parked);
    t.order_ready("o", &ready("6")).await.expect("retried");
    assert_eq!(t.order_state("6").await, Some(OrderState::Imported));
    t.wms.with(|w| assert_eq!(w.upserts, 1));
}

#[tokio::test]
async fn under_both_an_imported_order_parks_its_later_shipment() {
    let t = flow(ImportMode::Both).await;
    t.order_ready("o", &ready("7")).await.expect("import");
    t.good_to_go("g", &good_to_go("7-1")).await.expect("parked");
    let record = t.record("7-1").await;
    assert_eq!(record.state(), ShipmentState::Parked);
    assert_eq!(
        record.hold_reason().cloned(),
        Some(HoldReason::OrderAlreadyImported {
            wms_order_number: "S7".into()
        })
    );
    assert_eq!(
        record.hold_reason().map(ToString::to_string).as_deref(),
        Some("order already imported as S7")
    );
    // A person's retry does not import it either.
    assert_eq!(
        t.flow.retry("shop1", "7-1").await.expect("retry"),
        ShipmentState::Parked
    );
    t.wms.with(|w| {
        assert_eq!(w.upserts, 1);
        assert!(w.orders.contains_key("S7") && !w.orders.contains_key("S7-1"));
    });
}

#[tokio::test]
async fn under_both_a_known_shipment_keeps_its_order_out() {
    let t = flow(ImportMode::Both).await;
    t.good_to_go("g", &good_to_go("8-1")).await.expect("import");
    t.order_ready("o", &ready("8"))
        .await
        .expect("left to the shipment");
    assert_eq!(t.record("8-1").await.state(), ShipmentState::Imported);
    assert_eq!(t.order_state("8").await, None);
    t.wms.with(|w| {
        assert_eq!(w.upserts, 1);
        assert!(!w.orders.contains_key("S8"));
    });
}

#[tokio::test]
async fn shipments_mode_ignores_ready_orders() {
    let t = flow(ImportMode::Shipments).await;
    assert!(!Feed::OrderReady.enabled(&settings()));
    t.order_ready("o", &ready("9")).await.expect("ignored");
    assert_eq!(t.order_state("9").await, None);
    t.wms.with(|w| assert_eq!(w.upserts, 0));
}

#[tokio::test]
async fn the_consumer_reads_ready_orders_and_rejects_bad_ones() {
    let t = flow(ImportMode::Orders).await;
    assert_eq!(Feed::OrderReady.filter("main"), "centra.*.order.ready");
    assert_eq!(Feed::OrderReady.consumer(), "order-sync-order-ready");
    let payload = Bytes::from(ready("10").encode_to_vec());
    let done = handle(&t.flow, Feed::OrderReady, MessageId::new("m"), payload, 1).await;
    assert!(matches!(done, Handled::Done), "{done:?}");
    assert_eq!(t.order_state("10").await, Some(OrderState::Imported));
    let bad = Bytes::from(ready("not a number").encode_to_vec());
    let rejected = handle(&t.flow, Feed::OrderReady, MessageId::new("n"), bad, 1).await;
    assert!(matches!(rejected, Handled::Rejected { .. }), "{rejected:?}");
}

/// Order import's orders are found by their Centra order id and WMS order number
/// (`OrderAdmin.FindShipments`), with no shipment of them in the table.
#[tokio::test]
async fn an_imported_order_is_found_by_its_order_id_and_wms_order_number() {
    use order_sync::admin::Admin;
    use proto::admin::v1 as pb;
    use proto::admin::v1::order_admin_server::OrderAdmin;
    use tonic::Request;

    let t = flow(ImportMode::Orders).await;
    t.order_ready("o", &ready("83651")).await.expect("import");
    let admin = Admin::new(t.flow.clone());
    for query in ["83651", "S83651"] {
        let found = admin
            .find_shipments(Request::new(pb::FindShipmentsRequest {
                query: query.into(),
            }))
            .await
            .expect("found")
            .into_inner();
        assert!(found.shipments.is_empty(), "{query}: no shipment imported");
        assert_eq!(found.orders.len(), 1, "{query}");
        let order = &found.orders[0];
        assert_eq!(
            (
                order.endpoint.as_str(),
                order.order_id.as_str(),
                order.wms_order_number.as_str(),
                order.state_name.as_str(),
            ),
            ("shop1", "83651", "S83651", "imported"),
            "{query}"
        );
        assert!(order.wms_order_id > 0, "{query}: {order:?}");
    }
    let missing = admin
        .find_shipments(Request::new(pb::FindShipmentsRequest {
            query: "404".into(),
        }))
        .await
        .expect_err("not found");
    assert_eq!(missing.code(), tonic::Code::NotFound);
}
