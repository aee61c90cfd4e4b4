//! The one error of every record's state machine, in every sync service: order-sync's
//! shipments, orders and supplier deliveries, returns-sync's returns. A state machine says
//! which changes it allows (`can_become`, in the service's `rules/`); a record's methods are
//! the only way to change its state and answer this error for a change that is not allowed.

/// A change a state machine does not allow: a fault in a handler or a rule, never of the input;
/// the record stays as it was and the message is kept for a person (a dead letter).
///
/// The states are kept as stored (`as_str`), so one type serves every state machine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{record}: {from} cannot become {to}")]
pub struct IllegalTransition {
    /// The record, kind first: `shipment shop1/123`, `order shop1/83651`, `return 100:a`.
    pub record: String,
    /// The state the record is in (as stored).
    pub from: &'static str,
    /// The state it was asked to become (as stored).
    pub to: &'static str,
}

impl IllegalTransition {
    pub fn new(record: impl Into<String>, from: &'static str, to: &'static str) -> Self {
        Self {
            record: record.into(),
            from,
            to,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_record_and_both_states() {
        let error = IllegalTransition::new("order shop1/83651", "imported", "parked");
        assert_eq!(
            error.to_string(),
            "order shop1/83651: imported cannot become parked"
        );
    }
}
