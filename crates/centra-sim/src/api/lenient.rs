//! Lenient request values, as Centra's PHP backend accepts them.
//!
//! The published request examples send the same field as a string in one place and a number in
//! another (`"order": "83651"` in complete-shipment, `"order": 83651` in create-shipment;
//! `"qty": "1"` in create-return) and flags as `1`, `true` or `"1"`. These wrappers accept every
//! such spelling, so the simulator refuses only what Centra would refuse.

use serde::{Deserialize, Deserializer, de::Error as _};
use serde_json::Value;

/// A flag sent as `true`/`false`, `1`/`0` or `"1"`/`"0"`/`"true"`/`"false"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Bool(b) => Ok(Flag(b)),
            Value::Number(n) => Ok(Flag(n.as_f64().is_some_and(|v| v != 0.0))),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" => Ok(Flag(true)),
                "0" | "false" | "no" | "" => Ok(Flag(false)),
                other => Err(D::Error::custom(format!("expected a flag, got {other:?}"))),
            },
            other => Err(D::Error::custom(format!("expected a flag, got {other}"))),
        }
    }
}

/// A whole number sent as a number or a numeric string (`1`, `"1"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count(pub i64);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        count_of(&value)
            .map(Count)
            .ok_or_else(|| D::Error::custom(format!("expected a whole number, got {value}")))
    }
}

/// The whole number in `value`, when it holds one (number or numeric string).
pub fn count_of(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A text sent as a string or a number (ids: `"83651"` or `83651`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(Text(s)),
            Value::Number(n) => Ok(Text(n.to_string())),
            other => Err(D::Error::custom(format!("expected a string, got {other}"))),
        }
    }
}

/// A decimal sent as a number or a numeric string (`12.54`, `"12.54"`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decimal(pub f64);

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Number(n) => n
                .as_f64()
                .map(Decimal)
                .ok_or_else(|| D::Error::custom("number out of range")),
            Value::String(s) => s
                .trim()
                .parse()
                .map(Decimal)
                .map_err(|_| D::Error::custom(format!("expected a number, got {s:?}"))),
            other => Err(D::Error::custom(format!("expected a number, got {other}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_accept_every_published_spelling() {
        for (raw, expected) in [
            ("true", true),
            ("1", true),
            ("\"1\"", true),
            ("\"true\"", true),
            ("false", false),
            ("0", false),
            ("\"0\"", false),
        ] {
            let flag: Flag = serde_json::from_str(raw).expect(raw);
            assert_eq!(flag.0, expected, "{raw}");
        }
        assert!(serde_json::from_str::<Flag>("\"maybe\"").is_err());
    }

    #[test]
    fn counts_accept_numbers_and_numeric_strings() {
        assert_eq!(serde_json::from_str::<Count>("3").ok(), Some(Count(3)));
        assert_eq!(serde_json::from_str::<Count>("\"3\"").ok(), Some(Count(3)));
        assert!(serde_json::from_str::<Count>("\"three\"").is_err());
        assert!(serde_json::from_str::<Count>("1.5").is_err());
    }

    #[test]
    fn texts_accept_numbers() {
        assert_eq!(
            serde_json::from_str::<Text>("83651").ok(),
            Some(Text("83651".into()))
        );
    }
}
