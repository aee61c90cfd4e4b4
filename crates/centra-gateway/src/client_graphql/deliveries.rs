//! Purchase order deliveries: `acceptPurchaseOrderDelivery`, once the warehouse received them.

use super::governor::Call;
use super::operations::{AcceptPurchaseOrderDelivery, accept_purchase_order_delivery as accept};
use super::user_errors::refuse_on_user_errors;
use super::{GraphqlClient, GraphqlError};

/// Whether the accepted units go into the warehouse's stock (`WarehouseStockInsertType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockInsert {
    /// Into stock (the usual case without a stock push from the WMS).
    IntoStock,
    /// Not into stock (the WMS's stock push counts them).
    NotIntoStock,
}

/// Who accepts and where (Centra requires an admin user on the accept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAcceptance {
    pub delivery_id: i64,
    pub admin_user_id: i64,
    /// The warehouse's id; `None` is the delivery's own.
    pub warehouse_id: Option<i64>,
    pub stock: StockInsert,
}

/// What Centra answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAccepted {
    pub delivery_id: Option<i64>,
}

impl GraphqlClient {
    /// Accepts a delivery. Sent again only after a 429: accepting is one-shot in Centra, so the
    /// caller checks the delivery is still pending before asking again.
    ///
    /// # Errors
    /// [`super::GraphqlErrorKind::Refused`] naming the delivery and each field; other kinds as
    /// any call.
    pub async fn accept_delivery(
        &self,
        acceptance: &DeliveryAcceptance,
    ) -> Result<DeliveryAccepted, GraphqlError> {
        const CALL: Call = Call {
            operation: "acceptPurchaseOrderDelivery",
            mutation: true,
        };
        let record = format!("purchase order delivery {}", acceptance.delivery_id);
        let variables = accept::Variables {
            id: acceptance.delivery_id,
            input: accept::PurchaseOrderDeliveryAcceptInput {
                admin_user: accept::AdminUserInput {
                    id: Some(acceptance.admin_user_id),
                },
                warehouse: acceptance
                    .warehouse_id
                    .map(|id| accept::WarehouseInput { id: Some(id) }),
                stock_insert_type: match acceptance.stock {
                    StockInsert::IntoStock => accept::WarehouseStockInsertType::INSERT_INTO_STOCK,
                    StockInsert::NotIntoStock => accept::WarehouseStockInsertType::DO_NOT_INSERT,
                },
            },
        };
        let data = self
            .mutate(|| self.send_once::<AcceptPurchaseOrderDelivery>(CALL, variables.clone()))
            .await?;
        let answer: accept::ResponseData = self.decode(CALL.operation, &record, data)?;
        let payload = answer.accept_purchase_order_delivery;
        refuse_on_user_errors!(self, CALL.operation, &record, payload)?;
        Ok(DeliveryAccepted {
            delivery_id: payload.purchase_order_delivery.map(|d| d.id),
        })
    }
}
