//! The business numbers centra-wms writes into the WMS, and the way back.
//!
//! Ongoing upserts orders by `orderNumber` and purchase orders by `purchaseOrderNumber`, so these
//! numbers must be deterministic: the Centra shipment id (or order id, or delivery id), preceded
//! by the end-point's `order_number_prefix` when one is configured. The prefix also lets a WMS
//! event be routed back to the end-point it belongs to ([`WmsOrderNumber::resolve`]); settings
//! validation guarantees that resolution is unambiguous (unique prefixes not ending in a digit, at
//! most one end-point without a prefix).

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::endpoint::CentraEndpoint;
use crate::order::CentraOrderId;
use crate::purchase_order::DeliveryId;
use crate::shipment::ShipmentId;

/// What a WMS order number refers to in Centra.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum CentraReference {
    /// Imported as a shipment (`83651-1`).
    Shipment(ShipmentId),
    /// Imported as an order (`83651`).
    Order(CentraOrderId),
}

/// A number the WMS knows that no configured end-point produced.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("wms {kind} number {number:?} belongs to no configured end-point")]
pub struct UnknownWmsNumber {
    /// `order` or `purchase order`.
    pub kind: &'static str,
    /// The number.
    pub number: String,
}

/// A WMS `orderNumber` produced by centra-wms.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WmsOrderNumber(String);

fn prefixed(endpoint: &CentraEndpoint, id: impl fmt::Display) -> String {
    format!(
        "{}{id}",
        endpoint.order_number_prefix.as_deref().unwrap_or("")
    )
}

/// Tries every end-point with a prefix first (longest prefix first), then the one without.
fn resolve_with<'a, T>(
    text: &str,
    endpoints: &'a [CentraEndpoint],
    parse: impl Fn(&str) -> Option<T>,
) -> Option<(&'a CentraEndpoint, T)> {
    let mut with_prefix: Vec<(&CentraEndpoint, &str)> = endpoints
        .iter()
        .filter_map(|e| e.order_number_prefix.as_deref().map(|p| (e, p)))
        .filter(|(_, p)| !p.is_empty())
        .collect();
    with_prefix.sort_by_key(|(_, p)| std::cmp::Reverse(p.len()));
    for (endpoint, prefix) in with_prefix {
        if let Some(rest) = text.strip_prefix(prefix)
            && let Some(found) = parse(rest)
        {
            return Some((endpoint, found));
        }
    }
    endpoints
        .iter()
        .filter(|e| e.order_number_prefix.as_deref().is_none_or(str::is_empty))
        .find_map(|e| parse(text).map(|found| (e, found)))
}

impl WmsOrderNumber {
    /// The WMS order for a Centra shipment.
    pub fn for_shipment(endpoint: &CentraEndpoint, id: &ShipmentId) -> Self {
        Self(prefixed(endpoint, id))
    }

    /// The WMS order for a Centra order (order import). Never equal to a shipment's number, as
    /// order ids have no `-n` suffix.
    pub fn for_order(endpoint: &CentraEndpoint, id: CentraOrderId) -> Self {
        Self(prefixed(endpoint, id))
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Finds the end-point and Centra record a WMS order number was made from.
    pub fn resolve<'a>(
        number: &str,
        endpoints: &'a [CentraEndpoint],
    ) -> Result<(&'a CentraEndpoint, CentraReference), UnknownWmsNumber> {
        resolve_with(number, endpoints, |rest| {
            ShipmentId::parse(rest)
                .map(CentraReference::Shipment)
                .or_else(|_| CentraOrderId::parse(rest).map(CentraReference::Order))
                .ok()
        })
        .ok_or_else(|| UnknownWmsNumber {
            kind: "order",
            number: number.to_owned(),
        })
    }
}

impl fmt::Display for WmsOrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A WMS `purchaseOrderNumber` produced by centra-wms from a supplier delivery.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WmsPurchaseOrderNumber(String);

impl WmsPurchaseOrderNumber {
    /// The WMS purchase order for a Centra delivery.
    pub fn for_delivery(endpoint: &CentraEndpoint, id: &DeliveryId) -> Self {
        Self(prefixed(endpoint, id))
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Finds the end-point and delivery a WMS purchase order number was made from.
    pub fn resolve<'a>(
        number: &str,
        endpoints: &'a [CentraEndpoint],
    ) -> Result<(&'a CentraEndpoint, DeliveryId), UnknownWmsNumber> {
        resolve_with(number, endpoints, |rest| DeliveryId::parse(rest).ok()).ok_or_else(|| {
            UnknownWmsNumber {
                kind: "purchase order",
                number: number.to_owned(),
            }
        })
    }
}

impl fmt::Display for WmsPurchaseOrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::{EndpointName, EndpointRole};
    use crate::secret::Secret;

    fn endpoint(name: &str, prefix: Option<&str>) -> CentraEndpoint {
        CentraEndpoint {
            name: EndpointName::parse(name).expect("name"),
            base_url: "https://x".into(),
            secret: Secret::new("s"),
            role: EndpointRole::Retail,
            order_number_prefix: prefix.map(Into::into),
            requests_per_second: None,
            api: crate::endpoint::CentraApi::OrderApi,
            token: None,
            token_expires_on: None,
            admin_user_id: None,
            webhook_secret: None,
        }
    }

    #[test]
    fn numbers_carry_the_prefix() {
        let id = ShipmentId::parse("83651-1").expect("id");
        assert_eq!(
            WmsOrderNumber::for_shipment(&endpoint("a", None), &id).as_str(),
            "83651-1"
        );
        assert_eq!(
            WmsOrderNumber::for_shipment(&endpoint("b", Some("WS")), &id).as_str(),
            "WS83651-1"
        );
        let order = CentraOrderId::parse("83651").expect("id");
        assert_eq!(
            WmsOrderNumber::for_order(&endpoint("b", Some("WS")), order).as_str(),
            "WS83651"
        );
        let delivery = DeliveryId::parse("957-1").expect("id");
        assert_eq!(
            WmsPurchaseOrderNumber::for_delivery(&endpoint("b", Some("WS")), &delivery).as_str(),
            "WS957-1"
        );
    }

    #[test]
    fn resolves_back_to_endpoint_and_record() {
        let endpoints = vec![
            endpoint("retail", None),
            endpoint("wholesale", Some("WS")),
            endpoint("outlet", Some("WSO")),
        ];
        let (e, r) = WmsOrderNumber::resolve("WS83651-1", &endpoints).expect("found");
        assert_eq!(e.name.as_str(), "wholesale");
        assert_eq!(
            r,
            CentraReference::Shipment(ShipmentId::parse("83651-1").expect("id"))
        );
        let (e, r) = WmsOrderNumber::resolve("WSO12", &endpoints).expect("found");
        assert_eq!(e.name.as_str(), "outlet");
        assert_eq!(
            r,
            CentraReference::Order(CentraOrderId::parse("12").expect("id"))
        );
        let (e, _) = WmsOrderNumber::resolve("83651-1", &endpoints).expect("found");
        assert_eq!(e.name.as_str(), "retail");
        let err = WmsOrderNumber::resolve("XX1-1", &endpoints).expect_err("unknown");
        assert_eq!(
            err.to_string(),
            "wms order number \"XX1-1\" belongs to no configured end-point"
        );
        let (e, d) = WmsPurchaseOrderNumber::resolve("WS957-2", &endpoints).expect("found");
        assert_eq!(
            (e.name.as_str(), d.to_string().as_str()),
            ("wholesale", "957-2")
        );
    }

    #[test]
    fn without_an_unprefixed_endpoint_bare_numbers_are_unknown() {
        let endpoints = vec![endpoint("wholesale", Some("WS"))];
        assert!(WmsOrderNumber::resolve("83651-1", &endpoints).is_err());
    }
}
