//! Returns: find the returns of a shipment (how a command finds the return an earlier attempt
//! created, by the tag in its comment) and create one. Ids are Centra's, as text.
//!
//! - Order API: `GET /returns?shipment=` and `POST /return`, the shipment by its id
//!   (`<order>-<n>`).
//! - GraphQL: the shipment is found by its number (the same `<order>-<n>`) to get its id, then
//!   `returns(where: {shipmentId})` and `createReturn`. `createReturn` takes exactly one stock
//!   policy and has no store default, so a return without `return_stock` is refused before
//!   sending (the Order API leaves it to the store's default).

use domain::ShipmentId;

use super::{CentraConnection, ConnectionError};
use crate::client::NewReturn as OrderApiReturn;
use crate::client_graphql::{
    self as graphql, GraphqlClient, GraphqlError, GraphqlErrorKind, Refusal, ReturnStock,
    ShipmentQuery, UserProblem,
};

/// A return to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReturn {
    pub shipment_id: ShipmentId,
    /// `(shipment line id, quantity)`.
    pub lines: Vec<(String, i64)>,
    pub comment: String,
    /// Back to stock or not; `None` is the store's default (Order API only).
    pub return_stock: Option<bool>,
}

/// A return Centra has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnFound {
    pub return_id: String,
    pub comment: String,
    pub shipment_line_ids: Vec<String>,
}

/// A return just created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnCreated {
    pub return_id: String,
    pub shipment_line_ids: Vec<String>,
}

impl CentraConnection {
    /// The returns of `shipment` (none for a shipment Centra does not know). One attempt.
    ///
    /// # Errors
    /// [`super::ConnectionErrorKind::Unavailable`] when Centra is unreachable, 5xx or 429;
    /// [`super::ConnectionErrorKind::BadAnswer`] for an unreadable answer;
    /// [`super::ConnectionErrorKind::Refused`] for a refused credential.
    pub async fn returns_of(
        &self,
        shipment: &ShipmentId,
    ) -> Result<Vec<ReturnFound>, ConnectionError> {
        match self {
            Self::OrderApi(client) => {
                let text = shipment.to_string();
                let returns = client.returns_once(None, Some(&text)).await?;
                Ok(returns
                    .into_iter()
                    .filter_map(Result::ok)
                    .filter(|r| r.shipment_id == text)
                    .map(|r| ReturnFound {
                        return_id: r.id,
                        comment: r.comment,
                        shipment_line_ids: r
                            .lines
                            .into_iter()
                            .map(|l| l.shipment_line_id)
                            .collect(),
                    })
                    .collect())
            }
            Self::Graphql(client) => {
                let Some(id) = graphql_shipment_id(client, shipment).await? else {
                    return Ok(Vec::new());
                };
                Ok(client
                    .returns_of_shipment(id)
                    .await?
                    .into_iter()
                    .map(|r| ReturnFound {
                        return_id: r.id.to_string(),
                        comment: r.comment.unwrap_or_default(),
                        shipment_line_ids: r.shipment_line_ids.iter().map(i64::to_string).collect(),
                    })
                    .collect())
            }
        }
    }

    /// Creates a return. One attempt: Centra has no upsert, so the caller looks for its return
    /// ([`Self::returns_of`]) before each attempt.
    ///
    /// # Errors
    /// [`super::ConnectionErrorKind::Refused`] when Centra refuses the return (an unknown
    /// shipment or line, a quantity over what was shipped);
    /// [`super::ConnectionErrorKind::InvalidRequest`] for a line id that is not a number or, with
    /// GraphQL, no `return_stock`; [`super::ConnectionErrorKind::Unavailable`] as any call.
    pub async fn create_return_once(
        &self,
        new: &NewReturn,
    ) -> Result<ReturnCreated, ConnectionError> {
        match self {
            Self::OrderApi(client) => {
                let created = client
                    .create_return_once(&OrderApiReturn {
                        shipment_id: new.shipment_id.to_string(),
                        lines: new.lines.clone(),
                        comment: new.comment.clone(),
                        return_stock: new.return_stock,
                    })
                    .await?;
                Ok(ReturnCreated {
                    return_id: created.return_id,
                    shipment_line_ids: created.returned_line_ids,
                })
            }
            Self::Graphql(client) => Ok(create_return_graphql(client, new).await?),
        }
    }
}

/// The Integration API id of the shipment numbered `shipment`, if Centra has it.
async fn graphql_shipment_id(
    client: &GraphqlClient,
    shipment: &ShipmentId,
) -> Result<Option<i64>, GraphqlError> {
    let number = shipment.to_string();
    let query = ShipmentQuery {
        numbers: vec![number.clone()],
        ..ShipmentQuery::default()
    };
    let found = client.shipments_page(&query, 1).await?;
    for entry in found {
        match entry {
            Ok(s) if s.number == number => return Ok(Some(s.id)),
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

async fn create_return_graphql(
    client: &GraphqlClient,
    new: &NewReturn,
) -> Result<ReturnCreated, GraphqlError> {
    let invalid = |message: String| {
        GraphqlError::new(
            client.endpoint(),
            "createReturn",
            GraphqlErrorKind::InvalidRequest(message),
        )
    };
    let stock = match new.return_stock {
        Some(true) => ReturnStock::ReturnToStock,
        Some(false) => ReturnStock::RemoveFromStock,
        None => {
            return Err(invalid(
                "return_stock is required with api = \"graphql\": createReturn takes exactly \
                 one stock policy and has no store default"
                    .to_owned(),
            ));
        }
    };
    let mut lines = Vec::with_capacity(new.lines.len());
    for (i, (line, quantity)) in new.lines.iter().enumerate() {
        let id = line.parse::<i64>().map_err(|_| {
            invalid(format!(
                "lines[{i}].shipment_line_id: {line:?} is not a Centra line id"
            ))
        })?;
        lines.push((id, *quantity));
    }
    let Some(shipment_id) = graphql_shipment_id(client, &new.shipment_id).await? else {
        return Err(GraphqlError::new(
            client.endpoint(),
            "createReturn",
            GraphqlErrorKind::Refused(Refusal {
                record: format!("return of shipment {}", new.shipment_id),
                problems: vec![UserProblem {
                    message: "centra has no such shipment".to_owned(),
                    path: vec!["input".to_owned(), "shipment".to_owned()],
                }],
            }),
        ));
    };
    let created = client
        .create_return(&graphql::NewReturn {
            shipment_id,
            lines,
            stock,
            comment: Some(new.comment.clone()),
        })
        .await?;
    Ok(ReturnCreated {
        return_id: created.id.to_string(),
        shipment_line_ids: created
            .shipment_line_ids
            .iter()
            .map(i64::to_string)
            .collect(),
    })
}
