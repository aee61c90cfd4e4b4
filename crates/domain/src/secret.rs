//! A credential that can be carried around but never printed.
//!
//! Config is dumped (`config check`), logged and put in error messages; a secret must survive all
//! of that without leaking. `Secret` therefore prints `***` in `Debug`, `Display` and when
//! serialized, and the only way to read the value is the explicit [`Secret::expose`].

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// What every rendering of a secret shows instead of the value.
pub const MASK: &str = "***";

/// A credential (API secret, password, token). See the module docs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Reads the value. Call this only where the value leaves the process (an HTTP header, an
    /// HMAC key), never to log or format it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the value is empty or only whitespace (a placeholder left in a config file).
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// Serializing writes the mask: a serialized secret is always a rendering for people (effective
/// config, debug dumps), never a way to move the credential.
impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(MASK)
    }
}

/// Deserializes from a string. Numbers are accepted and kept as their text, so that a numeric
/// password neither fails nor ends up quoted in a serde "invalid type" message.
impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SecretVisitor)
    }
}

struct SecretVisitor;

impl de::Visitor<'_> for SecretVisitor {
    type Value = Secret;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a secret string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Secret, E> {
        Ok(Secret::new(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Secret, E> {
        Ok(Secret(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Secret, E> {
        Ok(Secret(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Secret, E> {
        Ok(Secret(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Secret, E> {
        Ok(Secret(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, _v: bool) -> Result<Secret, E> {
        Err(E::custom("expected a secret string, found a boolean"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUE: &str = "hunter2-very-secret";

    #[test]
    fn debug_display_and_format_never_show_the_value() {
        let secret = Secret::new(VALUE);
        for rendered in [
            format!("{secret}"),
            format!("{secret:?}"),
            format!("{secret:#?}"),
            format!("{secret:>40}"),
            secret.to_string(),
        ] {
            assert!(!rendered.contains(VALUE), "leaked in {rendered:?}");
            assert!(rendered.contains(MASK));
        }
    }

    #[test]
    fn a_struct_holding_a_secret_does_not_leak_it_in_debug() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            secret: Secret,
        }
        let rendered = format!(
            "{:?}",
            Holder {
                secret: Secret::new(VALUE)
            }
        );
        assert!(!rendered.contains(VALUE));
    }

    #[test]
    fn expose_returns_the_value() {
        assert_eq!(Secret::new(VALUE).expose(), VALUE);
    }

    #[test]
    fn serializes_as_mask_and_deserializes_from_a_string() {
        let secret = Secret::new(VALUE);
        let json = serde_json::to_string(&secret).expect("serialize");
        assert_eq!(json, "\"***\"");
        let back: Secret = serde_json::from_str(&format!("\"{VALUE}\"")).expect("deserialize");
        assert_eq!(back.expose(), VALUE);
    }

    #[test]
    fn a_numeric_secret_is_kept_as_text_without_an_error() {
        let back: Secret = serde_json::from_str("123456").expect("deserialize");
        assert_eq!(back.expose(), "123456");
    }

    #[test]
    fn blank_detects_placeholders() {
        assert!(Secret::new("  ").is_blank());
        assert!(!Secret::new("x").is_blank());
    }
}
