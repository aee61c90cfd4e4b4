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

/// Why a delivery is parked, typed so the flow names a case rather than writing prose; the
/// text is the record's reason a person reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryHold {
    /// Lines without an article number under the tenant's rule: `(row, problem)`; no purchase
    /// order is sent half.
    #[error("{}", describe_rows(.lines))]
    UnresolvedLines { lines: Vec<(u32, String)> },
    /// The WMS lacks `articles` (the typed `ARTICLE_MISSING` refusal); sent again once they
    /// are synced.
    #[error(
        "waiting for articles to reach the warehouse: {} (the warehouse refused the purchase order: {message})",
        .articles.join(", ")
    )]
    ArticlesMissing {
        articles: Vec<String>,
        message: String,
    },
    /// The warehouse refused the purchase order for another reason (in its own words).
    #[error("the warehouse refused the purchase order: {message}")]
    WmsRefused { message: String },
    /// Centra refused to accept the delivery (in its own words).
    #[error("centra refused the acceptance: {message}")]
    CentraRefused { message: String },
}

fn describe_rows(lines: &[(u32, String)]) -> String {
    lines
        .iter()
        .map(|(row, problem)| format!("line {row}: {problem}"))
        .collect::<Vec<_>>()
        .join("; ")
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

    /// Every hold with the words a person reads on the delivery record (as the flow wrote
    /// them while it formatted them itself).
    #[test]
    fn every_hold_reads_as_before() {
        let table = [
            (
                DeliveryHold::UnresolvedLines {
                    lines: vec![(1, "missing sku".into()), (3, "missing ean".into())],
                },
                "line 1: missing sku; line 3: missing ean",
            ),
            (
                DeliveryHold::ArticlesMissing {
                    articles: vec!["ABC".into(), "ABD".into()],
                    message: "Artikel fehlt".into(),
                },
                "waiting for articles to reach the warehouse: ABC, ABD (the warehouse refused \
                 the purchase order: Artikel fehlt)",
            ),
            (
                DeliveryHold::WmsRefused {
                    message: "bad date".into(),
                },
                "the warehouse refused the purchase order: bad date",
            ),
            (
                DeliveryHold::CentraRefused {
                    message: "unknown delivery".into(),
                },
                "centra refused the acceptance: unknown delivery",
            ),
        ];
        for (hold, text) in table {
            assert_eq!(hold.to_string(), text, "{hold:?}");
        }
    }
}
