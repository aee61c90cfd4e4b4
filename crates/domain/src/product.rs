//! The Centra catalogue as centra-wms sees it: one [`SizeRow`] per sellable size item.
//!
//! Centra's `GET /products` returns one row per size; the warehouse wants one article per size
//! too, so the row is the unit of catalog sync. [`group_by_variant`] rebuilds the product and
//! variant levels for screens (manual product selection) that show them.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::article_number::IdentifiesArticle;

/// Unit of a Centra `weight`. Centra documents kg and lb; grams appear in the wild.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightUnit {
    /// Kilograms.
    Kg,
    /// Pounds (avoirdupois).
    Lb,
    /// Grams.
    G,
}

impl WeightUnit {
    /// Parses Centra's `weightUnit` (case-insensitive, surrounding whitespace ignored).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "kg" | "kgs" => Some(Self::Kg),
            "lb" | "lbs" => Some(Self::Lb),
            "g" | "gr" => Some(Self::G),
            _ => None,
        }
    }

    /// Kilograms per one unit.
    pub fn kilograms_per_unit(self) -> Decimal {
        match self {
            Self::Kg => Decimal::ONE,
            // The international avoirdupois pound is defined as exactly 0.45359237 kg.
            Self::Lb => Decimal::new(45_359_237, 8),
            Self::G => Decimal::new(1, 3),
        }
    }
}

/// A weight with its unit, as Centra gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weight {
    /// The number as given.
    pub value: Decimal,
    /// Its unit.
    pub unit: WeightUnit,
}

impl Weight {
    /// The weight in kilograms, which is what the WMS stores.
    pub fn to_kg(self) -> Decimal {
        (self.value * self.unit.kilograms_per_unit()).normalize()
    }
}

/// One price of a size row in one pricelist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    /// Centra pricelist name or id, as the API returns it.
    pub pricelist: String,
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: String,
    /// The amount (Centra sends it as a string; kept exact).
    pub amount: Decimal,
}

/// One Centra size item: the unit that becomes one WMS article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeRow {
    /// Centra `productId`.
    pub product_id: String,
    /// Centra `variantId`.
    pub variant_id: String,
    /// Centra `stockItemId`.
    pub stock_item_id: String,
    /// Product-level SKU (`sku`).
    pub sku: String,
    /// Variant SKU (`variantSku`).
    pub variant_sku: String,
    /// Size SKU (`sizeSku`).
    pub size_sku: String,
    /// EAN/GTIN as Centra holds it (unchecked text; may be missing or wrong).
    pub ean: Option<String>,
    /// Product name (`name` or `product`).
    pub product_name: String,
    /// Variant name (`variant`).
    pub variant_name: String,
    /// Size name (`size`).
    pub size_name: String,
    /// Centra `active` flag.
    pub active: bool,
    /// Weight, when Centra has one.
    pub weight: Option<Weight>,
    /// ISO country of origin.
    pub country_of_origin: Option<String>,
    /// Customs (HS) code, Centra `harmCode`.
    pub harm_code: Option<String>,
    /// All prices of the row.
    pub prices: Vec<Price>,
}

impl SizeRow {
    /// The article name the WMS shows: product, variant and size, skipping empty parts.
    pub fn article_name(&self) -> String {
        [&self.product_name, &self.variant_name, &self.size_name]
            .iter()
            .map(|part| part.trim())
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl IdentifiesArticle for SizeRow {
    fn sku(&self) -> &str {
        &self.sku
    }
    fn variant_sku(&self) -> &str {
        &self.variant_sku
    }
    fn size_sku(&self) -> &str {
        &self.size_sku
    }
    fn ean(&self) -> Option<&str> {
        self.ean.as_deref()
    }
}

/// A Centra product with its variants, rebuilt from size rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Centra `productId`.
    pub product_id: String,
    /// Product name.
    pub name: String,
    /// Variants in the order their first size row appeared.
    pub variants: Vec<Variant>,
}

/// A Centra variant (e.g. a colour) with its sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// Centra `variantId`.
    pub variant_id: String,
    /// Variant name.
    pub name: String,
    /// Size rows in input order.
    pub sizes: Vec<SizeRow>,
}

/// Groups size rows into products and variants, keeping the input order of first appearance.
pub fn group_by_variant(rows: impl IntoIterator<Item = SizeRow>) -> Vec<Product> {
    let mut products: Vec<Product> = Vec::new();
    let mut product_index: BTreeMap<String, usize> = BTreeMap::new();
    for row in rows {
        let p = *product_index
            .entry(row.product_id.clone())
            .or_insert_with(|| {
                products.push(Product {
                    product_id: row.product_id.clone(),
                    name: row.product_name.clone(),
                    variants: Vec::new(),
                });
                products.len() - 1
            });
        let product = &mut products[p];
        match product
            .variants
            .iter_mut()
            .find(|v| v.variant_id == row.variant_id)
        {
            Some(variant) => variant.sizes.push(row),
            None => product.variants.push(Variant {
                variant_id: row.variant_id.clone(),
                name: row.variant_name.clone(),
                sizes: vec![row],
            }),
        }
    }
    products
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn row(product: &str, variant: &str, size: &str) -> SizeRow {
        SizeRow {
            product_id: product.into(),
            variant_id: variant.into(),
            stock_item_id: format!("{product}{variant}{size}"),
            sku: format!("P{product}"),
            variant_sku: format!("V{variant}"),
            size_sku: size.into(),
            ean: Some("4006381333931".into()),
            product_name: "Shirt".into(),
            variant_name: "Blue".into(),
            size_name: size.into(),
            active: true,
            weight: None,
            country_of_origin: None,
            harm_code: None,
            prices: vec![],
        }
    }

    #[test]
    fn weight_converts_to_kilograms() {
        let w = |v: i64, scale: u32, unit| Weight {
            value: Decimal::new(v, scale),
            unit,
        };
        assert_eq!(w(15, 1, WeightUnit::Kg).to_kg(), Decimal::new(15, 1));
        assert_eq!(w(2, 0, WeightUnit::Lb).to_kg(), Decimal::new(90_718_474, 8));
        assert_eq!(w(250, 0, WeightUnit::G).to_kg(), Decimal::new(25, 2));
    }

    #[test]
    fn weight_unit_parses_centra_spellings() {
        assert_eq!(WeightUnit::parse(" KG "), Some(WeightUnit::Kg));
        assert_eq!(WeightUnit::parse("lbs"), Some(WeightUnit::Lb));
        assert_eq!(WeightUnit::parse("g"), Some(WeightUnit::G));
        assert_eq!(WeightUnit::parse("stone"), None);
    }

    #[test]
    fn article_name_joins_non_empty_parts() {
        let mut r = row("1", "2", "M");
        assert_eq!(r.article_name(), "Shirt Blue M");
        r.variant_name = " ".into();
        assert_eq!(r.article_name(), "Shirt M");
    }

    #[test]
    fn groups_rows_by_product_then_variant_in_first_seen_order() {
        let rows = vec![
            row("1", "10", "S"),
            row("2", "20", "S"),
            row("1", "11", "S"),
            row("1", "10", "M"),
        ];
        let products = group_by_variant(rows);
        assert_eq!(products.len(), 2);
        assert_eq!(products[0].product_id, "1");
        let variants: Vec<_> = products[0]
            .variants
            .iter()
            .map(|v| v.variant_id.as_str())
            .collect();
        assert_eq!(variants, ["10", "11"]);
        let sizes: Vec<_> = products[0].variants[0]
            .sizes
            .iter()
            .map(|s| s.size_sku.as_str())
            .collect();
        assert_eq!(sizes, ["S", "M"]);
        assert_eq!(products[1].variants[0].sizes.len(), 1);
    }
}
