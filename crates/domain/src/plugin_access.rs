//! Which Order API end-point groups each Centra end-point must be allowed, from the flows the
//! settings enable.
//!
//! A Centra Order API plugin can be limited to groups of end-points (its endpoint allow-list,
//! PLUGIN page: "e.g. ORDER & SHIPMENT, PRODUCT & STOCK"). A flow whose group is not allowed
//! fails at its first call, which may be days after set-up; `test-connection` checks each
//! needed group up front with a harmless read and names the plugin setting to change.

use std::fmt;

use crate::endpoint::CentraEndpoint;
use crate::settings::Settings;

/// A group of Order API end-points a plugin can be allowed.
///
/// [I] Centra's docs name two groups ("ORDER & SHIPMENT", "PRODUCT & STOCK"); the labels of
/// the supplier-delivery and return groups are our wording for the same allow-list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EndpointGroup {
    /// `/orders`, `/shipments`, `/shipment`, `/capture`.
    OrderAndShipment,
    /// `/products`, `/stock`.
    ProductAndStock,
    /// `/supplier-orders`, `/supplier-deliveries`.
    SupplierDeliveries,
    /// `/return`, `/returns`.
    Returns,
}

impl EndpointGroup {
    /// Every group, in the order `test-connection` prints them.
    pub const ALL: [Self; 4] = [
        Self::OrderAndShipment,
        Self::ProductAndStock,
        Self::SupplierDeliveries,
        Self::Returns,
    ];

    /// The group as the plugin's allow-list shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::OrderAndShipment => "ORDER & SHIPMENT",
            Self::ProductAndStock => "PRODUCT & STOCK",
            Self::SupplierDeliveries => "SUPPLIER DELIVERIES",
            Self::Returns => "RETURNS",
        }
    }

    /// What to change when Centra refuses the group.
    pub fn fix(self) -> String {
        format!(
            "allow {} in the Order API plugin's endpoint settings (AMS: System > Stores > the store > Order API plugin)",
            self.label()
        )
    }
}

impl fmt::Display for EndpointGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One group an end-point needs and the settings that need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupNeed {
    pub group: EndpointGroup,
    /// The flows (setting names) that call the group, e.g. `["articles", "stock_to_centra"]`.
    pub needed_by: Vec<&'static str>,
}

/// The groups `endpoint` must be allowed under `settings`, in [`EndpointGroup::ALL`] order:
/// shipments or orders always (every end-point is imported from); products and stock on the
/// catalog end-point (articles; stock when `stock_to_centra`); supplier deliveries on every
/// end-point when `purchase_orders`; returns on every end-point when `returns_to_centra`
/// (a return is reported to the end-point its shipment came from).
pub fn groups_needed(settings: &Settings, endpoint: &CentraEndpoint) -> Vec<GroupNeed> {
    let is_catalog = settings
        .catalog_endpoint
        .as_ref()
        .is_some_and(|c| *c == endpoint.name);
    let mut needs = Vec::new();
    let import = match (
        settings.import.imports_shipments(),
        settings.import.imports_orders(),
    ) {
        (true, true) => vec!["shipments", "orders"],
        (false, true) => vec!["orders"],
        _ => vec!["shipments"],
    };
    needs.push(GroupNeed {
        group: EndpointGroup::OrderAndShipment,
        needed_by: import,
    });
    if is_catalog {
        let mut needed_by = vec!["articles"];
        if settings.stock_to_centra {
            needed_by.push("stock_to_centra");
        }
        needs.push(GroupNeed {
            group: EndpointGroup::ProductAndStock,
            needed_by,
        });
    }
    if settings.purchase_orders {
        needs.push(GroupNeed {
            group: EndpointGroup::SupplierDeliveries,
            needed_by: vec!["purchase_orders"],
        });
    }
    if settings.returns_to_centra {
        needs.push(GroupNeed {
            group: EndpointGroup::Returns,
            needed_by: vec!["returns_to_centra"],
        });
    }
    needs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::{EndpointName, EndpointRole};
    use crate::secret::Secret;
    use crate::settings::ImportMode;

    fn endpoint(name: &str, role: EndpointRole) -> CentraEndpoint {
        CentraEndpoint {
            name: EndpointName::parse(name).expect("name"),
            base_url: format!("https://{name}.example/api/order-api"),
            secret: Secret::new("s"),
            webhook_secret: None,
            role,
            order_number_prefix: Some(name.to_uppercase()),
            requests_per_second: None,
            api: crate::endpoint::CentraApi::OrderApi,
            token: None,
            token_expires_on: None,
            admin_user_id: None,
        }
    }

    fn groups(settings: &Settings, index: usize) -> Vec<(EndpointGroup, Vec<&'static str>)> {
        groups_needed(settings, &settings.endpoints[index])
            .into_iter()
            .map(|n| (n.group, n.needed_by))
            .collect()
    }

    #[test]
    fn each_endpoint_needs_the_groups_of_its_flows() {
        use EndpointGroup::*;
        let mut settings = Settings::new(
            vec![
                endpoint("retail", EndpointRole::Retail),
                endpoint("wholesale", EndpointRole::Wholesale),
            ],
            chrono_tz::UTC,
        );
        // Defaults: shipments everywhere, articles on the catalog end-point (wholesale).
        assert_eq!(
            groups(&settings, 0),
            [(OrderAndShipment, vec!["shipments"])]
        );
        assert_eq!(
            groups(&settings, 1),
            [
                (OrderAndShipment, vec!["shipments"]),
                (ProductAndStock, vec!["articles"])
            ]
        );
        settings.import = ImportMode::Both;
        settings.stock_to_centra = true;
        settings.purchase_orders = true;
        settings.returns_to_centra = true;
        assert_eq!(
            groups(&settings, 0),
            [
                (OrderAndShipment, vec!["shipments", "orders"]),
                (SupplierDeliveries, vec!["purchase_orders"]),
                (Returns, vec!["returns_to_centra"]),
            ]
        );
        assert_eq!(
            groups(&settings, 1),
            [
                (OrderAndShipment, vec!["shipments", "orders"]),
                (ProductAndStock, vec!["articles", "stock_to_centra"]),
                (SupplierDeliveries, vec!["purchase_orders"]),
                (Returns, vec!["returns_to_centra"]),
            ]
        );
        settings.import = ImportMode::Orders;
        assert_eq!(groups(&settings, 0)[0], (OrderAndShipment, vec!["orders"]));
    }

    #[test]
    fn the_fix_names_the_group_and_the_plugin() {
        let fix = EndpointGroup::ProductAndStock.fix();
        assert!(fix.contains("PRODUCT & STOCK"), "{fix}");
        assert!(fix.contains("Order API plugin"), "{fix}");
    }
}
