//! How many units one line may carry. Centra and the WMS APIs send quantities as plain
//! integers with no documented bound; a negative one, or one beyond any real order (a typo, a
//! unit mix-up, an overflow upstream), must stop at the door with the line named, never
//! become a 4-billion-item WMS line or a silent 0.

/// The most units one order, purchase-order or return line may carry. Far above any real
/// webshop line (a wholesale pallet is a few thousand), far below what breaks an integer.
pub const MAX_LINE_QUANTITY: u32 = 1_000_000;

/// Why a quantity was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("{0} is negative")]
    Negative(i64),
    #[error("{0} is more than {MAX_LINE_QUANTITY}, the most one line may carry")]
    TooLarge(i64),
}

/// `value` units of one line, when `0..=MAX_LINE_QUANTITY`.
///
/// # Errors
/// [`QuantityError::Negative`] below 0, [`QuantityError::TooLarge`] above
/// [`MAX_LINE_QUANTITY`].
pub fn line_quantity(value: i64) -> Result<u32, QuantityError> {
    if value < 0 {
        return Err(QuantityError::Negative(value));
    }
    u32::try_from(value)
        .ok()
        .filter(|units| *units <= MAX_LINE_QUANTITY)
        .ok_or(QuantityError::TooLarge(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_bounds_are_named() {
        assert_eq!(line_quantity(0), Ok(0));
        assert_eq!(line_quantity(1_000_000), Ok(1_000_000));
        assert_eq!(
            line_quantity(1_000_001),
            Err(QuantityError::TooLarge(1_000_001))
        );
        assert_eq!(
            line_quantity(5_000_000_000),
            Err(QuantityError::TooLarge(5_000_000_000))
        );
        assert_eq!(line_quantity(-1), Err(QuantityError::Negative(-1)));
        assert_eq!(
            QuantityError::TooLarge(5_000_000_000).to_string(),
            "5000000000 is more than 1000000, the most one line may carry"
        );
    }

    proptest! {
        #[test]
        fn accepted_quantities_are_exactly_the_bounded_ones(value in any::<i64>()) {
            match line_quantity(value) {
                Ok(units) => prop_assert_eq!(i64::from(units), value),
                Err(QuantityError::Negative(v)) => prop_assert!(v < 0 && v == value),
                Err(QuantityError::TooLarge(v)) => {
                    prop_assert!(v > i64::from(MAX_LINE_QUANTITY) && v == value)
                }
            }
        }
    }
}
