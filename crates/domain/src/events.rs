//! Deterministic event ids (`Nats-Msg-Id` and inbox keys).
//!
//! The same fact always gets the same id, so a republished event is dropped by JetStream's
//! duplicate window and, after that window, by each consumer's inbox. Ids read left to right from
//! the source system to the fact:
//!
//! ```text
//! centra:<endpoint>:shipment:<shipment id>:<change>       centra:shop1:shipment:83651-1:gtg
//!                                                         centra:shop1:shipment:83651-1:cancelled
//! centra:<endpoint>:order:<order id>:<change>             centra:shop1:order:83651:cancelled
//! centra:<endpoint>:product:<product id>:<modified>       centra:shop1:product:1234:2024-01-01 10:00:00
//! centra:<endpoint>:delivery:<delivery id>:<change>       centra:shop1:delivery:957-1:created
//! wms:<warehouse>:order:<order number>:shipped:<hash>     wms:sandbox:order:83651-1:shipped:9f1c...
//! wms:<warehouse>:order:<order number>:status:<number>    wms:sandbox:order:83651-1:status:450
//! wms:<warehouse>:purchase_order:<number>:received:<hash> wms:sandbox:purchase_order:957-1:received:...
//! wms:<warehouse>:return:<order number>:<hash>            wms:sandbox:return:83651-1:...
//! wms:<warehouse>:stock:<article number>:<physical>       wms:sandbox:stock:M411-740XL:12
//! ```
//!
//! `<hash>` is a [`quantities_fingerprint`]: a partial shipment that is picked further, or a second
//! return on the same order, is a new fact and gets a new id. Parts are escaped so that a `:`
//! inside an article number cannot shift the fields.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::endpoint::EndpointName;
use crate::order::CentraOrderId;
use crate::purchase_order::DeliveryId;
use crate::shipment::ShipmentId;

/// A deterministic event id. See the module docs for the layout.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(String);

/// What happened to a Centra shipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShipmentChange {
    /// Became good to go (the import trigger).
    GoodToGo,
    /// Captured.
    Captured,
    /// Completed (shipped) in Centra.
    Completed,
    /// Published as good to go, then deleted, cancelled or taken back from good to go in
    /// Centra without being completed.
    Cancelled,
}

impl ShipmentChange {
    fn as_str(self) -> &'static str {
        match self {
            Self::GoodToGo => "gtg",
            Self::Captured => "captured",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// Escapes `%`, `:` and whitespace/control characters so each part stays one field.
fn escape(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for c in part.chars() {
        if c == '%' || c == ':' || c.is_whitespace() || c.is_control() {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl EventId {
    /// Joins escaped parts with `:`. Prefer the typed constructors below.
    pub fn from_parts<I, S>(parts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Self(
            parts
                .into_iter()
                .map(|p| escape(p.as_ref()))
                .collect::<Vec<_>>()
                .join(":"),
        )
    }

    /// `centra:shop1:shipment:83651-1:gtg`.
    pub fn centra_shipment(
        endpoint: &EndpointName,
        id: &ShipmentId,
        change: ShipmentChange,
    ) -> Self {
        Self::from_parts([
            "centra",
            endpoint.as_str(),
            "shipment",
            &id.to_string(),
            change.as_str(),
        ])
    }

    /// `centra:shop1:order:83651:<change>`; `change` is a short word such as `created` or
    /// `cancelled`.
    pub fn centra_order(endpoint: &EndpointName, id: CentraOrderId, change: &str) -> Self {
        Self::from_parts([
            "centra",
            endpoint.as_str(),
            "order",
            &id.to_string(),
            change,
        ])
    }

    /// `centra:shop1:product:<product id>:<modified>`: one event per product version.
    pub fn centra_product(endpoint: &EndpointName, product_id: &str, modified: &str) -> Self {
        Self::from_parts(["centra", endpoint.as_str(), "product", product_id, modified])
    }

    /// `centra:shop1:delivery:957-1:<change>`.
    pub fn centra_delivery(endpoint: &EndpointName, id: &DeliveryId, change: &str) -> Self {
        Self::from_parts([
            "centra",
            endpoint.as_str(),
            "delivery",
            &id.to_string(),
            change,
        ])
    }

    /// `wms:<warehouse>:order:<number>:shipped:<fingerprint of picked quantities>`.
    pub fn wms_order_shipped<'a>(
        warehouse: &str,
        order_number: &str,
        picked: impl IntoIterator<Item = (&'a str, u64)>,
    ) -> Self {
        Self::from_parts([
            "wms",
            warehouse,
            "order",
            order_number,
            "shipped",
            &quantities_fingerprint(picked),
        ])
    }

    /// `wms:<warehouse>:order:<number>:status:<status number>`.
    pub fn wms_order_status(warehouse: &str, order_number: &str, status: u32) -> Self {
        Self::from_parts([
            "wms",
            warehouse,
            "order",
            order_number,
            "status",
            &status.to_string(),
        ])
    }

    /// `wms:<warehouse>:purchase_order:<number>:received:<fingerprint of received quantities>`.
    pub fn wms_purchase_order_received<'a>(
        warehouse: &str,
        purchase_order_number: &str,
        received: impl IntoIterator<Item = (&'a str, u64)>,
    ) -> Self {
        Self::from_parts([
            "wms",
            warehouse,
            "purchase_order",
            purchase_order_number,
            "received",
            &quantities_fingerprint(received),
        ])
    }

    /// `wms:<warehouse>:return:<order number>:<fingerprint of returned quantities>`. Key the
    /// quantities by whatever identifies a returned item (line id plus cause code works).
    pub fn wms_return<'a>(
        warehouse: &str,
        order_number: &str,
        returned: impl IntoIterator<Item = (&'a str, u64)>,
    ) -> Self {
        Self::from_parts([
            "wms",
            warehouse,
            "return",
            order_number,
            &quantities_fingerprint(returned),
        ])
    }

    /// `wms:<warehouse>:stock:<article number>:<physical>`.
    pub fn wms_stock(warehouse: &str, article_number: &str, physical: i64) -> Self {
        Self::from_parts([
            "wms",
            warehouse,
            "stock",
            article_number,
            &physical.to_string(),
        ])
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A 16-hex-digit fingerprint of `(key, quantity)` pairs that ignores their order, merges
/// repeated keys by summing, and ignores zero totals.
///
/// It is FNV-1a (64 bit) over the canonical text `key=qty\n...` sorted by key: stable across
/// processes, platforms and releases, unlike `std`'s randomly seeded hasher. It is not a security
/// measure; it only has to tell different quantity sets apart.
pub fn quantities_fingerprint<'a>(pairs: impl IntoIterator<Item = (&'a str, u64)>) -> String {
    let mut merged: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
    for (key, qty) in pairs {
        let total = merged.entry(key).or_default();
        *total = total.saturating_add(qty);
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (key, qty) in merged.iter().filter(|(_, q)| **q > 0) {
        let line = format!("{}={qty}\n", escape(key).replace('=', "%3D"));
        for byte in line.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop1() -> EndpointName {
        EndpointName::parse("shop1").expect("name")
    }

    #[test]
    fn centra_ids_follow_the_layout() {
        let id = ShipmentId::parse("83651-1").expect("id");
        assert_eq!(
            EventId::centra_shipment(&shop1(), &id, ShipmentChange::GoodToGo).as_str(),
            "centra:shop1:shipment:83651-1:gtg"
        );
        assert_eq!(
            EventId::centra_order(
                &shop1(),
                CentraOrderId::parse("83651").expect("id"),
                "cancelled"
            )
            .as_str(),
            "centra:shop1:order:83651:cancelled"
        );
        assert_eq!(
            EventId::centra_shipment(&shop1(), &id, ShipmentChange::Cancelled).as_str(),
            "centra:shop1:shipment:83651-1:cancelled"
        );
        assert_eq!(
            EventId::centra_product(&shop1(), "1234", "2024-01-01 10:00:00").as_str(),
            "centra:shop1:product:1234:2024-01-01%2010%3A00%3A00"
        );
    }

    #[test]
    fn wms_shipped_id_depends_on_picked_quantities_not_their_order() {
        let a = EventId::wms_order_shipped("sandbox", "83651-1", [("A", 1), ("B", 2)]);
        let b = EventId::wms_order_shipped("sandbox", "83651-1", [("B", 2), ("A", 1)]);
        let c = EventId::wms_order_shipped("sandbox", "83651-1", [("A", 1), ("B", 3)]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(
            a.as_str().starts_with("wms:sandbox:order:83651-1:shipped:"),
            "{a}"
        );
        assert_eq!(a.as_str().rsplit(':').next().map(str::len), Some(16));
    }

    #[test]
    fn fingerprint_merges_repeats_and_ignores_zeros() {
        assert_eq!(
            quantities_fingerprint([("A", 1), ("A", 1), ("Z", 0)]),
            quantities_fingerprint([("A", 2)])
        );
        // Pinned so a change of algorithm (which would re-emit every event) is noticed.
        assert_eq!(quantities_fingerprint([]), "cbf29ce484222325");
        assert_eq!(
            quantities_fingerprint([("A", 2)]),
            quantities_fingerprint([("A", 2)])
        );
    }

    #[test]
    fn colons_in_parts_are_escaped() {
        let id = EventId::wms_stock("sandbox", "A:B", 3);
        assert_eq!(id.as_str(), "wms:sandbox:stock:A%3AB:3");
        assert_ne!(
            quantities_fingerprint([("a=1\nb", 1)]),
            quantities_fingerprint([("a", 1), ("b", 1)])
        );
    }

    #[test]
    fn other_builders() {
        assert_eq!(
            EventId::wms_order_status("sandbox", "X1", 450).as_str(),
            "wms:sandbox:order:X1:status:450"
        );
        let d = DeliveryId::parse("957-1").expect("id");
        assert_eq!(
            EventId::centra_delivery(&shop1(), &d, "created").as_str(),
            "centra:shop1:delivery:957-1:created"
        );
        assert!(
            EventId::wms_purchase_order_received("sandbox", "957-1", [("A", 1)])
                .as_str()
                .starts_with("wms:sandbox:purchase_order:957-1:received:")
        );
        assert!(
            EventId::wms_return("sandbox", "83651-1", [("11/WS", 1)])
                .as_str()
                .starts_with("wms:sandbox:return:83651-1:")
        );
    }
}
