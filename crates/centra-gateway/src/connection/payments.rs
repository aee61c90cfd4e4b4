//! Payments: where a shipment's payment stands, and capturing it. Ids are Centra's shipment
//! numbers (`<order>-<n>`).
//!
//! - Order API: `GET /shipment/{id}` (`paid`) and `PUT /capture`, which answers at once.
//! - GraphQL: `shipments(where: {number})` with the shipment's `paymentHistory`, and
//!   `captureShipment`. Adyen and Klarna capture by request (docs section 10): the answer is a
//!   `PENDING` `CAPTURE_REQUEST`, the shipment stays unpaid and the provider settles it later.
//!   That is [`CaptureOutcome::Pending`], never taken as captured. A second `captureShipment`
//!   while the request is out is refused with a `userErrors` message and no typed field, so
//!   the request is told by the payment history's `PENDING` entry
//!   ([`PaymentStanding::capture_requested`]), read before asking, never by the message.

use domain::ShipmentId;

use super::{CentraConnection, ConnectionError};
use crate::client_graphql::{Capture, GraphqlError, GraphqlErrorKind, Refusal, UserProblem};

/// Where a shipment's payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentStanding {
    /// The money is taken (captured, prepaid or marked paid).
    pub paid: bool,
    /// A capture request is with the payment provider (GraphQL only; the Order API captures
    /// at once): not paid yet, and asking again is refused.
    pub capture_requested: bool,
}

/// What a capture did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureOutcome {
    /// The money is taken.
    Captured,
    /// The provider answers later: not captured yet; a later read decides.
    Pending,
}

impl CentraConnection {
    /// Where `shipment`'s payment stands; `None` when Centra does not know it. One read (the
    /// GraphQL client retries its reads itself).
    ///
    /// # Errors
    /// [`super::ConnectionErrorKind::Unavailable`] when Centra is unreachable, 5xx or 429;
    /// [`super::ConnectionErrorKind::BadAnswer`] for an unreadable answer;
    /// [`super::ConnectionErrorKind::Refused`] for a refused credential or permission.
    pub async fn payment_standing(
        &self,
        shipment: &ShipmentId,
    ) -> Result<Option<PaymentStanding>, ConnectionError> {
        match self {
            Self::OrderApi(client) => {
                Ok(client
                    .shipment_once(shipment, None)
                    .await?
                    .map(|s| PaymentStanding {
                        paid: s.paid,
                        capture_requested: false,
                    }))
            }
            Self::Graphql(client) => Ok(client
                .shipment_standing(&shipment.to_string())
                .await?
                .map(|s| PaymentStanding {
                    paid: s.paid,
                    capture_requested: s.capture_requested,
                })),
        }
    }

    /// Captures `shipment`'s payment. One attempt: a lost answer may have taken the money, so
    /// the caller reads [`Self::payment_standing`] before asking again.
    ///
    /// # Errors
    /// [`super::ConnectionErrorKind::Refused`] when Centra refuses it (a declined capture, a
    /// shipment it does not know, one already paid or with a request out);
    /// [`super::ConnectionErrorKind::Unavailable`] as any call.
    pub async fn capture_once(
        &self,
        shipment: &ShipmentId,
    ) -> Result<CaptureOutcome, ConnectionError> {
        match self {
            Self::OrderApi(client) => {
                client.capture_once(shipment).await?;
                Ok(CaptureOutcome::Captured)
            }
            Self::Graphql(client) => {
                let refused = |message: String| {
                    GraphqlError::new(
                        client.endpoint(),
                        "captureShipment",
                        GraphqlErrorKind::Refused(Refusal {
                            record: format!("shipment {shipment}"),
                            problems: vec![UserProblem {
                                message,
                                path: vec!["id".to_owned()],
                            }],
                        }),
                    )
                };
                let Some(standing) = client.shipment_standing(&shipment.to_string()).await? else {
                    return Err(refused("centra has no such shipment".to_owned()).into());
                };
                match client.capture_shipment(standing.id).await? {
                    Capture::Captured => Ok(CaptureOutcome::Captured),
                    Capture::Pending { .. } => Ok(CaptureOutcome::Pending),
                    Capture::Declined { entry } => {
                        Err(refused(format!("the capture was declined ({entry})")).into())
                    }
                }
            }
        }
    }
}
