//! `settings.wms_status`: what the warehouse's status numbers mean.
//!
//! Ongoing lets every warehouse rename, add and delete statuses, and "finished" is 450 at one
//! warehouse and 500 at the next. The numbers are therefore configuration, with Ongoing's
//! standard codes (plus 425 and 451 seen on live tenants) as defaults. Texts are never used.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, de};

/// Status numbers grouped by meaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WmsStatusMapping {
    /// Picked, not yet shipped.
    #[serde(deserialize_with = "status_list")]
    pub order_picked: Vec<u32>,
    /// Shipped (handed to the transport system).
    #[serde(deserialize_with = "status_list")]
    pub order_shipped: Vec<u32>,
    /// Delivered / collected by the transporter (counts as shipped too).
    #[serde(deserialize_with = "status_list")]
    pub order_delivered: Vec<u32>,
    /// Cancelled in the warehouse.
    #[serde(deserialize_with = "status_list")]
    pub order_cancelled: Vec<u32>,
    /// A purchase order with one of these statuses is received and can be reported to Centra.
    #[serde(deserialize_with = "status_list")]
    pub purchase_order_received: Vec<u32>,
    /// Orders below this status may still be updated or cancelled (the warehouse has not started).
    pub order_editable_below: u32,
}

impl Default for WmsStatusMapping {
    fn default() -> Self {
        Self {
            order_picked: vec![400],
            order_shipped: vec![425, 450, 451],
            order_delivered: vec![500],
            order_cancelled: vec![1000],
            purchase_order_received: vec![500],
            order_editable_below: 300,
        }
    }
}

/// Reads a status list from an array (`[425, 450]`) or, for environment overrides, from
/// comma-separated text (`"425,450"`).
fn status_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u32>, D::Error> {
    struct Visitor;
    impl<'de> de::Visitor<'de> for Visitor {
        type Value = Vec<u32>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of status numbers")
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u32>, A::Error> {
            let mut out = Vec::new();
            while let Some(code) = seq.next_element::<u32>()? {
                out.push(code);
            }
            Ok(out)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<u32>, E> {
            v.split(',')
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .map(|part| {
                    part.parse::<u32>()
                        .map_err(|_| E::custom(format!("{part:?} is not a status number")))
                })
                .collect()
        }
    }
    deserializer.deserialize_any(Visitor)
}

/// What a WMS order status means to centra-wms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WmsOrderState {
    /// The warehouse has not started; the order may be changed or cancelled.
    Editable,
    /// Being worked on, or a status that is not mapped.
    InProgress,
    /// Picked, not shipped.
    Picked,
    /// Shipped.
    Shipped,
    /// Delivered (also shipped).
    Delivered,
    /// Cancelled.
    Cancelled,
}

impl WmsStatusMapping {
    /// Classifies an order status. Explicit lists win over the editable threshold.
    pub fn order_state(&self, status: u32) -> WmsOrderState {
        if self.order_cancelled.contains(&status) {
            WmsOrderState::Cancelled
        } else if self.order_delivered.contains(&status) {
            WmsOrderState::Delivered
        } else if self.order_shipped.contains(&status) {
            WmsOrderState::Shipped
        } else if self.order_picked.contains(&status) {
            WmsOrderState::Picked
        } else if status < self.order_editable_below {
            WmsOrderState::Editable
        } else {
            WmsOrderState::InProgress
        }
    }

    /// True when the order has left the warehouse (shipped or delivered).
    pub fn is_shipped(&self, status: u32) -> bool {
        matches!(
            self.order_state(status),
            WmsOrderState::Shipped | WmsOrderState::Delivered
        )
    }

    /// True when a purchase order with this status is received.
    pub fn is_purchase_order_received(&self, status: u32) -> bool {
        self.purchase_order_received.contains(&status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_from_arrays_or_comma_separated_text() {
        let m: WmsStatusMapping =
            toml::from_str("order_shipped = \"425, 450\"\norder_picked = [400, 401]")
                .expect("toml");
        assert_eq!(m.order_shipped, [425, 450]);
        assert_eq!(m.order_picked, [400, 401]);
        assert_eq!(m.order_delivered, [500]);
        let err = toml::from_str::<WmsStatusMapping>("order_shipped = \"450,x\"").expect_err("bad");
        assert!(
            err.to_string().contains("\"x\" is not a status number"),
            "{err}"
        );
    }

    #[test]
    fn default_mapping_classifies_standard_codes() {
        let m = WmsStatusMapping::default();
        let states: Vec<_> = [200, 300, 320, 400, 425, 450, 451, 500, 800, 1000]
            .iter()
            .map(|s| m.order_state(*s))
            .collect();
        use WmsOrderState::*;
        assert_eq!(
            states,
            [
                Editable, InProgress, InProgress, Picked, Shipped, Shipped, Shipped, Delivered,
                InProgress, Cancelled
            ]
        );
        assert!(m.is_shipped(500) && m.is_shipped(450) && !m.is_shipped(400));
        assert!(m.is_purchase_order_received(500) && !m.is_purchase_order_received(400));
    }
}
