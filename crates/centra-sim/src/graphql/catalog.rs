//! The catalogue as the Integration API shows it: `Product` → `ProductVariant` → `ProductSize`,
//! built from the size items the Order API lists one per row (`GET /products`), with stock per
//! size (`stockTotals`, `stock`) and the one warehouse the simulated plugin writes to.
//!
//! Field names follow the GQL guides where they show them (`productNumber`, `variantNumber`,
//! `sizeNumber`, `GTIN`, `EAN`, `UPC`, `SKU`, `countryOfOrigin { code }`,
//! `harmonizedCommodityCode`, `status: ACTIVE`); the rest is marked `Doc gap`.

use async_graphql::{Context, Enum, Object, SimpleObject};

use super::auth::require;
use super::schema::{MonetaryValue, api_id, iso, sim};
use crate::state::Store;
use crate::state::catalog::SizeItem;

/// The id and name of the simulated primary warehouse (the only one the plugin updates).
pub const WAREHOUSE_ID: u64 = 1;
pub const WAREHOUSE_NAME: &str = "Primary warehouse";

/// `ACTIVE` or `INACTIVE`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    Inactive,
}

fn status(active: bool) -> Status {
    if active {
        Status::Active
    } else {
        Status::Inactive
    }
}

/// A named thing (`brand { name }`, `collection { name }`, `size { name }`).
#[derive(SimpleObject, Clone, Debug)]
pub struct Named {
    pub name: String,
}

/// `countryOfOrigin { code }`.
#[derive(SimpleObject, Clone, Debug)]
pub struct CountryCode {
    pub code: String,
}

/// A warehouse.
#[derive(SimpleObject, Clone, Debug)]
pub struct Warehouse {
    pub id: i32,
    pub name: String,
}

pub fn warehouse() -> Warehouse {
    Warehouse {
        id: api_id(WAREHOUSE_ID),
        name: WAREHOUSE_NAME.into(),
    }
}

/// A product: the size items sharing a `productId`.
#[derive(Clone, Debug)]
pub struct ProductNode {
    pub product_id: u64,
    /// Its size items, in id order (never empty).
    pub items: Vec<SizeItem>,
}

impl ProductNode {
    fn first(&self) -> Option<&SizeItem> {
        self.items.first()
    }
}

/// Products of the store, with their sizes, in product id order.
pub fn products(store: &Store) -> Vec<ProductNode> {
    let mut products: Vec<ProductNode> = Vec::new();
    let mut items: Vec<&SizeItem> = store.items.values().collect();
    items.sort_by_key(|i| (i.product_id, i.variant_id, i.stock_item_id));
    for item in items {
        match products.last_mut() {
            Some(p) if p.product_id == item.product_id => p.items.push(item.clone()),
            _ => products.push(ProductNode {
                product_id: item.product_id,
                items: vec![item.clone()],
            }),
        }
    }
    products
}

#[Object(name = "Product")]
impl ProductNode {
    async fn id(&self) -> i32 {
        api_id(self.product_id)
    }

    async fn name(&self) -> &str {
        self.first().map_or("", |i| i.product.as_str())
    }

    async fn status(&self) -> Status {
        status(self.items.iter().any(|i| i.active))
    }

    /// The Order API's `sku` (product part of the SKU).
    async fn product_number(&self) -> &str {
        self.first().map_or("", |i| i.sku.as_str())
    }

    async fn brand(&self) -> Named {
        Named {
            name: self.first().map(|i| i.brand.clone()).unwrap_or_default(),
        }
    }

    async fn collection(&self) -> Named {
        Named {
            name: self
                .first()
                .map(|i| i.collection.clone())
                .unwrap_or_default(),
        }
    }

    /// Doc gap: in Centra the description lives on the display; the simulator answers the
    /// Order API's `description` here.
    async fn description(&self) -> &str {
        self.first().map_or("", |i| i.description.as_str())
    }

    async fn country_of_origin(&self) -> Option<CountryCode> {
        self.first()
            .filter(|i| !i.country_of_origin.is_empty())
            .map(|i| CountryCode {
                code: i.country_of_origin.clone(),
            })
    }

    async fn harmonized_commodity_code(&self) -> &str {
        self.first().map_or("", |i| i.harm_code.as_str())
    }

    async fn harmonized_commodity_code_description(&self) -> &str {
        self.first().map_or("", |i| i.harm_description.as_str())
    }

    async fn updated_at(&self, ctx: &Context<'_>) -> Option<String> {
        self.items
            .iter()
            .map(|i| i.modified)
            .max()
            .map(|at| iso(ctx, at))
    }

    async fn variants(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ProductVariantNode>> {
        require(ctx, "ProductVariant:read", "Product.variants")?;
        let mut variants: Vec<ProductVariantNode> = Vec::new();
        for item in &self.items {
            match variants.last_mut() {
                Some(v) if v.variant_id == item.variant_id => v.items.push(item.clone()),
                _ => variants.push(ProductVariantNode {
                    variant_id: item.variant_id,
                    items: vec![item.clone()],
                }),
            }
        }
        Ok(variants)
    }
}

/// A variant: the size items sharing a `variantId`.
#[derive(Clone, Debug)]
pub struct ProductVariantNode {
    pub variant_id: u64,
    pub items: Vec<SizeItem>,
}

/// One price of a variant in a pricelist.
#[derive(SimpleObject, Clone, Debug)]
pub struct VariantPrice {
    pub pricelist: Named,
    pub price: MonetaryValue,
}

#[Object(name = "ProductVariant")]
impl ProductVariantNode {
    async fn id(&self) -> i32 {
        api_id(self.variant_id)
    }

    async fn name(&self) -> &str {
        self.items.first().map_or("", |i| i.variant.as_str())
    }

    /// The Order API's `variantSku`.
    async fn variant_number(&self) -> &str {
        self.items.first().map_or("", |i| i.variant_sku.as_str())
    }

    async fn status(&self) -> Status {
        status(self.items.iter().any(|i| i.active))
    }

    /// Doc gap: Centra prices live on pricelists per product or variant (`setPrices`); the
    /// simulator answers the first size's Order API `prices` here.
    async fn prices(&self) -> Vec<VariantPrice> {
        self.items
            .first()
            .map(|i| {
                i.prices
                    .iter()
                    .map(|p| VariantPrice {
                        pricelist: Named {
                            name: p.pricelist.clone(),
                        },
                        price: MonetaryValue::new(p.price, &p.currency),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    async fn product_sizes(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ProductSizeNode>> {
        require(ctx, "ProductSize:read", "ProductVariant.productSizes")?;
        Ok(self.items.iter().cloned().map(ProductSizeNode).collect())
    }
}

/// `weight { value unit }` (doc gap: the unit names are the Order API's `kg`/`lb`).
#[derive(SimpleObject, Clone, Debug)]
pub struct Weight {
    pub value: f64,
    pub unit: String,
}

/// Stock of a size summed over the plugin's warehouses.
///
/// Doc gap: the field names of `StockTotals` are not in the stored docs; the simulator uses
/// `physicalQuantity`, `allocatedQuantity`, `availableNowQuantity` with the Order API's rule
/// `physical = allocated + available` (REF/302).
#[derive(SimpleObject, Clone, Debug)]
pub struct StockTotals {
    pub physical_quantity: i64,
    pub allocated_quantity: i64,
    pub available_now_quantity: i64,
}

/// Stock of a size in one warehouse.
#[derive(SimpleObject, Clone, Debug)]
pub struct Stock {
    pub warehouse: Warehouse,
    pub physical_quantity: i64,
    pub allocated_quantity: i64,
    pub available_now_quantity: i64,
}

/// A size of a variant: one size item.
#[derive(Clone, Debug)]
pub struct ProductSizeNode(pub SizeItem);

impl ProductSizeNode {
    fn totals(&self, ctx: &Context<'_>) -> StockTotals {
        let allocated = sim(ctx).read(|store| {
            store
                .allocations()
                .get(&self.0.stock_item_id)
                .copied()
                .unwrap_or(0)
        });
        StockTotals {
            physical_quantity: self.0.physical,
            allocated_quantity: allocated,
            available_now_quantity: self.0.physical - allocated,
        }
    }
}

#[Object(name = "ProductSize")]
impl ProductSizeNode {
    async fn id(&self) -> i32 {
        api_id(self.0.stock_item_id)
    }

    /// `sku + variantSku + sizeSku`, the Order API's joined SKU.
    #[graphql(name = "SKU")]
    async fn sku(&self) -> String {
        self.0.joined_sku()
    }

    /// "SKU suffix" (GQL `ProductSizeCreateInput`): the Order API's `sizeSku`.
    async fn size_number(&self) -> &str {
        &self.0.size_sku
    }

    #[graphql(name = "GTIN")]
    async fn gtin(&self) -> &str {
        &self.0.ean
    }

    #[graphql(name = "EAN")]
    async fn ean(&self) -> &str {
        &self.0.ean
    }

    #[graphql(name = "UPC")]
    async fn upc(&self) -> &str {
        &self.0.upc
    }

    /// The size's name (`productSize { description }` in the DTC examples).
    async fn description(&self) -> &str {
        &self.0.size
    }

    async fn size(&self) -> Named {
        Named {
            name: self.0.size.clone(),
        }
    }

    async fn is_active(&self) -> bool {
        self.0.active
    }

    async fn weight(&self) -> Weight {
        Weight {
            value: self.0.weight,
            unit: self.0.weight_unit.clone(),
        }
    }

    async fn updated_at(&self, ctx: &Context<'_>) -> String {
        iso(ctx, self.0.modified.max(self.0.stock_modified))
    }

    async fn product_variant(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<ProductVariantNode> {
        require(ctx, "ProductVariant:read", "ProductSize.productVariant")?;
        let variant_id = self.0.variant_id;
        Ok(ProductVariantNode {
            variant_id,
            items: sim(ctx).read(|store| {
                store
                    .items
                    .values()
                    .filter(|i| i.variant_id == variant_id)
                    .cloned()
                    .collect()
            }),
        })
    }

    async fn product(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ProductNode>> {
        require(ctx, "Product:read", "ProductSize.product")?;
        let product_id = self.0.product_id;
        Ok(sim(ctx).read(|store| {
            products(store)
                .into_iter()
                .find(|p| p.product_id == product_id)
        }))
    }

    async fn stock_totals(&self, ctx: &Context<'_>) -> async_graphql::Result<StockTotals> {
        require(
            ctx,
            "ProductSize.stockTotals:read",
            "ProductSize.stockTotals",
        )?;
        Ok(self.totals(ctx))
    }

    async fn stock(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Stock>> {
        require(ctx, "ProductSize.stock:read", "ProductSize.stock")?;
        let totals = self.totals(ctx);
        Ok(vec![Stock {
            warehouse: warehouse(),
            physical_quantity: totals.physical_quantity,
            allocated_quantity: totals.allocated_quantity,
            available_now_quantity: totals.available_now_quantity,
        }])
    }
}
