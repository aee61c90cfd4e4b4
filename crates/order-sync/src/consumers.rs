//! The three bus consumers, fed by the runtime's [`consume`] loop: decode, hand to the flow,
//! answer with [`Handled`].
//!
//! ```text
//! centra.*.shipment.good-to-go        ShipmentGoodToGo -> OrderFlow::on_good_to_go
//! centra.*.shipment.cancelled         ShipmentCancelled -> OrderFlow::on_shipment_cancelled
//! centra.*.order.ready                OrderReady       -> OrderFlow::on_order_ready
//! wms.<warehouse>.order.shipped       WmsOrderShipped  -> OrderFlow::on_shipped
//! wms.<warehouse>.article.synced      ArticleSynced    -> OrderFlow::on_article_synced
//! centra.*.supplier-delivery.created  SupplierDeliveryCreated  -> on_supplier_delivery
//! wms.<warehouse>.purchase_order.received  WmsPurchaseOrderReceived -> on_purchase_order_received
//! ```
//!
//! The last two run only with `settings.purchase_orders`; `order.ready` only when
//! `settings.import` is `orders` or `both`.

use std::time::Duration;

use bytes::Bytes;

use platform_bus::{Bus, BusError, ConsumerConfig, Delivery};
use platform_runtime::{
    CancellationToken, Handled, Redelivery, Subscription, consume_concurrently, keep_and_reject,
};
use platform_store::MessageId;
use prost::Message;
use proto::events::v1 as events;

use domain::Settings;

use crate::convert::ConvertError;
use crate::flow::{
    ARTICLE_SYNCED, FlowError, GOOD_TO_GO, ORDER_READY, OrderFlow, PURCHASE_ORDER_RECEIVED,
    SHIPMENT_CANCELLED, SHIPPED, SUPPLIER_DELIVERY,
};

/// Which event a consumer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    GoodToGo,
    ShipmentCancelled,
    OrderReady,
    Shipped,
    ArticleSynced,
    SupplierDelivery,
    PurchaseOrderReceived,
}

impl Feed {
    pub const ALL: [Self; 7] = [
        Self::GoodToGo,
        Self::ShipmentCancelled,
        Self::OrderReady,
        Self::Shipped,
        Self::ArticleSynced,
        Self::SupplierDelivery,
        Self::PurchaseOrderReceived,
    ];

    /// Whether the tenant's settings use this feed.
    pub fn enabled(self, settings: &Settings) -> bool {
        match self {
            Self::SupplierDelivery | Self::PurchaseOrderReceived => settings.purchase_orders,
            Self::OrderReady => settings.import.imports_orders(),
            _ => true,
        }
    }

    /// The durable consumer (and inbox) name.
    pub fn consumer(self) -> &'static str {
        match self {
            Self::GoodToGo => GOOD_TO_GO,
            Self::ShipmentCancelled => SHIPMENT_CANCELLED,
            Self::OrderReady => ORDER_READY,
            Self::Shipped => SHIPPED,
            Self::ArticleSynced => ARTICLE_SYNCED,
            Self::SupplierDelivery => SUPPLIER_DELIVERY,
            Self::PurchaseOrderReceived => PURCHASE_ORDER_RECEIVED,
        }
    }

    pub fn filter(self, warehouse: &str) -> String {
        match self {
            Self::GoodToGo => "centra.*.shipment.good-to-go".to_owned(),
            Self::ShipmentCancelled => "centra.*.shipment.cancelled".to_owned(),
            Self::OrderReady => "centra.*.order.ready".to_owned(),
            Self::Shipped => format!("wms.{warehouse}.order.shipped"),
            Self::ArticleSynced => format!("wms.{warehouse}.article.synced"),
            Self::SupplierDelivery => "centra.*.supplier-delivery.created".to_owned(),
            Self::PurchaseOrderReceived => format!("wms.{warehouse}.purchase_order.received"),
        }
    }

    pub fn config(self, warehouse: &str) -> ConsumerConfig {
        ConsumerConfig::new(self.consumer())
            .with_filter(self.filter(warehouse))
            .with_ack_wait(Duration::from_secs(60))
    }
}

/// Backoff for a dependency that is down: 1 s doubling to a minute.
fn backoff(delivery_count: u32) -> Duration {
    Duration::from_secs(1u64 << delivery_count.saturating_sub(1).min(6))
        .min(Duration::from_secs(60))
}

/// Handles one delivery of `feed`.
pub async fn handle(
    flow: &OrderFlow,
    feed: Feed,
    id: MessageId,
    payload: Bytes,
    delivery_count: u32,
) -> Handled {
    let decode_error = |name: &str, e: prost::DecodeError| {
        FlowError::Invalid(ConvertError {
            record: format!("message {id}"),
            field: "payload",
            problem: format!("not a {name}: {e}"),
        })
    };
    let result = match feed {
        Feed::GoodToGo => match events::ShipmentGoodToGo::decode(payload.as_ref()) {
            Ok(event) => flow.on_good_to_go(&id, &event).await,
            Err(e) => Err(decode_error("ShipmentGoodToGo", e)),
        },
        Feed::ShipmentCancelled => match events::ShipmentCancelled::decode(payload.as_ref()) {
            Ok(event) => flow.on_shipment_cancelled(&id, &event).await,
            Err(e) => Err(decode_error("ShipmentCancelled", e)),
        },
        Feed::OrderReady => match events::OrderReady::decode(payload.as_ref()) {
            Ok(event) => flow.on_order_ready(&id, &event).await,
            Err(e) => Err(decode_error("OrderReady", e)),
        },
        Feed::Shipped => match events::WmsOrderShipped::decode(payload.as_ref()) {
            Ok(event) => flow.on_shipped(&id, &event).await,
            Err(e) => Err(decode_error("WmsOrderShipped", e)),
        },
        Feed::ArticleSynced => match events::ArticleSynced::decode(payload.as_ref()) {
            Ok(event) => flow.on_article_synced(&id, &event).await,
            Err(e) => Err(decode_error("ArticleSynced", e)),
        },
        Feed::SupplierDelivery => match events::SupplierDeliveryCreated::decode(payload.as_ref()) {
            Ok(event) => flow.on_supplier_delivery(&id, &event).await,
            Err(e) => Err(decode_error("SupplierDeliveryCreated", e)),
        },
        Feed::PurchaseOrderReceived => {
            match events::WmsPurchaseOrderReceived::decode(payload.as_ref()) {
                Ok(event) => flow.on_purchase_order_received(&id, &event).await,
                Err(e) => Err(decode_error("WmsPurchaseOrderReceived", e)),
            }
        }
    };
    match result {
        Ok(()) => Handled::Done,
        Err(FlowError::Invalid(e)) => {
            reject(flow, feed, &id, &payload, e.to_string(), delivery_count).await
        }
        Err(FlowError::Illegal(e)) => {
            tracing::error!(error = %e, "the state machine refused a change; message kept for a person");
            reject(flow, feed, &id, &payload, e.to_string(), delivery_count).await
        }
        Err(FlowError::Unavailable(error)) => Handled::Retry {
            after: backoff(delivery_count),
            reason: error.to_string(),
        },
        Err(error) => Handled::Retry {
            after: Duration::from_secs(5),
            reason: error.to_string(),
        },
    }
}

/// Keeps the message for a person (dead letter with the payload), then rejects it.
async fn reject(
    flow: &OrderFlow,
    feed: Feed,
    id: &MessageId,
    payload: &Bytes,
    reason: String,
    attempts: u32,
) -> Handled {
    // The protobuf bytes as hex, so a person (or a replay) has the message as received.
    keep_and_reject(
        flow.records().store(),
        feed.consumer(),
        id,
        payload,
        reason,
        attempts,
    )
    .await
}

/// Deliveries of one feed in the handler at once. Why more than one: a shipment whose gateway
/// call waits out a retry must not hold up the others, and a handler spends most of its time
/// waiting (its commits, the bus, the gateway's call), so the WMS's one call at a time per
/// goods owner stays busy only with several waiting for it. Why not many: the WMS takes one
/// call at a time and Centra is rate limited, so more only queue in the gateways. Measured
/// with `backlog_drain`/`distributed_drain` at 3,000 shipments on a 2-core Xeon (two runs
/// each, orders a second): 8 in flight 529–556 embedded, 403–424 distributed; 16: 632–715 and
/// 437–463; 32: 507–770 and 431–449. Records of one Centra order still change one at a
/// time (`RecordLocks`).
pub const IN_FLIGHT: usize = 16;

/// Runs `feed`'s consumer until `shutdown`; a message that keeps failing is given up into a
/// dead letter by `redelivery`.
pub async fn run(
    flow: OrderFlow,
    bus: &dyn Bus,
    feed: Feed,
    redelivery: Redelivery,
    shutdown: CancellationToken,
) -> Result<(), BusError> {
    let subscription = Subscription {
        consumer: feed.config(flow.warehouse()),
        redelivery,
        dead_letters: flow.records().store().clone(),
        drain: platform_runtime::IN_FLIGHT_DRAIN,
    };
    consume_concurrently(
        bus,
        subscription,
        shutdown,
        IN_FLIGHT,
        move |delivery: &Delivery| {
            let flow = flow.clone();
            let id = delivery.id.clone();
            let payload = delivery.payload.clone();
            let count = delivery.delivery_count;
            async move { handle(&flow, feed, id, payload, count).await }
        },
    )
    .await
}
