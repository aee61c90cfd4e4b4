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

/// A transporter the WMS has a contract for, with its service codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransporterContract {
    pub transporter_code: String,
    pub service_codes: Vec<String>,
}

/// A setting that names a transporter (or service) the WMS has no contract for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTransporter {
    /// The setting, e.g. `shipping_methods[2]` or `default_transporter`.
    pub setting: String,
    pub transporter: Transporter,
    /// What is missing, naming what the WMS does have.
    pub problem: String,
}

/// Every shipping-method mapping (and the default transporter) whose transporter, or service,
/// is not among the WMS's contracts. Codes compare exactly: the WMS stores the code as given,
/// so a near miss would be a WMS order with a transporter nobody ships with.
pub fn unknown_transporters(
    mappings: &[ShippingMethodMapping],
    default: Option<&Transporter>,
    contracts: &[TransporterContract],
) -> Vec<UnknownTransporter> {
    let named = mappings
        .iter()
        .enumerate()
        .map(|(i, m)| (format!("shipping_methods[{i}]"), m.transporter()))
        .chain(
            default
                .cloned()
                .map(|t| ("default_transporter".to_owned(), t)),
        );
    let mut unknown = Vec::new();
    for (setting, transporter) in named {
        let problem = match contracts
            .iter()
            .find(|c| c.transporter_code == transporter.transporter_code)
        {
            None => Some(format!(
                "transporter {:?} is not among the WMS's transporter contracts ({})",
                transporter.transporter_code,
                list(contracts.iter().map(|c| c.transporter_code.as_str()))
            )),
            Some(contract) => transporter
                .transporter_service_code
                .as_ref()
                .filter(|s| !contract.service_codes.contains(s))
                .map(|service| {
                    format!(
                        "transporter {:?} has no service {service:?} in the WMS (its services: {})",
                        transporter.transporter_code,
                        list(contract.service_codes.iter().map(String::as_str))
                    )
                }),
        };
        if let Some(problem) = problem {
            unknown.push(UnknownTransporter {
                setting,
                transporter,
                problem,
            });
        }
    }
    unknown
}

fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.collect();
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_to_transporters_the_wms_lacks_are_named() {
        let contracts = [
            TransporterContract {
                transporter_code: "DHL".into(),
                service_codes: vec!["EXPRESS".into(), "PARCEL".into()],
            },
            TransporterContract {
                transporter_code: "POSTNORD".into(),
                service_codes: vec![],
            },
        ];
        let row = |code: &str, service: Option<&str>| ShippingMethodMapping {
            carrier: Some("x".into()),
            service: None,
            shipping_list: None,
            transporter_code: code.into(),
            transporter_service_code: service.map(str::to_owned),
        };
        let mappings = [
            row("DHL", Some("EXPRESS")),
            row("UPS", None),
            row("DHL", Some("NEXTDAY")),
            row("POSTNORD", None),
        ];
        let default = Transporter {
            transporter_code: "dhl".into(),
            transporter_service_code: None,
        };
        let found = unknown_transporters(&mappings, Some(&default), &contracts);
        let settings: Vec<&str> = found.iter().map(|u| u.setting.as_str()).collect();
        assert_eq!(
            settings,
            [
                "shipping_methods[1]",
                "shipping_methods[2]",
                "default_transporter"
            ]
        );
        assert_eq!(
            found[0].problem,
            "transporter \"UPS\" is not among the WMS's transporter contracts (DHL, POSTNORD)"
        );
        assert_eq!(
            found[1].problem,
            "transporter \"DHL\" has no service \"NEXTDAY\" in the WMS (its services: EXPRESS, PARCEL)"
        );
        assert!(unknown_transporters(&mappings[..1], None, &contracts).is_empty());
        assert_eq!(unknown_transporters(&mappings[..1], None, &[]).len(), 1);
    }

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
