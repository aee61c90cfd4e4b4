//! The good-to-go list the shipments poll reads (a snapshot: every good-to-go shipment not
//! shipped yet, on every call), through either API.
//!
//! - Order API: `GET /shipments?status=good_to_go`, `limit` + `offset` pages.
//! - GraphQL: `shipments(where: {isGoodToGo: true, isShipped: false}, limit, page)` with each
//!   shipment's details (docs section 10: lists page by `limit` + `page`).
//!
//! The poll reads it a page at a time ([`GoodToGoPage`]). An entry that cannot be read comes
//! back as a [`BadRecord`] naming it (the poll keeps it in the dead-letter list); the others
//! are read on.

use domain::ShipmentId;

use super::quantities::shipment_of;
use super::{CentraConnection, ConnectionError};
use crate::client::record::{BadRecord, Parsed};
use crate::client::{CentraShipment, ShipmentStatusFilter};
use crate::client_graphql::PayloadError;

/// One page of the good-to-go list.
#[derive(Debug)]
pub struct GoodToGoPage {
    /// The page's shipments, each read or kept aside as bad.
    pub entries: Vec<Parsed<CentraShipment>>,
    /// True when no page follows (a short page).
    pub last: bool,
}

impl CentraConnection {
    /// Page `index` (from 0) of the good-to-go shipments not shipped yet. Why pages and not the
    /// whole list: the poll hands each page on before it reads the next, so the first orders of
    /// a long backlog reach the warehouse after one call, not after the whole list was read at
    /// the end-point's request rate (100 pages of 100 at 10 requests a second are 10 seconds).
    ///
    /// # Errors
    /// A failed page (after the client's retries): [`super::ConnectionErrorKind::Unavailable`]
    /// when Centra is unreachable, [`super::ConnectionErrorKind::Refused`] for a refused
    /// credential, [`super::ConnectionErrorKind::BadAnswer`] for an unreadable page.
    pub async fn good_to_go_page(&self, index: u32) -> Result<GoodToGoPage, ConnectionError> {
        match self {
            Self::OrderApi(client) => {
                let (entries, full) = client
                    .shipments_page(ShipmentStatusFilter::GoodToGo, index)
                    .await?;
                Ok(GoodToGoPage {
                    entries,
                    last: !full,
                })
            }
            Self::Graphql(client) => {
                let (entries, full) = client
                    .good_to_go_shipments_page(i64::from(index) + 1)
                    .await?;
                let entries = entries
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
                    .collect();
                Ok(GoodToGoPage {
                    entries,
                    last: !full,
                })
            }
        }
    }
}
