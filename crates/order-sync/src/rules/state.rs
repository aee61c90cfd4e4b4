//! The shipment state machine.
//!
//! ```text
//! received ──> imported ──> shipped ──> completed
//!    │  ▲          │           │  │
//!    ▼  │          ▼           ▼  │
//!   parked ◄───────┴───────────┘  │   (retried by a person or by ArticleSynced)
//!    │                            │
//!    ▼                            │
//!   failed (capture failed) ◄─────┘   cancelled (from received/imported/parked/failed)
//!
//! parked / failed ──a person discards──> discarded ──a person retries──> parked / failed
//! ```
//!
//! A person discards a parked or failed shipment with a reason ([`HoldReason::Discarded`],
//! which keeps the reason, who, and the hold it replaced). A discarded shipment is never
//! imported, completed or retried by the service again: a good-to-go redelivery, the
//! warehouse's shipped report and the article-synced retry all leave it alone. Only a person's
//! explicit retry takes it back: the hold it replaced is restored, then retried as usual. A
//! Centra cancellation still reaches it (a WMS order may exist), as it reaches a parked one.
//!
//! With capture on import a shipment stays `received` after the WMS accepted its order (the
//! order id recorded) until the capture succeeds: a redelivery resumes with the capture, never
//! a second order. A refused capture fails it with the WMS order being cancelled
//! ([`HoldReason::CaptureFailedCancelling`]), then cancelled (`capture failed`) or, when the
//! warehouse already started, kept for a person ([`HoldReason::CaptureFailedOrderKept`]).
//! When the warehouse ships while that capture is still being retried, the completion makes it
//! (see [`super::completion`]); refused there, it fails the `shipped` shipment the same way.
//!
//! A Centra cancellation moves a shipment as [`ShipmentState::on_cancellation`] says: cancelled
//! at once when it never reached the warehouse, through the WMS when an order may exist, and
//! parked for a person once the warehouse shipped it. Completed shipments are never touched.
//!
//! A state is stored as text; the reason a shipment waits is stored next to it as a
//! [`HoldReason`] so people see *why* and the article-synced retry finds what it can unblock.

use std::fmt;

use domain::ParkReason;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Where a shipment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShipmentState {
    /// Seen good to go; the import (WMS order, then capture) is under way.
    Received,
    /// The WMS order exists.
    Imported,
    /// The WMS shipped it; completion waits for tracking, a person, or a retry.
    Shipped,
    /// Completed in Centra (terminal).
    Completed,
    /// Waits for a person or an automatic retry; see the [`HoldReason`].
    Parked,
    /// Capture failed: never shipped (or, shipped before a capture on import Centra then
    /// refused, never completed), shown to a person (terminal unless retried by hand).
    Failed,
    /// Cancelled before the warehouse started (terminal).
    Cancelled,
    /// Set aside by a person with a reason (see [`HoldReason::Discarded`]): never picked up
    /// again by the service; only a person's retry takes it back.
    Discarded,
}

impl ShipmentState {
    pub const ALL: [Self; 8] = [
        Self::Received,
        Self::Imported,
        Self::Shipped,
        Self::Completed,
        Self::Parked,
        Self::Failed,
        Self::Cancelled,
        Self::Discarded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Imported => "imported",
            Self::Shipped => "shipped",
            Self::Completed => "completed",
            Self::Parked => "parked",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Discarded => "discarded",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// True once the WMS order exists (so a good-to-go redelivery must not import again).
    pub fn reached_warehouse(self) -> bool {
        matches!(self, Self::Imported | Self::Shipped | Self::Completed)
    }

    /// Whether the machine allows going from `self` to `next`. Staying put is always allowed
    /// (a redelivery re-applies the same decision). `Received` may become `Shipped` or
    /// `Completed` directly: the WMS order was created but its answer was lost, and the
    /// warehouse's report (or Centra, already completed) is the first news of it. `Imported`
    /// may go back to `Received` for an operator's resync, which writes the order again.
    /// `Shipped` may become `Failed`: a capture on import still owed when the warehouse shipped
    /// is made before completing, and Centra may refuse it. Only `Parked` and `Failed` may be
    /// `Discarded`; a discarded one goes back to its hold (a person's retry) or is cancelled.
    /// Every change of a [`crate::records::ShipmentRecord`] goes through this.
    pub fn can_become(self, next: Self) -> bool {
        use ShipmentState::*;
        self == next
            || matches!(
                (self, next),
                (
                    Received,
                    Imported | Parked | Failed | Cancelled | Shipped | Completed
                ) | (Imported, Received)
                    | (
                        Parked,
                        Received | Imported | Parked | Failed | Cancelled | Shipped | Completed
                    )
                    | (Failed, Received | Imported | Parked | Cancelled)
                    | (Imported, Shipped | Parked | Completed | Cancelled)
                    | (Shipped, Completed | Parked | Failed)
                    | (Parked | Failed, Discarded)
                    | (Discarded, Parked | Failed | Cancelled)
            )
    }

    /// What a Centra cancellation does to a shipment in this state. `wms_order_known` is true
    /// when the WMS order id was recorded; `shipped` when the warehouse reported it shipped.
    ///
    /// A `Received` shipment may have a WMS order whose answer was lost, so it is cancelled
    /// through the WMS too (the gateway answers "already done" for an order it never got).
    pub fn on_cancellation(self, wms_order_known: bool, shipped: bool) -> CancellationMove {
        match self {
            Self::Completed | Self::Cancelled => CancellationMove::Nothing,
            Self::Shipped => CancellationMove::FlagForPerson,
            _ if shipped => CancellationMove::FlagForPerson,
            Self::Received | Self::Imported => CancellationMove::CancelInWms,
            Self::Parked | Self::Failed | Self::Discarded if wms_order_known => {
                CancellationMove::CancelInWms
            }
            Self::Parked | Self::Failed | Self::Discarded => CancellationMove::CancelHere,
        }
    }
}

/// What a Centra cancellation does to a shipment (see [`ShipmentState::on_cancellation`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancellationMove {
    /// Completed (never touched) or already cancelled.
    Nothing,
    /// No WMS order can exist: cancelled here, and never imported later.
    CancelHere,
    /// Cancel the WMS order first ("already cancelled" is success); a refusal parks it.
    CancelInWms,
    /// The warehouse shipped it: only a person can settle it.
    FlagForPerson,
}

impl fmt::Display for ShipmentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a shipment waits (parked) or gave up (failed). Extends the domain's [`ParkReason`] with
/// what only this flow knows.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum HoldReason {
    /// A rule of the domain (not paid, capture failed, unresolved lines, no lines).
    #[error("{0}")]
    Rule(ParkReason),
    /// The WMS does not know some articles yet; retried when catalog-sync reports them.
    #[error("article missing in the warehouse: {}", .articles.join(", "))]
    ArticleMissing { articles: Vec<String> },
    /// The shipping method matches no mapping and no default transporter is configured.
    #[error("shipping method {method} is not mapped to a transporter and no default is configured")]
    UnmappedShippingMethod { method: String },
    /// Shipped but unpaid, and the capture policy forbids capturing on completion: Centra only
    /// completes paid shipments, so a person settles the payment first.
    #[error(
        "shipment is shipped but not paid, and the capture policy does not capture on completion"
    )]
    UnpaidAtCompletion,
    /// Part of a paid (or captured) shipment was picked: Centra changes quantities only on
    /// unpaid shipments, so a person settles the difference (refund or new shipment).
    #[error(
        "the warehouse shipped part of a paid shipment; centra cannot change the quantities of a paid shipment"
    )]
    PartialPickOfPaidShipment,
    /// The warehouse shipped nothing of the shipment.
    #[error("the warehouse picked nothing of this shipment")]
    NothingPicked,
    /// The warehouse refused the order.
    #[error("the warehouse refused the order: {message}")]
    WmsRefused { message: String },
    /// Centra refused a step (quantities, completion).
    #[error("centra refused {step}: {message}")]
    CentraRefused { step: String, message: String },
    /// Centra cancelled the shipment and the WMS cancellation is under way (the intent, saved
    /// before the call; a redelivery of the cancellation finishes it).
    #[error("centra cancelled the shipment ({reason}); cancelling the warehouse order")]
    CancellationPending { reason: String },
    /// Centra cancelled the shipment but the warehouse refused to cancel its order (work
    /// started): a person stops the work or settles it with the customer.
    #[error(
        "centra cancelled the shipment ({reason}) but the warehouse refused to cancel the order: {message}"
    )]
    CancellationRefused { reason: String, message: String },
    /// Under `import = "both"`: the shipment's order was imported as one WMS order already, so
    /// the shipment is not imported too (a person settles it; see `rules::order_import`).
    #[error("order already imported as {wms_order_number}")]
    OrderAlreadyImported { wms_order_number: String },
    /// Centra cancelled the shipment after the warehouse shipped it.
    #[error("centra cancelled the shipment ({reason}) after the warehouse shipped it")]
    CancelledAfterShipping { reason: String },
    /// The capture failed after the warehouse accepted the order, and cancelling that order is
    /// under way (the intent, saved before the call; a redelivery or a person's retry finishes
    /// it), so an unpaid shipment never ships.
    #[error("capture failed: {message}; cancelling the warehouse order")]
    CaptureFailedCancelling { message: String },
    /// The capture failed after the warehouse accepted the order, and the warehouse refused to
    /// cancel it (work started): a person stops the work or settles the payment, else it ships
    /// unpaid.
    #[error(
        "capture failed: {message}; the warehouse refused to cancel the order ({refusal}), stop it there"
    )]
    CaptureFailedOrderKept { message: String, refusal: String },
    /// A person discarded the parked or failed shipment: `hold` is what it waited for, put
    /// back by a person's retry.
    #[error("discarded by {by}: {reason} (was: {hold})")]
    Discarded {
        reason: String,
        by: String,
        hold: Box<HoldReason>,
    },
}

impl HoldReason {
    /// The short kind stored next to the state, for queries.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Rule(ParkReason::NotPaid) => "not_paid",
            Self::Rule(ParkReason::NotGoodToGo) => "not_good_to_go",
            Self::Rule(ParkReason::CaptureFailed { .. }) => "capture_failed",
            Self::Rule(ParkReason::UnresolvedArticles { .. }) => "unresolved_articles",
            Self::Rule(ParkReason::NoLines) => "no_lines",
            Self::ArticleMissing { .. } => "article_missing",
            Self::UnmappedShippingMethod { .. } => "unmapped_shipping_method",
            Self::UnpaidAtCompletion => "unpaid_at_completion",
            Self::PartialPickOfPaidShipment => "partial_pick_of_paid_shipment",
            Self::NothingPicked => "nothing_picked",
            Self::WmsRefused { .. } => "wms_refused",
            Self::CentraRefused { .. } => "centra_refused",
            Self::OrderAlreadyImported { .. } => "order_already_imported",
            Self::CancellationPending { .. } => "cancellation_pending",
            Self::CancellationRefused { .. } => "cancellation_refused",
            Self::CancelledAfterShipping { .. } => "cancelled_after_shipping",
            Self::CaptureFailedCancelling { .. } => "capture_failed_cancelling",
            Self::CaptureFailedOrderKept { .. } => "capture_failed_order_kept",
            Self::Discarded { .. } => "discarded",
        }
    }

    /// The stored kinds of the holds [`HoldReason::is_cancellation`] is true for, for readers
    /// of stored rows (a test keeps the two in step).
    pub const CANCELLATION_KINDS: [&'static str; 3] = [
        "cancellation_pending",
        "cancellation_refused",
        "cancelled_after_shipping",
    ];

    /// True for the holds of a Centra cancellation: such a shipment is never imported again.
    pub fn is_cancellation(&self) -> bool {
        matches!(
            self,
            Self::CancellationPending { .. }
                | Self::CancellationRefused { .. }
                | Self::CancelledAfterShipping { .. }
        )
    }

    /// True for the holds whose work is under way (a saved intent a redelivery or a retry
    /// finishes): discarding one would leave a WMS order that is being cancelled half done.
    pub fn work_under_way(&self) -> bool {
        matches!(
            self,
            Self::CancellationPending { .. } | Self::CaptureFailedCancelling { .. }
        )
    }

    /// The state a shipment held for this reason is in: a failed capture is terminal.
    pub fn state(&self) -> ShipmentState {
        match self {
            Self::Rule(ParkReason::CaptureFailed { .. })
            | Self::CaptureFailedCancelling { .. }
            | Self::CaptureFailedOrderKept { .. } => ShipmentState::Failed,
            Self::Discarded { .. } => ShipmentState::Discarded,
            _ => ShipmentState::Parked,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_cancellation_kinds_are_the_cancellation_holds() {
        let text = || String::from("x");
        let holds = [
            HoldReason::CancellationPending { reason: text() },
            HoldReason::CancellationRefused {
                reason: text(),
                message: text(),
            },
            HoldReason::CancelledAfterShipping { reason: text() },
            HoldReason::CaptureFailedCancelling { message: text() },
            HoldReason::UnpaidAtCompletion,
        ];
        for hold in holds {
            assert_eq!(
                HoldReason::CANCELLATION_KINDS.contains(&hold.kind()),
                hold.is_cancellation(),
                "{}",
                hold.kind()
            );
        }
    }

    #[test]
    fn states_round_trip_as_text() {
        for state in ShipmentState::ALL {
            assert_eq!(ShipmentState::parse(state.as_str()), Some(state));
        }
        assert_eq!(ShipmentState::parse("done"), None);
    }

    /// The whole table, one row per state: what it may become.
    #[test]
    fn the_transition_table() {
        use ShipmentState::*;
        let table = [
            (
                Received,
                vec![
                    Received, Imported, Parked, Failed, Cancelled, Shipped, Completed,
                ],
            ),
            (
                Imported,
                vec![Imported, Received, Shipped, Parked, Completed, Cancelled],
            ),
            (
                Parked,
                vec![
                    Received, Imported, Parked, Failed, Cancelled, Shipped, Completed, Discarded,
                ],
            ),
            (
                Failed,
                vec![Failed, Received, Imported, Parked, Cancelled, Discarded],
            ),
            (Shipped, vec![Shipped, Completed, Parked, Failed]),
            (Completed, vec![Completed]),
            (Cancelled, vec![Cancelled]),
            (Discarded, vec![Discarded, Parked, Failed, Cancelled]),
        ];
        for (from, allowed) in table {
            for to in ShipmentState::ALL {
                assert_eq!(from.can_become(to), allowed.contains(&to), "{from} -> {to}");
            }
        }
    }

    #[test]
    fn completed_and_cancelled_are_final() {
        for next in ShipmentState::ALL {
            if next != ShipmentState::Completed {
                assert!(!ShipmentState::Completed.can_become(next), "{next}");
            }
            if next != ShipmentState::Cancelled {
                assert!(!ShipmentState::Cancelled.can_become(next), "{next}");
            }
        }
    }

    #[test]
    fn cancellation_never_touches_completed_or_cancelled_shipments() {
        for done in [ShipmentState::Completed, ShipmentState::Cancelled] {
            for shipped in [false, true] {
                assert_eq!(
                    done.on_cancellation(true, shipped),
                    CancellationMove::Nothing
                );
            }
        }
    }

    #[test]
    fn cancellation_goes_through_the_wms_when_an_order_may_exist() {
        use CancellationMove::*;
        assert_eq!(
            ShipmentState::Received.on_cancellation(false, false),
            CancelInWms
        );
        assert_eq!(
            ShipmentState::Imported.on_cancellation(true, false),
            CancelInWms
        );
        assert_eq!(
            ShipmentState::Parked.on_cancellation(true, false),
            CancelInWms
        );
        assert_eq!(
            ShipmentState::Parked.on_cancellation(false, false),
            CancelHere
        );
        assert_eq!(
            ShipmentState::Failed.on_cancellation(false, false),
            CancelHere
        );
    }

    #[test]
    fn a_shipped_shipment_is_flagged_not_cancelled() {
        assert_eq!(
            ShipmentState::Shipped.on_cancellation(true, true),
            CancellationMove::FlagForPerson
        );
        assert_eq!(
            ShipmentState::Parked.on_cancellation(true, true),
            CancellationMove::FlagForPerson
        );
    }

    #[test]
    fn every_cancellation_move_is_allowed_by_the_machine() {
        for state in ShipmentState::ALL {
            let next = match state.on_cancellation(true, false) {
                CancellationMove::Nothing => continue,
                CancellationMove::FlagForPerson => ShipmentState::Parked,
                CancellationMove::CancelHere | CancellationMove::CancelInWms => {
                    assert!(state.can_become(ShipmentState::Parked), "{state} -> parked");
                    ShipmentState::Cancelled
                }
            };
            assert!(state.can_become(next), "{state} -> {next}");
        }
        assert!(ShipmentState::Parked.can_become(ShipmentState::Cancelled));
        assert!(ShipmentState::Shipped.can_become(ShipmentState::Parked));
    }

    #[test]
    fn cancellation_holds_are_known_as_such() {
        let pending = HoldReason::CancellationPending {
            reason: "order cancelled".into(),
        };
        assert!(pending.is_cancellation());
        assert_eq!(pending.state(), ShipmentState::Parked);
        assert!(!HoldReason::NothingPicked.is_cancellation());
        let refused = HoldReason::CancellationRefused {
            reason: "shipment deleted".into(),
            message: "picking started".into(),
        };
        assert_eq!(refused.kind(), "cancellation_refused");
        assert!(refused.to_string().contains("refused to cancel"));
    }

    #[test]
    fn a_failed_capture_never_ships_without_a_new_import() {
        assert!(!ShipmentState::Failed.can_become(ShipmentState::Shipped));
        assert!(!ShipmentState::Failed.can_become(ShipmentState::Completed));
        assert!(ShipmentState::Received.can_become(ShipmentState::Failed));
    }

    #[test]
    fn capture_failure_is_terminal_other_holds_park() {
        let failed = HoldReason::Rule(ParkReason::CaptureFailed {
            message: "declined".into(),
        });
        assert_eq!(failed.state(), ShipmentState::Failed);
        assert_eq!(failed.kind(), "capture_failed");
        let missing = HoldReason::ArticleMissing {
            articles: vec!["ABC".into(), "ABD".into()],
        };
        assert_eq!(missing.state(), ShipmentState::Parked);
        assert_eq!(
            missing.to_string(),
            "article missing in the warehouse: ABC, ABD"
        );
    }

    #[test]
    fn a_capture_failed_after_the_warehouse_accepted_fails_the_shipment() {
        let cancelling = HoldReason::CaptureFailedCancelling {
            message: "declined".into(),
        };
        assert_eq!(cancelling.state(), ShipmentState::Failed);
        assert_eq!(cancelling.kind(), "capture_failed_cancelling");
        assert!(!cancelling.is_cancellation(), "not a Centra cancellation");
        assert_eq!(
            cancelling.to_string(),
            "capture failed: declined; cancelling the warehouse order"
        );
        let kept = HoldReason::CaptureFailedOrderKept {
            message: "declined".into(),
            refusal: "picking has started".into(),
        };
        assert_eq!(kept.state(), ShipmentState::Failed);
        assert_eq!(kept.kind(), "capture_failed_order_kept");
        assert!(kept.to_string().contains("picking has started"), "{kept}");
        assert!(!ShipmentState::Failed.can_become(ShipmentState::Shipped));
    }

    #[test]
    fn reasons_survive_storage_as_json() {
        let reasons = [
            HoldReason::Rule(ParkReason::NotPaid),
            HoldReason::ArticleMissing {
                articles: vec!["A".into()],
            },
            HoldReason::UnmappedShippingMethod {
                method: "carrier DHL".into(),
            },
            HoldReason::UnpaidAtCompletion,
            HoldReason::CentraRefused {
                step: "completion".into(),
                message: "no".into(),
            },
            HoldReason::CaptureFailedCancelling {
                message: "declined".into(),
            },
            HoldReason::CaptureFailedOrderKept {
                message: "declined".into(),
                refusal: "started".into(),
            },
        ];
        for reason in reasons {
            let json = serde_json::to_string(&reason).expect("json");
            let back: HoldReason = serde_json::from_str(&json).expect("back");
            assert_eq!(back, reason);
        }
    }

    #[test]
    fn only_parked_or_failed_shipments_are_discarded_and_only_a_retry_takes_them_back() {
        use ShipmentState::*;
        for from in ShipmentState::ALL {
            assert_eq!(
                from.can_become(Discarded),
                matches!(from, Parked | Failed | Discarded),
                "{from} -> discarded"
            );
        }
        for to in [Received, Imported, Shipped, Completed] {
            assert!(!Discarded.can_become(to), "discarded -> {to}");
        }
        assert_eq!(
            Discarded.on_cancellation(false, false),
            CancellationMove::CancelHere
        );
        assert_eq!(
            Discarded.on_cancellation(true, false),
            CancellationMove::CancelInWms
        );
    }

    #[test]
    fn a_discard_keeps_its_reason_who_and_the_hold_it_replaced() {
        let discarded = HoldReason::Discarded {
            reason: "customer settled by phone".into(),
            by: "admin".into(),
            hold: Box::new(HoldReason::NothingPicked),
        };
        assert_eq!(discarded.state(), ShipmentState::Discarded);
        assert_eq!(discarded.kind(), "discarded");
        assert_eq!(
            discarded.to_string(),
            "discarded by admin: customer settled by phone (was: the warehouse picked nothing of this shipment)"
        );
        let json = serde_json::to_string(&discarded).expect("json");
        let back: HoldReason = serde_json::from_str(&json).expect("back");
        assert_eq!(back, discarded);
        assert!(!discarded.work_under_way());
        assert!(
            HoldReason::CaptureFailedCancelling {
                message: "x".into()
            }
            .work_under_way()
        );
    }
}
