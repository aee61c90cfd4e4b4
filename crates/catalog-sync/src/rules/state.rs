//! What a size item looks like from the WMS side: the state a person sees in the product list,
//! per size item ([`ItemState`]) and per product ([`ProductState`], as myOGO's product page).
//! Pure; the admin service (`crate::admin`) turns them into the contract's enums.

use super::{Problem, ProblemKind};

/// The listed state of one size item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemState {
    /// Known from Centra, not selected (manual selection): not in the WMS.
    NotSelected,
    /// To be written (selected, or automatic) and not in the WMS yet.
    Pending,
    /// In the WMS as Centra shows it now.
    Synced,
    /// In the WMS, but Centra changed since the last write.
    Outdated,
    /// Left out by the article filter (inactive), or no longer in Centra's product list.
    FilteredOut,
    /// Rejected (bad data, collision, refused by the WMS); the reason says why.
    Rejected,
}

/// The stored facts the state is derived from.
#[derive(Debug, Clone, Copy)]
pub struct StateFacts<'a> {
    /// The current problem, if any.
    pub problem: Option<&'a Problem>,
    /// Hash of the article as mapped now.
    pub content_hash: Option<&'a str>,
    /// Hash of the article last written.
    pub synced_hash: Option<&'a str>,
    /// Selected by a person (manual mode).
    pub selected: bool,
    /// Manual selection mode is on.
    pub manual: bool,
}

impl ItemState {
    /// Derives the state. Pure.
    pub fn of(facts: StateFacts<'_>) -> Self {
        if let Some(problem) = facts.problem {
            return match problem.kind {
                ProblemKind::Filtered | ProblemKind::Removed => Self::FilteredOut,
                _ => Self::Rejected,
            };
        }
        match (facts.synced_hash, facts.content_hash) {
            (None, _) if facts.manual && !facts.selected => Self::NotSelected,
            (None, _) => Self::Pending,
            (Some(synced), Some(now)) if synced == now => Self::Synced,
            (Some(_), _) => Self::Outdated,
        }
    }
}

/// The listed state of one Centra product, from its size items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductState {
    /// None of its admitted sizes is in the WMS.
    NotInWms,
    /// Every admitted size is in the WMS as Centra shows it now.
    InWms,
    /// Some sizes are in the WMS and Centra changed since, or only some are in the WMS.
    ChangedSince,
    /// At least one size is rejected: a person must look (the size says why).
    Rejected,
    /// Every size is left out on purpose (inactive, gone from Centra).
    FilteredOut,
}

impl ProductState {
    /// Derives the state from the product's size states. Pure. Rejected wins (a person must
    /// look); filtered-out sizes do not count otherwise; a product with no size is filtered out.
    pub fn of(sizes: impl IntoIterator<Item = ItemState>) -> Self {
        let (mut in_wms, mut not_in_wms, mut changed) = (0u32, 0u32, 0u32);
        for state in sizes {
            match state {
                ItemState::Rejected => return Self::Rejected,
                ItemState::Synced => in_wms += 1,
                ItemState::Outdated => changed += 1,
                ItemState::NotSelected | ItemState::Pending => not_in_wms += 1,
                ItemState::FilteredOut => {}
            }
        }
        match (in_wms, not_in_wms, changed) {
            (0, 0, 0) => Self::FilteredOut,
            (0, _, 0) => Self::NotInWms,
            (_, 0, 0) => Self::InWms,
            _ => Self::ChangedSince,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_product_state_follows_its_sizes() {
        use ItemState::*;
        let cases: [(&[ItemState], ProductState); 10] = [
            (&[], ProductState::FilteredOut),
            (&[FilteredOut, FilteredOut], ProductState::FilteredOut),
            (&[NotSelected, NotSelected], ProductState::NotInWms),
            (&[Pending, NotSelected, FilteredOut], ProductState::NotInWms),
            (&[Synced, Synced, FilteredOut], ProductState::InWms),
            (&[Synced, Outdated], ProductState::ChangedSince),
            (&[Outdated], ProductState::ChangedSince),
            (&[Synced, NotSelected], ProductState::ChangedSince),
            (&[Synced, Rejected], ProductState::Rejected),
            (
                &[NotSelected, FilteredOut, Rejected],
                ProductState::Rejected,
            ),
        ];
        for (sizes, expected) in cases {
            assert_eq!(
                ProductState::of(sizes.iter().copied()),
                expected,
                "{sizes:?}"
            );
        }
    }

    fn facts<'a>(
        problem: Option<&'a Problem>,
        now: Option<&'a str>,
        synced: Option<&'a str>,
    ) -> StateFacts<'a> {
        StateFacts {
            problem,
            content_hash: now,
            synced_hash: synced,
            selected: false,
            manual: false,
        }
    }

    #[test]
    fn states_follow_hashes_problems_and_selection() {
        assert_eq!(
            ItemState::of(facts(None, Some("a"), None)),
            ItemState::Pending
        );
        assert_eq!(
            ItemState::of(facts(None, Some("a"), Some("a"))),
            ItemState::Synced
        );
        assert_eq!(
            ItemState::of(facts(None, Some("b"), Some("a"))),
            ItemState::Outdated
        );
        let filtered = Problem::new(ProblemKind::Filtered, "product is inactive");
        assert_eq!(
            ItemState::of(facts(Some(&filtered), None, None)),
            ItemState::FilteredOut
        );
        let bad = Problem::rejected("missing sku");
        assert_eq!(
            ItemState::of(facts(Some(&bad), None, Some("a"))),
            ItemState::Rejected
        );
        let manual = StateFacts {
            manual: true,
            ..facts(None, Some("a"), None)
        };
        assert_eq!(ItemState::of(manual), ItemState::NotSelected);
        assert_eq!(
            ItemState::of(StateFacts {
                selected: true,
                ..manual
            }),
            ItemState::Pending
        );
    }
}
