//! Stock: `setStock` with absolute physical quantities per size in one warehouse (the WMS is
//! the truth; `changeStock`'s deltas are not used, so a repeated call changes nothing), and the
//! warehouses the token sees (`warehouses`), where it writes.
//!
//! Sizes are named as the ERP GQL guide's "Set absolute values" example names them: the
//! variant by id, then the size by name (`productVariants: [{productVariant: {id},
//! sizeStockLevels: [{size: {name}, quantity}]}]`).

use std::collections::BTreeMap;

use super::governor::Call;
use super::operations::{ProductStock, SetStock, Warehouses, product_stock, set_stock, warehouses};
use super::user_errors::refuse_on_user_errors;
use super::{GraphqlClient, GraphqlError, GraphqlErrorKind};

/// One size's physical quantity: the variant's id and the size's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockLevel {
    pub variant_id: i64,
    pub size_name: String,
    pub quantity: i64,
}

/// A warehouse the token sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warehouse {
    pub id: i64,
    pub name: Option<String>,
}

/// One size's keys and stock totals (summed over the token's warehouses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeStock {
    pub product_id: i64,
    pub product_number: Option<String>,
    pub variant_number: Option<String>,
    pub size_number: Option<String>,
    pub ean: Option<String>,
    pub physical: i64,
    pub allocated: i64,
}

const PRODUCT_STOCK: Call = Call {
    operation: "products",
    mutation: false,
};

const WAREHOUSES: Call = Call {
    operation: "warehouses",
    mutation: false,
};

impl GraphqlClient {
    /// The warehouses the token sees.
    ///
    /// # Errors
    /// As any read, after the retries; an unreadable list is a bad payload.
    pub async fn warehouses(&self) -> Result<Vec<Warehouse>, GraphqlError> {
        let data = self
            .read(|| self.send_once::<Warehouses>(WAREHOUSES, warehouses::Variables))
            .await?;
        let answer: warehouses::ResponseData =
            self.decode(WAREHOUSES.operation, "warehouses", data)?;
        let rows = answer.warehouses;
        Ok(rows
            .into_iter()
            .map(|w| Warehouse {
                id: w.id,
                name: w.name,
            })
            .collect())
    }

    /// Every size of the products with ids `product_ids`, with its stock totals, page after
    /// page; a size without totals (not stocked) counts 0.
    ///
    /// # Errors
    /// As any read, after the retries; an unreadable answer is a bad payload.
    pub async fn product_stock(&self, product_ids: &[i64]) -> Result<Vec<SizeStock>, GraphqlError> {
        let mut sizes = Vec::new();
        for page in 1.. {
            let filter = product_stock::ProductFilter {
                id: Some(product_ids.to_vec()),
                product_number: None,
            };
            let (rows, more) = self
                .stock_page(Some(filter), self.inner.options.page_size, page)
                .await?;
            sizes.extend(rows);
            if !more {
                break;
            }
        }
        Ok(sizes)
    }

    /// The sizes of page `page` (from 1) of every product, `limit` products a page, with their
    /// stock totals, and whether a next page may follow (this one was full: `products` says
    /// nothing about the total, so a full last page is followed by an empty one).
    ///
    /// # Errors
    /// As any read, after the retries; an unreadable answer is a bad payload.
    pub async fn every_stock_page(
        &self,
        limit: u32,
        page: i64,
    ) -> Result<(Vec<SizeStock>, bool), GraphqlError> {
        self.stock_page(None, limit, page).await
    }

    async fn stock_page(
        &self,
        filter: Option<product_stock::ProductFilter>,
        limit: u32,
        page: i64,
    ) -> Result<(Vec<SizeStock>, bool), GraphqlError> {
        let variables = product_stock::Variables {
            where_: filter,
            limit: i64::from(limit),
            page,
        };
        let data = self
            .read(|| self.send_once::<ProductStock>(PRODUCT_STOCK, variables.clone()))
            .await?;
        let answer: product_stock::ResponseData =
            self.decode(PRODUCT_STOCK.operation, "product stock", data)?;
        let full = answer.products.len() >= limit as usize;
        let mut sizes = Vec::new();
        for product in answer.products {
            for variant in product.variants {
                for size in variant.product_sizes {
                    let totals = size.stock_totals.as_ref();
                    sizes.push(SizeStock {
                        product_id: product.id,
                        product_number: product.product_number.clone(),
                        variant_number: variant.variant_number.clone(),
                        size_number: size.size_number,
                        ean: size.ean,
                        physical: totals.map_or(0, |t| t.physical_quantity),
                        allocated: totals.map_or(0, |t| t.allocated_quantity),
                    });
                }
            }
        }
        Ok((sizes, full))
    }

    /// Sets the physical stock of `levels` in the warehouse with id `warehouse_id`
    /// (`stockQuantityType: PHYSICAL`), the sizes of one variant in one entry.
    /// Absolute values: safe to send again, and sent again after a 429.
    ///
    /// # Errors
    /// [`GraphqlErrorKind::Refused`] naming the warehouse and each field (e.g.
    /// `input.productVariants.0.sizeStockLevels.3` for an unknown size); a negative quantity is
    /// refused before sending; other kinds as any call.
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
                GraphqlErrorKind::InvalidRequest(format!(
                    "{record}: levels[{i}].quantity: {} is negative (Centra takes 0 or more)",
                    level.quantity
                )),
            ));
        }
        let mut by_variant: BTreeMap<i64, Vec<set_stock::ProductSizeStockSetInput>> =
            BTreeMap::new();
        for level in levels {
            by_variant.entry(level.variant_id).or_default().push(
                set_stock::ProductSizeStockSetInput {
                    size: set_stock::SizeInput {
                        id: None,
                        name: Some(level.size_name.clone()),
                    },
                    quantity: level.quantity,
                },
            );
        }
        let variables = set_stock::Variables {
            input: set_stock::StockSetInput {
                warehouse: set_stock::WarehouseInput {
                    id: Some(warehouse_id),
                },
                description: Some(description.to_owned()),
                stock_quantity_type: set_stock::StockQuantityType::PHYSICAL,
                product_variants: by_variant
                    .into_iter()
                    .map(|(variant, sizes)| set_stock::ProductVariantStockSetInput {
                        product_variant: set_stock::ProductVariantInput { id: Some(variant) },
                        size_stock_levels: sizes,
                    })
                    .collect(),
            },
        };
        let data = self
            .mutate(|| self.send_once::<SetStock>(CALL, variables.clone()))
            .await?;
        let answer: set_stock::ResponseData = self.decode(CALL.operation, &record, data)?;
        let payload = answer.set_stock;
        refuse_on_user_errors!(self, CALL.operation, &record, payload)
    }
}
