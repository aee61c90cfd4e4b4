//! The services, by name: the four sync services, centra-gateway, and the gateway of the
//! configured WMS (`[wms] kind`: ongoing-gateway or ogoship-gateway; one runs at a time).

use std::sync::Arc;

use platform_config::WmsKind;
use platform_runtime::{Runtime, Service};

/// The gateway that speaks to `kind`.
fn wms_gateway(kind: WmsKind) -> Arc<dyn Service> {
    match kind {
        WmsKind::Ongoing => Arc::new(ongoing_gateway::OngoingGateway),
        WmsKind::Ogoship => Arc::new(ogoship_gateway::OgoshipGateway),
    }
}

/// The six services one deployment runs for `kind`, in start order.
pub fn for_wms(kind: WmsKind) -> Vec<Arc<dyn Service>> {
    vec![
        Arc::new(centra_gateway::CentraGateway),
        wms_gateway(kind),
        Arc::new(catalog_sync::CatalogSync),
        Arc::new(order_sync::OrderSync),
        Arc::new(stock_sync::StockSync),
        Arc::new(returns_sync::ReturnsSync),
    ]
}

/// Every service there is (both WMS gateways), for `serve` by name and for messages.
pub fn all() -> Vec<Arc<dyn Service>> {
    let mut all = for_wms(WmsKind::Ongoing);
    all.push(wms_gateway(WmsKind::Ogoship));
    all
}

/// Every service name, for messages.
pub fn names() -> Vec<&'static str> {
    all().iter().map(|s| s.name()).collect()
}

/// The names of the services one deployment runs for `kind`.
pub fn names_for(kind: WmsKind) -> Vec<&'static str> {
    for_wms(kind).iter().map(|s| s.name()).collect()
}

/// The service called `name`.
pub fn by_name(name: &str) -> Option<Arc<dyn Service>> {
    all().into_iter().find(|s| s.name() == name)
}

/// Adds the services for `kind` to `runtime` (the embedded shape).
pub fn add_all(runtime: Runtime, kind: WmsKind) -> Runtime {
    for_wms(kind)
        .into_iter()
        .fold(runtime, Runtime::with_shared_service)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_wms_gateway_runs_the_one_of_the_kind() {
        let ongoing = names_for(WmsKind::Ongoing);
        assert!(ongoing.contains(&"ongoing-gateway") && !ongoing.contains(&"ogoship-gateway"));
        let ogoship = names_for(WmsKind::Ogoship);
        assert!(ogoship.contains(&"ogoship-gateway") && !ogoship.contains(&"ongoing-gateway"));
        assert_eq!(ogoship.len(), 6);
        assert!(by_name("ogoship-gateway").is_some() && by_name("ongoing-gateway").is_some());
    }
}
