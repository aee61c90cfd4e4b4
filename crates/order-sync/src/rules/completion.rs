//! What a WMS shipment report leads to in Centra.
//!
//! Centra completes only paid shipments, and an absent `capture` flag means *capture*: so the
//! flag is always explicit ([`CompletionPlan::capture`]), and an unpaid shipment whose policy
//! does not capture on completion is parked instead of being captured against the policy.
//! A partial pick first sets the shipment's quantities to what left the warehouse; Centra
//! allows that only on unpaid shipments (captured on completion), so a partial pick of a paid
//! shipment is parked for a person.
//!
//! With capture on import the warehouse may ship before the capture succeeded (it was still
//! being retried): the capture it owes ([`capture_on_import_owed`]) is then made on the way to
//! completion, after the quantity updates (Centra changes quantities only while unpaid, and so
//! takes the money for what shipped) and before completing ([`CompletionPlan::capture_first`]).
//! Whether it is still owed is read from Centra just before (`paid`), never guessed:
//!
//! ```text
//! owed, unpaid now                 -> quantities (if partial) -> capture -> complete
//! owed, paid now, sent after the   -> complete (Centra has the quantities and took the money
//!   quantities (a lost answer)        for what shipped)
//! owed, paid now, not sent by us   -> captured before shipping: complete a full pick, park a
//!                                     partial one (paid for more than shipped)
//! ```

use domain::settings::ImportStep;
use domain::{LineId, Settings, Shipment, Tracking};
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

/// Where a shipped shipment's payment stands: Centra's word just before, and what the flow
/// recorded of the capture on import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PaymentNow {
    /// Centra's `paid` as read just before (the event's value may be stale).
    pub paid: bool,
    /// The capture on import is still owed ([`capture_on_import_owed`]).
    pub capture_owed: bool,
    /// The owed capture was sent after the warehouse shipped, once Centra had the shipped
    /// quantities (saved before it was sent): a paid shipment is then paid for what shipped.
    pub captured_after_shipping: bool,
}

impl PaymentNow {
    /// Centra's `paid` alone: no capture on import owed or sent (a person's completion).
    pub fn paid(paid: bool) -> Self {
        Self {
            paid,
            ..Self::default()
        }
    }
}

/// Whether `shipment` still owes its capture on import: its import plan captures (capture on
/// import, `shouldCapture`) and this service has not seen that capture succeed (`captured`),
/// as when the warehouse shipped while the capture was being retried.
pub fn capture_on_import_owed(settings: &Settings, shipment: &Shipment, captured: bool) -> bool {
    !captured && settings.import_plan(shipment) == Ok(ImportStep::CaptureThenImport)
}

/// The Centra calls that complete a shipment, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionPlan {
    /// New quantities per shipment line, sent before completing; empty when all was picked.
    pub quantity_updates: Vec<(LineId, u32)>,
    /// The capture on import the shipment still owes (the warehouse shipped while it was being
    /// retried): made after the quantity updates and before completing.
    pub capture_first: bool,
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

/// Decides the automatic completion of a shipment, with its payment as it stands now.
pub fn decide_completion(
    settings: &Settings,
    payment: PaymentNow,
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
        payment,
        report,
    ) {
        Ok(plan) => CompletionDecision::Complete(plan),
        Err(reason) => CompletionDecision::Hold(reason),
    }
}

/// The calls for completing with `capture`, also used by a person's manual completion.
pub fn completion_plan(
    capture: bool,
    payment: PaymentNow,
    report: &ShippedReport,
) -> Result<CompletionPlan, HoldReason> {
    if !report.lines.is_empty() && report.lines.iter().all(|l| l.picked == 0) {
        return Err(HoldReason::NothingPicked);
    }
    // Captured by the completion itself, or Centra shows it paid: nothing to capture first.
    let capture_first = payment.capture_owed && !payment.paid && !capture;
    if !payment.paid && !capture && !capture_first {
        return Err(HoldReason::UnpaidAtCompletion);
    }
    let partial = report.lines.iter().any(|l| l.picked < l.ordered);
    // Paid after our capture of what shipped: Centra has the quantities already (and refuses
    // them now that it is paid).
    let quantities_set = payment.paid && payment.captured_after_shipping;
    if partial && payment.paid && !quantities_set {
        return Err(HoldReason::PartialPickOfPaidShipment);
    }
    let quantity_updates = if partial && !quantities_set {
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
        capture_first,
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
    use crate::rules::import::tests::{settings, shipment};
    use domain::Parcel;
    use domain::settings::{CapturePolicy, CompletionPolicy, ImportFilter};

    fn paid() -> PaymentNow {
        PaymentNow::paid(true)
    }

    fn unpaid() -> PaymentNow {
        PaymentNow::paid(false)
    }

    /// Capture on import with the capture-on-import filter, as a merchant sets it.
    fn capturing_on_import() -> Settings {
        let mut s = settings();
        s.capture = CapturePolicy::OnImport;
        s.import_filter = ImportFilter::CaptureOnImport;
        s
    }

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
            let done = plan(decide_completion(&s, paid(), &report(&[(1, 1)])));
            assert_eq!(done.capture, flag, "{policy:?}");
        }
    }

    #[test]
    fn unpaid_under_never_is_parked_once_shipped_never_captured() {
        let s = settings();
        assert_eq!(
            decide_completion(&s, unpaid(), &report(&[(1, 1)])),
            CompletionDecision::Hold(HoldReason::UnpaidAtCompletion)
        );
        let mut on_completion = settings();
        on_completion.capture = CapturePolicy::OnCompletion;
        assert!(
            plan(decide_completion(
                &on_completion,
                unpaid(),
                &report(&[(1, 1)])
            ))
            .capture
        );
    }

    #[test]
    fn manual_completion_waits_for_a_person() {
        let mut s = settings();
        s.completion = CompletionPolicy::Manual;
        assert_eq!(
            decide_completion(&s, paid(), &report(&[(1, 1)])),
            CompletionDecision::WaitForPerson
        );
    }

    #[test]
    fn no_tracking_number_waits_even_with_a_url() {
        let mut r = report(&[(1, 1)]);
        r.tracking.waybill = None;
        r.tracking.tracking_url = Some("https://track".into());
        assert_eq!(
            decide_completion(&settings(), paid(), &r),
            CompletionDecision::WaitForTracking
        );
    }

    #[test]
    fn full_picks_complete_without_quantity_updates() {
        let done = plan(decide_completion(
            &settings(),
            paid(),
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
            unpaid(),
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
                decide_completion(&s, paid(), &report(&[(2, 1)])),
                CompletionDecision::Hold(HoldReason::PartialPickOfPaidShipment),
                "{policy:?}"
            );
        }
    }

    #[test]
    fn nothing_picked_is_parked() {
        assert_eq!(
            decide_completion(&settings(), paid(), &report(&[(2, 0)])),
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
        let done = plan(decide_completion(&settings(), paid(), &r));
        assert_eq!(done.tracking_numbers, vec!["WB1", "P1", "P2"]);
        assert_eq!(done.packages, 3);
    }

    #[test]
    fn a_capture_on_import_is_owed_until_this_service_saw_it_succeed() {
        let mut authorised = shipment();
        authorised.paid = false;
        authorised.should_capture = true;
        let mut on_completion = settings();
        on_completion.capture = CapturePolicy::OnCompletion;
        // (settings, shipment as imported, captured) -> owed
        let table = [
            (capturing_on_import(), &authorised, false, true),
            (capturing_on_import(), &authorised, true, false),
            // Paid when it was imported: nothing to capture.
            (capturing_on_import(), &shipment(), false, false),
            // The other policies never capture on import.
            (settings(), &authorised, false, false),
            (on_completion, &authorised, false, false),
        ];
        for (i, (s, shipment, captured, owed)) in table.into_iter().enumerate() {
            assert_eq!(
                capture_on_import_owed(&s, shipment, captured),
                owed,
                "row {i}"
            );
        }
    }

    /// The calls a decision makes, in order (`update` is the quantity update), or the kind
    /// of its hold: what the tables compare.
    fn calls(decision: CompletionDecision) -> String {
        match decision {
            CompletionDecision::Complete(plan) => {
                let mut calls = Vec::new();
                if !plan.quantity_updates.is_empty() {
                    calls.push("update");
                }
                if plan.capture_first {
                    calls.push("capture");
                }
                calls.push(if plan.capture {
                    "complete capturing"
                } else {
                    "complete"
                });
                calls.join(" -> ")
            }
            CompletionDecision::Hold(reason) => reason.kind().to_owned(),
            other => format!("{other:?}"),
        }
    }

    /// The warehouse shipped while the capture on import was being retried: every case of
    /// Centra's `paid`, the owed capture and whether it was sent after the quantities, for a
    /// full and a partial pick.
    #[test]
    fn a_capture_owed_when_the_warehouse_ships_is_made_before_completing() {
        let s = capturing_on_import();
        let (full, part) = (report(&[(2, 2), (1, 1)]), report(&[(2, 1), (1, 0)]));
        let none = report(&[(2, 0)]);
        // (paid now, owed, sent after the quantities, picks) -> calls
        let table = [
            // Still unpaid: the quantities (if partial), then the capture, then complete; the
            // same again after a capture sent and failed (a 5xx).
            (false, true, false, &full, "capture -> complete"),
            (false, true, false, &part, "update -> capture -> complete"),
            (false, true, true, &part, "update -> capture -> complete"),
            // Paid after our capture of what shipped (its answer lost, or saved): complete.
            (true, true, true, &full, "complete"),
            (true, true, true, &part, "complete"),
            (true, false, true, &part, "complete"),
            // Paid before shipping (the import's capture answered late): a full pick completes,
            // a partial one was paid for more than shipped.
            (true, true, false, &full, "complete"),
            (true, true, false, &part, "partial_pick_of_paid_shipment"),
            (true, false, false, &part, "partial_pick_of_paid_shipment"),
            // Nothing owed and unpaid: the policy does not capture on completion.
            (false, false, false, &full, "unpaid_at_completion"),
            (false, false, true, &full, "unpaid_at_completion"),
            // Nothing picked: no money is taken for it.
            (false, true, false, &none, "nothing_picked"),
        ];
        for (i, (paid, capture_owed, captured_after_shipping, picks, want)) in
            table.into_iter().enumerate()
        {
            let payment = PaymentNow {
                paid,
                capture_owed,
                captured_after_shipping,
            };
            assert_eq!(
                calls(decide_completion(&s, payment, picks)),
                want,
                "row {i}"
            );
        }
    }

    #[test]
    fn a_capture_owed_waits_with_the_completion_it_belongs_to() {
        let owed = PaymentNow {
            capture_owed: true,
            ..PaymentNow::default()
        };
        let mut r = report(&[(1, 1)]);
        r.tracking.waybill = None;
        assert_eq!(
            decide_completion(&capturing_on_import(), owed, &r),
            CompletionDecision::WaitForTracking
        );
        let mut manual = capturing_on_import();
        manual.completion = CompletionPolicy::Manual;
        assert_eq!(
            decide_completion(&manual, owed, &report(&[(1, 1)])),
            CompletionDecision::WaitForPerson
        );
    }

    #[test]
    fn a_completion_that_captures_needs_no_capture_first() {
        let owed = PaymentNow {
            capture_owed: true,
            ..PaymentNow::default()
        };
        let plan = completion_plan(true, owed, &report(&[(2, 1)]));
        assert_eq!(
            calls(plan.map_or_else(CompletionDecision::Hold, CompletionDecision::Complete)),
            "update -> complete capturing",
            "one capture, by the completion"
        );
    }
}
