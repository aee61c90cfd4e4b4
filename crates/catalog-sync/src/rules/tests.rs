//! The mapping rules, one test per case of issue 6 (every bad-data case gives a readable
//! reason and never stops the other sizes).

use crate::convert::{CentraPrice, CentraProduct, CentraSize};
use domain::{ArticleFilter, ArticleNumberRule};

use super::*;

pub(crate) fn size(stock_item_id: &str, size_sku: &str) -> CentraSize {
    CentraSize {
        stock_item_id: stock_item_id.into(),
        variant_id: "10".into(),
        variant_name: "Blue".into(),
        sku: "M411".into(),
        variant_sku: "-740".into(),
        size_sku: size_sku.into(),
        ean: "4006381333931".into(),
        upc: String::new(),
        size_name: size_sku.into(),
        active: true,
        weight: "500".into(),
        weight_unit: "g".into(),
        country_of_origin: "se".into(),
        harm_code: "61091000".into(),
        harm_description: String::new(),
        prices: vec![
            CentraPrice {
                pricelist: "SEK".into(),
                currency: "SEK".into(),
                amount: "499".into(),
            },
            CentraPrice {
                pricelist: "EU".into(),
                currency: "EUR".into(),
                amount: "45.50".into(),
            },
        ],
    }
}

pub(crate) fn product(sizes: Vec<CentraSize>) -> CentraProduct {
    CentraProduct {
        product_id: "1".into(),
        name: "Shirt".into(),
        brand: String::new(),
        collection: String::new(),
        description: String::new(),
        sizes,
    }
}

fn one(size: CentraSize, rules: &CatalogRules) -> Mapped {
    let product = product(vec![size]);
    map_size(&product, &product.sizes[0], rules)
}

fn reason(mapped: &Mapped) -> String {
    match &mapped.outcome {
        Ok(article) => panic!("admitted {article:?}"),
        Err(problem) => problem.reason.clone(),
    }
}

#[test]
fn maps_every_field() {
    let mapped = one(size("100", "XL"), &CatalogRules::default());
    let article = mapped.outcome.expect("admitted");
    assert_eq!(article.article_number, "M411-740XL");
    assert_eq!(article.name, "Shirt Blue XL");
    assert_eq!(article.product_code, "M411");
    assert_eq!(article.bar_code.as_deref(), Some("4006381333931"));
    assert_eq!(article.customs_number.as_deref(), Some("61091000"));
    assert_eq!(article.country_of_origin.as_deref(), Some("SE"));
    assert_eq!(article.weight_kg.as_deref(), Some("0.5"));
    assert_eq!(article.price.as_deref(), Some("45.5"));
    assert_eq!(article.currency.as_deref(), Some("EUR"));
    assert!(article.active);
}

#[test]
fn pounds_convert_to_kilograms() {
    let mut s = size("100", "XL");
    s.weight = "2".into();
    s.weight_unit = "lb".into();
    let article = one(s, &CatalogRules::default()).outcome.expect("admitted");
    assert_eq!(article.weight_kg.as_deref(), Some("0.90718474"));
}

#[test]
fn configured_pricelist_and_currency_pick_the_price() {
    let rules = CatalogRules {
        price: domain::settings::PriceSelection {
            pricelist: Some("SEK".into()),
            currency: "SEK".into(),
        },
        ..CatalogRules::default()
    };
    let article = one(size("100", "XL"), &rules).outcome.expect("admitted");
    assert_eq!(article.price.as_deref(), Some("499"));
    assert_eq!(article.currency.as_deref(), Some("SEK"));
}

#[test]
fn no_price_in_the_currency_means_no_price_not_a_rejection() {
    let mut s = size("100", "XL");
    s.prices.retain(|p| p.currency != "EUR");
    let article = one(s, &CatalogRules::default()).outcome.expect("admitted");
    assert_eq!(article.price, None);
}

#[test]
fn ean_rule_uses_the_ean() {
    let rules = CatalogRules {
        rule: ArticleNumberRule::Ean,
        ..CatalogRules::default()
    };
    let mut s = size("100", "XL");
    s.variant_sku = String::new();
    let mapped = one(s, &rules);
    assert_eq!(mapped.article_number.as_deref(), Some("4006381333931"));
    assert!(mapped.outcome.is_ok());
}

#[test]
fn missing_sku_part_is_rejected_naming_it() {
    let mut s = size("100", "XL");
    s.variant_sku = " ".into();
    let mapped = one(s, &CatalogRules::default());
    assert_eq!(reason(&mapped), "missing variant sku");
    assert_eq!(mapped.article_number, None);
    assert_eq!(
        mapped.outcome.expect_err("rejected").kind,
        ProblemKind::Rejected
    );
}

#[test]
fn too_long_article_number_is_rejected_with_the_limit() {
    let rules = CatalogRules {
        max_len: 8,
        ..CatalogRules::default()
    };
    let mapped = one(size("100", "XL"), &rules);
    assert_eq!(
        reason(&mapped),
        "article number M411-740XL is 10 characters, the wms accepts at most 8"
    );
}

/// Issue #11 point 1: under the default rule the EAN is only the bar code, so a typo in it
/// never blocks the article; it is left out and the item carries a warning naming it.
#[test]
fn invalid_ean_under_the_sku_rule_is_a_warning_and_the_article_goes_without_it() {
    let mut s = size("100", "XL");
    s.ean = "4006381333932".into();
    let mapped = one(s, &CatalogRules::default());
    assert_eq!(mapped.article_number.as_deref(), Some("M411-740XL"));
    let article = mapped.outcome.expect("admitted, not rejected");
    assert_eq!(article.bar_code, None);
    let warning = mapped.warning.expect("a warning");
    assert!(
        warning.starts_with("ean 4006381333932 is not a valid gtin: check digit is 2, expected 1"),
        "{warning}"
    );
}

#[test]
fn invalid_ean_under_the_ean_rule_is_rejected_with_the_check_digit() {
    let rules = CatalogRules {
        rule: ArticleNumberRule::Ean,
        ..CatalogRules::default()
    };
    let mut s = size("100", "XL");
    s.ean = "4006381333932".into();
    let mapped = one(s, &rules);
    assert_eq!(
        reason(&mapped),
        "ean 4006381333932 is not a valid gtin: check digit is 2, expected 1"
    );
    assert_eq!(mapped.warning, None);
}

#[test]
fn a_valid_or_missing_ean_gives_no_warning() {
    assert_eq!(
        one(size("100", "XL"), &CatalogRules::default()).warning,
        None
    );
    let mut s = size("100", "XL");
    s.ean = " ".into();
    assert_eq!(one(s, &CatalogRules::default()).warning, None);
}

#[test]
fn missing_ean_is_fine_under_the_sku_rule() {
    let mut s = size("100", "XL");
    s.ean = String::new();
    let article = one(s, &CatalogRules::default()).outcome.expect("admitted");
    assert_eq!(article.bar_code, None);
}

#[test]
fn negative_weight_is_rejected() {
    let mut s = size("100", "XL");
    s.weight = "-1.5".into();
    s.weight_unit = "kg".into();
    assert_eq!(
        reason(&one(s, &CatalogRules::default())),
        "weight -1.5 kg is negative"
    );
}

#[test]
fn unreadable_weight_and_unit_are_rejected() {
    let mut s = size("100", "XL");
    s.weight = "heavy".into();
    assert_eq!(
        reason(&one(s.clone(), &CatalogRules::default())),
        "weight \"heavy\" is not a number"
    );
    s.weight = "1".into();
    s.weight_unit = "stone".into();
    assert_eq!(
        reason(&one(s, &CatalogRules::default())),
        "weight unit \"stone\" is unknown (expected kg, lb or g)"
    );
}

#[test]
fn unreadable_price_in_the_configured_currency_is_rejected() {
    let mut s = size("100", "XL");
    s.prices[1].amount = "cheap".into();
    assert_eq!(
        reason(&one(s.clone(), &CatalogRules::default())),
        "price \"cheap\" in pricelist \"EU\" is not a number"
    );
    // The same text in another currency does not matter.
    s.prices[1].amount = "45".into();
    s.prices[0].amount = "cheap".into();
    assert!(one(s, &CatalogRules::default()).outcome.is_ok());
}

#[test]
fn inactive_is_filtered_by_default_and_an_inactive_article_on_request() {
    let mut s = size("100", "XL");
    s.active = false;
    let mapped = one(s.clone(), &CatalogRules::default());
    let problem = mapped.outcome.expect_err("filtered");
    assert_eq!(problem.kind, ProblemKind::Filtered);
    assert_eq!(problem.reason, "product is inactive");
    assert!(!problem.needs_a_person());
    let rules = CatalogRules {
        filter: ArticleFilter::IncludeInactive,
        ..CatalogRules::default()
    };
    let article = one(s, &rules).outcome.expect("admitted");
    assert!(!article.active);
}

#[test]
fn one_bad_size_never_stops_the_others() {
    let mut bad = size("101", "L");
    bad.weight = "heavy".into();
    let p = product(vec![size("100", "M"), bad, size("102", "XL")]);
    let mapped = map_product(&p, &CatalogRules::default());
    let ok: Vec<bool> = mapped.iter().map(|m| m.outcome.is_ok()).collect();
    assert_eq!(ok, [true, false, true]);
}

#[test]
fn a_fixed_row_maps_again() {
    let mut s = size("100", "XL");
    s.weight = "-1".into();
    assert!(one(s.clone(), &CatalogRules::default()).outcome.is_err());
    s.weight = "1".into();
    assert!(one(s, &CatalogRules::default()).outcome.is_ok());
}

#[test]
fn two_sizes_with_one_number_collide() {
    // Same sku parts on two stock items: both map to M411-740XL.
    let p = product(vec![size("100", "XL"), size("101", "XL")]);
    let claims: Vec<Claim> = map_product(&p, &CatalogRules::default())
        .into_iter()
        .filter_map(|m| {
            Some(Claim {
                stock_item_id: m.row.stock_item_id.clone(),
                product_id: m.row.product_id.clone(),
                article_number: m.article_number?,
                holds: false,
            })
        })
        .collect();
    let found = find_collisions(&claims);
    assert_eq!(found.len(), 2);
    assert!(found["100"].reason.contains("M411-740XL"));
}
