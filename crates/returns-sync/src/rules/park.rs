//! Why a return waits for a person. Each reason names the record and the field that did not
//! fit; none is guessed around.

use serde::{Deserialize, Serialize};

/// Why a return is parked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ParkReason {
    /// The WMS order number belongs to no configured end-point.
    #[error(
        "order {order_number}: not imported by centra-wms (its number belongs to no configured end-point)"
    )]
    NotImported { order_number: String },
    /// Imported as a Centra order (order import): Centra returns need shipment lines.
    #[error(
        "order {order_number}: imported as Centra order {order_id}, not as a shipment; a Centra return needs the shipment lines"
    )]
    ImportedAsOrder {
        order_number: String,
        order_id: String,
    },
    /// Centra does not know the shipment (any more).
    #[error("shipment {shipment_id}: centra refused it: {message}")]
    ShipmentUnknown {
        shipment_id: String,
        message: String,
    },
    /// A returned WMS line carries no Centra shipment line id.
    #[error(
        "wms line {wms_line_id} ({article_number}): field externalId is empty, so no centra shipment line to return against"
    )]
    NoShipmentLine {
        wms_line_id: i64,
        article_number: String,
    },
    /// The shipment line is not on the Centra shipment.
    #[error(
        "shipment {shipment_id}: line {shipment_line_id} ({article_number}) is not on the centra shipment"
    )]
    LineNotOnShipment {
        shipment_id: String,
        shipment_line_id: String,
        article_number: String,
    },
    /// More units than the shipment line has left.
    #[error(
        "shipment {shipment_id}: line {shipment_line_id} ({article_number}): returning {returning} but {shipped} shipped and {returned_before} returned before"
    )]
    TooMany {
        shipment_id: String,
        shipment_line_id: String,
        article_number: String,
        returning: i64,
        shipped: i64,
        returned_before: i64,
    },
    /// Centra refused `POST /return`.
    #[error("centra refused the return: {message}")]
    CentraRefused { message: String },
    /// Centra has the return but the WMS refused the acknowledgement.
    #[error(
        "in centra as return {centra_return_id}, but the wms refused the acknowledgement: {message}"
    )]
    WmsRefused {
        centra_return_id: String,
        message: String,
    },
    /// A person discarded the parked return; `was` is the park reason it replaced, put back
    /// by a person's retry.
    #[error("discarded by {by}: {reason} (was: {was})")]
    Discarded {
        reason: String,
        by: String,
        was: Box<ParkReason>,
    },
}

impl ParkReason {
    /// The stored kind (`not_imported`, `too_many`, ...), for filters and counts.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotImported { .. } => "not_imported",
            Self::ImportedAsOrder { .. } => "imported_as_order",
            Self::ShipmentUnknown { .. } => "shipment_unknown",
            Self::NoShipmentLine { .. } => "no_shipment_line",
            Self::LineNotOnShipment { .. } => "line_not_on_shipment",
            Self::TooMany { .. } => "too_many",
            Self::CentraRefused { .. } => "centra_refused",
            Self::WmsRefused { .. } => "wms_refused",
            Self::Discarded { .. } => "discarded",
        }
    }
}
