//! A Centra product as catalog-sync reads it, in the flow's own terms: what the
//! [`CatalogSource`](crate::ports::CatalogSource) port answers and what a `ProductChanged`
//! event carries, once translated at the edge (`ports/grpc.rs`, `consumers.rs`). Centra's texts
//! are kept as they came (the weight and the price amounts unparsed), so the mapping rules
//! turn a bad one into a reason naming the field instead of losing the row.

use proto::events::v1 as pb;

/// One price of a size item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CentraPrice {
    pub pricelist: String,
    /// ISO 4217, e.g. `EUR`.
    pub currency: String,
    /// Decimal text, e.g. `"450.50"`.
    pub amount: String,
}

/// One size item of a product (a row of Centra's product list): the unit the WMS stores.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CentraSize {
    pub stock_item_id: String,
    pub variant_id: String,
    pub variant_name: String,
    pub sku: String,
    pub variant_sku: String,
    pub size_sku: String,
    pub ean: String,
    pub upc: String,
    pub size_name: String,
    pub active: bool,
    /// Decimal text in `weight_unit`.
    pub weight: String,
    /// `kg`, `lb` or `g`; empty is kilograms.
    pub weight_unit: String,
    pub country_of_origin: String,
    pub harm_code: String,
    pub harm_description: String,
    pub prices: Vec<CentraPrice>,
}

/// A product with all its size items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CentraProduct {
    pub product_id: String,
    pub name: String,
    pub brand: String,
    pub collection: String,
    pub description: String,
    pub sizes: Vec<CentraSize>,
}

/// The contract's product (a gateway answer or an event) in the flow's terms.
impl From<pb::Product> for CentraProduct {
    fn from(p: pb::Product) -> Self {
        Self {
            product_id: p.product_id,
            name: p.name,
            brand: p.brand,
            collection: p.collection,
            description: p.description,
            sizes: p.sizes.into_iter().map(CentraSize::from).collect(),
        }
    }
}

impl From<pb::ProductSize> for CentraSize {
    fn from(s: pb::ProductSize) -> Self {
        Self {
            stock_item_id: s.stock_item_id,
            variant_id: s.variant_id,
            variant_name: s.variant_name,
            sku: s.sku,
            variant_sku: s.variant_sku,
            size_sku: s.size_sku,
            ean: s.ean,
            upc: s.upc,
            size_name: s.size_name,
            active: s.active,
            weight: s.weight,
            weight_unit: s.weight_unit,
            country_of_origin: s.country_of_origin,
            harm_code: s.harm_code,
            harm_description: s.harm_description,
            prices: s
                .prices
                .into_iter()
                .map(|p| CentraPrice {
                    pricelist: p.pricelist,
                    currency: p.currency,
                    amount: p.amount,
                })
                .collect(),
        }
    }
}
