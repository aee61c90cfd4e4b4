//! GetShipment and ListProducts, through either API.

use chrono::{DateTime, Utc};
use proto::centra::v1::{
    GetShipmentRequest, GetShipmentResponse, ListProductsRequest, ListProductsResponse, Shipment,
    ShipmentStatus,
};

use super::{CommandError, Commands, shipment_id};
use crate::client::{ProductQuery, ShipmentState, ShipmentStatusFilter, group_products};
use crate::detect::cancellations::known_completed;

/// A shipment as the gRPC contract shows it.
pub(crate) fn shipment_message(state: &ShipmentState) -> Shipment {
    let s = &state.shipment;
    Shipment {
        shipment_id: s.id.to_string(),
        order_id: s.order_id.clone(),
        status: match state.status {
            ShipmentStatusFilter::GoodToGo => ShipmentStatus::GoodToGo,
            ShipmentStatusFilter::InProgress => ShipmentStatus::InProgress,
            ShipmentStatusFilter::Completed => ShipmentStatus::Completed,
        } as i32,
        paid: s.paid,
        should_capture: s.should_capture,
        on_hold: s.on_hold,
        delivery_address: Some(s.delivery.clone()),
        shipping_method: Some(s.shipping.clone()),
        lines: s.lines.clone(),
        currency: s.currency.clone(),
        // The Order API has no shipped date on shipments ([I]); left unset.
        shipped_at: None,
        tracking_numbers: s
            .tracking_number
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
    }
}

impl Commands {
    /// Reads one shipment as it is now.
    pub async fn get_shipment(
        &self,
        request: GetShipmentRequest,
    ) -> Result<GetShipmentResponse, CommandError> {
        let client = self.connection(&request.endpoint)?;
        let id = shipment_id("shipment_id", &request.shipment_id)?;
        // Returns read shipments this gateway completed: asking for completed first saves a
        // call. A memory that cannot be read only costs that call.
        let likely = match known_completed(&self.store, client.endpoint(), &id).await {
            Ok(true) => ShipmentStatusFilter::Completed,
            Ok(false) => ShipmentStatusFilter::GoodToGo,
            Err(error) => {
                tracing::warn!(shipment = %id, %error, "could not read whether the shipment completed");
                ShipmentStatusFilter::GoodToGo
            }
        };
        let state = client
            .shipment_state_from(&id, likely)
            .await?
            .ok_or_else(|| CommandError::NotFound(format!("shipment {id}")))?;
        Ok(GetShipmentResponse {
            shipment: Some(shipment_message(&state)),
        })
    }

    /// One page of products. Order API: a page of size rows, so a product whose rows straddle
    /// two pages comes in both. GraphQL: a page of whole products (the token is the next page
    /// number); with `modified_since`, the products Centra shows as updated since then.
    pub async fn list_products(
        &self,
        request: ListProductsRequest,
    ) -> Result<ListProductsResponse, CommandError> {
        let client = self.connection(&request.endpoint)?;
        let modified_since = match request.modified_since {
            Some(ts) => Some(
                DateTime::<Utc>::from_timestamp(ts.seconds, u32::try_from(ts.nanos).unwrap_or(0))
                    .ok_or_else(|| CommandError::invalid("modified_since", "is out of range"))?,
            ),
            None => None,
        };
        let query = ProductQuery {
            modified_since,
            sku: Some(request.sku.trim().to_owned()).filter(|s| !s.is_empty()),
            product_id: None,
            limit: request.page_size.min(500),
        };
        let token = Some(request.page_token.as_str()).filter(|t| !t.is_empty());
        let page = client.catalog_page(&query, token).await?;
        let mut rows = Vec::with_capacity(page.rows.len());
        for row in page.rows {
            match row {
                Ok(row) => rows.push(row),
                Err(bad) => {
                    tracing::warn!(endpoint = %client.endpoint(), key = %bad.key, error = %bad.error, "skipped unreadable product row")
                }
            }
        }
        Ok(ListProductsResponse {
            products: group_products(rows),
            next_page_token: page.next.unwrap_or_default(),
        })
    }
}
