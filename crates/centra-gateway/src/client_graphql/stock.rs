//! Stock: `setStock` with absolute physical quantities per size in one warehouse (the WMS is
//! the truth; `changeStock`'s deltas are not used, so a repeated call changes nothing).

use super::governor::Call;
use super::operations::{SetStock, set_stock};
use super::shipments::problems;
use super::{GraphqlClient, GraphqlError};

/// One size's physical quantity, named by SKU or EAN (Centra's `ProductSizeInput`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockLevel {
    pub sku: Option<String>,
    pub ean: Option<String>,
    pub quantity: i64,
}

impl GraphqlClient {
    /// Sets the physical stock of `levels` in the warehouse with id `warehouse_id`
    /// (`stockQuantityType: PHYSICAL`).
    /// Absolute values: safe to send again, and sent again after a 429.
    ///
    /// # Errors
    /// [`super::GraphqlErrorKind::Refused`] naming the warehouse and each field (e.g.
    /// `input.productSizes.3.productSize` for an unknown size); a negative quantity is refused
    /// before sending; other kinds as any call.
    pub async fn set_stock(
        &self,
        warehouse_id: i64,
        description: &str,
        levels: &[StockLevel],
    ) -> Result<(), GraphqlError> {
        const CALL: Call = Call {
            operation: "setStock",
            mutation: true,
        };
        let record = format!("warehouse {warehouse_id}");
        if let Some((i, level)) = levels.iter().enumerate().find(|(_, l)| l.quantity < 0) {
            return Err(self.error(
                CALL.operation,
                super::GraphqlErrorKind::InvalidRequest(format!(
                    "{record}: productSizes[{i}].quantity: {} is negative (Centra takes 0 or more)",
                    level.quantity
                )),
            ));
        }
        let variables = set_stock::Variables {
            input: set_stock::StockSetInput {
                warehouse: set_stock::WarehouseInput {
                    id: Some(warehouse_id),
                },
                description: description.to_owned(),
                product_sizes: Some(
                    levels
                        .iter()
                        .map(|level| set_stock::StockSetProductSizeInput {
                            product_size: set_stock::ProductSizeInput {
                                id: None,
                                sku: level.sku.clone(),
                                ean: level.ean.clone(),
                                upc: None,
                                any: None,
                            },
                            quantity: level.quantity,
                        })
                        .collect(),
                ),
                stock_quantity_type: set_stock::StockQuantityType::PHYSICAL,
            },
        };
        let data = self
            .mutate(|| self.send_once::<SetStock>(CALL, variables.clone()))
            .await?;
        let answer: set_stock::ResponseData = self.decode(CALL.operation, &record, data)?;
        let payload = answer.set_stock;
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
        )
    }
}
