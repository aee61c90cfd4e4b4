//! The six services, by name.

use std::sync::Arc;

use platform_runtime::{Runtime, Service};

/// Every service, in start order.
pub fn all() -> Vec<Arc<dyn Service>> {
    vec![
        Arc::new(centra_gateway::CentraGateway),
        Arc::new(ongoing_gateway::OngoingGateway),
        Arc::new(catalog_sync::CatalogSync),
        Arc::new(order_sync::OrderSync),
        Arc::new(stock_sync::StockSync),
        Arc::new(returns_sync::ReturnsSync),
    ]
}

/// Every service name, for messages.
pub fn names() -> Vec<&'static str> {
    all().iter().map(|s| s.name()).collect()
}

/// The service called `name`.
pub fn by_name(name: &str) -> Option<Arc<dyn Service>> {
    all().into_iter().find(|s| s.name() == name)
}

/// Adds every service to `runtime` (the embedded shape).
pub fn add_all(runtime: Runtime) -> Runtime {
    all()
        .into_iter()
        .fold(runtime, Runtime::with_shared_service)
}
