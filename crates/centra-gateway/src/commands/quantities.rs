//! UpdateShipmentQuantities for a partly picked shipment, through the end-point's connection:
//! `PUT /shipments/{id}` (Order API) or `updateShipment(id, {lines})` (GraphQL).
//!
//! Callers name shipment lines (the `line_id` of the `ShipmentGoodToGo` event), but Centra
//! keys the update by order line id (REF/108: "lineID from the Get orders response"; GraphQL
//! `orderLine{id}`, as `createShipment`). Each
//! shipment line is mapped to the one order line with the same sku, variant sku, size sku and
//! EAN; a line that maps to none or several is refused naming the line.
//!
//! Sent again after it reached Centra (the caller killed before it recorded the answer, or the
//! answer lost), the update finds a line it set to 0 gone from the shipment (the simulator
//! keeps no line at 0; the docs do not say either way). A line the gateway once sent for this
//! shipment ([`sent_lines`](super::sent_lines)) and now absent is at 0: asking 0 again is done,
//! asking more is refused. A line it never sent and the shipment does not list is refused.

use std::collections::BTreeMap;

use proto::centra::v1::{
    ShipmentStatus, UpdateShipmentQuantitiesRequest, UpdateShipmentQuantitiesResponse,
};
use proto::events::v1::ProductLine;

use super::reads::shipment_message;
use super::sent_lines::{self, SentLine};
use super::{CommandError, Commands, shipment_id};
use crate::client::{ShipmentState, ShipmentStatusFilter};

fn same_item(a: &ProductLine, b: &ProductLine) -> bool {
    a.sku == b.sku && a.variant_sku == b.variant_sku && a.size_sku == b.size_sku && a.ean == b.ean
}

impl Commands {
    /// Sets new quantities; the same quantities again is success (`already_done`).
    pub async fn update_shipment_quantities(
        &self,
        request: UpdateShipmentQuantitiesRequest,
    ) -> Result<UpdateShipmentQuantitiesResponse, CommandError> {
        let client = self.connection(&request.endpoint)?;
        let id = shipment_id("shipment_id", &request.shipment_id)?;
        if request.lines.is_empty() {
            return Err(CommandError::invalid("lines", "is empty"));
        }
        let mut wanted: BTreeMap<String, i64> = BTreeMap::new();
        for (i, line) in request.lines.iter().enumerate() {
            if line.quantity < 0 {
                return Err(CommandError::invalid(
                    format!("lines[{i}].quantity"),
                    format!("is negative ({})", line.quantity),
                ));
            }
            if wanted
                .insert(line.line_id.trim().to_owned(), line.quantity)
                .is_some()
            {
                return Err(CommandError::invalid(
                    format!("lines[{i}].line_id"),
                    format!("{:?} is listed twice", line.line_id),
                ));
            }
        }
        let state = client
            .shipment_state(&id)
            .await?
            .ok_or_else(|| CommandError::NotFound(format!("shipment {id}")))?;
        let current: BTreeMap<&str, &ProductLine> = state
            .shipment
            .lines
            .iter()
            .map(|l| (l.line_id.as_str(), l))
            .collect();
        let absent: Vec<(usize, &str, i64)> = request
            .lines
            .iter()
            .enumerate()
            .map(|(i, line)| (i, line.line_id.trim(), line.quantity))
            .filter(|(_, line_id, _)| !current.contains_key(line_id))
            .collect();
        if !absent.is_empty() {
            let sent = sent_lines::sent_line_ids(&self.store, client.endpoint(), &id).await?;
            for (i, line_id, quantity) in absent {
                let field = format!("lines[{i}].line_id");
                if !sent.contains(line_id) {
                    return Err(CommandError::invalid(
                        field,
                        format!("{line_id:?} is not a line of shipment {id}"),
                    ));
                }
                if quantity > 0 {
                    return Err(CommandError::invalid(
                        field,
                        format!(
                            "{line_id:?} is no longer a line of shipment {id} (set to 0 before, \
                             Centra removed it); it cannot get {quantity} units back"
                        ),
                    ));
                }
                tracing::info!(endpoint = %client.endpoint(), shipment_id = %id, line_id, "line already at 0: centra removed it after an earlier update");
            }
        }
        // Absent lines left are at 0, as asked.
        if wanted.iter().all(|(line, qty)| {
            current
                .get(line.as_str())
                .is_none_or(|l| l.quantity == *qty)
        }) {
            return Ok(UpdateShipmentQuantitiesResponse {
                already_done: true,
                shipment: Some(shipment_message(&state)),
            });
        }
        if state.status == ShipmentStatusFilter::Completed {
            return Err(CommandError::invalid(
                "shipment_id",
                format!("shipment {id} is already completed; its quantities cannot change"),
            ));
        }
        let order_lines = client
            .with_retry(|| client.order_lines_once(&id, &state.shipment.order_id))
            .await?;
        let mut by_order_line = Vec::new();
        let mut sent = Vec::new();
        for (line_id, qty) in &wanted {
            let Some(shipment_line) = current.get(line_id.as_str()) else {
                continue;
            };
            let matching: Vec<&ProductLine> = order_lines
                .iter()
                .filter(|o| same_item(o, shipment_line))
                .collect();
            match matching.as_slice() {
                [only] => {
                    by_order_line.push((only.line_id.clone(), *qty));
                    sent.push(SentLine {
                        line_id: line_id.clone(),
                        order_line_id: only.line_id.clone(),
                        quantity: *qty,
                    });
                }
                [] => {
                    return Err(CommandError::invalid(
                        "lines.line_id",
                        format!(
                            "shipment line {line_id} matches no line of order {}",
                            state.shipment.order_id
                        ),
                    ));
                }
                _ => {
                    return Err(CommandError::invalid(
                        "lines.line_id",
                        format!(
                            "shipment line {line_id} matches several lines of order {}",
                            state.shipment.order_id
                        ),
                    ));
                }
            }
        }
        // Before sending: a line set to 0 disappears from the shipment, and a retry must still
        // know it was one of its lines.
        sent_lines::remember(&self.store, client.endpoint(), &id, &sent).await?;
        let shipment = client
            .with_retry(|| client.update_quantities_once(&id, &by_order_line))
            .await?;
        tracing::info!(endpoint = %client.endpoint(), shipment_id = %id, lines = by_order_line.len(), "shipment quantities updated");
        let state = ShipmentState {
            shipment,
            status: state.status,
        };
        let mut message = shipment_message(&state);
        if message.status == ShipmentStatus::Unspecified as i32 {
            message.status = ShipmentStatus::InProgress as i32;
        }
        Ok(UpdateShipmentQuantitiesResponse {
            already_done: false,
            shipment: Some(message),
        })
    }
}
