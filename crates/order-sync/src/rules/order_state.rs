//! The order state machine of order import (`import = "orders"` or `"both"`).
//!
//! ```text
//! parked ──> importing ──> imported (terminal)
//!   ▲  ▲         │  ▲
//!   │  └─────────┘  └── importing again: the intent is saved, the outcome was lost
//!   └── parked again: a later version still waits (new reason)
//! ```
//!
//! A record starts parked with no reason ([`crate::orders::OrderRecord::new`]) and is saved
//! only once the import decided: parked with a reason, or importing (the intent, saved before
//! the WMS call). The WMS call ends it imported, or parked with the refusal.

use std::fmt;

/// Where an order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderState {
    /// The intent, saved before the WMS call: the order is on its way to the warehouse (a
    /// shipment of it is no longer imported under `both`).
    Importing,
    /// The WMS order exists. Nothing is reported back to Centra for it (completion is per
    /// shipment, and order import has none).
    Imported,
    /// Waits for a later version of the order or a person (see the reason).
    Parked,
}

impl OrderState {
    pub const ALL: [Self; 3] = [Self::Importing, Self::Imported, Self::Parked];

    /// True once the order may be in the warehouse.
    pub fn reached_warehouse(self) -> bool {
        matches!(self, Self::Importing | Self::Imported)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Importing => "importing",
            Self::Imported => "imported",
            Self::Parked => "parked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the machine allows going from `self` to `next`: what the `OrderReady` handler
    /// does, nothing else.
    ///
    /// - `Parked` may stay parked (a later version of the order still waits, with its new
    ///   reason) or start importing.
    /// - `Importing` may import again (the intent was saved but the outcome was lost: the WMS
    ///   upsert by the order's number is safe twice), end `Imported`, or be parked (the
    ///   warehouse refused it, or a later version of the order is held before the retry).
    /// - `Imported` is terminal: the handler ignores an imported order, so even staying put is
    ///   a fault. `Parked` never becomes `Imported` without the intent saved first.
    ///
    /// Every change of a [`crate::orders::OrderRecord`] goes through this.
    pub fn can_become(self, next: Self) -> bool {
        use OrderState::*;
        matches!(
            (self, next),
            (Parked, Parked | Importing) | (Importing, Importing | Imported | Parked)
        )
    }
}

impl fmt::Display for OrderState {
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
        for state in OrderState::ALL {
            assert_eq!(OrderState::parse(state.as_str()), Some(state));
        }
        assert_eq!(OrderState::parse("done"), None);
    }

    /// Every (from, to) pair with its answer.
    #[test]
    fn the_transition_table() {
        use OrderState::*;
        let table = [
            (Parked, Parked, true),
            (Parked, Importing, true),
            (Parked, Imported, false),
            (Importing, Parked, true),
            (Importing, Importing, true),
            (Importing, Imported, true),
            (Imported, Parked, false),
            (Imported, Importing, false),
            (Imported, Imported, false),
        ];
        let pairs: HashSet<_> = table.iter().map(|&(from, to, _)| (from, to)).collect();
        assert_eq!(pairs.len(), OrderState::ALL.len() * OrderState::ALL.len());
        for (from, to, allowed) in table {
            assert_eq!(from.can_become(to), allowed, "{from} -> {to}");
        }
    }

    #[test]
    fn only_the_import_reaches_the_warehouse() {
        for from in OrderState::ALL {
            for to in OrderState::ALL {
                if from.can_become(to) && to.reached_warehouse() && !from.reached_warehouse() {
                    assert_eq!(to, OrderState::Importing, "{from} -> {to}");
                }
            }
        }
    }
}
