//! The return state machine, and the error of a change it refuses.
//!
//! ```text
//! received ──create in Centra──> created ──acknowledge in the WMS──> reported (terminal)
//!    │  ▲                          │  ▲
//!    ▼  │                          ▼  │
//!   parked ────────────────────────┘  │   a person retries: back to received, or to created
//!      └──────────────────────────────┘   when Centra has the return (centra_return_id set)
//!
//! parked ──a person discards──> discarded ──a person retries──> parked (then as above)
//! ```
//!
//! A discarded return keeps the reason, who, and the park reason it replaced
//! ([`super::ParkReason::Discarded`]). The service never picks it up again: a redelivery of
//! the WMS return leaves it as it is, a resync skips it, and its units stay covered so no new
//! return is planned for them. Only a person's retry takes it back (to the park it replaced).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a WMS return stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnState {
    /// Read from the WMS, not in Centra yet.
    Received,
    /// Centra has it; the WMS still lists the units as unreported.
    Created,
    /// Done: in Centra and reported in the WMS.
    Reported,
    /// Waits for a person (see the reason).
    Parked,
    /// Set aside by a person with a reason; only a person's retry takes it back.
    Discarded,
}

impl ReturnState {
    pub const ALL: [Self; 5] = [
        Self::Received,
        Self::Created,
        Self::Reported,
        Self::Parked,
        Self::Discarded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Created => "created",
            Self::Reported => "reported",
            Self::Parked => "parked",
            Self::Discarded => "discarded",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the machine allows going from `self` to `next`: what the flow does, nothing
    /// else. Every step moves forward or parks; only a person's retry leaves `Parked`.
    ///
    /// - `Received` becomes `Created` (Centra has the return) or `Parked` (the order number
    ///   resolves to no shipment, the shipment cannot take the lines, Centra refused).
    /// - `Created` becomes `Reported` (acknowledged in the WMS) or `Parked` (the WMS refused).
    /// - `Parked` becomes `Received` (a retry starts over) or `Created` (a retry of a return
    ///   Centra already has resumes at the acknowledgement).
    /// - `Parked` becomes `Discarded` (a person sets it aside), and `Discarded` becomes
    ///   `Parked` again (a person's retry restores the park it replaced).
    /// - `Reported` is terminal.
    ///
    /// No state becomes itself: each step runs once from the state before it, and a parked
    /// return is left parked rather than parked again. Every change of a
    /// [`crate::records::ReturnRecord`] goes through this.
    pub fn can_become(self, next: Self) -> bool {
        use ReturnState::*;
        matches!(
            (self, next),
            (Received, Created | Parked)
                | (Created, Reported | Parked)
                | (Parked, Received | Created | Discarded)
                | (Discarded, Parked)
        )
    }
}

impl fmt::Display for ReturnState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn states_round_trip_as_text() {
        for state in ReturnState::ALL {
            assert_eq!(ReturnState::parse(state.as_str()), Some(state));
        }
        assert_eq!(ReturnState::parse("done"), None);
    }

    /// Every (from, to) pair with its answer.
    #[test]
    fn the_transition_table() {
        use ReturnState::*;
        let table = [
            (Received, Received, false),
            (Received, Created, true),
            (Received, Reported, false),
            (Received, Parked, true),
            (Created, Received, false),
            (Created, Created, false),
            (Created, Reported, true),
            (Created, Parked, true),
            (Reported, Received, false),
            (Reported, Created, false),
            (Reported, Reported, false),
            (Reported, Parked, false),
            (Parked, Received, true),
            (Parked, Created, true),
            (Parked, Reported, false),
            (Parked, Parked, false),
            (Parked, Discarded, true),
            (Received, Discarded, false),
            (Created, Discarded, false),
            (Reported, Discarded, false),
            (Discarded, Discarded, false),
            (Discarded, Received, false),
            (Discarded, Created, false),
            (Discarded, Reported, false),
            (Discarded, Parked, true),
        ];
        let pairs: HashSet<_> = table.iter().map(|&(from, to, _)| (from, to)).collect();
        assert_eq!(pairs.len(), ReturnState::ALL.len() * ReturnState::ALL.len());
        for (from, to, allowed) in table {
            assert_eq!(from.can_become(to), allowed, "{from} -> {to}");
        }
    }
}
