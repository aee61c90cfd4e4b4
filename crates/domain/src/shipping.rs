//! Shipping methods: how Centra names a delivery option and which WMS transporter carries it.
//!
//! Centra has no standard carrier vocabulary (`shippingList` is free text agreed per client), so
//! each tenant maps Centra's carrier / service / shipping list to an Ongoing transporter code in
//! `settings.shipping_methods`. [`find_transporter`] applies that table.

use serde::{Deserialize, Serialize};

/// How Centra describes the delivery option of a shipment or order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingMethod {
    /// Centra `carrier` / `defaultCarrier`.
    pub carrier: Option<String>,
    /// Centra `service` / `deliveryService`.
    pub service: Option<String>,
    /// Centra `shippingList` (the checkout's shipping option key).
    pub shipping_list: Option<String>,
}

/// A WMS transporter (Ongoing `transporter{transporterCode, transporterServiceCode}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transporter {
    /// Ongoing `transporterCode`, e.g. `DHL`.
    pub transporter_code: String,
    /// Ongoing `transporterServiceCode`, when the transporter has several services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transporter_service_code: Option<String>,
}

/// One row of `settings.shipping_methods`: the Centra side (each criterion optional, at least
/// one set) and the transporter it maps to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShippingMethodMapping {
    /// Matches Centra's carrier, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<String>,
    /// Matches Centra's service, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Matches Centra's shipping list, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_list: Option<String>,
    /// Ongoing transporter code to use.
    pub transporter_code: String,
    /// Ongoing transporter service code to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transporter_service_code: Option<String>,
}

impl ShippingMethodMapping {
    /// How many criteria are set; more criteria = more specific.
    pub fn specificity(&self) -> usize {
        [&self.carrier, &self.service, &self.shipping_list]
            .iter()
            .filter(|c| c.is_some())
            .count()
    }

    /// True when every set criterion equals the method's value (trimmed, ASCII case-insensitive).
    /// A mapping without criteria matches nothing; use `default_transporter` for a catch-all.
    pub fn matches(&self, method: &ShippingMethod) -> bool {
        fn same(want: Option<&String>, have: Option<&String>) -> bool {
            match (want, have) {
                (None, _) => true,
                (Some(want), Some(have)) => want.trim().eq_ignore_ascii_case(have.trim()),
                (Some(_), None) => false,
            }
        }
        self.specificity() > 0
            && same(self.carrier.as_ref(), method.carrier.as_ref())
            && same(self.service.as_ref(), method.service.as_ref())
            && same(self.shipping_list.as_ref(), method.shipping_list.as_ref())
    }

    /// The transporter this row maps to.
    pub fn transporter(&self) -> Transporter {
        Transporter {
            transporter_code: self.transporter_code.clone(),
            transporter_service_code: self.transporter_service_code.clone(),
        }
    }

    /// The criteria as one comparable key (for duplicate detection).
    pub(crate) fn criteria_key(&self) -> [Option<String>; 3] {
        let norm = |c: &Option<String>| c.as_ref().map(|v| v.trim().to_ascii_lowercase());
        [
            norm(&self.carrier),
            norm(&self.service),
            norm(&self.shipping_list),
        ]
    }
}

/// The transporter for a Centra shipping method: the most specific matching mapping (the first
/// of equally specific ones), else the default, else `None` (the WMS order goes without a
/// transporter and the warehouse chooses).
pub fn find_transporter(
    mappings: &[ShippingMethodMapping],
    default: Option<&Transporter>,
    method: &ShippingMethod,
) -> Option<Transporter> {
    let mut best: Option<&ShippingMethodMapping> = None;
    for mapping in mappings.iter().filter(|m| m.matches(method)) {
        if best.is_none_or(|b| mapping.specificity() > b.specificity()) {
            best = Some(mapping);
        }
    }
    best.map(ShippingMethodMapping::transporter)
        .or_else(|| default.cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(
        carrier: Option<&str>,
        service: Option<&str>,
        list: Option<&str>,
        code: &str,
    ) -> ShippingMethodMapping {
        ShippingMethodMapping {
            carrier: carrier.map(Into::into),
            service: service.map(Into::into),
            shipping_list: list.map(Into::into),
            transporter_code: code.into(),
            transporter_service_code: None,
        }
    }

    fn method(carrier: &str, service: &str, list: &str) -> ShippingMethod {
        ShippingMethod {
            carrier: Some(carrier.into()),
            service: Some(service.into()),
            shipping_list: Some(list.into()),
        }
    }

    #[test]
    fn most_specific_match_wins_then_first() {
        let table = vec![
            mapping(Some("DHL"), None, None, "DHL"),
            mapping(Some("dhl"), Some("Express"), None, "DHLEXP"),
            mapping(Some("DHL"), Some("express "), None, "SECOND"),
        ];
        let found = find_transporter(&table, None, &method("DHL", "Express", "x"));
        assert_eq!(found.expect("match").transporter_code, "DHLEXP");
        let found = find_transporter(&table, None, &method("DHL", "Parcel", "x"));
        assert_eq!(found.expect("match").transporter_code, "DHL");
    }

    #[test]
    fn falls_back_to_default_then_none() {
        let table = vec![mapping(None, None, Some("home"), "POSTNORD")];
        let default = Transporter {
            transporter_code: "DEF".into(),
            transporter_service_code: Some("STD".into()),
        };
        assert_eq!(
            find_transporter(&table, Some(&default), &method("UPS", "x", "pickup")),
            Some(default.clone())
        );
        assert_eq!(
            find_transporter(&table, None, &method("UPS", "x", "pickup")),
            None
        );
        assert_eq!(
            find_transporter(&table, Some(&default), &method("UPS", "x", "HOME"))
                .expect("match")
                .transporter_code,
            "POSTNORD"
        );
    }

    #[test]
    fn a_criterion_does_not_match_a_missing_value_and_empty_rows_match_nothing() {
        let table = vec![
            mapping(Some("DHL"), None, None, "DHL"),
            mapping(None, None, None, "ALL"),
        ];
        assert_eq!(
            find_transporter(&table, None, &ShippingMethod::default()),
            None
        );
    }
}
