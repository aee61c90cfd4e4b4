//! What a person sees of an article ([`StockState`]), and the states that stop its stock from
//! being written ([`Blocked`]).

/// What a person sees of an article.
///
/// Not a lifecycle, so it has no transition table (unlike the records of order-sync and
/// returns-sync): it is the outcome of the article's latest check, a cache of what
/// [`super::check`] decided from fresh reads of both sides. A check never looks at the state it
/// replaces, so every state may follow every other (an article in sync is refused by the next
/// write, a not-found one is found once the catalog is fixed, a bundle becomes a plain product),
/// and `mark` leaves it as it is, with two exceptions: a new row starts `Pending`, and an
/// `Unmapped` row that gets its product shows `Pending` (`Unmapped` says no product is known,
/// so it is never shown beside one). A table would allow all 64 pairs and refuse nothing. What
/// does hold, that the reason (and the next due time) is set together with the state, the
/// record keeps: its state is private and a check changes it only through
/// `StockArticle::end_check` with a [`super::CheckEnd`], whose variants carry exactly what each
/// state needs (a [`Blocked`] state its reason, settling its next check).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StockState {
    /// Marked: to be checked.
    Pending,
    /// Centra sells exactly the WMS's sellable stock.
    InSync,
    /// Written, but units are in flight (Centra still allocates units the WMS has shipped, or
    /// has orders the WMS has not booked yet): checked again soon.
    Settling,
    /// Centra's catalog end-point has no size item with this article number.
    NotFound,
    /// Centra says the product is a bundle: its stock is its parts'.
    Bundle,
    /// The WMS does not hold the article.
    NotInWms,
    /// No Centra product is known for the article yet (it comes with the article's next
    /// catalog sync, or a reconcile).
    Unmapped,
    /// Centra refused the write as a whole (the reason says why).
    Refused,
}

impl StockState {
    pub const ALL: [StockState; 8] = [
        StockState::Pending,
        StockState::InSync,
        StockState::Settling,
        StockState::NotFound,
        StockState::Bundle,
        StockState::NotInWms,
        StockState::Unmapped,
        StockState::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StockState::Pending => "pending",
            StockState::InSync => "in_sync",
            StockState::Settling => "settling",
            StockState::NotFound => "not_found",
            StockState::Bundle => "bundle",
            StockState::NotInWms => "not_in_wms",
            StockState::Unmapped => "unmapped",
            StockState::Refused => "refused",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Followed but not checkable yet; it resolves itself with the next catalog sync or WMS
    /// change (shown as a warning).
    pub fn is_warning(self) -> bool {
        matches!(self, StockState::NotInWms | StockState::Unmapped)
    }

    /// A person must look at it (Centra or the WMS does not take the article as it is).
    pub fn needs_a_person(self) -> bool {
        matches!(
            self,
            StockState::NotFound | StockState::Bundle | StockState::Refused
        )
    }
}

/// Why an article's stock is not written, each a [`StockState`] a person sees with its reason:
/// the article is not checkable now (`NotInWms`, `Unmapped`) or Centra does not take it as it
/// is (`NotFound`, `Bundle`, `Refused`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Blocked {
    NotInWms,
    Unmapped,
    NotFound,
    Bundle,
    Refused,
}

impl From<Blocked> for StockState {
    fn from(blocked: Blocked) -> Self {
        match blocked {
            Blocked::NotInWms => StockState::NotInWms,
            Blocked::Unmapped => StockState::Unmapped,
            Blocked::NotFound => StockState::NotFound,
            Blocked::Bundle => StockState::Bundle,
            Blocked::Refused => StockState::Refused,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_as_text() {
        for state in StockState::ALL {
            assert_eq!(StockState::parse(state.as_str()), Some(state));
        }
        assert_eq!(StockState::parse("synced"), None);
    }

    /// Every state with how it shows: a blocked one is a warning or needs a person, never both,
    /// and only blocked states are either.
    #[test]
    fn the_display_table() {
        use StockState::*;
        let blocked = [
            Blocked::NotInWms,
            Blocked::Unmapped,
            Blocked::NotFound,
            Blocked::Bundle,
            Blocked::Refused,
        ]
        .map(StockState::from);
        let table = [
            (Pending, false, false),
            (InSync, false, false),
            (Settling, false, false),
            (NotFound, false, true),
            (Bundle, false, true),
            (NotInWms, true, false),
            (Unmapped, true, false),
            (Refused, false, true),
        ];
        assert_eq!(table.len(), StockState::ALL.len());
        for (state, warning, person) in table {
            assert_eq!(state.is_warning(), warning, "{state:?} warning");
            assert_eq!(state.needs_a_person(), person, "{state:?} needs a person");
            assert_eq!(
                blocked.contains(&state),
                warning || person,
                "{state:?} blocked"
            );
        }
    }
}
