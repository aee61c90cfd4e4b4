//! The bus consumers, fed by the runtime's [`consume_concurrently`] loop: decode, hand to the
//! flow, answer with [`Handled`].
//!
//! ```text
//! wms.<warehouse>.stock.changed    WmsStockChanged -> StockFlow::on_stock_changed
//! wms.<warehouse>.article.synced   ArticleSynced   -> StockFlow::on_article_synced
//! centra.<catalog>.shipment.completed
//!                                  ShipmentCompleted -> StockFlow::on_shipment_completed
//! centra.<catalog>.shipment.good-to-go
//!                                  ShipmentGoodToGo -> StockFlow::on_shipment_good_to_go
//! centra.<catalog>.order.ready     OrderReady       -> StockFlow::on_order_ready
//! ```
//!
//! All only mark the article due (see [`crate::flow`]); they run only with
//! `settings.stock_to_centra`.

use std::time::Duration;

use bytes::Bytes;

use platform_bus::{Bus, BusError, ConsumerConfig, Delivery};
use platform_runtime::{
    CancellationToken, Handled, Redelivery, Subscription, consume_concurrently, keep_and_reject,
};
use platform_store::MessageId;
use prost::Message;
use proto::events::v1 as events;

use crate::flow::{
    ARTICLE_SYNCED, FlowError, ORDER_READY, SHIPMENT_COMPLETED, SHIPMENT_GOOD_TO_GO, STOCK_CHANGED,
    StockFlow,
};

/// The feeds the flow reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    StockChanged,
    ArticleSynced,
    ShipmentCompleted,
    ShipmentGoodToGo,
    OrderReady,
}

impl Feed {
    pub const ALL: [Feed; 5] = [
        Feed::StockChanged,
        Feed::ArticleSynced,
        Feed::ShipmentCompleted,
        Feed::ShipmentGoodToGo,
        Feed::OrderReady,
    ];

    /// Consumer, inbox and dead-letter kind.
    pub fn consumer(self) -> &'static str {
        match self {
            Feed::StockChanged => STOCK_CHANGED,
            Feed::ArticleSynced => ARTICLE_SYNCED,
            Feed::ShipmentCompleted => SHIPMENT_COMPLETED,
            Feed::ShipmentGoodToGo => SHIPMENT_GOOD_TO_GO,
            Feed::OrderReady => ORDER_READY,
        }
    }

    pub fn of_consumer(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.consumer() == name)
    }

    /// The consumer of this feed; `catalog` is the catalog end-point (stock goes there only).
    pub fn config(self, warehouse: &str, catalog: &str) -> ConsumerConfig {
        let subject = match self {
            Feed::StockChanged => format!("wms.{warehouse}.stock.changed"),
            Feed::ArticleSynced => format!("wms.{warehouse}.article.synced"),
            Feed::ShipmentCompleted => format!("centra.{catalog}.shipment.completed"),
            Feed::ShipmentGoodToGo => format!("centra.{catalog}.shipment.good-to-go"),
            Feed::OrderReady => format!("centra.{catalog}.order.ready"),
        };
        ConsumerConfig::new(self.consumer())
            .with_filter(subject)
            .with_ack_wait(Duration::from_secs(60))
    }
}

fn invalid(id: &MessageId, kind: &str, error: &prost::DecodeError) -> FlowError {
    FlowError::Invalid(crate::convert::undecodable(id, kind, error))
}

/// Handles one delivery of `feed`.
pub async fn handle(
    flow: &StockFlow,
    feed: Feed,
    id: MessageId,
    payload: Bytes,
    delivery_count: u32,
) -> Handled {
    let result = match feed {
        Feed::StockChanged => match events::WmsStockChanged::decode(payload.as_ref()) {
            Ok(event) => flow.on_stock_changed(&id, &event).await,
            Err(e) => Err(invalid(&id, "WmsStockChanged", &e)),
        },
        Feed::ArticleSynced => match events::ArticleSynced::decode(payload.as_ref()) {
            Ok(event) => flow.on_article_synced(&id, &event).await,
            Err(e) => Err(invalid(&id, "ArticleSynced", &e)),
        },
        Feed::ShipmentCompleted => match events::ShipmentCompleted::decode(payload.as_ref()) {
            Ok(event) => flow.on_shipment_completed(&id, &event).await,
            Err(e) => Err(invalid(&id, "ShipmentCompleted", &e)),
        },
        Feed::ShipmentGoodToGo => match events::ShipmentGoodToGo::decode(payload.as_ref()) {
            Ok(event) => flow.on_shipment_good_to_go(&id, &event).await,
            Err(e) => Err(invalid(&id, "ShipmentGoodToGo", &e)),
        },
        Feed::OrderReady => match events::OrderReady::decode(payload.as_ref()) {
            Ok(event) => flow.on_order_ready(&id, &event).await,
            Err(e) => Err(invalid(&id, "OrderReady", &e)),
        },
    };
    match result {
        Ok(()) => Handled::Done,
        Err(FlowError::Invalid(e)) => {
            let store = flow.articles().store();
            keep_and_reject(
                store,
                feed.consumer(),
                &id,
                &payload,
                e.to_string(),
                delivery_count,
            )
            .await
        }
        Err(error) => Handled::Retry {
            after: Duration::from_secs(5),
            reason: error.to_string(),
        },
    }
}

/// Runs the consumer of `feed` until `shutdown`. Marking is cheap and idempotent, so a few
/// deliveries run at once. A message that keeps failing is given up into a dead letter by
/// `redelivery`.
pub async fn run(
    flow: StockFlow,
    feed: Feed,
    bus: &dyn Bus,
    redelivery: Redelivery,
    shutdown: CancellationToken,
) -> Result<(), BusError> {
    let catalog = flow
        .settings()
        .catalog_endpoint
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let subscription = Subscription {
        consumer: feed.config(flow.warehouse(), &catalog),
        redelivery,
        dead_letters: flow.articles().store().clone(),
        drain: platform_runtime::IN_FLIGHT_DRAIN,
    };
    consume_concurrently(
        bus,
        subscription,
        shutdown,
        4,
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
