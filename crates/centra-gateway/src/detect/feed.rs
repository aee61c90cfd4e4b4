//! The Integration API's events queue as the change feed of a GraphQL end-point's shipments
//! poll (docs section 10, events system): the feed listens to `Shipment` and `Order` events
//! (`setEventListeners`), reads the oldest unconfirmed ones (`events`) every tick, wakes the
//! end-point's polls when there are any, then confirms them (`confirmEvents`). An event only
//! says that something changed; the poll reads Centra again and its memory publishes each
//! change once, so a lost or repeated event costs at most one poll, and the poll's own interval
//! stays the backstop (the events system is enabled per client on request; while it fails,
//! the feed logs and tries again, the polls go on).

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::Wakers;
use crate::client_graphql::{GraphqlClient, GraphqlError, ObjectType};

/// The object types whose events wake the shipments poll.
pub const FEED_OBJECTS: &[ObjectType] = &[ObjectType::Shipment, ObjectType::Order];

/// One tick: reads the queued events; when there are any, wakes the end-point's polls and
/// confirms them. Answers how many were read (unreadable ones included: any change is a
/// reason to poll).
///
/// # Errors
/// The client's error for a failed `events` or `confirmEvents` (the polls were woken before a
/// failed confirmation; the events come again next tick).
pub async fn feed_once(client: &GraphqlClient, wakers: &Wakers) -> Result<usize, GraphqlError> {
    let events = client.events(FEED_OBJECTS).await?;
    if events.is_empty() {
        return Ok(0);
    }
    wakers.wake(client.endpoint());
    let ids: Vec<i64> = events
        .iter()
        .filter_map(|event| event.as_ref().ok().map(|e| e.id))
        .collect();
    if !ids.is_empty() {
        client.confirm_events(&ids).await?;
    }
    Ok(events.len())
}

/// Listens, then runs [`feed_once`] every `tick` until `stop`. Failures are logged; the next
/// tick tries again (and listens again first if listening failed).
pub async fn run_feed(
    client: GraphqlClient,
    wakers: Wakers,
    tick: Duration,
    stop: CancellationToken,
) {
    let mut listening = false;
    loop {
        if !listening {
            match client.set_event_listeners(FEED_OBJECTS).await {
                Ok(()) => listening = true,
                Err(error) => {
                    tracing::warn!(endpoint = %client.endpoint(), %error, "centra events queue not listened to; the polls' interval finds every change");
                }
            }
        }
        if listening {
            match feed_once(&client, &wakers).await {
                Ok(0) => {}
                Ok(read) => {
                    tracing::debug!(endpoint = %client.endpoint(), read, "centra events woke the polls");
                }
                Err(error) => {
                    tracing::warn!(endpoint = %client.endpoint(), %error, "centra events not read; the polls' interval finds every change");
                }
            }
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(tick) => {}
        }
    }
}
