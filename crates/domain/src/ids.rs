//! Centra's numeric and `<number>-<number>` identifiers, parsed strictly.
//!
//! Centra sends ids as strings or numbers (`"83651"`, `83651`, `"83651-1"`). The gateway turns
//! both into text; this module turns text into typed ids and rejects anything else with an error
//! that quotes the input and says which part is wrong. Parsing is exact: `to_string()` of a parsed
//! id gives back the input (no signs, no leading zeros, no whitespace).

use thiserror::Error;

/// Why a Centra id could not be parsed. `kind` names the id ("shipment id", "order id", ...).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdError {
    /// The input was empty or only whitespace.
    #[error("{kind} is empty")]
    Empty {
        /// Which id.
        kind: &'static str,
    },
    /// A number part was not a positive decimal number.
    #[error("{kind} {input:?}: {part} {value:?} is not a positive number")]
    NotANumber {
        /// Which id.
        kind: &'static str,
        /// The whole input.
        input: String,
        /// Which part ("order id", "shipment number", ...).
        part: &'static str,
        /// The offending part.
        value: String,
    },
    /// A number part had a leading zero, so it would not print back the same.
    #[error("{kind} {input:?}: {part} {value:?} has a leading zero")]
    LeadingZero {
        /// Which id.
        kind: &'static str,
        /// The whole input.
        input: String,
        /// Which part.
        part: &'static str,
        /// The offending part.
        value: String,
    },
    /// A dashed id had no `-`.
    #[error("{kind} {input:?} is not <{first}>-<{second}> (no \"-\")")]
    MissingDash {
        /// Which id.
        kind: &'static str,
        /// The whole input.
        input: String,
        /// Name of the part before the dash.
        first: &'static str,
        /// Name of the part after the dash.
        second: &'static str,
    },
}

/// Parses a positive decimal number without sign, whitespace or leading zero.
pub(crate) fn parse_positive(
    kind: &'static str,
    input: &str,
    part: &'static str,
    value: &str,
) -> Result<u64, IdError> {
    let not_a_number = || IdError::NotANumber {
        kind,
        input: input.to_owned(),
        part,
        value: value.to_owned(),
    };
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_a_number());
    }
    if value.starts_with('0') {
        if value.bytes().all(|b| b == b'0') {
            return Err(not_a_number());
        }
        return Err(IdError::LeadingZero {
            kind,
            input: input.to_owned(),
            part,
            value: value.to_owned(),
        });
    }
    value.parse::<u64>().map_err(|_| not_a_number())
}

/// Parses a single positive number id such as an order id.
pub(crate) fn parse_single(kind: &'static str, input: &str) -> Result<u64, IdError> {
    if input.trim().is_empty() {
        return Err(IdError::Empty { kind });
    }
    parse_positive(kind, input, kind, input)
}

/// Parses `<first>-<second>`, e.g. a shipment id `83651-1` or a delivery id `957-1`.
pub(crate) fn parse_dashed(
    kind: &'static str,
    input: &str,
    first: &'static str,
    second: &'static str,
) -> Result<(u64, u32), IdError> {
    if input.trim().is_empty() {
        return Err(IdError::Empty { kind });
    }
    let Some((head, tail)) = input.split_once('-') else {
        return Err(IdError::MissingDash {
            kind,
            input: input.to_owned(),
            first,
            second,
        });
    };
    let head = parse_positive(kind, input, first, head)?;
    let tail = parse_positive(kind, input, second, tail)?;
    let tail = u32::try_from(tail).map_err(|_| IdError::NotANumber {
        kind,
        input: input.to_owned(),
        part: second,
        value: tail.to_string(),
    })?;
    Ok((head, tail))
}

/// Implements `Display`, `FromStr`, `Serialize` (as text) and `Deserialize` (from text or a
/// number) for an id type that has `parse(&str)` and `Display`.
macro_rules! text_id_serde {
    ($ty:ty, $expecting:literal) => {
        impl std::str::FromStr for $ty {
            type Err = $crate::ids::IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        <$ty>::parse(v).map_err(E::custom)
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<$ty, E> {
                        <$ty>::parse(&v.to_string()).map_err(E::custom)
                    }
                    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<$ty, E> {
                        <$ty>::parse(&v.to_string()).map_err(E::custom)
                    }
                }
                deserializer.deserialize_any(Visitor)
            }
        }
    };
}
pub(crate) use text_id_serde;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_rejects_signs_zero_and_padding() {
        assert_eq!(parse_single("order id", "83651"), Ok(83651));
        for bad in ["+1", "-1", " 1", "1 ", "0", "abc", "1.0"] {
            assert!(parse_single("order id", bad).is_err(), "{bad} accepted");
        }
        assert!(matches!(
            parse_single("order id", "007"),
            Err(IdError::LeadingZero { .. })
        ));
        assert_eq!(
            parse_single("order id", " "),
            Err(IdError::Empty { kind: "order id" })
        );
    }

    #[test]
    fn dashed_names_the_bad_part() {
        assert_eq!(
            parse_dashed("shipment id", "83651-1", "order id", "shipment number"),
            Ok((83651, 1))
        );
        let err = parse_dashed("shipment id", "83651-x", "order id", "shipment number")
            .expect_err("bad number");
        assert_eq!(
            err.to_string(),
            "shipment id \"83651-x\": shipment number \"x\" is not a positive number"
        );
        let err = parse_dashed("shipment id", "83651", "order id", "shipment number")
            .expect_err("no dash");
        assert_eq!(
            err.to_string(),
            "shipment id \"83651\" is not <order id>-<shipment number> (no \"-\")"
        );
        let err = parse_dashed("shipment id", "1-2-3", "order id", "shipment number")
            .expect_err("two dashes");
        assert!(err.to_string().contains("shipment number \"2-3\""));
        let err = parse_dashed(
            "shipment id",
            "1-99999999999",
            "order id",
            "shipment number",
        )
        .expect_err("too big");
        assert!(err.to_string().contains("shipment number"));
    }
}
