//! GTIN (EAN/UPC) bar codes with their check digit verified.
//!
//! Centra's `ean` field is free text; only a [`Gtin`] that passed [`Gtin::parse`] may become an
//! article number or a receiving key. GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) and GTIN-14 are
//! accepted; the last digit must be the GS1 mod-10 check digit of the others.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

/// The lengths GS1 defines for a GTIN.
pub const GTIN_LENGTHS: [usize; 4] = [8, 12, 13, 14];

/// A GTIN with a valid check digit, stored as its digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gtin(String);

/// Centra and most shops call every GTIN an EAN.
pub type Ean = Gtin;

/// Why a text is not a GTIN. Displays as `ean <value> is not a valid gtin: <reason>`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("ean {value} is not a valid gtin: {reason}")]
pub struct GtinError {
    /// The rejected text (trimmed).
    pub value: String,
    /// What is wrong with it.
    pub reason: GtinProblem,
}

/// What exactly is wrong with a would-be GTIN.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GtinProblem {
    /// Empty input.
    #[error("it is empty")]
    Empty,
    /// Something other than the digits 0-9.
    #[error("it contains {0:?}, a gtin has only digits")]
    NotDigits(char),
    /// Not 8, 12, 13 or 14 digits.
    #[error("it has {0} digits, a gtin has 8, 12, 13 or 14")]
    Length(usize),
    /// The last digit is not the check digit of the others.
    #[error("check digit is {found}, expected {expected}")]
    CheckDigit {
        /// The last digit of the input.
        found: u8,
        /// The digit GS1's algorithm gives.
        expected: u8,
    },
}

impl Gtin {
    /// Parses a GTIN; surrounding whitespace is ignored.
    pub fn parse(input: &str) -> Result<Self, GtinError> {
        let value = input.trim();
        let fail = |reason| GtinError {
            value: value.to_owned(),
            reason,
        };
        if value.is_empty() {
            return Err(fail(GtinProblem::Empty));
        }
        if let Some(c) = value.chars().find(|c| !c.is_ascii_digit()) {
            return Err(fail(GtinProblem::NotDigits(c)));
        }
        if !GTIN_LENGTHS.contains(&value.len()) {
            return Err(fail(GtinProblem::Length(value.len())));
        }
        let (body, check) = value.split_at(value.len() - 1);
        let found = check.as_bytes()[0] - b'0';
        let expected = check_digit(body);
        if found != expected {
            return Err(fail(GtinProblem::CheckDigit { found, expected }));
        }
        Ok(Self(value.to_owned()))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// GS1 mod-10 check digit of `body` (all digits, the GTIN without its last digit): from the
/// right, digits are weighted 3, 1, 3, 1, ...
pub fn check_digit(body: &str) -> u8 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let digit = u32::from(b.wrapping_sub(b'0'));
            if i % 2 == 0 { digit * 3 } else { digit }
        })
        .sum();
    // The value is below 10, so the narrowing cannot truncate.
    ((10 - sum % 10) % 10) as u8
}

impl fmt::Display for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Gtin {
    type Err = GtinError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Gtin {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Gtin {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_real_codes_of_every_length() {
        for code in [
            "96385074",
            "036000291452",
            "4006381333931",
            "10012345678902",
        ] {
            assert_eq!(Gtin::parse(code).expect(code).as_str(), code);
        }
        assert_eq!(
            Gtin::parse(" 4006381333931 ").expect("trim").as_str(),
            "4006381333931"
        );
    }

    #[test]
    fn rejects_with_a_precise_reason() {
        assert_eq!(
            Gtin::parse("123").expect_err("short").to_string(),
            "ean 123 is not a valid gtin: it has 3 digits, a gtin has 8, 12, 13 or 14"
        );
        assert_eq!(
            Gtin::parse("4006381333932").expect_err("check").to_string(),
            "ean 4006381333932 is not a valid gtin: check digit is 2, expected 1"
        );
        assert_eq!(
            Gtin::parse("40063813339a1").expect_err("letter").reason,
            GtinProblem::NotDigits('a')
        );
        assert_eq!(
            Gtin::parse("").expect_err("empty").reason,
            GtinProblem::Empty
        );
    }

    fn body_and_len() -> impl Strategy<Value = String> {
        prop::sample::select(GTIN_LENGTHS.to_vec())
            .prop_flat_map(|len| prop::collection::vec(0u8..10, len - 1))
            .prop_map(|digits| digits.iter().map(|d| char::from(b'0' + d)).collect())
    }

    proptest! {
        #[test]
        fn body_plus_its_check_digit_is_valid_and_round_trips(body in body_and_len()) {
            let code = format!("{body}{}", check_digit(&body));
            let gtin = Gtin::parse(&code).expect("valid by construction");
            prop_assert_eq!(gtin.to_string(), code);
            let json = serde_json::to_string(&gtin).expect("serialize");
            let back: Gtin = serde_json::from_str(&json).expect("deserialize");
            prop_assert_eq!(back, gtin);
        }

        #[test]
        fn changing_any_single_digit_breaks_the_check(body in body_and_len(), pos in any::<prop::sample::Index>(), delta in 1u8..10) {
            let code = format!("{body}{}", check_digit(&body));
            let i = pos.index(code.len());
            let mut bytes = code.into_bytes();
            bytes[i] = b'0' + (bytes[i] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).expect("ascii");
            prop_assert!(Gtin::parse(&changed).is_err(), "{} accepted", changed);
        }

        #[test]
        fn wrong_lengths_are_rejected(digits in "[0-9]{1,20}") {
            prop_assume!(!GTIN_LENGTHS.contains(&digits.len()));
            prop_assert_eq!(Gtin::parse(&digits).expect_err("length").reason, GtinProblem::Length(digits.len()));
        }
    }
}
