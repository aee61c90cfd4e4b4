//! The events queue (GQL events-system page): per integration (the token's integration name),
//! `setEventListeners` / `unsetEventListeners` choose object and change types, `events` returns
//! the oldest unconfirmed events with `object` = the object's current state (`null` once
//! deleted), and `confirmEvents` removes them. Until confirmed, `events` keeps returning them.
//!
//! Events come from the same store changes that drive the Order API and the webhooks
//! (`state::Change`), so a shipment completed through `PUT /shipment` queues a `Shipment
//! COMPLETED` event too. Changes of one call are merged per object: `CREATED`, `COMPLETED` or
//! `DELETED` replaces the `UPDATED` recorded beside it ("technically, it's an update, but … we
//! provide a new change type").
//!
//! Doc gaps: the change type of a stock movement is not documented; the simulator queues a
//! `Product` `DEPENDENT_DATA_CHANGED` event (stock is held per size of the product). `events`
//! defaults to `limit: 20` (the schema's usual default) and takes at most 200.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, PoisonError};

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, Union};
use chrono::{DateTime, Utc};

use super::auth::{grant, require};
use super::catalog::{ProductNode, products};
use super::purchasing::DeliveryNode;
use super::schema::{MAX_LIMIT, UserError, UserWarning, api_id, at, iso, sim, user_warning};
use super::types::{OrderNode, ReturnNode, ShipmentNode};
use crate::state::Change;

/// What changed.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[graphql(rename_items = "PascalCase")]
pub enum EventObjectType {
    Order,
    Shipment,
    Return,
    Product,
    PurchaseOrderDelivery,
}

/// How it changed.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventChangeType {
    Created,
    Updated,
    Completed,
    Deleted,
    DependentDataChanged,
}

const ALL_CHANGE_TYPES: [EventChangeType; 5] = [
    EventChangeType::Created,
    EventChangeType::Updated,
    EventChangeType::Completed,
    EventChangeType::Deleted,
    EventChangeType::DependentDataChanged,
];

/// The event kind of a store change.
fn kind_of(change: Change) -> (EventObjectType, EventChangeType, u64) {
    use EventChangeType as C;
    use EventObjectType as O;
    match change {
        Change::OrderCreated { order_id } => (O::Order, C::Created, order_id),
        Change::OrderUpdated { order_id } => (O::Order, C::Updated, order_id),
        Change::OrderCompleted { order_id } => (O::Order, C::Completed, order_id),
        Change::ShipmentCreated { shipment_id } => (O::Shipment, C::Created, shipment_id),
        Change::ShipmentGoodToGo { shipment_id } | Change::ShipmentUpdated { shipment_id } => {
            (O::Shipment, C::Updated, shipment_id)
        }
        Change::ShipmentCompleted { shipment_id } => (O::Shipment, C::Completed, shipment_id),
        Change::ShipmentDeleted { shipment_id } => (O::Shipment, C::Deleted, shipment_id),
        Change::ReturnCreated { return_id } => (O::Return, C::Created, return_id),
        Change::ReturnUpdated { return_id } => (O::Return, C::Updated, return_id),
        Change::ReturnCompleted { return_id } => (O::Return, C::Completed, return_id),
        Change::ProductChanged { product_id } => (O::Product, C::Updated, product_id),
        Change::StockChanged { product_id } => (O::Product, C::DependentDataChanged, product_id),
        Change::DeliveryCreated { delivery_id } => {
            (O::PurchaseOrderDelivery, C::Created, delivery_id)
        }
        Change::DeliveryAccepted { delivery_id } => {
            (O::PurchaseOrderDelivery, C::Completed, delivery_id)
        }
    }
}

/// The events of one batch of changes, merged per object.
fn events_of(changes: &[Change]) -> Vec<(EventObjectType, EventChangeType, u64)> {
    let mut kinds: Vec<(EventObjectType, EventChangeType, u64)> = Vec::new();
    for kind in changes.iter().map(|c| kind_of(*c)) {
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    let finished: BTreeSet<(EventObjectType, u64)> = kinds
        .iter()
        .filter(|(_, c, _)| {
            matches!(
                c,
                EventChangeType::Created | EventChangeType::Completed | EventChangeType::Deleted
            )
        })
        .map(|(o, _, id)| (*o, *id))
        .collect();
    kinds.retain(|(o, c, id)| *c != EventChangeType::Updated || !finished.contains(&(*o, *id)));
    kinds
}

#[derive(Debug, Clone)]
struct Listener {
    change_types: BTreeSet<EventChangeType>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
struct QueuedEvent {
    id: u64,
    object_type: EventObjectType,
    change_type: EventChangeType,
    reference: u64,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct Integration {
    listeners: BTreeMap<EventObjectType, Listener>,
    queue: Vec<QueuedEvent>,
}

#[derive(Debug, Default)]
struct Queues {
    next_id: u64,
    integrations: BTreeMap<String, Integration>,
}

/// Listeners and queued events of every integration.
#[derive(Debug, Default)]
pub struct EventQueues {
    inner: Mutex<Queues>,
}

impl EventQueues {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queues> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn reset(&self) {
        *self.lock() = Queues::default();
    }

    /// Queues the events of `changes` for every integration listening to them.
    pub fn publish(&self, changes: &[Change], at: DateTime<Utc>) {
        let events = events_of(changes);
        if events.is_empty() {
            return;
        }
        let mut queues = self.lock();
        let Queues {
            next_id,
            integrations,
        } = &mut *queues;
        for integration in integrations.values_mut() {
            for (object_type, change_type, reference) in &events {
                let listening = integration
                    .listeners
                    .get(object_type)
                    .is_some_and(|l| l.change_types.contains(change_type));
                if listening {
                    *next_id += 1;
                    integration.queue.push(QueuedEvent {
                        id: *next_id,
                        object_type: *object_type,
                        change_type: *change_type,
                        reference: *reference,
                        created_at: at,
                    });
                }
            }
        }
    }

    /// Events queued for an integration (unconfirmed), for `/_sim/state`-style inspection.
    pub fn queued(&self, integration: &str) -> usize {
        self.lock()
            .integrations
            .get(integration)
            .map_or(0, |i| i.queue.len())
    }
}

/// A listener as `eventListeners` shows it.
#[derive(SimpleObject, Clone, Debug)]
pub struct EventListener {
    pub integration_name: String,
    pub object_type: EventObjectType,
    pub change_types: Vec<EventChangeType>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(InputObject, Clone, Debug)]
pub struct EventListenerSetInput {
    pub object_type: EventObjectType,
    /// Not given: every change type.
    pub change_types: Option<Vec<EventChangeType>>,
}

#[derive(InputObject, Clone, Debug)]
pub struct EventsConfirmInput {
    pub events_ids: Vec<i32>,
}

#[derive(InputObject, Clone, Debug, Default)]
pub struct EventFilter {
    pub object_type: Option<Vec<EventObjectType>>,
    pub change_type: Option<Vec<EventChangeType>>,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct EventListenersPayload {
    pub event_listeners: Vec<EventListener>,
    pub user_errors: Vec<UserError>,
    pub user_warnings: Vec<UserWarning>,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct EventsConfirmPayload {
    pub user_errors: Vec<UserError>,
    pub user_warnings: Vec<UserWarning>,
}

/// What an event is about, as it is now.
#[derive(Union, Clone, Debug)]
pub enum EventTarget {
    Order(OrderNode),
    Shipment(ShipmentNode),
    Return(ReturnNode),
    Product(ProductNode),
    PurchaseOrderDelivery(DeliveryNode),
}

/// One queued event.
#[derive(Clone, Debug)]
pub struct Event(QueuedEvent);

#[Object]
impl Event {
    async fn id(&self) -> i32 {
        api_id(self.0.id)
    }

    async fn object_type(&self) -> EventObjectType {
        self.0.object_type
    }

    async fn change_type(&self) -> EventChangeType {
        self.0.change_type
    }

    /// "Usually ID, but a number in case of Order."
    async fn object_reference(&self) -> i32 {
        api_id(self.0.reference)
    }

    async fn created_at(&self, ctx: &Context<'_>) -> String {
        iso(ctx, self.0.created_at)
    }

    /// The object's current state; `null` when it no longer exists.
    async fn object(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<EventTarget>> {
        let reference = self.0.reference;
        let (permission, field) = match self.0.object_type {
            EventObjectType::Order => ("Order:read", "Event.object"),
            EventObjectType::Shipment => ("Shipment:read", "Event.object"),
            EventObjectType::Return => ("Return:read", "Event.object"),
            EventObjectType::Product => ("Product:read", "Event.object"),
            EventObjectType::PurchaseOrderDelivery => {
                ("PurchaseOrderDelivery:read", "Event.object")
            }
        };
        require(ctx, permission, field)?;
        Ok(sim(ctx).read(|store| match self.0.object_type {
            EventObjectType::Order => store
                .orders
                .get(&reference)
                .cloned()
                .map(|o| EventTarget::Order(OrderNode::new(o))),
            EventObjectType::Shipment => store
                .shipments
                .get(&reference)
                .cloned()
                .map(|s| EventTarget::Shipment(ShipmentNode(s))),
            EventObjectType::Return => store
                .returns
                .get(&reference)
                .cloned()
                .map(|r| EventTarget::Return(ReturnNode(r))),
            EventObjectType::Product => products(store)
                .into_iter()
                .find(|p| p.product_id == reference)
                .map(EventTarget::Product),
            EventObjectType::PurchaseOrderDelivery => store
                .deliveries
                .get(&reference)
                .cloned()
                .map(|d| EventTarget::PurchaseOrderDelivery(DeliveryNode(d))),
        }))
    }
}

fn listeners_of(ctx: &Context<'_>, integration: &str) -> Vec<EventListener> {
    let queues = sim(ctx).graphql.events.lock();
    queues
        .integrations
        .get(integration)
        .map(|i| {
            i.listeners
                .iter()
                .map(|(object_type, l)| EventListener {
                    integration_name: integration.to_owned(),
                    object_type: *object_type,
                    change_types: l.change_types.iter().copied().collect(),
                    created_at: iso(ctx, l.created_at),
                    updated_at: iso(ctx, l.updated_at),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `events` and `eventListeners`.
#[derive(Default)]
pub struct EventQueries;

#[Object]
impl EventQueries {
    /// The oldest unconfirmed events of the caller's integration.
    #[graphql(complexity = "limit.max(1) as usize * child_complexity")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<EventFilter>,
        #[graphql(default = 20)] limit: i32,
    ) -> async_graphql::Result<Option<Vec<Event>>> {
        require(ctx, "Event:read", "events")?;
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(format!("limit must be in range 1 - {MAX_LIMIT}, got {limit}").into());
        }
        let integration = grant(ctx)?.integration.clone();
        let filter = filter.unwrap_or_default();
        let queues = sim(ctx).graphql.events.lock();
        let events = queues
            .integrations
            .get(&integration)
            .map(|i| {
                i.queue
                    .iter()
                    .filter(|e| {
                        filter
                            .object_type
                            .as_ref()
                            .is_none_or(|t| t.contains(&e.object_type))
                    })
                    .filter(|e| {
                        filter
                            .change_type
                            .as_ref()
                            .is_none_or(|t| t.contains(&e.change_type))
                    })
                    .take(usize::try_from(limit).unwrap_or(1))
                    .cloned()
                    .map(Event)
                    .collect()
            })
            .unwrap_or_default();
        Ok(Some(events))
    }

    async fn event_listeners(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Vec<EventListener>>> {
        require(ctx, "Event:read", "eventListeners")?;
        let integration = grant(ctx)?.integration.clone();
        Ok(Some(listeners_of(ctx, &integration)))
    }
}

/// `setEventListeners`, `unsetEventListeners`, `confirmEvents`.
#[derive(Default)]
pub struct EventMutations;

#[Object]
impl EventMutations {
    /// Adds object and change types (never removes any); idempotent.
    #[graphql(complexity = "100 + child_complexity")]
    async fn set_event_listeners(
        &self,
        ctx: &Context<'_>,
        input: Vec<EventListenerSetInput>,
    ) -> async_graphql::Result<EventListenersPayload> {
        require(ctx, "Event:write", "setEventListeners")?;
        let integration = grant(ctx)?.integration.clone();
        let now = sim(ctx).now();
        {
            let mut queues = sim(ctx).graphql.events.lock();
            let entry = queues.integrations.entry(integration.clone()).or_default();
            for listener in input {
                let types: BTreeSet<EventChangeType> = listener
                    .change_types
                    .map(|t| t.into_iter().collect())
                    .unwrap_or_else(|| ALL_CHANGE_TYPES.into_iter().collect());
                let current = entry
                    .listeners
                    .entry(listener.object_type)
                    .or_insert(Listener {
                        change_types: BTreeSet::new(),
                        created_at: now,
                        updated_at: now,
                    });
                if !types.is_subset(&current.change_types) {
                    current.change_types.extend(types);
                    current.updated_at = now;
                }
            }
        }
        Ok(EventListenersPayload {
            event_listeners: listeners_of(ctx, &integration),
            user_errors: Vec::new(),
            user_warnings: Vec::new(),
        })
    }

    /// Removes change types (all of an object type when none are given) and deletes their
    /// queued events.
    #[graphql(complexity = "100 + child_complexity")]
    async fn unset_event_listeners(
        &self,
        ctx: &Context<'_>,
        input: Vec<EventListenerSetInput>,
    ) -> async_graphql::Result<EventListenersPayload> {
        require(ctx, "Event:write", "unsetEventListeners")?;
        let integration = grant(ctx)?.integration.clone();
        let now = sim(ctx).now();
        {
            let mut queues = sim(ctx).graphql.events.lock();
            let entry = queues.integrations.entry(integration.clone()).or_default();
            for listener in input {
                let types: BTreeSet<EventChangeType> = listener
                    .change_types
                    .map(|t| t.into_iter().collect())
                    .unwrap_or_else(|| ALL_CHANGE_TYPES.into_iter().collect());
                if let Some(current) = entry.listeners.get_mut(&listener.object_type) {
                    current.change_types.retain(|t| !types.contains(t));
                    current.updated_at = now;
                    if current.change_types.is_empty() {
                        entry.listeners.remove(&listener.object_type);
                    }
                }
                entry.queue.retain(|e| {
                    e.object_type != listener.object_type || !types.contains(&e.change_type)
                });
            }
        }
        Ok(EventListenersPayload {
            event_listeners: listeners_of(ctx, &integration),
            user_errors: Vec::new(),
            user_warnings: Vec::new(),
        })
    }

    /// Removes processed events from the queue. Ids not in the queue (already confirmed, or
    /// never there) are a `userWarning` each; the others are confirmed anyway.
    #[graphql(complexity = "100 + child_complexity")]
    async fn confirm_events(
        &self,
        ctx: &Context<'_>,
        input: EventsConfirmInput,
    ) -> async_graphql::Result<EventsConfirmPayload> {
        require(ctx, "Event:write", "confirmEvents")?;
        let integration = grant(ctx)?.integration.clone();
        let mut warnings = Vec::new();
        {
            let mut queues = sim(ctx).graphql.events.lock();
            let queue = &mut queues.integrations.entry(integration).or_default().queue;
            for (i, id) in input.events_ids.iter().enumerate() {
                let before = queue.len();
                queue.retain(|e| i64::try_from(e.id).ok() != Some(i64::from(*id)));
                if queue.len() == before {
                    warnings.push(user_warning(
                        format!("event {id} is not in the queue"),
                        at!["input", "eventsIds", i],
                    ));
                }
            }
        }
        Ok(EventsConfirmPayload {
            user_errors: Vec::new(),
            user_warnings: warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_replaces_the_update_beside_it() {
        let events = events_of(&[
            Change::ShipmentCreated { shipment_id: 6 },
            Change::ShipmentGoodToGo { shipment_id: 6 },
            Change::ShipmentUpdated { shipment_id: 7 },
            Change::ShipmentCompleted { shipment_id: 7 },
            Change::OrderUpdated { order_id: 1001 },
            Change::StockChanged { product_id: 3 },
            Change::ShipmentGoodToGo { shipment_id: 8 },
            Change::ShipmentUpdated { shipment_id: 8 },
        ]);
        assert_eq!(
            events,
            vec![
                (EventObjectType::Shipment, EventChangeType::Created, 6),
                (EventObjectType::Shipment, EventChangeType::Completed, 7),
                (EventObjectType::Order, EventChangeType::Updated, 1001),
                (
                    EventObjectType::Product,
                    EventChangeType::DependentDataChanged,
                    3
                ),
                (EventObjectType::Shipment, EventChangeType::Updated, 8),
            ]
        );
    }
}
