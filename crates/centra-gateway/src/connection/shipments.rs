//! Shipments: whether one is completed, and completing it with tracking (capture off through
//! GraphQL). Ids are Centra's shipment numbers (`<order>-<n>`), as the commands take them.
//!
//! - Order API: `GET /shipment/{id}?status=completed` and `PUT /shipment` (with `capture`).
//! - GraphQL: the shipment is read by its number (`shipments(where: {number})`), then
//!   `completeShipment(id, {sendEmail, shipmentInfo})`. `completeShipment` has no `capture`
//!   (docs section 10: capture is its own `captureShipment`), one `trackingNumber` and no
//!   internal comment, so a completion asking for any of those is refused before sending
//!   rather than half sent.

use domain::ShipmentId;

use super::{CentraConnection, ConnectionError};
use crate::client::{Completion as OrderApiCompletion, ShipmentStatusFilter};
use crate::client_graphql::{
    self as graphql, GraphqlClient, GraphqlError, GraphqlErrorKind, Shipment, ShipmentQuery,
};

/// A shipment to complete (ship), with its tracking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentCompletion {
    pub shipment_id: ShipmentId,
    /// The order's id as the Order API names it (`PUT /shipment` takes it; GraphQL does not).
    pub order_id: String,
    /// Capture the payment while completing (Order API only; for GraphQL the command captures
    /// first, `captureShipment`, and completes with this off).
    pub capture: bool,
    pub carrier: String,
    pub service: String,
    pub tracking_numbers: Vec<String>,
    pub packages: u32,
    pub return_slip_tracking: String,
    pub send_email: Option<bool>,
    /// Appended to the order's internal comment (Order API only).
    pub internal_comment: String,
}

impl CentraConnection {
    /// True when Centra has `shipment` and it is completed (shipped); false for one not
    /// shipped yet or one Centra does not know. One attempt.
    ///
    /// # Errors
    /// [`super::ConnectionErrorKind::Unavailable`] when Centra is unreachable, 5xx or 429;
    /// [`super::ConnectionErrorKind::BadAnswer`] for an unreadable answer;
    /// [`super::ConnectionErrorKind::Refused`] for a refused credential.
    pub async fn is_completed(&self, shipment: &ShipmentId) -> Result<bool, ConnectionError> {
        match self {
            Self::OrderApi(client) => Ok(client
                .shipment_once(shipment, Some(ShipmentStatusFilter::Completed))
                .await?
                .is_some()),
            Self::Graphql(client) => Ok(graphql_shipment(client, shipment)
                .await?
                .is_some_and(|s| s.shipped)),
        }
    }

    /// Completes a shipment. One attempt: the caller reads it back ([`Self::is_completed`])
    /// before another, so a completion is sent once.
    ///
    /// # Errors
    /// [`super::ConnectionErrorKind::Refused`] when Centra refuses it (among others a shipment
    /// already completed, not good to go or not paid, or one it does not know);
    /// [`super::ConnectionErrorKind::InvalidRequest`] with GraphQL for `capture`, more than one
    /// tracking number or an internal comment; [`super::ConnectionErrorKind::Unavailable`] as
    /// any call.
    pub async fn complete_once(
        &self,
        completion: &ShipmentCompletion,
    ) -> Result<(), ConnectionError> {
        match self {
            Self::OrderApi(client) => Ok(client
                .complete_once(&OrderApiCompletion {
                    order_id: completion.order_id.clone(),
                    shipment_id: completion.shipment_id,
                    capture: completion.capture,
                    carrier: completion.carrier.clone(),
                    service: completion.service.clone(),
                    tracking_numbers: completion.tracking_numbers.clone(),
                    packages: completion.packages,
                    return_slip_tracking: completion.return_slip_tracking.clone(),
                    send_email: completion.send_email,
                    internal_comment: completion.internal_comment.clone(),
                })
                .await?),
            Self::Graphql(client) => Ok(complete_graphql(client, completion).await?),
        }
    }
}

/// The shipment numbered `shipment`, if Centra has it.
async fn graphql_shipment(
    client: &GraphqlClient,
    shipment: &ShipmentId,
) -> Result<Option<Shipment>, GraphqlError> {
    let number = shipment.to_string();
    let query = ShipmentQuery {
        numbers: vec![number.clone()],
        ..ShipmentQuery::default()
    };
    for entry in client.shipments_page(&query, 1).await? {
        match entry {
            Ok(s) if s.number == number => return Ok(Some(s)),
            Ok(_) => {}
            Err(bad) => {
                return Err(GraphqlError::new(
                    client.endpoint(),
                    "shipments",
                    GraphqlErrorKind::BadPayload(bad),
                ));
            }
        }
    }
    Ok(None)
}

fn text(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

async fn complete_graphql(
    client: &GraphqlClient,
    completion: &ShipmentCompletion,
) -> Result<(), GraphqlError> {
    let invalid = |message: &str| {
        GraphqlError::new(
            client.endpoint(),
            "completeShipment",
            GraphqlErrorKind::InvalidRequest(message.to_owned()),
        )
    };
    if completion.capture {
        return Err(invalid(
            "capture = true: completeShipment has no capture with api = \"graphql\" (the \
             CompleteShipment command captures first with captureShipment)",
        ));
    }
    if completion.tracking_numbers.len() > 1 {
        return Err(invalid(
            "tracking_numbers: completeShipment takes one trackingNumber with api = \"graphql\"",
        ));
    }
    if text(&completion.internal_comment).is_some() {
        return Err(invalid(
            "internal_comment: completeShipment has no internal comment with api = \"graphql\"",
        ));
    }
    let number = completion.shipment_id.to_string();
    let info = graphql::Completion {
        shipped_at: None,
        carrier: text(&completion.carrier),
        service: text(&completion.service),
        packages: (completion.packages > 0).then_some(i64::from(completion.packages)),
        tracking_number: completion.tracking_numbers.first().and_then(|t| text(t)),
        return_tracking_number: text(&completion.return_slip_tracking),
        send_email: completion.send_email.unwrap_or(false),
    };
    // The id order-sync's read of the shipment showed just before, when there was one
    // (`client_graphql::shipment_ids`); a refusal of it may be a stale id: forget it and ask
    // again with the id read fresh, once, when that differs.
    if let Some(remembered) = client.shipment_ids().get(&number) {
        match client.complete_shipment(remembered, &info).await {
            Err(error) if matches!(error.kind, GraphqlErrorKind::Refused(_)) => {
                client.shipment_ids().forget(&number);
                match completion_id(client, completion).await? {
                    id if id == remembered => return Err(error),
                    id => return client.complete_shipment(id, &info).await.map(drop),
                }
            }
            other => return other.map(drop),
        }
    }
    let id = completion_id(client, completion).await?;
    client.complete_shipment(id, &info).await.map(drop)
}

/// The id of the shipment `completion` names, read fresh; Centra not knowing it is its
/// refusal of the completion.
async fn completion_id(
    client: &GraphqlClient,
    completion: &ShipmentCompletion,
) -> Result<i64, GraphqlError> {
    match graphql_shipment(client, &completion.shipment_id).await? {
        Some(shipment) => Ok(shipment.id),
        None => Err(GraphqlError::new(
            client.endpoint(),
            "completeShipment",
            GraphqlErrorKind::Refused(graphql::Refusal {
                record: format!("shipment {}", completion.shipment_id),
                problems: vec![graphql::UserProblem {
                    message: "centra has no such shipment".to_owned(),
                    path: vec!["id".to_owned()],
                }],
            }),
        )),
    }
}
