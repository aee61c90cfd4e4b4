//! The events the gateway publishes, their subjects and deterministic ids.
//!
//! Subjects (relative to the bus prefix), one family per end-point:
//!
//! ```text
//! centra.<endpoint>.shipment.good-to-go        ShipmentGoodToGo
//! centra.<endpoint>.shipment.cancelled         ShipmentCancelled
//! centra.<endpoint>.order.ready                OrderReady
//! centra.<endpoint>.product.changed            ProductChanged
//! centra.<endpoint>.supplier-delivery.created  SupplierDeliveryCreated
//! ```
//!
//! Payloads are prost-encoded `proto::events::v1` messages; the message id is the event id
//! (`centra:<endpoint>:shipment:<id>:gtg`, `centra:<endpoint>:shipment:<id>:cancelled`,
//! `centra:<endpoint>:order:<id>:ready-<version>`, see `domain::events`), so a republished fact
//! is dropped by the bus and by every consumer's inbox.

use chrono::{DateTime, Utc};
use domain::{DeliveryId, EndpointName, EventId, ShipmentChange, ShipmentId};
use platform_store::OutboxMessage;
use prost::Message;
use proto::events::v1 as pb;
use sha2::{Digest, Sha256};

use crate::client::{CentraDelivery, CentraOrder, CentraShipment};

/// `centra.<endpoint>.shipment.good-to-go`.
pub fn shipment_good_to_go_subject(endpoint: &EndpointName) -> String {
    format!("centra.{endpoint}.shipment.good-to-go")
}

/// `centra.<endpoint>.shipment.cancelled`.
pub fn shipment_cancelled_subject(endpoint: &EndpointName) -> String {
    format!("centra.{endpoint}.shipment.cancelled")
}

/// `centra.<endpoint>.order.ready`.
pub fn order_ready_subject(endpoint: &EndpointName) -> String {
    format!("centra.{endpoint}.order.ready")
}

/// `centra.<endpoint>.product.changed`.
pub fn product_changed_subject(endpoint: &EndpointName) -> String {
    format!("centra.{endpoint}.product.changed")
}

/// `centra.<endpoint>.supplier-delivery.created`.
pub fn supplier_delivery_created_subject(endpoint: &EndpointName) -> String {
    format!("centra.{endpoint}.supplier-delivery.created")
}

/// Header naming the payload's protobuf message type.
pub const TYPE_HEADER: &str = "content-type";

fn timestamp(at: Option<DateTime<Utc>>) -> Option<prost_types::Timestamp> {
    at.map(|t| prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: i32::try_from(t.timestamp_subsec_nanos()).unwrap_or(0),
    })
}

fn meta(id: &EventId, endpoint: &EndpointName, at: Option<DateTime<Utc>>) -> pb::EventMeta {
    pb::EventMeta {
        event_id: id.to_string(),
        occurred_at: timestamp(at),
        source: endpoint.to_string(),
    }
}

fn message(id: &EventId, subject: String, kind: &str, payload: Vec<u8>) -> OutboxMessage {
    OutboxMessage::new(id.as_str(), subject, payload).with_header(
        TYPE_HEADER,
        format!("application/x-protobuf; messageType={kind}"),
    )
}

/// `centra:<endpoint>:shipment:<id>:gtg` and its `ShipmentGoodToGo` message.
pub fn shipment_good_to_go(
    endpoint: &EndpointName,
    shipment: &CentraShipment,
) -> (EventId, OutboxMessage) {
    let id = EventId::centra_shipment(endpoint, &shipment.id, ShipmentChange::GoodToGo);
    let event = pb::ShipmentGoodToGo {
        meta: Some(meta(
            &id,
            endpoint,
            shipment.shipment_date.or(shipment.order_date),
        )),
        endpoint: endpoint.to_string(),
        shipment_id: shipment.id.to_string(),
        order_id: shipment.order_id.clone(),
        paid: shipment.paid,
        should_capture: shipment.should_capture,
        delivery_address: Some(shipment.delivery.clone()),
        shipping_method: Some(shipment.shipping.clone()),
        lines: shipment.lines.clone(),
        currency: shipment.currency.clone(),
        order_date: timestamp(shipment.order_date),
        on_hold: shipment.on_hold,
        suspect: shipment.suspect,
    };
    let msg = message(
        &id,
        shipment_good_to_go_subject(endpoint),
        "centrawms.events.v1.ShipmentGoodToGo",
        event.encode_to_vec(),
    );
    (id, msg)
}

/// `centra:<endpoint>:shipment:<id>:cancelled` and its `ShipmentCancelled` message. `reason`
/// says what the gateway saw (`shipment deleted`, `no longer good to go`).
pub fn shipment_cancelled(
    endpoint: &EndpointName,
    shipment_id: &ShipmentId,
    reason: &str,
    seen_at: DateTime<Utc>,
) -> (EventId, OutboxMessage) {
    let id = EventId::centra_shipment(endpoint, shipment_id, ShipmentChange::Cancelled);
    let event = pb::ShipmentCancelled {
        meta: Some(meta(&id, endpoint, Some(seen_at))),
        endpoint: endpoint.to_string(),
        shipment_id: shipment_id.to_string(),
        order_id: shipment_id.order_id().to_string(),
        reason: reason.to_owned(),
    };
    let msg = message(
        &id,
        shipment_cancelled_subject(endpoint),
        "centrawms.events.v1.ShipmentCancelled",
        event.encode_to_vec(),
    );
    (id, msg)
}

fn order_ready_event(endpoint: &EndpointName, order: &CentraOrder) -> pb::OrderReady {
    pb::OrderReady {
        meta: None,
        endpoint: endpoint.to_string(),
        order_id: order.id.to_string(),
        order_status: order.status_text.clone(),
        waiting_for_payment: order.waiting_for_payment,
        on_hold: order.on_hold,
        delivery_address: Some(order.delivery.clone()),
        shipping_method: Some(order.shipping.clone()),
        lines: order.lines.clone(),
        currency: order.currency.clone(),
        order_date: timestamp(order.order_date),
    }
}

/// A short, stable fingerprint of what the warehouse would do with an order: lines, address,
/// shipping, hold and payment flags. The status is left out on purpose: `Confirmed` turning
/// `Processing` (a shipment was created, often by centra-wms itself) is not a new fact for the
/// warehouse, while a released hold or changed lines are.
pub fn order_version(endpoint: &EndpointName, order: &CentraOrder) -> String {
    let mut event = order_ready_event(endpoint, order);
    event.order_status.clear();
    let digest = Sha256::digest(event.encode_to_vec());
    hex::encode(&digest[..8])
}

/// `centra:<endpoint>:order:<id>:ready-<version>` and its `OrderReady` message: one event per
/// [`order_version`].
pub fn order_ready(
    endpoint: &EndpointName,
    order: &CentraOrder,
    version: &str,
) -> (EventId, OutboxMessage) {
    let id = EventId::centra_order(endpoint, order.id, &format!("ready-{version}"));
    let mut event = order_ready_event(endpoint, order);
    event.meta = Some(meta(&id, endpoint, order.order_date));
    let msg = message(
        &id,
        order_ready_subject(endpoint),
        "centrawms.events.v1.OrderReady",
        event.encode_to_vec(),
    );
    (id, msg)
}

/// A short, stable fingerprint of a product as Centra shows it now: one event per version.
pub fn product_version(product: &pb::Product) -> String {
    let digest = Sha256::digest(product.encode_to_vec());
    hex::encode(&digest[..8])
}

/// `centra:<endpoint>:product:<id>:<version>` and its `ProductChanged` message.
pub fn product_changed(
    endpoint: &EndpointName,
    product: &pb::Product,
    version: &str,
    seen_at: DateTime<Utc>,
) -> (EventId, OutboxMessage) {
    let id = EventId::centra_product(endpoint, &product.product_id, version);
    let event = pb::ProductChanged {
        meta: Some(meta(&id, endpoint, Some(seen_at))),
        endpoint: endpoint.to_string(),
        product: Some(product.clone()),
    };
    let msg = message(
        &id,
        product_changed_subject(endpoint),
        "centrawms.events.v1.ProductChanged",
        event.encode_to_vec(),
    );
    (id, msg)
}

/// `centra:<endpoint>:delivery:<deliveryId>:created` and its `SupplierDeliveryCreated`.
pub fn supplier_delivery_created(
    endpoint: &EndpointName,
    number: &DeliveryId,
    delivery: &CentraDelivery,
) -> (EventId, OutboxMessage) {
    let id = EventId::centra_delivery(endpoint, number, "created");
    let event = pb::SupplierDeliveryCreated {
        meta: Some(meta(&id, endpoint, delivery.created)),
        endpoint: endpoint.to_string(),
        delivery_id: delivery.id.clone(),
        delivery_number: delivery.delivery_number.clone(),
        supplier_order_id: delivery.supplier_order_id.clone(),
        supplier_name: delivery.supplier_name.clone(),
        expected_arrival: timestamp(delivery.eta),
        message: delivery.message.clone(),
        lines: delivery
            .lines
            .iter()
            .map(|l| pb::SupplierDeliveryLine {
                sku: l.sku.clone(),
                variant_sku: l.variant_sku.clone(),
                size_sku: l.size_sku.clone(),
                ean: l.ean.clone(),
                quantity: l.quantity,
                product_name: l.product_name.clone(),
                variant_name: l.variant_name.clone(),
                size_name: l.size_name.clone(),
            })
            .collect(),
    };
    let msg = message(
        &id,
        supplier_delivery_created_subject(endpoint),
        "centrawms.events.v1.SupplierDeliveryCreated",
        event.encode_to_vec(),
    );
    (id, msg)
}
