//! Reading a configuration section so that *every* problem is reported, not just the first.
//!
//! Serde stops at the first error. Configuration should instead list everything wrong at once
//! (`settings.capture: unknown variant ...`, `settings.centra_time_zone: ...`, ...). A section is
//! therefore first read into a *draft* whose fields are `Option<Lenient<T>>`: a [`Lenient`] never
//! fails, it keeps either the value or the error text. [`lenient_section!`] generates such drafts
//! (including the list of unknown keys), and [`FieldReport`] turns them into values plus
//! [`SettingsError`]s that name the key.
//!
//! `Lenient` relies on the deserializer handing each value over as a self-contained tree (as the
//! `config` and `toml` crates do), so that a failed value does not disturb the rest of the map.
//! With a streaming deserializer (serde_json) the outer read may still fail, just less precisely.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// One problem in the configuration: the key path (`settings.catalog_endpoint`) and what is
/// wrong with it. Displays as `key: problem`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SettingsError {
    /// Dotted key path, with `[i]` for list items.
    pub key: String,
    /// What is wrong, in lowercase prose.
    pub problem: String,
}

impl SettingsError {
    /// Builds an error.
    pub fn new(key: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.problem)
    }
}

impl std::error::Error for SettingsError {}

/// Several problems; displays one per line. Used where serde needs a single error type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsErrors(pub Vec<SettingsError>);

impl fmt::Display for SettingsErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SettingsErrors {}

/// A value that deserialized, or the reason it did not. Deserializing a `Lenient` never fails.
#[derive(Debug, Clone, PartialEq)]
pub struct Lenient<T>(pub Result<T, String>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self(
            T::deserialize(deserializer).map_err(|e| e.to_string().trim_end().to_owned()),
        ))
    }
}

/// Collects the problems of one draft section while taking its values out.
#[derive(Debug)]
pub struct FieldReport {
    prefix: String,
    problems: Vec<SettingsError>,
}

impl FieldReport {
    /// A report for the section at `prefix` (`settings`, `runtime`, ...).
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
            problems: Vec::new(),
        }
    }

    /// The full key of a field of this section.
    pub fn key(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_owned()
        } else {
            format!("{}.{field}", self.prefix)
        }
    }

    /// Records a problem on `field`.
    pub fn problem(&mut self, field: &str, problem: impl Into<String>) {
        let key = self.key(field);
        self.problems.push(SettingsError::new(key, problem));
    }

    /// Records a problem with a full key (for nested items).
    pub fn push(&mut self, error: SettingsError) {
        self.problems.push(error);
    }

    /// The value of an optional field: `None` when absent or unreadable (the latter recorded).
    pub fn optional<T>(&mut self, field: &str, value: Option<Lenient<T>>) -> Option<T> {
        match value?.0 {
            Ok(v) => Some(v),
            Err(problem) => {
                self.problem(field, problem);
                None
            }
        }
    }

    /// The value of a field with a default: the default when absent, `None` when unreadable.
    pub fn or_default<T: Default>(&mut self, field: &str, value: Option<Lenient<T>>) -> Option<T> {
        match value {
            None => Some(T::default()),
            Some(v) => self.optional(field, Some(v)),
        }
    }

    /// The value of a required field; absence is recorded with `hint` explaining what to set.
    pub fn required<T>(&mut self, field: &str, value: Option<Lenient<T>>, hint: &str) -> Option<T> {
        if value.is_none() {
            self.problem(field, format!("required: {hint}"));
        }
        self.optional(field, value)
    }

    /// The readable items of a list field; each unreadable item is recorded as `field[i]`.
    pub fn list<T>(&mut self, field: &str, value: Option<Lenient<Vec<Lenient<T>>>>) -> Vec<T> {
        self.indexed_list(field, value)
            .into_iter()
            .map(|(_, v)| v)
            .collect()
    }

    /// Like [`FieldReport::list`], keeping each readable item's position in the input, so that
    /// later problems can name the item the way the user numbered it ([`reindex`]).
    pub fn indexed_list<T>(
        &mut self,
        field: &str,
        value: Option<Lenient<Vec<Lenient<T>>>>,
    ) -> Vec<(usize, T)> {
        let Some(items) = self.optional(field, value) else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            match item.0 {
                Ok(v) => out.push((i, v)),
                Err(problem) => self.problem(&format!("{field}[{i}]"), problem),
            }
        }
        out
    }

    /// Records every unknown key of the section.
    pub fn unknown_keys(&mut self, keys: &[String]) {
        for key in keys {
            self.problem(key, "unknown key");
        }
    }

    /// True when a problem was recorded on `field` or inside it (`field.x`, `field[i]`).
    pub fn has_problem_at(&self, field: &str) -> bool {
        let key = self.key(field);
        self.problems.iter().any(|p| {
            p.key == key
                || p.key
                    .strip_prefix(&key)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        })
    }

    /// The problems recorded so far.
    pub fn problems(&self) -> &[SettingsError] {
        &self.problems
    }

    /// Ends the report.
    pub fn into_problems(self) -> Vec<SettingsError> {
        self.problems
    }
}

/// Rewrites every `list[k]` in `text` to `list[positions[k]]`: problems found on the readable
/// items of a list (numbered without the unreadable ones) then name the input's positions.
pub fn reindex(text: &str, list: &str, positions: &[usize]) -> String {
    let marker = format!("{list}[");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&marker) {
        let (head, tail) = rest.split_at(at + marker.len());
        out.push_str(head);
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        let mapped = tail[..digits]
            .parse::<usize>()
            .ok()
            .and_then(|k| positions.get(k))
            .map(ToString::to_string);
        out.push_str(mapped.as_deref().unwrap_or(&tail[..digits]));
        rest = &tail[digits..];
    }
    out.push_str(rest);
    out
}

/// Defines a draft struct whose fields are all `Option<Lenient<T>>`, plus `unknown: Vec<String>`
/// for keys it does not know, with a `Deserialize` that never fails on a field's value.
///
/// ```
/// domain::lenient_section! {
///     /// A draft of the `[example]` section.
///     pub struct ExampleDraft {
///         name: String,
///         port: u16,
///     }
/// }
/// let draft: ExampleDraft = toml::from_str("name = \"a\"\nport = \"x\"\nother = 1").unwrap();
/// assert!(draft.name.unwrap().0.is_ok());
/// assert!(draft.port.unwrap().0.is_err());
/// assert_eq!(draft.unknown, ["other"]);
/// ```
#[macro_export]
macro_rules! lenient_section {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Default)]
        $vis struct $name {
            $( $(#[$fmeta])* pub $field: ::core::option::Option<$crate::settings::Lenient<$ty>>, )*
            /// Keys present in the input that this section does not know.
            pub unknown: ::std::vec::Vec<::std::string::String>,
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: $crate::__serde::Deserializer<'de>,
            {
                struct Visitor;
                impl<'de> $crate::__serde::de::Visitor<'de> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str("a table")
                    }
                    fn visit_map<A>(self, mut map: A) -> ::core::result::Result<$name, A::Error>
                    where
                        A: $crate::__serde::de::MapAccess<'de>,
                    {
                        let mut draft = $name::default();
                        while let ::core::option::Option::Some(key) =
                            map.next_key::<::std::string::String>()?
                        {
                            match key.as_str() {
                                $( stringify!($field) => {
                                    draft.$field = ::core::option::Option::Some(map.next_value()?);
                                } )*
                                _ => {
                                    map.next_value::<$crate::__serde::de::IgnoredAny>()?;
                                    draft.unknown.push(key);
                                }
                            }
                        }
                        ::core::result::Result::Ok(draft)
                    }
                }
                deserializer.deserialize_map(Visitor)
            }
        }

        impl $name {
            /// The keys this section knows.
            pub const KEYS: &'static [&'static str] = &[$( stringify!($field) ),*];
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::lenient_section! {
        /// Test draft.
        struct Draft {
            name: String,
            port: u16,
            items: Vec<Lenient<u8>>,
        }
    }

    #[test]
    fn every_problem_is_kept_with_its_key() {
        let draft: Draft =
            toml::from_str("name = 5\nport = \"x\"\nitems = [1, \"a\", 3]\nextra = true\n")
                .expect("never fails");
        let mut report = FieldReport::new("section");
        assert_eq!(report.optional("name", draft.name), None);
        assert_eq!(report.or_default("port", draft.port), None);
        assert_eq!(report.list("items", draft.items), vec![1, 3]);
        report.unknown_keys(&draft.unknown);
        let keys: Vec<_> = report.problems().iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "section.name",
                "section.port",
                "section.items[1]",
                "section.extra"
            ]
        );
        assert!(report.has_problem_at("items"));
        assert!(!report.has_problem_at("item"));
        assert_eq!(
            report.problems()[3].to_string(),
            "section.extra: unknown key"
        );
        assert_eq!(Draft::KEYS, ["name", "port", "items"]);
    }

    #[test]
    fn reindex_maps_list_positions_in_keys_and_text() {
        assert_eq!(
            reindex("s.items[1].x: same as items[0]; other[1]", "items", &[0, 2]),
            "s.items[2].x: same as items[0]; other[1]"
        );
        assert_eq!(reindex("items[9]", "items", &[0]), "items[9]");
    }

    #[test]
    fn missing_fields_use_defaults_or_are_required() {
        let draft: Draft = toml::from_str("").expect("empty");
        let mut report = FieldReport::new("s");
        assert_eq!(report.or_default("port", draft.port), Some(0));
        assert_eq!(report.required("name", draft.name, "set a name"), None);
        assert_eq!(
            report.into_problems(),
            vec![SettingsError::new("s.name", "required: set a name")]
        );
    }
}
