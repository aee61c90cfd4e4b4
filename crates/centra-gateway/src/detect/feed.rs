//! The Integration API's events queue as the change feed of a GraphQL end-point's polls (docs
//! section 10, events system): the feed listens to the events of the end-point's shipments,
//! orders and supplier deliveries (`setEventListeners`), reads the oldest unconfirmed ones
//! (`events`) every tick, wakes the polls they concern, then confirms them (`confirmEvents`). An event only
//! says that something changed; the poll reads Centra again and its memory publishes each
//! change once, so a lost or repeated event costs at most one poll, and the poll's own interval
//! stays the backstop (the events system is enabled per client on request; while it fails,
//! the feed logs and tries again, the polls go on).

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{Flows, Wakers};
use crate::client_graphql::{ChangeType, Event, GraphqlClient, GraphqlError, ObjectType};

/// The object types whose events the feed listens to, for the polls an end-point runs: its
/// shipments (`Shipment`), its orders (`Order`) and its supplier deliveries
/// (`PurchaseOrderDelivery`). Products are left to the interval: a GraphQL products poll reads
/// the whole catalogue, and every stock write of ours is a product event.
pub fn feed_objects(flows: Flows) -> Vec<ObjectType> {
    let mut objects = Vec::new();
    if flows.shipments {
        objects.push(ObjectType::Shipment);
    }
    if flows.orders {
        objects.push(ObjectType::Order);
    }
    if flows.deliveries {
        objects.push(ObjectType::PurchaseOrderDelivery);
    }
    objects
}

/// The polls one event asks for. A shipment's change wakes the shipments poll, except the
/// news of a completion this client made itself (its `completeShipment` was answered, so the
/// poll would only read that the shipment left the good-to-go list, as the gateway already
/// knows): without that, each tick of a completion backlog listed the whole backlog again
/// (`graphql_budget`, 2.23 `shipments` reads per completed shipment at 5,000). An order's
/// change wakes the orders poll, a delivery's the deliveries poll. A change to a shipment
/// reaches Centra's queue as a `Shipment` event (creation, good to go, payment, deletion:
/// docs section 10 lists `CREATED`, `UPDATED`, `DELETED`, `COMPLETED` for shipments), so an
/// order's event does not wake the shipments poll; the interval stays the backstop.
pub fn polls_for(client: &GraphqlClient, event: &Event) -> Flows {
    let mut flows = Flows::NONE;
    match event.object_type {
        ObjectType::Shipment => {
            flows.shipments = !(matches!(
                event.change_type,
                ChangeType::Completed | ChangeType::Updated
            ) && client
                .shipment_ids()
                .completed_itself(event.object_reference));
        }
        ObjectType::Order => flows.orders = true,
        ObjectType::PurchaseOrderDelivery | ObjectType::PurchaseOrder => flows.deliveries = true,
        ObjectType::Return | ObjectType::Product | ObjectType::ProductSize => {}
    }
    flows
}

/// Batches one tick reads at most before it lets the polls run.
pub const MOST_BATCHES_PER_TICK: usize = 100;

/// One tick: reads the queued events of `objects` batch after batch, confirming each, until a
/// batch is not full (a queue that grew while the gateway was away is read in one go, not a
/// batch a tick: at 100 a batch and one tick every 2 s, 15,000 events queued while 5,000
/// orders were made kept the feed waking full listings for minutes, `graphql_budget`); then
/// wakes the end-point's polls the events asked for, once ([`polls_for`]; an unreadable event
/// asks for every poll: any change is a reason to poll). Answers how many were read.
///
/// # Errors
/// The client's error for a failed `events` or `confirmEvents` (the polls the events read so
/// far asked for are woken first; unconfirmed events come again next tick).
pub async fn feed_once(
    client: &GraphqlClient,
    objects: &[ObjectType],
    wakers: &Wakers,
) -> Result<usize, GraphqlError> {
    let batch = usize::try_from(client.options().events_batch).unwrap_or(usize::MAX);
    let mut asked = Flows::NONE;
    let mut read = 0;
    let mut outcome = Ok(());
    for _ in 0..MOST_BATCHES_PER_TICK {
        let events = match client.events(objects).await {
            Ok(events) => events,
            Err(error) => {
                outcome = Err(error);
                break;
            }
        };
        read += events.len();
        for event in &events {
            asked = asked.or(match event {
                Ok(event) => polls_for(client, event),
                Err(_) => Flows::ALL,
            });
        }
        let ids: Vec<i64> = events
            .iter()
            .filter_map(|event| event.as_ref().ok().map(|e| e.id))
            .collect();
        if !ids.is_empty()
            && let Err(error) = client.confirm_events(&ids).await
        {
            outcome = Err(error);
            break;
        }
        // A short batch is the end of the queue; a batch with nothing to confirm would be read
        // again as it is.
        if events.len() < batch || ids.is_empty() {
            break;
        }
    }
    if !asked.is_empty() {
        wakers.wake_flows(client.endpoint(), asked);
    }
    outcome.map(|()| read)
}

/// Listens to the events of the end-point's `flows` ([`feed_objects`]), then runs
/// [`feed_once`] every `tick` until `stop`. Failures are logged; the next tick tries again
/// (and listens again first if listening failed).
pub async fn run_feed(
    client: GraphqlClient,
    flows: Flows,
    wakers: Wakers,
    tick: Duration,
    stop: CancellationToken,
) {
    let objects = feed_objects(flows);
    if objects.is_empty() {
        return;
    }
    let mut listening = false;
    loop {
        // A round waiting out Centra's retries or rate limit is left on shutdown: the events
        // are only hints (the polls read the records), and ones not confirmed come again.
        tokio::select! {
            () = stop.cancelled() => return,
            () = feed_round(&client, &objects, &wakers, &mut listening) => {}
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(tick) => {}
        }
    }
}

/// One tick of [`run_feed`]: listens first if it does not yet, then reads the queue.
async fn feed_round(
    client: &GraphqlClient,
    objects: &[ObjectType],
    wakers: &Wakers,
    listening: &mut bool,
) {
    if !*listening {
        match client.set_event_listeners(objects).await {
            Ok(()) => *listening = true,
            Err(error) => {
                tracing::warn!(endpoint = %client.endpoint(), %error, "centra events queue not listened to; the polls' interval finds every change");
            }
        }
    }
    if *listening {
        match feed_once(client, objects, wakers).await {
            Ok(0) => {}
            Ok(read) => {
                tracing::debug!(endpoint = %client.endpoint(), read, "centra events read");
            }
            Err(error) => {
                tracing::warn!(endpoint = %client.endpoint(), %error, "centra events not read; the polls' interval finds every change");
            }
        }
    }
}
