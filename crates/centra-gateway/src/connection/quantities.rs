//! A shipment as it is now, its order lines, and setting its quantities. Ids are Centra's
//! shipment numbers (`<order>-<n>`).
//!
//! - Order API: the good-to-go, completed and unfiltered `GET /shipments` lists
//!   (`shipment_state`), `GET /orders?order=` for the order lines, `PUT /shipments/{id}`.
//! - GraphQL: `shipments(where: {number})` with the order's address and the lines' products
//!   (`shipment_details`); `updateShipment(id, {lines})`, then that read again. A line's
//!   `line_id` is the shipment line's id; its order line comes from the same read (the
//!   shipment's lines name their order lines), so no second query is needed.
//!
//! Doc gaps on the GraphQL side, the same as the Order API's `shouldCapture` / status lists:
//! section 10 documents no "should capture" on a shipment, so it reads `false` (a
//! capture-on-import policy then waits for `isPaid`, the cautious side); the status is
//! completed when shipped, good to go when `isGoodToGo`, otherwise in progress.

use domain::ShipmentId;
use proto::events::v1 as pb;

use super::{CentraConnection, ConnectionError};
use crate::client::{CentraShipment, ShipmentState, ShipmentStatusFilter};
use crate::client_graphql::{
    GraphqlClient, GraphqlError, GraphqlErrorKind, Refusal, ShipmentChanges, ShipmentDetails,
    UserProblem,
};

fn price(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.2}")).unwrap_or_default()
}

/// `details` in the gateway's terms; `line_id` is the shipment line's or, for
/// `by_order_line`, the order line's id.
pub(super) fn shipment_of(
    id: ShipmentId,
    details: &ShipmentDetails,
    by_order_line: bool,
) -> ShipmentState {
    let lines = details
        .lines
        .iter()
        .map(|line| pb::ProductLine {
            line_id: if by_order_line {
                line.order_line_id
            } else {
                line.id
            }
            .to_string(),
            sku: line.sku.clone(),
            variant_sku: line.variant_sku.clone(),
            size_sku: line.size_sku.clone(),
            ean: line.ean.clone(),
            quantity: line.quantity,
            product_name: line.product_name.clone(),
            variant_name: line.variant_name.clone(),
            size_name: line.size_name.clone(),
            unit_price: price(line.unit_price),
            ..pb::ProductLine::default()
        })
        .collect();
    let d = &details.delivery;
    ShipmentState {
        shipment: CentraShipment {
            id,
            order_id: id.order_id().to_string(),
            paid: details.paid,
            should_capture: false,
            on_hold: details.on_hold,
            suspect: false,
            currency: details.currency.clone(),
            order_date: None,
            shipment_date: details.shipped_at,
            delivery: pb::Address {
                name: d.name.clone(),
                company: d.company.clone(),
                email: d.email.clone(),
                mobile_phone: d.mobile_phone.clone(),
                phone: d.phone.clone(),
                address_line1: d.address_line1.clone(),
                address_line2: d.address_line2.clone(),
                zip_code: d.zip_code.clone(),
                city: d.city.clone(),
                state: d.state.clone(),
                country_code: d.country_code.clone(),
            },
            shipping: pb::ShippingMethod {
                carrier: details.carrier.clone(),
                service: details.service.clone(),
                shipping_list: details.shipping_method.clone(),
            },
            lines,
            tracking_number: details.tracking_number.clone().unwrap_or_default(),
        },
        status: if details.shipped {
            ShipmentStatusFilter::Completed
        } else if details.good_to_go {
            ShipmentStatusFilter::GoodToGo
        } else {
            ShipmentStatusFilter::InProgress
        },
    }
}

impl CentraConnection {
    /// `shipment` as it is now and where it stands; `None` when Centra does not know it. Reads
    /// retry what is transient.
    ///
    /// # Errors
    /// [`super::ConnectionErrorKind::Unavailable`] once the retries run out;
    /// [`super::ConnectionErrorKind::BadAnswer`] for an unreadable answer;
    /// [`super::ConnectionErrorKind::Refused`] for a refused credential or permission.
    pub async fn shipment_state(
        &self,
        shipment: &ShipmentId,
    ) -> Result<Option<ShipmentState>, ConnectionError> {
        self.shipment_state_from(shipment, ShipmentStatusFilter::GoodToGo)
            .await
    }

    /// As [`Self::shipment_state`], the Order API asking for `likely` first (its read has no
    /// state and tries the filters in turn; GraphQL reads the state in one call either way).
    ///
    /// # Errors
    /// As [`Self::shipment_state`].
    pub async fn shipment_state_from(
        &self,
        shipment: &ShipmentId,
        likely: ShipmentStatusFilter,
    ) -> Result<Option<ShipmentState>, ConnectionError> {
        match self {
            Self::OrderApi(client) => Ok(client.shipment_state_from(shipment, likely).await?),
            Self::Graphql(client) => Ok(client
                .shipment_details(&shipment.to_string())
                .await?
                .map(|d| shipment_of(*shipment, &d, false))),
        }
    }

    /// The order lines a shipment's lines can be mapped to (by sku, variant sku, size sku and
    /// EAN), `line_id` being the order line's id: the order's lines (Order API), or the
    /// order lines of the shipment's own lines (GraphQL). One attempt.
    ///
    /// # Errors
    /// As [`Self::shipment_state`]; GraphQL: [`super::ConnectionErrorKind::Refused`] for a
    /// shipment Centra does not know.
    pub async fn order_lines_once(
        &self,
        shipment: &ShipmentId,
        order_id: &str,
    ) -> Result<Vec<pb::ProductLine>, ConnectionError> {
        match self {
            Self::OrderApi(client) => Ok(client.order_lines_once(order_id).await?),
            Self::Graphql(client) => {
                let details = known(client, shipment, "shipments").await?;
                Ok(shipment_of(*shipment, &details, true).shipment.lines)
            }
        }
    }

    /// Sets the quantities of `shipment`'s lines, keyed by order line id (as
    /// [`Self::order_lines_once`] names them); answers the shipment after. One attempt.
    ///
    /// # Errors
    /// [`super::ConnectionErrorKind::Refused`] when Centra refuses it (`userErrors`, a
    /// shipment it does not know); [`super::ConnectionErrorKind::InvalidRequest`] for an order
    /// line id that is not a number (GraphQL); other kinds as any call.
    pub async fn update_quantities_once(
        &self,
        shipment: &ShipmentId,
        order_line_quantities: &[(String, i64)],
    ) -> Result<CentraShipment, ConnectionError> {
        match self {
            Self::OrderApi(client) => Ok(client
                .update_quantities_once(shipment, order_line_quantities)
                .await?),
            Self::Graphql(client) => {
                let mut lines = Vec::with_capacity(order_line_quantities.len());
                for (order_line, quantity) in order_line_quantities {
                    let id = order_line.parse::<i64>().map_err(|_| {
                        GraphqlError::new(
                            client.endpoint(),
                            "updateShipment",
                            GraphqlErrorKind::InvalidRequest(format!(
                                "order line id {order_line:?} is not a number"
                            )),
                        )
                    })?;
                    lines.push((id, *quantity));
                }
                let details = known(client, shipment, "updateShipment").await?;
                client
                    .update_shipment(
                        details.id,
                        &ShipmentChanges {
                            lines,
                            ..ShipmentChanges::default()
                        },
                    )
                    .await?;
                let after = known(client, shipment, "shipments").await?;
                Ok(shipment_of(*shipment, &after, false).shipment)
            }
        }
    }
}

/// The shipment's details; a shipment Centra does not know is its refusal of the record.
async fn known(
    client: &GraphqlClient,
    shipment: &ShipmentId,
    operation: &str,
) -> Result<ShipmentDetails, GraphqlError> {
    client
        .shipment_details(&shipment.to_string())
        .await?
        .ok_or_else(|| {
            GraphqlError::new(
                client.endpoint(),
                operation,
                GraphqlErrorKind::Refused(Refusal {
                    record: format!("shipment {shipment}"),
                    problems: vec![UserProblem {
                        message: "centra has no such shipment".to_owned(),
                        path: vec!["id".to_owned()],
                    }],
                }),
            )
        })
}
