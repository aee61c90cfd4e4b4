//! The good-to-go list the shipments poll reads (a snapshot: every good-to-go shipment not
//! shipped yet, on every call), through either API.
//!
//! - Order API: `GET /shipments?status=good_to_go`, `limit` + `offset` pages.
//! - GraphQL: `shipments(where: {isGoodToGo: true, isShipped: false}, limit, page)` with each
//!   shipment's details (docs section 10: lists page by `limit` + `page`).
//!
//! An entry that cannot be read comes back as a [`BadRecord`] naming it (the poll keeps it in
//! the dead-letter list); the others are read on.

use domain::ShipmentId;

use super::quantities::shipment_of;
use super::{CentraConnection, ConnectionError};
use crate::client::record::{BadRecord, Parsed};
use crate::client::{CentraShipment, ShipmentStatusFilter};
use crate::client_graphql::PayloadError;

impl CentraConnection {
    /// Every good-to-go shipment not shipped yet, each read or kept aside as bad.
    ///
    /// # Errors
    /// A failed page (after the client's retries): [`super::ConnectionErrorKind::Unavailable`]
    /// when Centra is unreachable, [`super::ConnectionErrorKind::Refused`] for a refused
    /// credential, [`super::ConnectionErrorKind::BadAnswer`] for an unreadable page.
    pub async fn good_to_go_shipments(
        &self,
    ) -> Result<Vec<Parsed<CentraShipment>>, ConnectionError> {
        match self {
            Self::OrderApi(client) => Ok(client
                .shipments(ShipmentStatusFilter::GoodToGo, None)
                .await?),
            Self::Graphql(client) => Ok(client
                .good_to_go_shipments()
                .await?
                .into_iter()
                .map(|entry| match entry {
                    Ok(details) => match ShipmentId::parse(&details.number) {
                        Ok(id) => Ok(shipment_of(id, &details, false).shipment),
                        Err(e) => Err(Box::new(BadRecord {
                            key: format!("shipment {}", details.number),
                            error: PayloadError::new(
                                format!("shipment {}", details.number),
                                "number",
                                e.to_string(),
                            ),
                            // The typed entry is kept by its number; the raw text was read.
                            raw: serde_json::json!({ "shipmentId": details.number }),
                        })),
                    },
                    Err(unread) => {
                        let unread = *unread;
                        Err(Box::new(BadRecord {
                            key: unread.key,
                            error: unread.error,
                            raw: unread.raw,
                        }))
                    }
                })
                .collect()),
        }
    }
}
