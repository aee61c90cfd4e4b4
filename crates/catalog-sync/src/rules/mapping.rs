//! A Centra size item (as the gateway contract carries it) to a WMS article, or the reason it
//! cannot be one. Pure: the same input and rules always give the same answer.
//!
//! Order of checks: the article filter (inactive, article number by the configured rule and
//! maximum length), then the EAN, the weight (a number in a known unit, not negative), the
//! price (the configured pricelist/currency, when present).
//!
//! The EAN: under the EAN rule it is the article number, so a bad one is a rejection (by the
//! filter). Under the default rule (sku + variant sku + size sku) it is only the bar code: an
//! EAN that is not a valid GTIN (a typo in the check digit, usually) never blocks the article,
//! as the seed's filter promises ("active and all three SKUs present"). The article is
//! created without a bar code and the item carries a [`Mapped::warning`] a person sees. It is
//! left out rather than sent as-is: a bar code is what the warehouse scans at receiving and
//! picking, and a wrong one could match another item's real code or be refused by the WMS
//! (which would block the article again). Once the EAN is fixed in Centra the article changes
//! (its content hash) and is written again with the bar code.

use std::str::FromStr;

use crate::convert::{CentraPrice, CentraProduct, CentraSize};
use domain::settings::PriceSelection;
use domain::{
    ArticleDecision, ArticleFilter, ArticleNumberRule, Gtin, Price, Settings, SizeRow, SkipReason,
    Weight, WeightUnit,
};
use rust_decimal::Decimal;

use super::article::WmsArticle;
use super::problem::{Problem, ProblemKind};

/// The settings that decide how a size item becomes an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogRules {
    /// Article number rule (sku + variant sku + size sku, or EAN).
    pub rule: ArticleNumberRule,
    /// Longest article number the WMS accepts.
    pub max_len: usize,
    /// Which rows become articles.
    pub filter: ArticleFilter,
    /// Which price goes to the WMS.
    pub price: PriceSelection,
}

impl CatalogRules {
    /// The rules of the tenant's settings.
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            rule: settings.article_number,
            max_len: settings.article_number_max_length,
            filter: settings.article_filter,
            price: settings.price.clone(),
        }
    }
}

impl Default for CatalogRules {
    fn default() -> Self {
        Self {
            rule: ArticleNumberRule::default(),
            max_len: domain::DEFAULT_MAX_ARTICLE_NUMBER_LEN,
            filter: ArticleFilter::default(),
            price: PriceSelection::default(),
        }
    }
}

/// What became of one size item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    /// The size row as read from the contract.
    pub row: SizeRow,
    /// The derived article number, when one could be derived (kept even when the item is
    /// rejected later, so collisions can be found).
    pub article_number: Option<String>,
    /// The article, or why there is none.
    pub outcome: Result<WmsArticle, Problem>,
    /// Something a person should fix that does not stop the article (a bad EAN under the
    /// default rule: the article goes without a bar code), naming the field.
    pub warning: Option<String>,
}

/// Maps every size item of a product.
pub fn map_product(product: &CentraProduct, rules: &CatalogRules) -> Vec<Mapped> {
    product
        .sizes
        .iter()
        .map(|size| map_size(product, size, rules))
        .collect()
}

/// Maps one size item of `product`.
pub fn map_size(product: &CentraProduct, size: &CentraSize, rules: &CatalogRules) -> Mapped {
    let row = size_row(product, size);
    let weight = parse_weight(&size.weight, &size.weight_unit);
    let prices = parse_prices(&size.prices, &rules.price);
    let mut warning = None;
    let (article_number, outcome) = match rules.filter.decide(&row, rules.rule, rules.max_len) {
        ArticleDecision::Skipped(SkipReason::Inactive) => (
            None,
            Err(Problem::new(ProblemKind::Filtered, "product is inactive")),
        ),
        ArticleDecision::Skipped(SkipReason::NoArticleNumber(error)) => {
            (None, Err(Problem::rejected(error.to_string())))
        }
        ArticleDecision::Admitted {
            article_number,
            active,
        } => {
            let number = article_number.as_str().to_owned();
            let article = build(&row, number.clone(), active, weight, prices, rules);
            warning = article
                .as_ref()
                .ok()
                .and_then(|_| bar_code_warning(row.ean.as_deref()));
            (Some(number), article)
        }
    };
    Mapped {
        row,
        article_number,
        outcome,
        warning,
    }
}

/// The EAN as a bar code: a valid GTIN, or none (blank or not a GTIN).
fn bar_code(ean: Option<&str>) -> Option<String> {
    let ean = non_empty(ean)?;
    Gtin::parse(ean).ok().map(|gtin| gtin.as_str().to_owned())
}

/// Why the EAN was left out of the article, when it was not blank and not a valid GTIN.
fn bar_code_warning(ean: Option<&str>) -> Option<String> {
    let ean = non_empty(ean)?;
    Gtin::parse(ean).err().map(|error| {
        format!(
            "{error}; the article is in the wms without a bar code until the ean is fixed in centra"
        )
    })
}

fn build(
    row: &SizeRow,
    article_number: String,
    active: bool,
    weight: Result<Option<Weight>, Problem>,
    prices: Result<Vec<Price>, Problem>,
    rules: &CatalogRules,
) -> Result<WmsArticle, Problem> {
    let bar_code = bar_code(row.ean.as_deref());
    let weight_kg = match weight? {
        Some(weight) if weight.value.is_sign_negative() && !weight.value.is_zero() => {
            return Err(Problem::rejected(format!(
                "weight {} {} is negative",
                weight.value,
                unit_name(weight.unit)
            )));
        }
        Some(weight) => Some(weight.to_kg().to_string()),
        None => None,
    };
    let prices = prices?;
    let price = rules.price.pick(&prices);
    Ok(WmsArticle {
        article_number,
        name: row.article_name(),
        product_code: row.sku.trim().to_owned(),
        bar_code,
        active,
        color: row.variant_name.trim().to_owned(),
        size: row.size_name.trim().to_owned(),
        weight_kg,
        country_of_origin: non_empty(row.country_of_origin.as_deref())
            .map(|c| c.to_ascii_uppercase()),
        customs_number: non_empty(row.harm_code.as_deref()).map(str::to_owned),
        price: price.map(|p| p.amount.normalize().to_string()),
        currency: price.map(|p| p.currency.trim().to_ascii_uppercase()),
    })
}

fn unit_name(unit: WeightUnit) -> &'static str {
    match unit {
        WeightUnit::Kg => "kg",
        WeightUnit::Lb => "lb",
        WeightUnit::G => "g",
    }
}

fn non_empty(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// The contract's size item as the domain's [`SizeRow`] (weight and prices are parsed apart,
/// so an unreadable one becomes a reason instead of a lost row).
fn size_row(product: &CentraProduct, size: &CentraSize) -> SizeRow {
    let text = |s: &str| non_empty(Some(s)).map(str::to_owned);
    SizeRow {
        product_id: product.product_id.clone(),
        variant_id: size.variant_id.clone(),
        stock_item_id: size.stock_item_id.clone(),
        sku: size.sku.clone(),
        variant_sku: size.variant_sku.clone(),
        size_sku: size.size_sku.clone(),
        ean: text(&size.ean),
        product_name: product.name.clone(),
        variant_name: size.variant_name.clone(),
        size_name: size.size_name.clone(),
        active: size.active,
        weight: parse_weight(&size.weight, &size.weight_unit).ok().flatten(),
        country_of_origin: text(&size.country_of_origin),
        harm_code: text(&size.harm_code),
        prices: Vec::new(),
    }
}

/// Centra's weight text and unit; an empty weight is no weight, an empty unit is kilograms
/// (Centra's default).
fn parse_weight(value: &str, unit: &str) -> Result<Option<Weight>, Problem> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let number = Decimal::from_str(value)
        .map_err(|_| Problem::rejected(format!("weight {value:?} is not a number")))?;
    let unit = if unit.trim().is_empty() {
        WeightUnit::Kg
    } else {
        WeightUnit::parse(unit).ok_or_else(|| {
            Problem::rejected(format!(
                "weight unit {:?} is unknown (expected kg, lb or g)",
                unit.trim()
            ))
        })?
    };
    Ok(Some(Weight {
        value: number,
        unit,
    }))
}

/// The prices with readable amounts. An unreadable amount matters only in the configured
/// currency (it could be the one the WMS should get); elsewhere it is ignored.
fn parse_prices(prices: &[CentraPrice], selection: &PriceSelection) -> Result<Vec<Price>, Problem> {
    let mut parsed = Vec::with_capacity(prices.len());
    for price in prices {
        match Decimal::from_str(price.amount.trim()) {
            Ok(amount) => parsed.push(Price {
                pricelist: price.pricelist.clone(),
                currency: price.currency.clone(),
                amount,
            }),
            Err(_)
                if price
                    .currency
                    .trim()
                    .eq_ignore_ascii_case(selection.currency.trim()) =>
            {
                return Err(Problem::rejected(format!(
                    "price {:?} in pricelist {:?} is not a number",
                    price.amount, price.pricelist
                )));
            }
            Err(_) => {}
        }
    }
    Ok(parsed)
}
