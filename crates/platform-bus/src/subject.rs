//! Subjects and names, checked the way NATS checks them.
//!
//! Both adapters validate with these rules so that a message the embedded bus accepts is one
//! JetStream accepts too: moving a deployment from the embedded runtime to NATS must not turn
//! good input into rejected input.
//!
//! Layout:
//! - `validate_subject` / `validate_filter`: publish subjects (no wildcards) and filters;
//! - `validate_name`: stream and durable consumer names;
//! - `filter_matches`: NATS wildcard matching (`*` one token, `>` one or more trailing tokens).

use crate::port::BusError;

/// Rejects a subject a publisher may not use: empty tokens, whitespace or wildcards.
pub fn validate_subject(what: &str, subject: &str) -> Result<(), BusError> {
    check_tokens(what, subject)?;
    if subject.split('.').any(|t| t == "*" || t == ">") {
        return Err(rejected(
            what,
            format!("subject {subject:?} contains a wildcard"),
        ));
    }
    Ok(())
}

/// Rejects a filter that NATS would refuse: `>` anywhere but last, or malformed tokens.
pub fn validate_filter(what: &str, filter: &str) -> Result<(), BusError> {
    check_tokens(what, filter)?;
    let tokens: Vec<&str> = filter.split('.').collect();
    let last = tokens.len() - 1;
    for (i, token) in tokens.iter().enumerate() {
        if *token == ">" && i != last {
            return Err(rejected(
                what,
                format!("filter {filter:?} has `>` before its last token"),
            ));
        }
        if token.len() > 1 && token.contains(['*', '>']) {
            return Err(rejected(
                what,
                format!("filter {filter:?} mixes a wildcard with other characters in {token:?}"),
            ));
        }
    }
    Ok(())
}

/// Rejects a stream or durable name NATS would refuse (it becomes a subject token there).
pub fn validate_name(what: &str, name: &str) -> Result<(), BusError> {
    if name.is_empty() {
        return Err(rejected(what, "name is empty".to_owned()));
    }
    if name
        .contains(|c: char| c == '.' || c == '*' || c == '>' || c.is_whitespace() || c.is_control())
    {
        return Err(rejected(
            what,
            format!("name {name:?} contains `.`, `*`, `>` or whitespace"),
        ));
    }
    Ok(())
}

/// True when `subject` falls under `filter` with NATS wildcard rules.
pub fn filter_matches(filter: &str, subject: &str) -> bool {
    let mut filter_tokens = filter.split('.');
    let mut subject_tokens = subject.split('.');
    loop {
        match (filter_tokens.next(), subject_tokens.next()) {
            (Some(">"), Some(_)) => return true,
            (Some("*"), Some(_)) => {}
            (Some(f), Some(s)) if f == s => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

fn check_tokens(what: &str, subject: &str) -> Result<(), BusError> {
    if subject.is_empty() {
        return Err(rejected(what, "subject is empty".to_owned()));
    }
    if subject.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return Err(rejected(
            what,
            format!("subject {subject:?} contains whitespace"),
        ));
    }
    if subject.split('.').any(str::is_empty) {
        return Err(rejected(
            what,
            format!("subject {subject:?} has an empty token"),
        ));
    }
    Ok(())
}

fn rejected(what: &str, reason: String) -> BusError {
    BusError::rejected(what.to_owned(), reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_exactly_one_token() {
        assert!(filter_matches("orders.*", "orders.created"));
        assert!(!filter_matches("orders.*", "orders"));
        assert!(!filter_matches("orders.*", "orders.created.eu"));
        assert!(filter_matches("*.created", "orders.created"));
        assert!(filter_matches("a.*.c", "a.b.c"));
        assert!(!filter_matches("a.*.c", "a.b.d"));
    }

    #[test]
    fn gt_matches_one_or_more_trailing_tokens() {
        assert!(filter_matches("stock.>", "stock.eu"));
        assert!(filter_matches("stock.>", "stock.eu.changed"));
        assert!(!filter_matches("stock.>", "stock"));
        assert!(filter_matches(">", "anything.at.all"));
    }

    #[test]
    fn literal_filters_match_only_themselves() {
        assert!(filter_matches("orders.created", "orders.created"));
        assert!(!filter_matches("orders.created", "orders.created.x"));
        assert!(!filter_matches("orders.created.x", "orders.created"));
        assert!(!filter_matches("orders.create", "orders.created"));
    }

    #[test]
    fn publish_subjects_reject_wildcards_and_empty_tokens() {
        assert!(validate_subject("m", "centra.shop1.shipment").is_ok());
        assert!(validate_subject("m", "centra.*").is_err());
        assert!(validate_subject("m", "centra.>").is_err());
        assert!(validate_subject("m", "centra..x").is_err());
        assert!(validate_subject("m", ".x").is_err());
        assert!(validate_subject("m", "").is_err());
        assert!(validate_subject("m", "a b").is_err());
    }

    #[test]
    fn filters_allow_wildcards_in_their_place_only() {
        assert!(validate_filter("f", "a.*.c").is_ok());
        assert!(validate_filter("f", "a.>").is_ok());
        assert!(validate_filter("f", "a.>.c").is_err());
        assert!(validate_filter("f", "a.b*").is_err());
        assert!(validate_filter("f", "a.").is_err());
    }

    #[test]
    fn names_reject_subject_characters() {
        assert!(validate_name("n", "order-sync_1").is_ok());
        assert!(validate_name("n", "order.sync").is_err());
        assert!(validate_name("n", "a b").is_err());
        assert!(validate_name("n", "").is_err());
        assert!(validate_name("n", "x*").is_err());
    }
}
