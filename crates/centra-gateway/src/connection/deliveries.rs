//! Supplier deliveries (purchase order deliveries): the pending ones the deliveries poll
//! publishes, one delivery with its lines and whether it is still pending (what the accept
//! command reads when in doubt), and the one-shot accept. Ids are Centra's, as text.
//!
//! - Order API: `GET /supplier-deliveries` (pending, no lines), `GET /supplier-deliveries/{id}`
//!   (with lines), and `POST /supplier-deliveries/{id}` (by EAN) or `…/{id}/sku` (by joined
//!   SKU) with the received quantities; a short delivery leaves a follow-up delivery.
//! - GraphQL: `purchaseOrderDeliveries(where: {status: PENDING, warehouseId})` (with lines)
//!   into the one warehouse the token sees (the WMS's, as for stock: the Order API lists only
//!   deliveries into the plugin's "Supplier Delivery Warehouse"), one by id, and
//!   `acceptPurchaseOrderDelivery` as the settings' admin user. That accept takes no quantities
//!   (the delivery is accepted as it stands), so the command checks the received quantities
//!   against the delivery before it accepts (`crate::commands`).

use super::stock::the_warehouse;
use super::{CentraConnection, ConnectionError};
use crate::client::record::{BadRecord, Parsed};
use crate::client::{CentraDelivery, DeliveryKey};
use crate::client_graphql::{
    DeliveryAcceptance, GraphqlClient, GraphqlError, GraphqlErrorKind, StockInsert,
};

/// A delivery with where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryStanding {
    pub delivery: CentraDelivery,
    /// Still waiting to be accepted.
    pub pending: bool,
}

/// What an accept did: the Order API's follow-up delivery `(id, deliveryId)` for the units not
/// received, if any (the Integration API's accept leaves none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryAccepted {
    pub additional: Option<(String, String)>,
}

impl CentraConnection {
    /// Every delivery waiting to be accepted, each read or kept aside as bad. Through the Order
    /// API the list carries no lines ([`Self::delivery_with_lines`] reads them); through GraphQL
    /// it does.
    ///
    /// # Errors
    /// A failed list (after the client's retries): [`super::ConnectionErrorKind::Unavailable`]
    /// when Centra is unreachable, [`super::ConnectionErrorKind::Refused`] for a refused
    /// credential or permission (through GraphQL also a token that sees no warehouse or
    /// several), [`super::ConnectionErrorKind::BadAnswer`] for an unreadable one.
    pub async fn pending_deliveries(&self) -> Result<Vec<Parsed<CentraDelivery>>, ConnectionError> {
        match self {
            Self::OrderApi(client) => Ok(client.deliveries().await?),
            Self::Graphql(client) => Ok(client
                .pending_deliveries(
                    the_warehouse(client, "purchaseOrderDeliveries", "receives into").await?,
                )
                .await?
                .into_iter()
                .map(|entry| {
                    entry.map_err(|unread| {
                        let unread = *unread;
                        Box::new(BadRecord {
                            key: unread.key,
                            error: unread.error,
                            raw: unread.raw,
                        })
                    })
                })
                .collect()),
        }
    }

    /// `listed` (from [`Self::pending_deliveries`]) with its lines; `None` when Centra no longer
    /// knows it. Reads retry what is transient.
    ///
    /// # Errors
    /// As [`Self::pending_deliveries`].
    pub async fn delivery_with_lines(
        &self,
        listed: CentraDelivery,
    ) -> Result<Option<CentraDelivery>, ConnectionError> {
        match self {
            Self::OrderApi(client) => Ok(client
                .with_retry(|| client.delivery_once(&listed.id))
                .await?),
            // The GraphQL list reads every line already.
            Self::Graphql(_) => Ok(Some(listed)),
        }
    }

    /// The delivery `id` with its lines and whether it is still pending; `None` when Centra does
    /// not know it. One attempt through the Order API (two reads); through GraphQL one read that
    /// retries what is transient.
    ///
    /// # Errors
    /// [`super::ConnectionErrorKind::InvalidRequest`] through GraphQL for an id that is not a
    /// number; otherwise as [`Self::pending_deliveries`].
    pub async fn delivery_standing(
        &self,
        id: &str,
    ) -> Result<Option<DeliveryStanding>, ConnectionError> {
        match self {
            Self::OrderApi(client) => {
                let Some(delivery) = client.delivery_once(id).await? else {
                    return Ok(None);
                };
                let pending = client.delivery_pending_once(&delivery).await?;
                Ok(Some(DeliveryStanding { delivery, pending }))
            }
            Self::Graphql(client) => {
                Ok(client
                    .delivery(graphql_id(client, id)?)
                    .await?
                    .map(|standing| DeliveryStanding {
                        delivery: standing.delivery,
                        pending: standing.pending,
                    }))
            }
        }
    }

    /// Accepts the delivery `id`. One attempt: accepting is one-shot in Centra, so the caller
    /// reads [`Self::delivery_standing`] before trying again. Through the Order API the
    /// received `quantities` are sent keyed by `key`; through GraphQL the delivery is accepted as
    /// it stands (the caller has checked the quantities match), as the settings' admin user,
    /// `insert_stock` unset meaning into stock as the Order API's default.
    ///
    /// # Errors
    /// [`super::ConnectionErrorKind::Refused`] when Centra refuses (an accepted delivery, an
    /// unknown product or admin user); [`super::ConnectionErrorKind::InvalidRequest`] through
    /// GraphQL for an id that is not a number or no `admin_user_id` in the settings;
    /// [`super::ConnectionErrorKind::Unavailable`] as any call.
    pub async fn accept_delivery_once(
        &self,
        id: &str,
        key: DeliveryKey,
        quantities: &[(String, i64)],
        insert_stock: Option<bool>,
    ) -> Result<DeliveryAccepted, ConnectionError> {
        match self {
            Self::OrderApi(client) => {
                let accepted = client
                    .accept_delivery_once(id, key, quantities, insert_stock)
                    .await?;
                Ok(DeliveryAccepted {
                    additional: accepted.additional,
                })
            }
            Self::Graphql(client) => {
                let delivery_id = graphql_id(client, id)?;
                let admin_user_id = client.admin_user_id().ok_or_else(|| {
                    invalid(
                        client,
                        "no admin_user_id in the settings: the Integration API accepts a supplier \
                         delivery as a Centra admin user"
                            .to_owned(),
                    )
                })?;
                client
                    .accept_delivery(&DeliveryAcceptance {
                        delivery_id,
                        admin_user_id,
                        warehouse_id: None,
                        stock: match insert_stock {
                            Some(false) => StockInsert::NotIntoStock,
                            Some(true) | None => StockInsert::IntoStock,
                        },
                    })
                    .await?;
                Ok(DeliveryAccepted::default())
            }
        }
    }
}

fn invalid(client: &GraphqlClient, reason: String) -> GraphqlError {
    GraphqlError::new(
        client.endpoint(),
        "acceptPurchaseOrderDelivery",
        GraphqlErrorKind::InvalidRequest(reason),
    )
}

/// Centra's numeric delivery id (`PurchaseOrderDelivery.id: Int!`).
fn graphql_id(client: &GraphqlClient, id: &str) -> Result<i64, GraphqlError> {
    id.parse().map_err(|_| {
        invalid(
            client,
            format!("delivery id {id:?} is not Centra's numeric purchase order delivery id"),
        )
    })
}
