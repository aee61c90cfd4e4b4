//! The demo store's catalogue: 40 products in 8 garment types, each in 2-3 colours and 3-5
//! sizes (about 400 size rows), with valid EAN-13s, all three SKUs, weights, country of origin,
//! harmonised codes, prices in EUR, SEK and USD, and opening stock. Built the same way every
//! run, so article numbers are stable between runs.
//!
//! Layout: the garment types and colours, [`Catalogue::demo`], one [`SizeRow`] per Centra size
//! row with its `/_sim/products` JSON, and the EAN-13 check digit.

use std::collections::HashMap;

use serde_json::{Value, json};

/// One garment type: what every product of that type shares.
struct GarmentType {
    name: &'static str,
    sku: &'static str,
    harm_code: &'static str,
    weight_kg: f64,
    country_of_origin: &'static str,
    sizes: &'static [&'static str],
    eur_price: f64,
}

const GARMENTS: [GarmentType; 8] = [
    GarmentType {
        name: "Oxford Shirt",
        sku: "OXS",
        harm_code: "6205200000",
        weight_kg: 0.32,
        country_of_origin: "PT",
        sizes: &["S", "M", "L", "XL", "XXL"],
        eur_price: 89.0,
    },
    GarmentType {
        name: "Merino Crew",
        sku: "MER",
        harm_code: "6110111000",
        weight_kg: 0.38,
        country_of_origin: "IT",
        sizes: &["XS", "S", "M", "L", "XL"],
        eur_price: 129.0,
    },
    GarmentType {
        name: "Organic Tee",
        sku: "TEE",
        harm_code: "6109100010",
        weight_kg: 0.18,
        country_of_origin: "TR",
        sizes: &["XS", "S", "M", "L", "XL"],
        eur_price: 35.0,
    },
    GarmentType {
        name: "Chino Trousers",
        sku: "CHI",
        harm_code: "6203423100",
        weight_kg: 0.55,
        country_of_origin: "PT",
        sizes: &["28", "30", "32", "34", "36"],
        eur_price: 99.0,
    },
    GarmentType {
        name: "Wool Coat",
        sku: "COA",
        harm_code: "6201300000",
        weight_kg: 1.6,
        country_of_origin: "IT",
        sizes: &["S", "M", "L", "XL", "XXL"],
        eur_price: 349.0,
    },
    GarmentType {
        name: "Leather Sneaker",
        sku: "SNK",
        harm_code: "6403990000",
        weight_kg: 0.9,
        country_of_origin: "PT",
        sizes: &["40", "41", "42", "43", "44"],
        eur_price: 149.0,
    },
    GarmentType {
        name: "Linen Dress",
        sku: "DRS",
        harm_code: "6204440000",
        weight_kg: 0.35,
        country_of_origin: "LT",
        sizes: &["XS", "S", "M", "L", "XL"],
        eur_price: 119.0,
    },
    GarmentType {
        name: "Denim Jacket",
        sku: "DNM",
        harm_code: "6203320000",
        weight_kg: 0.85,
        country_of_origin: "TR",
        sizes: &["S", "M", "L", "XL", "XXL"],
        eur_price: 159.0,
    },
];

/// The five collections each garment type comes in (8 x 5 = 40 products).
const COLLECTIONS: [&str; 5] = ["Classic", "Studio", "Nordic", "Essential", "Atelier"];

/// Colour name and variant SKU.
const COLOURS: [(&str, &str); 5] = [
    ("Black", "BLK"),
    ("Navy", "NVY"),
    ("Sand", "SND"),
    ("Olive", "OLV"),
    ("White", "WHT"),
];

/// Pricelist name and currency of every price; SEK and USD follow EUR at fixed rates.
pub const PRICELISTS: [(&str, &str); 3] = [
    ("EUR Europe", "EUR"),
    ("SEK Sweden", "SEK"),
    ("USD United States", "USD"),
];

/// One Centra size row (one WMS article under the default article-number rule).
#[derive(Debug, Clone, PartialEq)]
pub struct SizeRow {
    pub product_id: u64,
    pub variant_id: u64,
    pub stock_item_id: u64,
    pub product: String,
    pub variant: String,
    pub size: String,
    pub sku: String,
    pub variant_sku: String,
    pub size_sku: String,
    pub ean: String,
    pub weight_kg: f64,
    pub country_of_origin: &'static str,
    pub harm_code: &'static str,
    /// `(currency, price)` in the order of [`PRICELISTS`].
    pub prices: [(&'static str, f64); 3],
    /// Opening stock, in Centra and (once the article exists) on the WMS shelf.
    pub physical_stock: u32,
}

impl SizeRow {
    /// The WMS article number under the sandbox's rule (`sku_variant_size`).
    pub fn article_number(&self) -> String {
        format!("{}{}{}", self.sku, self.variant_sku, self.size_sku)
    }

    /// The price in `currency` (EUR when the store has no pricelist in it).
    pub fn price(&self, currency: &str) -> f64 {
        self.prices
            .iter()
            .find(|(c, _)| *c == currency)
            .unwrap_or(&self.prices[0])
            .1
    }

    /// The row as `POST /_sim/products` takes it.
    pub fn to_json(&self) -> Value {
        let prices: Vec<Value> = PRICELISTS
            .iter()
            .zip(self.prices)
            .map(|((pricelist, _), (currency, price))| {
                json!({"pricelist": pricelist, "currency": currency, "price": price})
            })
            .collect();
        json!({
            "productId": self.product_id, "product": self.product, "name": self.product,
            "variantId": self.variant_id, "variant": self.variant,
            "stockItemId": self.stock_item_id, "size": self.size,
            "sku": self.sku, "variantSku": self.variant_sku, "sizeSku": self.size_sku,
            "ean": self.ean, "active": true,
            "weight": self.weight_kg, "weightUnit": "kg",
            "countryOfOrigin": self.country_of_origin, "harmCode": self.harm_code,
            "brand": "Nordvik", "prices": prices, "physicalStock": self.physical_stock
        })
    }

    /// An order or delivery line naming this row by all its keys.
    pub fn line_keys(&self) -> Value {
        json!({"ean": self.ean, "sku": self.sku, "variantSku": self.variant_sku,
               "sizeSku": self.size_sku})
    }
}

/// The whole demo catalogue.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub sizes: Vec<SizeRow>,
    /// Position in `sizes` by article number: the activity looks every article of the WMS up
    /// once a second.
    by_article: HashMap<String, usize>,
}

impl Catalogue {
    /// The fixed demo catalogue.
    pub fn demo() -> Self {
        let mut sizes = Vec::new();
        let mut product_index: u64 = 0;
        for (c, collection) in COLLECTIONS.iter().enumerate() {
            for (g, garment) in GARMENTS.iter().enumerate() {
                product_index += 1;
                let product_id = 1000 + product_index;
                // 2 or 3 colours, 3 to 5 sizes, varying by product.
                let colours = 2 + (c + g) % 2;
                let size_count = 3 + (c + 2 * g) % 3;
                let markup = 1.0 + 0.1 * c as f64;
                let eur = (garment.eur_price * markup).round();
                for v in 0..colours {
                    let (colour, colour_sku) = COLOURS[(g + v + c) % COLOURS.len()];
                    let variant_id = product_id * 10 + v as u64;
                    for size in &garment.sizes[..size_count] {
                        let n = sizes.len() as u64;
                        sizes.push(SizeRow {
                            product_id,
                            variant_id,
                            stock_item_id: 100_000 + n,
                            product: format!("{collection} {}", garment.name),
                            variant: colour.to_owned(),
                            size: (*size).to_owned(),
                            sku: format!("{}{product_index:03}", garment.sku),
                            variant_sku: format!("-{colour_sku}"),
                            size_sku: format!("-{size}"),
                            ean: ean13(n + 1),
                            weight_kg: garment.weight_kg,
                            country_of_origin: garment.country_of_origin,
                            harm_code: garment.harm_code,
                            prices: [
                                ("EUR", eur),
                                ("SEK", (eur * 11.0 / 10.0).round() * 10.0 - 1.0),
                                ("USD", (eur * 1.1).round()),
                            ],
                            physical_stock: 20 + (n * 7 % 60) as u32,
                        });
                    }
                }
            }
        }
        let by_article = sizes
            .iter()
            .enumerate()
            .map(|(index, row)| (row.article_number(), index))
            .collect();
        Self { sizes, by_article }
    }

    /// The row whose article number is `article_number`.
    pub fn by_article(&self, article_number: &str) -> Option<&SizeRow> {
        self.by_article
            .get(article_number)
            .map(|&index| &self.sizes[index])
    }
}

/// A GS1 EAN-13 in the Swedish prefix range (735) with its check digit.
pub fn ean13(n: u64) -> String {
    let body = format!("735{:09}", n % 1_000_000_000);
    format!("{body}{}", check_digit(&body))
}

/// The EAN-13 check digit of 12 digits: weights 1 and 3 from the left.
fn check_digit(body: &str) -> u32 {
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let digit = u32::from(b - b'0');
            if i % 2 == 0 { digit } else { digit * 3 }
        })
        .sum();
    (10 - sum % 10) % 10
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn check_digits_match_known_eans() {
        // 4006381333931 is GS1's own worked example.
        assert_eq!(check_digit("400638133393"), 1);
        assert_eq!(ean13(0), "7350000000009");
        assert_eq!(ean13(1), "7350000000016");
    }

    #[test]
    fn the_catalogue_is_a_few_hundred_complete_unique_rows() {
        let catalogue = Catalogue::demo();
        let count = catalogue.sizes.len();
        assert!((300..=500).contains(&count), "{count} size rows");
        let products: HashSet<u64> = catalogue.sizes.iter().map(|r| r.product_id).collect();
        assert_eq!(products.len(), 40);
        let articles: HashSet<String> = catalogue
            .sizes
            .iter()
            .map(SizeRow::article_number)
            .collect();
        assert_eq!(articles.len(), count, "article numbers are unique");
        let eans: HashSet<&str> = catalogue.sizes.iter().map(|r| r.ean.as_str()).collect();
        assert_eq!(eans.len(), count, "eans are unique");
        for row in &catalogue.sizes {
            assert_eq!(row.ean.len(), 13, "{row:?}");
            assert_eq!(
                check_digit(&row.ean[..12]),
                u32::from(row.ean.as_bytes()[12] - b'0'),
                "{row:?}"
            );
            assert!(!row.sku.is_empty() && !row.variant_sku.is_empty() && !row.size_sku.is_empty());
            assert!(row.prices.iter().all(|(_, p)| *p > 0.0), "{row:?}");
            assert!(row.weight_kg > 0.0 && !row.harm_code.is_empty());
        }
    }

    #[test]
    fn a_row_reads_back_by_article_number_and_prices_by_currency() {
        let catalogue = Catalogue::demo();
        let row = &catalogue.sizes[5];
        assert_eq!(catalogue.by_article(&row.article_number()), Some(row));
        assert_eq!(row.price("SEK"), row.prices[1].1);
        assert_eq!(
            row.price("NOK"),
            row.prices[0].1,
            "unknown currency falls back to EUR"
        );
        let json = row.to_json();
        assert_eq!(json["prices"].as_array().map(Vec::len), Some(3));
        assert_eq!(json["ean"], row.ean.as_str());
    }
}
