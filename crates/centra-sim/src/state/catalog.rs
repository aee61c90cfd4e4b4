//! Size items ("stock items"): Centra's catalogue row that `GET /products` and `GET /stock`
//! return one per size, with the physical stock of the plugin's warehouse.
//!
//! Allocated stock is not stored: it is the sum of open (not completed) shipment lines, so it
//! cannot drift from the shipments (see `Store::allocations`).

use chrono::{DateTime, Utc};

/// One price of a size item in one pricelist.
#[derive(Debug, Clone, PartialEq)]
pub struct Price {
    pub id: u64,
    pub pricelist: String,
    pub currency: String,
    pub price: f64,
}

/// One size row of the catalogue, with its physical stock.
#[derive(Debug, Clone)]
pub struct SizeItem {
    pub stock_item_id: u64,
    pub product_id: u64,
    pub variant_id: u64,
    pub sku: String,
    pub variant_sku: String,
    pub size_sku: String,
    /// Internal product name (`product` in the API).
    pub product: String,
    /// Customer-facing name (`name` in the API).
    pub name: String,
    pub variant: String,
    pub size: String,
    pub ean: String,
    pub upc: String,
    pub brand: String,
    pub collection: String,
    pub folder: String,
    pub store: String,
    pub description: String,
    pub short_description: String,
    pub comment: String,
    pub harm_code: String,
    pub harm_description: String,
    pub country_of_origin: String,
    pub weight: f64,
    pub weight_unit: String,
    pub active: bool,
    pub categories: Vec<String>,
    pub images: Vec<String>,
    pub prices: Vec<Price>,
    /// Physical units in the primary warehouse, reserved ones included.
    pub physical: i64,
    pub cost_price: Option<(f64, String)>,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub stock_modified: DateTime<Utc>,
}

impl SizeItem {
    /// `sku + variantSku + sizeSku`, the key of `POST /stock` and of `/supplier-deliveries/{id}/sku`.
    pub fn joined_sku(&self) -> String {
        format!("{}{}{}", self.sku, self.variant_sku, self.size_sku)
    }

    /// What an order line, return line or delivery line remembers of the item.
    pub fn snapshot(&self) -> ItemSnapshot {
        ItemSnapshot {
            stock_item_id: self.stock_item_id,
            product_id: self.product_id,
            variant_id: self.variant_id,
            sku: self.sku.clone(),
            variant_sku: self.variant_sku.clone(),
            size_sku: self.size_sku.clone(),
            product: self.product.clone(),
            name: self.name.clone(),
            variant: self.variant.clone(),
            size: self.size.clone(),
            ean: self.ean.clone(),
            upc: self.upc.clone(),
            brand: self.brand.clone(),
            collection: self.collection.clone(),
            weight: self.weight,
            weight_unit: self.weight_unit.clone(),
            country_of_origin: self.country_of_origin.clone(),
            harm_code: self.harm_code.clone(),
        }
    }
}

/// The identity and descriptive fields of a size item, copied onto documents (orders, returns,
/// deliveries) the way Centra copies them, so later catalogue edits do not rewrite history.
#[derive(Debug, Clone)]
pub struct ItemSnapshot {
    pub stock_item_id: u64,
    pub product_id: u64,
    pub variant_id: u64,
    pub sku: String,
    pub variant_sku: String,
    pub size_sku: String,
    pub product: String,
    pub name: String,
    pub variant: String,
    pub size: String,
    pub ean: String,
    pub upc: String,
    pub brand: String,
    pub collection: String,
    pub weight: f64,
    pub weight_unit: String,
    pub country_of_origin: String,
    pub harm_code: String,
}

impl ItemSnapshot {
    pub fn joined_sku(&self) -> String {
        format!("{}{}{}", self.sku, self.variant_sku, self.size_sku)
    }
}
