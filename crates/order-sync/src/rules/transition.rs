//! The one error of every state machine of the service: shipments ([`super::ShipmentState`]),
//! orders ([`super::OrderState`]) and supplier deliveries ([`super::DeliveryState`]).

/// A change a state machine does not allow: a fault in a handler or a rule, never of the input;
/// the record stays as it was and the message is kept for a person (a dead letter).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{record}: {from} cannot become {to}")]
pub struct IllegalTransition {
    /// The record, kind first: `shipment shop1/123`, `order shop1/83651`, `delivery S957-1`.
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
