//! Returns: `createReturn` for a shipment's lines, with what happens to the returned units.

use super::governor::Call;
use super::operations::{CreateReturn, create_return};
use super::shipments::problems;
use super::{GraphqlClient, GraphqlError, GraphqlErrorKind, PayloadError};

/// What Centra does with the returned units (`returnStockActionPolicy`, exactly one of three).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnStock {
    /// Back into the stock they were shipped from.
    ReturnToStock,
    /// Into the warehouse with this id.
    SendToWarehouse(i64),
    /// Out of stock (the WMS reports stock separately, so units are not counted twice).
    RemoveFromStock,
}

/// A return to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReturn {
    pub shipment_id: i64,
    /// `(shipment line id, quantity)`.
    pub lines: Vec<(i64, i64)>,
    pub stock: ReturnStock,
    pub comment: Option<String>,
}

impl GraphqlClient {
    /// `createReturn`; answers the new return's id. Sent again only after a 429 (a lost answer
    /// may have created it: the caller looks for it before asking again).
    ///
    /// # Errors
    /// [`GraphqlErrorKind::Refused`] naming the shipment and each field; other kinds as any
    /// call.
    pub async fn create_return(&self, new: &NewReturn) -> Result<i64, GraphqlError> {
        const CALL: Call = Call {
            operation: "createReturn",
            mutation: true,
        };
        let record = format!("return of shipment {}", new.shipment_id);
        let policy = match &new.stock {
            ReturnStock::ReturnToStock => create_return::StockPolicyActionInput {
                return_to_stock: Some(true),
                send_to_warehouse: None,
                remove_from_stock: None,
            },
            ReturnStock::SendToWarehouse(warehouse) => create_return::StockPolicyActionInput {
                return_to_stock: None,
                send_to_warehouse: Some(create_return::WarehouseInput {
                    id: Some(*warehouse),
                }),
                remove_from_stock: None,
            },
            ReturnStock::RemoveFromStock => create_return::StockPolicyActionInput {
                return_to_stock: None,
                send_to_warehouse: None,
                remove_from_stock: Some(true),
            },
        };
        let variables = create_return::Variables {
            input: create_return::ReturnCreateInput {
                shipment: create_return::ShipmentInput {
                    id: Some(new.shipment_id),
                    number: None,
                },
                lines: new
                    .lines
                    .iter()
                    .map(|&(line, quantity)| create_return::ReturnLineCreateInput {
                        shipment_line: create_return::ShipmentLineReferenceInput { id: Some(line) },
                        quantity,
                    })
                    .collect(),
                return_stock_action_policy: policy,
                comment: new.comment.clone(),
                external_id: None,
            },
        };
        let data = self
            .mutate(|| self.send_once::<CreateReturn>(CALL, variables.clone()))
            .await?;
        let answer: create_return::ResponseData = self.decode(CALL.operation, &record, data)?;
        let payload = answer.create_return;
        self.refused_unless_empty(
            CALL.operation,
            &record,
            problems(payload.user_errors.into_iter().map(|e| (e.message, e.path))),
            &problems(
                payload
                    .user_warnings
                    .into_iter()
                    .map(|e| (e.message, e.path)),
            ),
        )?;
        payload.return_.map(|created| created.id).ok_or_else(|| {
            self.error(
                CALL.operation,
                GraphqlErrorKind::BadPayload(PayloadError::new(record, "return", "missing")),
            )
        })
    }
}
