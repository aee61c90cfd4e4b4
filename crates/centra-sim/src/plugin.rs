//! The Order API plugin's endpoint allow-list: "a plugin can be limited to groups (e.g. ORDER &
//! SHIPMENT, PRODUCT & STOCK)" (PLUGIN page). Set through `POST /_sim/plugin`
//! `{"deniedGroups": ["PRODUCT & STOCK"]}`; `{}` allows every group again.
//!
//! [I] Two things are guesses, since Centra documents neither: the labels of the supplier and
//! return groups (only the two above are named), and the answer to a call outside the allowed
//! groups. The simulator answers HTTP 403 with the documented envelope
//! `{"status": "no", "msg": "…"}`, so a client must not rely on either the code or the text.

use std::collections::BTreeSet;
use std::sync::{Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::SharedSim;

/// A group of Order API end-points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    OrderAndShipment,
    ProductAndStock,
    SupplierDeliveries,
    Returns,
}

impl Group {
    pub const ALL: [Self; 4] = [
        Self::OrderAndShipment,
        Self::ProductAndStock,
        Self::SupplierDeliveries,
        Self::Returns,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::OrderAndShipment => "ORDER & SHIPMENT",
            Self::ProductAndStock => "PRODUCT & STOCK",
            Self::SupplierDeliveries => "SUPPLIER DELIVERIES",
            Self::Returns => "RETURNS",
        }
    }

    pub fn parse(label: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|g| g.label().eq_ignore_ascii_case(label.trim()))
    }

    /// The group of a path under the plugin's base path (first segment decides).
    pub fn of_path(path: &str) -> Option<Self> {
        let first = path.trim_start_matches('/').split('/').next()?;
        match first {
            "orders" | "shipments" | "shipment" | "capture" => Some(Self::OrderAndShipment),
            "products" | "stock" => Some(Self::ProductAndStock),
            "supplier-orders" | "supplier-deliveries" => Some(Self::SupplierDeliveries),
            "return" | "returns" => Some(Self::Returns),
            _ => None,
        }
    }
}

/// The groups the plugin is not allowed.
#[derive(Debug, Default)]
pub struct AllowList {
    denied: Mutex<BTreeSet<Group>>,
}

impl AllowList {
    pub fn deny(&self, groups: BTreeSet<Group>) {
        *self.denied.lock().unwrap_or_else(PoisonError::into_inner) = groups;
    }

    pub fn denied(&self) -> Vec<&'static str> {
        self.denied
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|g| g.label())
            .collect()
    }

    fn allows(&self, group: Group) -> bool {
        !self
            .denied
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&group)
    }

    pub fn reset(&self) {
        self.deny(BTreeSet::new());
    }
}

/// Refuses calls to a denied group (after the secret was checked). The path seen here is
/// relative to the base path (the API router is nested under it).
pub async fn require_allowed_group(
    State(sim): State<SharedSim>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let path = path.strip_prefix(&sim.config.base_path).unwrap_or(path);
    if let Some(group) = Group::of_path(path)
        && !sim.plugin.allows(group)
    {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(json!({
                "status": "no",
                "msg": format!("endpoint group {} is not allowed for this plugin", group.label()),
            })),
        )
            .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_belong_to_their_groups() {
        assert_eq!(
            Group::of_path("/shipments/1-1"),
            Some(Group::OrderAndShipment)
        );
        assert_eq!(Group::of_path("/capture"), Some(Group::OrderAndShipment));
        assert_eq!(Group::of_path("/stock/"), Some(Group::ProductAndStock));
        assert_eq!(
            Group::of_path("/supplier-deliveries/3/sku"),
            Some(Group::SupplierDeliveries)
        );
        assert_eq!(Group::of_path("/return"), Some(Group::Returns));
        assert_eq!(Group::of_path("/nothing"), None);
        assert_eq!(
            Group::parse("product & stock"),
            Some(Group::ProductAndStock)
        );
    }
}
