//! Why a record is parked for a person instead of being synced.
//!
//! Parking is the terminal outcome of a rule (not an I/O failure): the record stays visible with
//! its reason in the dead-letter list and can be retried from the CLI once the cause is fixed.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::order::LineId;

/// The reason a shipment or order is not (yet) sent to the warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ParkReason {
    /// `import_filter = "only_paid"` and the shipment is not paid.
    #[error("shipment is not paid and only paid shipments are imported")]
    NotPaid,
    /// The shipment is not good to go.
    #[error("shipment is not good to go")]
    NotGoodToGo,
    /// Capture was required before import and failed; Centra: do not ship (possible fraud).
    #[error("capture failed: {message}")]
    CaptureFailed {
        /// Centra's message.
        message: String,
    },
    /// Some lines have no article number; nothing is half-imported.
    #[error("{}", describe_lines(.lines))]
    UnresolvedArticles {
        /// Each bad line with its problem.
        lines: Vec<LineProblem>,
    },
    /// The shipment has no lines.
    #[error("shipment has no lines")]
    NoLines,
}

/// One line that could not be mapped, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineProblem {
    /// Centra line id.
    pub line_id: LineId,
    /// What is wrong (e.g. `missing variant sku`).
    pub problem: String,
}

fn describe_lines(lines: &[LineProblem]) -> String {
    lines
        .iter()
        .map(|l| format!("line {}: {}", l.line_id, l.problem))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unresolved_articles_lists_every_line() {
        let reason = ParkReason::UnresolvedArticles {
            lines: vec![
                LineProblem {
                    line_id: LineId::new("1"),
                    problem: "missing sku".into(),
                },
                LineProblem {
                    line_id: LineId::new("2"),
                    problem: "missing ean".into(),
                },
            ],
        };
        assert_eq!(
            reason.to_string(),
            "line 1: missing sku; line 2: missing ean"
        );
    }
}
