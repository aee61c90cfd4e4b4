//! Why a size item is not (or no longer) an article in the WMS, in words a person can act on.

use std::fmt;

/// The class of a problem: decides the listed state and whether it is bad data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// Left out on purpose by the article filter (an inactive product).
    Filtered,
    /// The Centra data cannot make an article (missing SKU part, bad EAN, negative weight, ...).
    Rejected,
    /// Two size items map to the same article number.
    Collision,
    /// The WMS refused the article.
    Refused,
    /// The size item is no longer in Centra's product list.
    Removed,
}

impl ProblemKind {
    /// True when the item is left out on purpose (inactive, or gone from Centra): an article
    /// already in the WMS for it is written once more, as inactive, instead of being left
    /// active there.
    pub fn retires_article(self) -> bool {
        matches!(self, Self::Filtered | Self::Removed)
    }

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Filtered => "filtered",
            Self::Rejected => "rejected",
            Self::Collision => "collision",
            Self::Refused => "refused",
            Self::Removed => "removed",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "filtered" => Some(Self::Filtered),
            "rejected" => Some(Self::Rejected),
            "collision" => Some(Self::Collision),
            "refused" => Some(Self::Refused),
            "removed" => Some(Self::Removed),
            _ => None,
        }
    }
}

/// A problem with one size item: its class and a readable reason naming the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Its class.
    pub kind: ProblemKind,
    /// E.g. `missing size sku`, `ean 123 is not a valid gtin: ...`, `weight -1 kg is negative`.
    pub reason: String,
}

impl Problem {
    /// A problem of `kind` for `reason`.
    pub fn new(kind: ProblemKind, reason: impl Into<String>) -> Self {
        Self {
            kind,
            reason: reason.into(),
        }
    }

    /// Bad Centra data (not a filter decision).
    pub fn rejected(reason: impl Into<String>) -> Self {
        Self::new(ProblemKind::Rejected, reason)
    }

    /// True for bad data a person should fix (everything but the filter and a removal).
    pub fn needs_a_person(&self) -> bool {
        !self.kind.retires_article()
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}
