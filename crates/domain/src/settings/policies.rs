//! The flow switches of the settings table: what is imported, when payment is captured, which
//! shipments are admitted, how shipments are completed, how products are selected.

use crate::park::ParkReason;
use crate::shipment::Shipment;

/// `settings.import`: what becomes a WMS order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ImportMode {
    /// Good-to-go shipments (Centra's WMS guidance; reports back per shipment).
    #[default]
    Shipments,
    /// Orders; shipments are created in Centra when the WMS ships.
    Orders,
    /// Both; a Centra order is never imported twice (an order with shipments goes by shipment).
    Both,
}

crate::setting_enum!(ImportMode { Shipments = "shipments", Orders = "orders", Both = "both" });

impl ImportMode {
    /// True when shipments are imported.
    pub fn imports_shipments(self) -> bool {
        matches!(self, Self::Shipments | Self::Both)
    }

    /// True when orders are imported.
    pub fn imports_orders(self) -> bool {
        matches!(self, Self::Orders | Self::Both)
    }
}

/// `settings.capture`: when centra-wms captures the payment of a shipment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum CapturePolicy {
    /// Never; payment is captured elsewhere (Centra, the PSP, a person).
    #[default]
    Never,
    /// Before the shipment is sent to the warehouse; a failed capture parks it.
    OnImport,
    /// When the shipment is completed (Centra `PUT /shipment` with `capture: true`).
    OnCompletion,
}

crate::setting_enum!(CapturePolicy { Never = "never", OnImport = "on_import", OnCompletion = "on_completion" });

impl CapturePolicy {
    /// The `capture` flag to send when completing a shipment. Always sent explicitly: Centra's
    /// default for an absent flag is `true`, which would capture behind a "never" setting.
    pub fn capture_flag_on_completion(self) -> bool {
        matches!(self, Self::OnCompletion)
    }

    /// True when capture happens at import.
    pub fn captures_on_import(self) -> bool {
        matches!(self, Self::OnImport)
    }
}

/// `settings.import_filter`: which shipments may be sent to the warehouse.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ImportFilter {
    /// Every good-to-go shipment.
    #[default]
    None,
    /// Only shipments Centra reports as paid.
    OnlyPaid,
    /// Only shipments whose payment is captured at import: paid ones, or capturable ones whose
    /// capture then succeeds (needs `capture = "on_import"`).
    CaptureOnImport,
}

crate::setting_enum!(ImportFilter { None = "none", OnlyPaid = "only_paid", CaptureOnImport = "capture_on_import" });

impl ImportFilter {
    /// Whether the filter lets `shipment` through before any capture attempt. For
    /// `CaptureOnImport` a capturable shipment passes here and is parked later if the capture
    /// fails ([`ParkReason::CaptureFailed`]).
    pub fn admits(self, shipment: &Shipment) -> Result<(), ParkReason> {
        match self {
            Self::None => Ok(()),
            Self::OnlyPaid if shipment.paid => Ok(()),
            Self::OnlyPaid => Err(ParkReason::NotPaid),
            Self::CaptureOnImport if shipment.paid || shipment.should_capture => Ok(()),
            Self::CaptureOnImport => Err(ParkReason::NotPaid),
        }
    }
}

/// `settings.completion`: how a WMS shipment completes the Centra shipment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum CompletionPolicy {
    /// As soon as the WMS order is shipped *and* has tracking.
    #[default]
    Automatic,
    /// A person completes (from the CLI); centra-wms only reports what is ready.
    Manual,
}

crate::setting_enum!(CompletionPolicy { Automatic = "automatic", Manual = "manual" });

impl CompletionPolicy {
    /// True when centra-wms completes shipments by itself.
    pub fn is_automatic(self) -> bool {
        matches!(self, Self::Automatic)
    }
}

/// `settings.product_selection`: which Centra products are synced as articles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ProductSelection {
    /// Every product the article filter admits.
    #[default]
    Automatic,
    /// Only products a person selected (list, refresh, create selected).
    Manual,
}

crate::setting_enum!(ProductSelection { Automatic = "automatic", Manual = "manual" });

/// The first step for an admitted shipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStep {
    /// Capture first; import only if the capture succeeds, otherwise park.
    CaptureThenImport,
    /// Send to the warehouse now.
    Import,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shipment::tests::{line, shipment};

    #[test]
    fn capture_flag_is_explicit_for_every_policy() {
        assert!(!CapturePolicy::Never.capture_flag_on_completion());
        assert!(!CapturePolicy::OnImport.capture_flag_on_completion());
        assert!(CapturePolicy::OnCompletion.capture_flag_on_completion());
        assert!(CapturePolicy::OnImport.captures_on_import());
    }

    #[test]
    fn only_paid_parks_unpaid_shipments() {
        let mut s = shipment(vec![line("1", "A", "B", "C", 1)]);
        assert_eq!(ImportFilter::OnlyPaid.admits(&s), Ok(()));
        s.paid = false;
        assert_eq!(ImportFilter::OnlyPaid.admits(&s), Err(ParkReason::NotPaid));
        assert_eq!(ImportFilter::None.admits(&s), Ok(()));
    }

    #[test]
    fn capture_on_import_admits_paid_or_capturable() {
        let mut s = shipment(vec![]);
        s.paid = false;
        s.should_capture = true;
        assert_eq!(ImportFilter::CaptureOnImport.admits(&s), Ok(()));
        s.should_capture = false;
        assert_eq!(
            ImportFilter::CaptureOnImport.admits(&s),
            Err(ParkReason::NotPaid)
        );
    }

    #[test]
    fn import_modes() {
        assert!(ImportMode::Both.imports_orders() && ImportMode::Both.imports_shipments());
        assert!(!ImportMode::Shipments.imports_orders());
        assert!(!ImportMode::Orders.imports_shipments());
        assert!(CompletionPolicy::default().is_automatic());
    }
}
