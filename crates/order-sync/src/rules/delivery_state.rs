//! The supplier delivery state machine (`settings.purchase_orders`).
//!
//! ```text
//! sent ──> accepted (terminal)
//!  │ ▲        ▲
//!  ▼ │        │
//! parked ─────┘     (sent again when its articles are synced; accepted when goods arrive)
//! ```
//!
//! A `SupplierDeliveryCreated` starts a new record as sent
//! ([`crate::deliveries::DeliveryRecord::new`]) unless the delivery was accepted already; the
//! purchase order call leaves it sent or parks it. A WMS receipt accepts it in Centra once, or
//! parks it with Centra's refusal.

use std::fmt;

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryState {
    /// The WMS purchase order exists; waiting for the goods.
    Sent,
    /// Accepted in Centra (terminal).
    Accepted,
    /// Waits for a person or for its articles (see the reason).
    Parked,
}

impl DeliveryState {
    pub const ALL: [Self; 3] = [Self::Sent, Self::Accepted, Self::Parked];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Accepted => "accepted",
            Self::Parked => "parked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the machine allows going from `self` to `next`: what the inbound handlers do,
    /// nothing else.
    ///
    /// - `Sent` may be sent again (the purchase order is an upsert by number), parked (the
    ///   warehouse refused it, or its lines have no article number), or accepted (the goods
    ///   arrived).
    /// - `Parked` may be sent again (the articles it waited for are synced), stay parked (the
    ///   resend was refused again), or be accepted (the goods arrived all the same).
    /// - `Accepted` is terminal: Centra accepts a delivery once, and the handlers stop before
    ///   touching an accepted record, so even staying put is a fault.
    ///
    /// Every change of a [`crate::deliveries::DeliveryRecord`] goes through this.
    pub fn can_become(self, next: Self) -> bool {
        use DeliveryState::*;
        matches!((self, next), (Sent | Parked, Sent | Parked | Accepted))
    }
}

impl fmt::Display for DeliveryState {
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
        for state in DeliveryState::ALL {
            assert_eq!(DeliveryState::parse(state.as_str()), Some(state));
        }
        assert_eq!(DeliveryState::parse("received"), None);
    }

    /// Every (from, to) pair with its answer.
    #[test]
    fn the_transition_table() {
        use DeliveryState::*;
        let table = [
            (Sent, Sent, true),
            (Sent, Parked, true),
            (Sent, Accepted, true),
            (Parked, Sent, true),
            (Parked, Parked, true),
            (Parked, Accepted, true),
            (Accepted, Sent, false),
            (Accepted, Parked, false),
            (Accepted, Accepted, false),
        ];
        let pairs: HashSet<_> = table.iter().map(|&(from, to, _)| (from, to)).collect();
        assert_eq!(
            pairs.len(),
            DeliveryState::ALL.len() * DeliveryState::ALL.len()
        );
        for (from, to, allowed) in table {
            assert_eq!(from.can_become(to), allowed, "{from} -> {to}");
        }
    }
}
