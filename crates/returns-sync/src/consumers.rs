//! The bus consumer, fed by the runtime's [`consume_concurrently`] loop: decode, hand to the
//! flow, answer with [`Handled`].
//!
//! ```text
//! wms.<warehouse>.return.received   WmsReturnReceived -> ReturnFlow::on_return_received
//! ```
//!
//! It runs only with `settings.returns_to_centra`.

use std::time::Duration;

use bytes::Bytes;

use platform_bus::{Bus, BusError, ConsumerConfig, Delivery};
use platform_runtime::{
    CancellationToken, Handled, Redelivery, Subscription, consume_concurrently, keep_and_reject,
};
use platform_store::MessageId;
use prost::Message;
use proto::events::v1 as events;

use crate::convert::ConvertError;
use crate::flow::{FlowError, RETURN_RECEIVED, ReturnFlow};

/// The consumer reading `wms.<warehouse>.return.received`.
pub fn config(warehouse: &str) -> ConsumerConfig {
    ConsumerConfig::new(RETURN_RECEIVED)
        .with_filter(format!("wms.{warehouse}.return.received"))
        .with_ack_wait(Duration::from_secs(60))
}

/// Backoff for a dependency that is down: 1 s doubling to a minute.
fn backoff(delivery_count: u32) -> Duration {
    Duration::from_secs(1u64 << delivery_count.saturating_sub(1).min(6))
        .min(Duration::from_secs(60))
}

/// Handles one delivery.
pub async fn handle(
    flow: &ReturnFlow,
    id: MessageId,
    payload: Bytes,
    delivery_count: u32,
) -> Handled {
    let result = match events::WmsReturnReceived::decode(payload.as_ref()) {
        Ok(event) => flow.on_return_received(&id, &event).await,
        Err(e) => Err(FlowError::Invalid(ConvertError {
            record: format!("message {id}"),
            field: "payload".into(),
            problem: format!("not a WmsReturnReceived: {e}"),
        })),
    };
    match result {
        Ok(()) => Handled::Done,
        Err(FlowError::Invalid(e)) => {
            let store = flow.records().store();
            keep_and_reject(
                store,
                RETURN_RECEIVED,
                &id,
                &payload,
                e.to_string(),
                delivery_count,
            )
            .await
        }
        Err(FlowError::Illegal(e)) => {
            tracing::error!(error = %e, "the state machine refused a change; message kept for a person");
            keep_and_reject(
                flow.records().store(),
                RETURN_RECEIVED,
                &id,
                &payload,
                e.to_string(),
                delivery_count,
            )
            .await
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

/// Runs the consumer until `shutdown`. One delivery at a time: the flow changes one return at
/// a time anyway (see [`crate::flow`]). A message that keeps failing is given up into a dead
/// letter by `redelivery`.
pub async fn run(
    flow: ReturnFlow,
    bus: &dyn Bus,
    redelivery: Redelivery,
    shutdown: CancellationToken,
) -> Result<(), BusError> {
    let subscription = Subscription {
        consumer: config(flow.warehouse()),
        redelivery,
        dead_letters: flow.records().store().clone(),
        drain: platform_runtime::IN_FLIGHT_DRAIN,
    };
    consume_concurrently(
        bus,
        subscription,
        shutdown,
        1,
        move |delivery: &Delivery| {
            let flow = flow.clone();
            let id = delivery.id.clone();
            let payload = delivery.payload.clone();
            let count = delivery.delivery_count;
            async move { handle(&flow, id, payload, count).await }
        },
    )
    .await
}
