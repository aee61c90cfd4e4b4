//! The commands behind the gRPC service, one file each. Every command is idempotent:
//!
//! - complete and accept: Centra refuses a second completion / acceptance, so the gateway sends
//!   and, when in doubt (a refusal, or an answer lost on the way back), reads Centra's state:
//!   "already completed" / "already accepted" is success (`already_done`). Sending first means
//!   the effect happens even when reads fail; the read decides every retry.
//! - capture: reads `paid` first (nothing is charged twice), and through GraphQL whether a
//!   capture request is with the provider (a `PENDING` capture is not captured and not asked
//!   again: [`CommandError::NotYet`]).
//! - create return: Centra has no upsert, so the return's comment carries the idempotency key
//!   ([`RETURN_TAG`]) and every attempt first looks for a return with that tag.
//! - quantities and stock: absolute values; re-sending the same values changes nothing. A
//!   shipment line set to 0 leaves the shipment, so the gateway remembers the lines it sent
//!   quantities for (`sent_lines`, in its store) and a re-sent update finds such a line at 0.
//!
//! Each end-point's Centra is a [`CentraConnection`] (the Order API or the GraphQL Integration
//! API, as its settings say). SetStock, ReadStock (named products or a page of every size),
//! CreateReturn, GetShipment, ListProducts, UpdateShipmentQuantities, CompleteShipment (through
//! GraphQL with capture on: capture first, then complete), CaptureShipment and
//! AcceptSupplierDelivery (through GraphQL only a receipt equal to the delivery: Centra's
//! accept there takes no quantities) go through the connection, so every command runs against
//! either API.
//!
//! Layout: `complete`, `capture`, `quantities` (+ `sent_lines`), `stock`, `delivery`,
//! `returns`, `reads` (get shipment, list products, test connection), `error`
//! ([`CommandError`]).

mod capture;
mod complete;
mod delivery;
mod error;
mod quantities;
mod reads;
mod returns;
mod sent_lines;
mod stock;
mod test_connection;

use std::collections::HashMap;
use std::sync::Arc;

use domain::{EndpointName, ShipmentId};
use platform_store::Store;

use crate::connection::CentraConnection;

pub use error::CommandError;

/// Marks returns the gateway created: `centra-wms:<idempotency key>` in the comment.
pub const RETURN_TAG: &str = "centra-wms:";

/// The connections of every end-point, by name, and the gateway's store (what the commands
/// must remember across a restart: the shipment lines sent quantities for).
#[derive(Debug, Clone)]
pub struct Commands {
    connections: Arc<HashMap<EndpointName, CentraConnection>>,
    store: Store,
}

impl Commands {
    /// Commands over `connections` (an Order API client or a GraphQL client per end-point, as
    /// `domain::CentraEndpoint.api` says; an Order API client converts as it is).
    pub fn new<C>(connections: impl IntoIterator<Item = C>, store: Store) -> Self
    where
        C: Into<CentraConnection>,
    {
        Self {
            connections: Arc::new(
                connections
                    .into_iter()
                    .map(Into::into)
                    .map(|c: CentraConnection| (c.endpoint().clone(), c))
                    .collect(),
            ),
            store,
        }
    }

    /// The connection of the end-point called `name`.
    ///
    /// # Errors
    /// [`CommandError::InvalidArgument`] for an empty name, [`CommandError::NotFound`] for an
    /// unknown end-point.
    pub fn connection(&self, name: &str) -> Result<&CentraConnection, CommandError> {
        if name.trim().is_empty() {
            return Err(CommandError::invalid("endpoint", "is empty"));
        }
        EndpointName::parse(name)
            .ok()
            .and_then(|n| self.connections.get(&n))
            .ok_or_else(|| CommandError::NotFound(format!("centra end-point {name:?}")))
    }
}

/// Parses a shipment id field.
pub(crate) fn shipment_id(field: &'static str, text: &str) -> Result<ShipmentId, CommandError> {
    ShipmentId::parse(text.trim()).map_err(|e| CommandError::invalid(field, e.to_string()))
}
