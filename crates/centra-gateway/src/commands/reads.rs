//! GetShipment, ListProducts and TestConnection, through either API.

use chrono::{DateTime, Utc};
use domain::EndpointGroup;
use proto::centra::v1::{
    EndpointGroup as ProtoGroup, EndpointGroupCheck, GetShipmentRequest, GetShipmentResponse,
    ListProductsRequest, ListProductsResponse, Shipment, ShipmentStatus, TestConnectionRequest,
    TestConnectionResponse,
};

use super::{CommandError, Commands, shipment_id};
use crate::client::{
    CentraError, CentraErrorKind, ProductQuery, ShipmentState, ShipmentStatusFilter, group_products,
};
use crate::client_graphql::GraphqlErrorKind;
use crate::connection::ConnectionError;

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
        let state = client
            .shipment_state(&id)
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

    /// Checks the secret and each requested end-point group by a harmless read (ORDER &
    /// SHIPMENT when none is named); a failure is an answer, not an error.
    ///
    /// # Errors
    /// [`CommandError::NotFound`] for an unknown end-point, [`CommandError::InvalidArgument`]
    /// for an unknown group.
    pub async fn test_connection(
        &self,
        request: TestConnectionRequest,
    ) -> Result<TestConnectionResponse, CommandError> {
        let client = self.connection(&request.endpoint)?;
        let mut groups = Vec::with_capacity(request.groups.len().max(1));
        for (i, raw) in request.groups.iter().enumerate() {
            groups.push(endpoint_group(*raw).ok_or_else(|| {
                CommandError::invalid(format!("groups[{i}]"), format!("unknown group {raw}"))
            })?);
        }
        if groups.is_empty() {
            groups.push(EndpointGroup::OrderAndShipment);
        }
        let mut checks = Vec::with_capacity(groups.len());
        for group in groups {
            let (ok, message) = match client.probe(group).await {
                Ok(operation) => (
                    true,
                    format!("end-point {} answered {operation}", client.endpoint()),
                ),
                Err(error) => (false, group_failure(group, &error)),
            };
            checks.push(EndpointGroupCheck {
                group: proto_group(group) as i32,
                ok,
                message,
            });
        }
        let failed: Vec<&EndpointGroupCheck> = checks.iter().filter(|c| !c.ok).collect();
        Ok(TestConnectionResponse {
            ok: failed.is_empty(),
            message: match failed.first() {
                None => checks
                    .iter()
                    .map(|c| c.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                Some(first) => first.message.clone(),
            },
            groups: checks,
        })
    }
}

/// Why a group's read failed, and what to change, by the API's typed error.
fn group_failure(group: EndpointGroup, error: &ConnectionError) -> String {
    match error {
        ConnectionError::OrderApi(error) => order_api_failure(group, error),
        ConnectionError::Graphql(error) => match &error.kind {
            GraphqlErrorKind::NotAuthorized(_) => format!(
                "{error}: the token was refused or lacks a permission this group needs; check \
                 this end-point's `token` (an API token with the group's read permissions)"
            ),
            _ => error.to_string(),
        },
    }
}

/// The Order API's: a wrong secret is HTTP 401 ([I]: Centra documents no code; the simulator
/// answers 401); a refused read (`status: "no"`, or another 4xx) is what a plugin whose
/// endpoint allow-list lacks the group is expected to answer ([I]: the shape of that refusal
/// is not documented either).
fn order_api_failure(group: EndpointGroup, error: &CentraError) -> String {
    match &error.kind {
        CentraErrorKind::Rejected { status: 401, .. } => format!(
            "{error}: the secret was refused; check this end-point's `secret` (the Order API plugin's API key)"
        ),
        CentraErrorKind::Rejected { .. } | CentraErrorKind::Refused(_) => {
            format!("{error}: {}", group.fix())
        }
        _ => error.to_string(),
    }
}

fn endpoint_group(raw: i32) -> Option<EndpointGroup> {
    match ProtoGroup::try_from(raw).ok()? {
        ProtoGroup::Unspecified => None,
        ProtoGroup::OrderAndShipment => Some(EndpointGroup::OrderAndShipment),
        ProtoGroup::ProductAndStock => Some(EndpointGroup::ProductAndStock),
        ProtoGroup::SupplierDeliveries => Some(EndpointGroup::SupplierDeliveries),
        ProtoGroup::Returns => Some(EndpointGroup::Returns),
    }
}

fn proto_group(group: EndpointGroup) -> ProtoGroup {
    match group {
        EndpointGroup::OrderAndShipment => ProtoGroup::OrderAndShipment,
        EndpointGroup::ProductAndStock => ProtoGroup::ProductAndStock,
        EndpointGroup::SupplierDeliveries => ProtoGroup::SupplierDeliveries,
        EndpointGroup::Returns => ProtoGroup::Returns,
    }
}
