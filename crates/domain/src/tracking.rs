//! Tracking of a shipped WMS order, possibly over several parcels.
//!
//! Ongoing keeps tracking in three places (`orderInfo.wayBill`, `tracking[]`, `parcels[]`) and the
//! shipping platform may write it *after* the order is marked shipped. Completion in Centra is
//! gated on [`Tracking::has_tracking`] so customers never get a "shipped" mail without a number.

use serde::{Deserialize, Serialize};

/// One parcel (colli) of a shipment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parcel {
    /// Parcel (colli) number.
    pub number: Option<String>,
    /// Carrier tracking page for this parcel.
    pub tracking_url: Option<String>,
}

/// Everything known about how a WMS order travels.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tracking {
    /// Ongoing transporter code the order left with.
    pub transporter_code: Option<String>,
    /// Ongoing transporter service code.
    pub transporter_service: Option<String>,
    /// Shipment number (waybill) covering all parcels.
    pub waybill: Option<String>,
    /// Tracking page for the waybill.
    pub tracking_url: Option<String>,
    /// Parcels, in WMS order.
    pub parcels: Vec<Parcel>,
}

fn present(value: Option<&String>) -> Option<&str> {
    value.map(|v| v.trim()).filter(|v| !v.is_empty())
}

impl Tracking {
    /// True when there is at least one tracking *number* (waybill or parcel number). A tracking
    /// URL alone does not count: Centra's completion and the customer mail need a number.
    pub fn has_tracking(&self) -> bool {
        !self.tracking_numbers().is_empty()
    }

    /// The waybill, then each parcel number, trimmed, without blanks or repeats.
    pub fn tracking_numbers(&self) -> Vec<&str> {
        let mut numbers: Vec<&str> = Vec::new();
        let candidates = std::iter::once(present(self.waybill.as_ref()))
            .chain(self.parcels.iter().map(|p| present(p.number.as_ref())));
        for number in candidates.flatten() {
            if !numbers.contains(&number) {
                numbers.push(number);
            }
        }
        numbers
    }

    /// The first tracking URL: the waybill's, else the first parcel's.
    pub fn primary_tracking_url(&self) -> Option<&str> {
        present(self.tracking_url.as_ref()).or_else(|| {
            self.parcels
                .iter()
                .find_map(|p| present(p.tracking_url.as_ref()))
        })
    }

    /// Number of packages to report to Centra: the parcels, at least 1 once there is tracking.
    pub fn package_count(&self) -> u32 {
        let parcels = u32::try_from(self.parcels.len()).unwrap_or(u32::MAX);
        if self.has_tracking() {
            parcels.max(1)
        } else {
            parcels
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parcel(number: Option<&str>, url: Option<&str>) -> Parcel {
        Parcel {
            number: number.map(Into::into),
            tracking_url: url.map(Into::into),
        }
    }

    #[test]
    fn nothing_or_blanks_is_no_tracking() {
        assert!(!Tracking::default().has_tracking());
        let blanks = Tracking {
            waybill: Some("  ".into()),
            parcels: vec![parcel(Some(""), Some("https://t/1"))],
            ..Tracking::default()
        };
        assert!(!blanks.has_tracking(), "a url alone is not tracking");
        assert_eq!(blanks.package_count(), 1);
    }

    #[test]
    fn waybill_or_any_parcel_number_is_tracking() {
        let waybill = Tracking {
            waybill: Some("W1".into()),
            ..Tracking::default()
        };
        assert!(waybill.has_tracking());
        assert_eq!(waybill.package_count(), 1);
        let parcels = Tracking {
            parcels: vec![parcel(None, None), parcel(Some("P2"), None)],
            ..Tracking::default()
        };
        assert!(parcels.has_tracking());
    }

    #[test]
    fn numbers_are_deduplicated_in_order() {
        let t = Tracking {
            waybill: Some(" W1 ".into()),
            parcels: vec![
                parcel(Some("P1"), Some("https://t/p1")),
                parcel(Some("W1"), None),
                parcel(Some("P2"), None),
            ],
            ..Tracking::default()
        };
        assert_eq!(t.tracking_numbers(), ["W1", "P1", "P2"]);
        assert_eq!(t.package_count(), 3);
        assert_eq!(t.primary_tracking_url(), Some("https://t/p1"));
    }
}
