//! The WMS article as catalog-sync writes it, and the content hash that decides whether it
//! must be written again.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Changes whenever the same article is sent to the WMS differently.
const MAPPING_VERSION: &[u8] = b"article-mapping-v2\n";

/// One WMS article, mapped from one Centra size item. Every field is what the WMS receives, so
/// two equal values mean "nothing to write".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WmsArticle {
    /// The number derived by the configured rule.
    pub article_number: String,
    /// Product + variant + size.
    pub name: String,
    /// Centra product-level SKU, so the WMS can group sizes.
    pub product_code: String,
    /// The EAN, only when it is a valid GTIN.
    pub bar_code: Option<String>,
    /// Centra `active`.
    pub active: bool,
    /// Variant name (a colour, usually).
    pub color: String,
    /// Size name.
    pub size: String,
    /// Weight in kilograms as a decimal string.
    pub weight_kg: Option<String>,
    /// ISO country of origin.
    pub country_of_origin: Option<String>,
    /// Customs (HS) number, Centra `harmCode`.
    pub customs_number: Option<String>,
    /// Customer price from the configured pricelist and currency, as a decimal string.
    pub price: Option<String>,
    /// Its currency (part of the content: a price in another currency is another price).
    pub currency: Option<String>,
}

impl WmsArticle {
    /// A short, stable fingerprint of everything the WMS receives: only articles whose hash
    /// changed since the last write are written again.
    pub fn content_hash(&self) -> String {
        // Field order is fixed by the struct, so the JSON is canonical. The mapping version
        // is hashed too: when the same article is sent differently (the price moved from the
        // purchase to the customer price), every article is written once more.
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        let mut hasher = Sha256::new();
        hasher.update(MAPPING_VERSION);
        hasher.update(bytes);
        let digest = hasher.finalize();
        hex::encode(&digest[..16])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article() -> WmsArticle {
        WmsArticle {
            article_number: "M411-740XL".into(),
            name: "Shirt Blue XL".into(),
            product_code: "M411".into(),
            bar_code: Some("4006381333931".into()),
            active: true,
            color: "Blue".into(),
            size: "XL".into(),
            weight_kg: Some("0.25".into()),
            country_of_origin: Some("SE".into()),
            customs_number: Some("61091000".into()),
            price: Some("450.50".into()),
            currency: Some("EUR".into()),
        }
    }

    #[test]
    fn equal_content_has_equal_hash_and_any_change_changes_it() {
        let a = article();
        assert_eq!(a.content_hash(), article().content_hash());
        let mut b = article();
        b.price = Some("451.00".into());
        assert_ne!(a.content_hash(), b.content_hash());
        let mut c = article();
        c.active = false;
        assert_ne!(a.content_hash(), c.content_hash());
    }
}
