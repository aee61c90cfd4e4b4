//! Returns: `createReturn` for a shipment's lines, with what happens to the returned units,
//! and the returns of a shipment (`returns`), read to find one created before.

use super::governor::Call;
use super::operations::{CreateReturn, ReturnsPage, create_return, returns_page};
use super::user_errors::refuse_on_user_errors;
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

/// A return as the gateway reads it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnRecord {
    pub id: i64,
    pub comment: Option<String>,
    /// The returned shipment lines' ids.
    pub shipment_line_ids: Vec<i64>,
}

/// A created return: its id and the shipment lines it returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnCreated {
    pub id: i64,
    pub shipment_line_ids: Vec<i64>,
}

const RETURNS: Call = Call {
    operation: "returns",
    mutation: false,
};

impl GraphqlClient {
    /// Every return of the shipment with id `shipment_id`, page after page.
    ///
    /// # Errors
    /// As any read, after the retries; an unreadable return is a bad payload naming it.
    pub async fn returns_of_shipment(
        &self,
        shipment_id: i64,
    ) -> Result<Vec<ReturnRecord>, GraphqlError> {
        let mut all = Vec::new();
        for page in 1.. {
            let variables = returns_page::Variables {
                where_: Some(returns_page::ReturnFilter {
                    id: None,
                    shipment_id: Some(vec![shipment_id]),
                }),
                limit: i64::from(self.inner.options.page_size),
                page,
            };
            let data = self
                .read(|| self.send_once::<ReturnsPage>(RETURNS, variables.clone()))
                .await?;
            let record = format!("returns of shipment {shipment_id}");
            let answer: returns_page::ResponseData =
                self.decode(RETURNS.operation, &record, data)?;
            let full = answer.returns.len() >= self.inner.options.page_size as usize;
            all.extend(answer.returns.into_iter().map(|r| {
                ReturnRecord {
                    id: r.id,
                    comment: r.comment,
                    shipment_line_ids: r
                        .lines
                        .into_iter()
                        .filter_map(|l| l.shipment_line.map(|s| s.id))
                        .collect(),
                }
            }));
            if !full {
                break;
            }
        }
        Ok(all)
    }

    /// `createReturn`; answers the new return's id. Sent again only after a 429 (a lost answer
    /// may have created it: the caller looks for it before asking again).
    ///
    /// # Errors
    /// [`GraphqlErrorKind::Refused`] naming the shipment and each field; other kinds as any
    /// call.
    pub async fn create_return(&self, new: &NewReturn) -> Result<ReturnCreated, GraphqlError> {
        const CALL: Call = Call {
            operation: "createReturn",
            mutation: true,
        };
        let record = format!("return of shipment {}", new.shipment_id);
        let policy = match &new.stock {
            ReturnStock::ReturnToStock => create_return::StockPolicyActionInput {
                release_items_back_to_warehouse: Some(true),
                send_items_to_different_warehouse: None,
                remove_items_from_stock: None,
            },
            ReturnStock::SendToWarehouse(warehouse) => create_return::StockPolicyActionInput {
                release_items_back_to_warehouse: None,
                send_items_to_different_warehouse: Some(create_return::WarehouseInput {
                    id: Some(*warehouse),
                }),
                remove_items_from_stock: None,
            },
            ReturnStock::RemoveFromStock => create_return::StockPolicyActionInput {
                release_items_back_to_warehouse: None,
                send_items_to_different_warehouse: None,
                remove_items_from_stock: Some(true),
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
        refuse_on_user_errors!(self, CALL.operation, &record, payload)?;
        payload
            .return_
            .map(|created| ReturnCreated {
                id: created.id,
                shipment_line_ids: created
                    .lines
                    .into_iter()
                    .filter_map(|l| l.shipment_line.map(|s| s.id))
                    .collect(),
            })
            .ok_or_else(|| {
                self.error(
                    CALL.operation,
                    GraphqlErrorKind::BadPayload(PayloadError::new(record, "return", "missing")),
                )
            })
    }
}
