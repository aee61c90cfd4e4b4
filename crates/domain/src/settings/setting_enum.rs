//! Enums written as fixed words in configuration (`capture = "on_completion"`).
//!
//! serde's derived enum support is fine with TOML, but the `config` crate reports a misspelt
//! value as "enum X does not have variant constructor Y" without the valid words. Enums defined
//! with [`setting_enum!`] read a plain string instead, so every source gives the same message:
//! `"on_compltion" is not one of "never", "on_import", "on_completion"`.

use thiserror::Error;

/// A word that is not one of an enum's spellings.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{value:?} is not one of {}", quoted(.expected))]
pub struct UnknownSettingValue {
    /// The word given.
    pub value: String,
    /// The valid words.
    pub expected: &'static [&'static str],
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Adds `as_str`, `NAMES`, `FromStr`, `Display`, `Serialize` and `Deserialize` (from the word) to
/// a fieldless enum, given each variant's configuration word.
///
/// ```
/// #[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// enum Colour { Red, DarkBlue }
/// domain::setting_enum!(Colour { Red = "red", DarkBlue = "dark_blue" });
/// assert_eq!("dark_blue".parse::<Colour>(), Ok(Colour::DarkBlue));
/// assert_eq!(Colour::Red.to_string(), "red");
/// let err = toml::from_str::<std::collections::BTreeMap<String, Colour>>("c = \"green\"").unwrap_err();
/// assert!(err.to_string().contains("\"green\" is not one of \"red\", \"dark_blue\""));
/// ```
#[macro_export]
macro_rules! setting_enum {
    ($ty:ident { $($variant:ident = $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every configuration word, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($name),+];

            /// The configuration word.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name),+
                }
            }
        }

        impl ::core::str::FromStr for $ty {
            type Err = $crate::settings::UnknownSettingValue;
            fn from_str(text: &str) -> ::core::result::Result<Self, Self::Err> {
                match text {
                    $($name => ::core::result::Result::Ok(Self::$variant),)+
                    _ => ::core::result::Result::Err($crate::settings::UnknownSettingValue {
                        value: text.to_owned(),
                        expected: Self::NAMES,
                    }),
                }
            }
        }

        impl ::core::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__serde::Serialize for $ty {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: $crate::__serde::Serializer,
            {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $ty {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: $crate::__serde::Deserializer<'de>,
            {
                let text = <::std::string::String as $crate::__serde::Deserialize>::deserialize(
                    deserializer,
                )?;
                text.parse().map_err(<D::Error as $crate::__serde::de::Error>::custom)
            }
        }
    };
}
