//! The commands behind the gRPC service, one file each. Every command is idempotent:
//!
//! - complete and accept: Centra refuses a second completion / acceptance, so the gateway sends
//!   and, when in doubt (a refusal, or an answer lost on the way back), reads Centra's state:
//!   "already completed" / "already accepted" is success (`already_done`). Sending first means
//!   the effect happens even when reads fail; the read decides every retry.
//! - capture: reads `paid` first (nothing is charged twice).
//! - create return: Centra has no upsert, so the return's comment carries the idempotency key
//!   ([`RETURN_TAG`]) and every attempt first looks for a return with that tag.
//! - quantities and stock: absolute values; re-sending the same values changes nothing. A
//!   shipment line set to 0 leaves the shipment, so the gateway remembers the lines it sent
//!   quantities for (`sent_lines`, in its store) and a re-sent update finds such a line at 0.
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

use std::collections::HashMap;
use std::sync::Arc;

use domain::{EndpointName, ShipmentId};
use platform_store::Store;

use crate::client::CentraClient;

pub use error::CommandError;

/// Marks returns the gateway created: `centra-wms:<idempotency key>` in the comment.
pub const RETURN_TAG: &str = "centra-wms:";

/// The clients of every end-point, by name, and the gateway's store (what the commands must
/// remember across a restart: the shipment lines sent quantities for).
#[derive(Debug, Clone)]
pub struct Commands {
    clients: Arc<HashMap<EndpointName, CentraClient>>,
    store: Store,
}

impl Commands {
    pub fn new(clients: impl IntoIterator<Item = CentraClient>, store: Store) -> Self {
        Self {
            clients: Arc::new(
                clients
                    .into_iter()
                    .map(|c| (c.endpoint().clone(), c))
                    .collect(),
            ),
            store,
        }
    }

    /// The client of the end-point called `name`.
    pub fn client(&self, name: &str) -> Result<&CentraClient, CommandError> {
        if name.trim().is_empty() {
            return Err(CommandError::invalid("endpoint", "is empty"));
        }
        EndpointName::parse(name)
            .ok()
            .and_then(|n| self.clients.get(&n))
            .ok_or_else(|| CommandError::NotFound(format!("centra end-point {name:?}")))
    }
}

/// Parses a shipment id field.
pub(crate) fn shipment_id(field: &'static str, text: &str) -> Result<ShipmentId, CommandError> {
    ShipmentId::parse(text.trim()).map_err(|e| CommandError::invalid(field, e.to_string()))
}
