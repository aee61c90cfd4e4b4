//! The events queue (docs section 10): `setEventListeners` says which object types the token's
//! integration listens to, `events` answers the oldest unconfirmed ones, `confirmEvents` takes
//! them off the queue. An event only says what changed (the gateway reads the object again),
//! so the queue is the change feed and the polls stay the backstop. Needs `Event:read/write`
//! and the events system enabled for the client.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::governor::Call;
use super::operations::{
    ConfirmEvents, EventsBatch, SetEventListeners, confirm_events, events_batch,
    set_event_listeners,
};
use super::transport::decode;
use super::user_errors::refuse_on_user_errors;
use super::{GraphqlClient, GraphqlError, GraphqlErrorKind, PayloadError};

/// What an event is about (`EventObjectType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectType {
    Order,
    Shipment,
    Return,
    PurchaseOrder,
    PurchaseOrderDelivery,
    Product,
    ProductSize,
}

/// What happened (`EventChangeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeType {
    Created,
    Updated,
    Deleted,
    Completed,
    DependentDataChanged,
}

/// One queued event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    pub object_type: ObjectType,
    pub change_type: ChangeType,
    /// The object's id (an order's number for orders).
    pub object_reference: i64,
    pub created_at: DateTime<Utc>,
}

macro_rules! wire_enums {
    ($module:ident) => {
        impl From<ObjectType> for $module::EventObjectType {
            fn from(value: ObjectType) -> Self {
                match value {
                    ObjectType::Order => Self::Order,
                    ObjectType::Shipment => Self::Shipment,
                    ObjectType::Return => Self::Return,
                    ObjectType::PurchaseOrder => Self::PurchaseOrder,
                    ObjectType::PurchaseOrderDelivery => Self::PurchaseOrderDelivery,
                    ObjectType::Product => Self::Product,
                    ObjectType::ProductSize => Self::ProductSize,
                }
            }
        }

        impl From<ChangeType> for $module::EventChangeType {
            fn from(value: ChangeType) -> Self {
                match value {
                    ChangeType::Created => Self::CREATED,
                    ChangeType::Updated => Self::UPDATED,
                    ChangeType::Deleted => Self::DELETED,
                    ChangeType::Completed => Self::COMPLETED,
                    ChangeType::DependentDataChanged => Self::DEPENDENT_DATA_CHANGED,
                }
            }
        }
    };
}

wire_enums!(set_event_listeners);
wire_enums!(events_batch);

fn event(object: &str, wire: events_batch::EventsBatchEvents) -> Result<Event, PayloadError> {
    use events_batch::{EventChangeType as C, EventObjectType as O};
    let object_type = match wire.object_type {
        O::Order => ObjectType::Order,
        O::Shipment => ObjectType::Shipment,
        O::Return => ObjectType::Return,
        O::PurchaseOrder => ObjectType::PurchaseOrder,
        O::PurchaseOrderDelivery => ObjectType::PurchaseOrderDelivery,
        O::Product => ObjectType::Product,
        O::ProductSize => ObjectType::ProductSize,
        O::Other(other) => {
            return Err(PayloadError::new(
                object,
                "objectType",
                format!("unknown: {other:?}"),
            ));
        }
    };
    let change_type = match wire.change_type {
        C::CREATED => ChangeType::Created,
        C::UPDATED => ChangeType::Updated,
        C::DELETED => ChangeType::Deleted,
        C::COMPLETED => ChangeType::Completed,
        C::DEPENDENT_DATA_CHANGED => ChangeType::DependentDataChanged,
        C::Other(other) => {
            return Err(PayloadError::new(
                object,
                "changeType",
                format!("unknown: {other:?}"),
            ));
        }
    };
    let created_at = DateTime::parse_from_rfc3339(&wire.created_at)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            PayloadError::new(object, "createdAt", format!("{:?}: {e}", wire.created_at))
        })?;
    Ok(Event {
        id: wire.id,
        object_type,
        change_type,
        object_reference: wire.object_reference,
        created_at,
    })
}

impl GraphqlClient {
    /// Listens to every change of `objects` (replacing the integration's listeners). Setting
    /// the same listeners again changes nothing, so it is sent again after a 429.
    ///
    /// # Errors
    /// [`GraphqlErrorKind::NotAuthorized`] without `Event:write`; `userErrors` as a refusal;
    /// other kinds as any call.
    pub async fn set_event_listeners(&self, objects: &[ObjectType]) -> Result<(), GraphqlError> {
        const CALL: Call = Call {
            operation: "setEventListeners",
            mutation: true,
        };
        let variables = set_event_listeners::Variables {
            input: objects
                .iter()
                .map(|&object| set_event_listeners::EventListenerSetInput {
                    object_type: object.into(),
                    change_types: None,
                })
                .collect(),
        };
        let data = self
            .mutate(|| self.send_once::<SetEventListeners>(CALL, variables.clone()))
            .await?;
        let answer: set_event_listeners::ResponseData =
            self.decode(CALL.operation, "event listeners", data)?;
        let payload = answer.set_event_listeners;
        refuse_on_user_errors!(self, CALL.operation, "event listeners", payload)
    }

    /// The oldest unconfirmed events of `objects` (all listened ones when empty), at most
    /// [`super::GraphqlOptions::events_batch`]; each read on its own, so an event the gateway
    /// cannot read is named and the others still come.
    ///
    /// # Errors
    /// A [`GraphqlError`] for the read as a whole, after the retries.
    pub async fn events(
        &self,
        objects: &[ObjectType],
    ) -> Result<Vec<Result<Event, PayloadError>>, GraphqlError> {
        const CALL: Call = Call {
            operation: "events",
            mutation: false,
        };
        let variables = events_batch::Variables {
            where_: (!objects.is_empty()).then(|| events_batch::EventFilter {
                object_type: Some(objects.iter().map(|&o| o.into()).collect()),
                change_type: None,
            }),
            limit: i64::from(self.inner.options.events_batch),
        };
        let data = self
            .read(|| self.send_once::<EventsBatch>(CALL, variables.clone()))
            .await?;
        let Some(Value::Array(list)) = data.get("events") else {
            return Err(self.error(
                CALL.operation,
                GraphqlErrorKind::BadPayload(PayloadError::new(
                    "response",
                    "data.events",
                    "expected a list",
                )),
            ));
        };
        Ok(list
            .iter()
            .enumerate()
            .map(|(position, value)| {
                let name = value
                    .get("id")
                    .and_then(Value::as_i64)
                    .map_or_else(|| format!("events[{position}]"), |id| format!("event {id}"));
                decode::<events_batch::EventsBatchEvents>(&name, value.clone())
                    .and_then(|wire| event(&name, wire))
            })
            .collect())
    }

    /// Takes `ids` off the queue once they are handled. Confirming twice changes nothing, so
    /// it is sent again after a 429.
    ///
    /// # Errors
    /// As [`Self::set_event_listeners`].
    pub async fn confirm_events(&self, ids: &[i64]) -> Result<(), GraphqlError> {
        const CALL: Call = Call {
            operation: "confirmEvents",
            mutation: true,
        };
        if ids.is_empty() {
            return Ok(());
        }
        let variables = confirm_events::Variables {
            input: confirm_events::EventsConfirmInput {
                events_ids: ids.to_vec(),
            },
        };
        let data = self
            .mutate(|| self.send_once::<ConfirmEvents>(CALL, variables.clone()))
            .await?;
        let answer: confirm_events::ResponseData = self.decode(CALL.operation, "events", data)?;
        let payload = answer.confirm_events;
        refuse_on_user_errors!(self, CALL.operation, "events", payload)
    }
}
