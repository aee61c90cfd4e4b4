//! Quantities read from Ongoing (decimals in JSON) as whole, non-negative item counts, with an
//! error naming the record and the field when one is not.

use crate::client::OngoingError;

/// `value` as a whole number of items; missing counts as 0.
pub(crate) fn items(record: &str, field: &str, value: Option<f64>) -> Result<i64, OngoingError> {
    let value = value.unwrap_or(0.0);
    if !value.is_finite() {
        return Err(OngoingError::invalid(
            record,
            field,
            format!("{value} is not a number"),
        ));
    }
    if value < 0.0 {
        return Err(OngoingError::invalid(
            record,
            field,
            format!("negative quantity {value}"),
        ));
    }
    if value.fract() != 0.0 {
        return Err(OngoingError::invalid(
            record,
            field,
            format!("{value} is not a whole number of items"),
        ));
    }
    // Whole, finite and non-negative: the cast is exact up to 2^53.
    #[allow(clippy::cast_possible_truncation)]
    Ok(value as i64)
}

/// [`items`] of one order or purchase-order line: also at most [`domain::MAX_LINE_QUANTITY`]
/// (stock levels, read with [`items`], have no such bound).
pub(crate) fn line_items(
    record: &str,
    field: &str,
    value: Option<f64>,
) -> Result<i64, OngoingError> {
    let units = items(record, field, value)?;
    if units > i64::from(domain::MAX_LINE_QUANTITY) {
        return Err(OngoingError::invalid(
            record,
            field,
            format!(
                "quantity {units} is more than {}, the most one line may carry",
                domain::MAX_LINE_QUANTITY
            ),
        ));
    }
    Ok(units)
}

/// Like [`items`] but allows negative values (Ongoing's `sellableNumberOfItems`).
pub(crate) fn signed_items(
    record: &str,
    field: &str,
    value: Option<f64>,
) -> Result<i64, OngoingError> {
    let value = value.unwrap_or(0.0);
    if !value.is_finite() || value.fract() != 0.0 {
        return Err(OngoingError::invalid(
            record,
            field,
            format!("{value} is not a whole number of items"),
        ));
    }
    #[allow(clippy::cast_possible_truncation)]
    Ok(value as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_non_negative_counts_only() {
        assert_eq!(items("order A", "x", Some(3.0)).expect("ok"), 3);
        assert_eq!(items("order A", "x", None).expect("ok"), 0);
        let err = items("order A", "orderLines[1].pickedNumberOfItems", Some(-1.0))
            .expect_err("negative");
        assert_eq!(
            err.to_string(),
            "order A: field orderLines[1].pickedNumberOfItems: negative quantity -1"
        );
        assert!(items("order A", "x", Some(1.5)).is_err());
        assert_eq!(
            items("article A", "x", Some(2e6)).expect("stock"),
            2_000_000
        );
        assert_eq!(
            line_items("order A", "x", Some(2e6))
                .expect_err("absurd")
                .to_string(),
            "order A: field x: quantity 2000000 is more than 1000000, the most one line may carry"
        );
        assert_eq!(signed_items("article A", "s", Some(-4.0)).expect("ok"), -4);
    }
}
