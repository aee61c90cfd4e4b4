//! What a WMS shipment report leads to in Centra.
//!
//! Centra completes only paid shipments, and an absent `capture` flag means *capture*: so the
//! flag is always explicit ([`CompletionPlan::capture`]), and an unpaid shipment whose policy
//! does not capture on completion is parked instead of being captured against the policy.
//! A partial pick first sets the shipment's quantities to what left the warehouse; Centra
//! allows that only on unpaid shipments (captured on completion), so a partial pick of a paid
//! shipment is parked for a person.

use domain::{LineId, Settings, Tracking};
use serde::{Deserialize, Serialize};

use super::HoldReason;

/// One shipment line as the warehouse shipped it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickedLine {
    /// The Centra shipment line id (the WMS line's external id).
    pub line_id: LineId,
    /// The WMS line id, to acknowledge the reported quantity.
    pub wms_line_id: i64,
    pub ordered: u32,
    pub picked: u32,
}

/// What the warehouse reported about a shipped order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippedReport {
    pub wms_order_id: i64,
    pub tracking: Tracking,
    pub lines: Vec<PickedLine>,
}

/// The Centra calls that complete a shipment, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionPlan {
    /// New quantities per shipment line, sent before completing; empty when all was picked.
    pub quantity_updates: Vec<(LineId, u32)>,
    /// Sent explicitly, always.
    pub capture: bool,
    pub carrier: String,
    pub service: String,
    /// Waybill first, then every parcel number: multi-parcel shipments keep all of them.
    pub tracking_numbers: Vec<String>,
    pub packages: u32,
}

/// What to do after a WMS shipment report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompletionDecision {
    /// `completion = "manual"`: a person completes.
    WaitForPerson,
    /// Shipped without a tracking number yet; the shipping platform writes it later.
    WaitForTracking,
    Hold(HoldReason),
    Complete(CompletionPlan),
}

/// Decides the automatic completion of a shipment. `paid_now` is Centra's `paid` as read just
/// before (the event's value may be stale).
pub fn decide_completion(
    settings: &Settings,
    paid_now: bool,
    report: &ShippedReport,
) -> CompletionDecision {
    if !settings.completion.is_automatic() {
        return CompletionDecision::WaitForPerson;
    }
    if !report.tracking.has_tracking() {
        return CompletionDecision::WaitForTracking;
    }
    match completion_plan(
        settings.capture.capture_flag_on_completion(),
        paid_now,
        report,
    ) {
        Ok(plan) => CompletionDecision::Complete(plan),
        Err(reason) => CompletionDecision::Hold(reason),
    }
}

/// The calls for completing with `capture`, also used by a person's manual completion.
pub fn completion_plan(
    capture: bool,
    paid_now: bool,
    report: &ShippedReport,
) -> Result<CompletionPlan, HoldReason> {
    if !report.lines.is_empty() && report.lines.iter().all(|l| l.picked == 0) {
        return Err(HoldReason::NothingPicked);
    }
    if !paid_now && !capture {
        return Err(HoldReason::UnpaidAtCompletion);
    }
    let partial = report.lines.iter().any(|l| l.picked < l.ordered);
    if partial && paid_now {
        return Err(HoldReason::PartialPickOfPaidShipment);
    }
    let quantity_updates = if partial {
        report
            .lines
            .iter()
            .map(|l| (l.line_id.clone(), l.picked.min(l.ordered)))
            .collect()
    } else {
        Vec::new()
    };
    let tracking = &report.tracking;
    Ok(CompletionPlan {
        quantity_updates,
        capture,
        carrier: tracking.transporter_code.clone().unwrap_or_default(),
        service: tracking.transporter_service.clone().unwrap_or_default(),
        tracking_numbers: tracking
            .tracking_numbers()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        packages: tracking.package_count(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::import::tests::settings;
    use domain::Parcel;
    use domain::settings::{CapturePolicy, CompletionPolicy};

    fn report(picked: &[(u32, u32)]) -> ShippedReport {
        ShippedReport {
            wms_order_id: 7,
            tracking: Tracking {
                transporter_code: Some("DHL".into()),
                waybill: Some("WB1".into()),
                ..Tracking::default()
            },
            lines: picked
                .iter()
                .enumerate()
                .map(|(i, (ordered, picked))| PickedLine {
                    line_id: LineId::new(format!("{}", i + 1)),
                    wms_line_id: i64::try_from(i).unwrap_or(0) + 100,
                    ordered: *ordered,
                    picked: *picked,
                })
                .collect(),
        }
    }

    fn plan(decision: CompletionDecision) -> CompletionPlan {
        match decision {
            CompletionDecision::Complete(plan) => plan,
            other => panic!("expected completion, got {other:?}"),
        }
    }

    #[test]
    fn capture_flag_is_explicit_for_every_policy() {
        for (policy, flag) in [
            (CapturePolicy::Never, false),
            (CapturePolicy::OnImport, false),
            (CapturePolicy::OnCompletion, true),
        ] {
            let mut s = settings();
            s.capture = policy;
            let done = plan(decide_completion(&s, true, &report(&[(1, 1)])));
            assert_eq!(done.capture, flag, "{policy:?}");
        }
    }

    #[test]
    fn unpaid_under_never_is_parked_once_shipped_never_captured() {
        let s = settings();
        assert_eq!(
            decide_completion(&s, false, &report(&[(1, 1)])),
            CompletionDecision::Hold(HoldReason::UnpaidAtCompletion)
        );
        let mut on_completion = settings();
        on_completion.capture = CapturePolicy::OnCompletion;
        assert!(plan(decide_completion(&on_completion, false, &report(&[(1, 1)]))).capture);
    }

    #[test]
    fn manual_completion_waits_for_a_person() {
        let mut s = settings();
        s.completion = CompletionPolicy::Manual;
        assert_eq!(
            decide_completion(&s, true, &report(&[(1, 1)])),
            CompletionDecision::WaitForPerson
        );
    }

    #[test]
    fn no_tracking_number_waits_even_with_a_url() {
        let mut r = report(&[(1, 1)]);
        r.tracking.waybill = None;
        r.tracking.tracking_url = Some("https://track".into());
        assert_eq!(
            decide_completion(&settings(), true, &r),
            CompletionDecision::WaitForTracking
        );
    }

    #[test]
    fn full_picks_complete_without_quantity_updates() {
        let done = plan(decide_completion(
            &settings(),
            true,
            &report(&[(2, 2), (1, 1)]),
        ));
        assert!(done.quantity_updates.is_empty());
        assert_eq!(done.carrier, "DHL");
        assert_eq!(done.tracking_numbers, vec!["WB1".to_owned()]);
        assert_eq!(done.packages, 1);
    }

    #[test]
    fn partial_picks_set_every_line_before_completing_and_capturing() {
        let mut s = settings();
        s.capture = CapturePolicy::OnCompletion;
        let done = plan(decide_completion(
            &s,
            false,
            &report(&[(2, 1), (1, 1), (3, 0)]),
        ));
        assert!(done.capture);
        assert_eq!(
            done.quantity_updates,
            vec![
                (LineId::new("1"), 1),
                (LineId::new("2"), 1),
                (LineId::new("3"), 0)
            ]
        );
    }

    #[test]
    fn partial_picks_of_paid_shipments_are_parked() {
        for policy in [
            CapturePolicy::Never,
            CapturePolicy::OnImport,
            CapturePolicy::OnCompletion,
        ] {
            let mut s = settings();
            s.capture = policy;
            assert_eq!(
                decide_completion(&s, true, &report(&[(2, 1)])),
                CompletionDecision::Hold(HoldReason::PartialPickOfPaidShipment),
                "{policy:?}"
            );
        }
    }

    #[test]
    fn nothing_picked_is_parked() {
        assert_eq!(
            decide_completion(&settings(), true, &report(&[(2, 0)])),
            CompletionDecision::Hold(HoldReason::NothingPicked)
        );
    }

    #[test]
    fn multi_parcel_tracking_is_kept() {
        let mut r = report(&[(1, 1)]);
        r.tracking.parcels = vec![
            Parcel {
                number: Some("P1".into()),
                tracking_url: None,
            },
            Parcel {
                number: Some("P2".into()),
                tracking_url: None,
            },
            Parcel {
                number: Some("WB1".into()),
                tracking_url: None,
            },
        ];
        let done = plan(decide_completion(&settings(), true, &r));
        assert_eq!(done.tracking_numbers, vec!["WB1", "P1", "P2"]);
        assert_eq!(done.packages, 3);
    }
}
