//! `settings.price`: which Centra price is sent to the WMS (customs value, article price).

use serde::{Deserialize, Serialize};

use crate::product::Price;

/// Default currency, as in the seed.
pub const DEFAULT_CURRENCY: &str = "EUR";

/// Pricelist and currency to take prices from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PriceSelection {
    /// Centra pricelist; `None` takes the first pricelist in the currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pricelist: Option<String>,
    /// ISO 4217 currency code.
    pub currency: String,
}

impl Default for PriceSelection {
    fn default() -> Self {
        Self {
            pricelist: None,
            currency: DEFAULT_CURRENCY.to_owned(),
        }
    }
}

impl PriceSelection {
    /// The price to use among a size row's prices: same currency (case-insensitive) and, when
    /// configured, same pricelist; the first such price.
    pub fn pick<'a>(&self, prices: &'a [Price]) -> Option<&'a Price> {
        prices.iter().find(|p| {
            p.currency.trim().eq_ignore_ascii_case(self.currency.trim())
                && self
                    .pricelist
                    .as_deref()
                    .is_none_or(|list| p.pricelist.trim() == list.trim())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn price(list: &str, currency: &str, amount: i64) -> Price {
        Price {
            pricelist: list.into(),
            currency: currency.into(),
            amount: Decimal::new(amount, 0),
        }
    }

    #[test]
    fn picks_by_currency_then_pricelist() {
        let prices = [
            price("SEK", "SEK", 100),
            price("EU", "eur", 10),
            price("Outlet", "EUR", 5),
        ];
        assert_eq!(
            PriceSelection::default().pick(&prices).map(|p| p.amount),
            Some(Decimal::new(10, 0))
        );
        let outlet = PriceSelection {
            pricelist: Some("Outlet".into()),
            currency: "EUR".into(),
        };
        assert_eq!(
            outlet.pick(&prices).map(|p| p.amount),
            Some(Decimal::new(5, 0))
        );
        let usd = PriceSelection {
            pricelist: None,
            currency: "USD".into(),
        };
        assert_eq!(usd.pick(&prices), None);
    }
}
