//! Query strings and paging of every list call (ogoship-api.md §3):
//!
//! - `limit` 1–250 (default 50) and `page` from 1; a value out of range is a 400 `ApiError`.
//!   Doc gap: whether OGOship clamps or refuses an out-of-range limit is undocumented; the
//!   simulator refuses, so a client that asks for more than 250 finds out in tests;
//! - the answer is a **bare JSON array** with no total: a client stops at a page shorter than
//!   `limit`;
//! - `modifiedAfter` keeps records whose `editTime`/`modified` is strictly later.
//!
//! Query parameter names are matched case-insensitively, as ASP.NET model binding does.
//! Records are listed in creation order, which is stable while a client pages.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::error::ApiError;

pub(crate) const MAX_LIMIT: usize = 250;
pub(crate) const DEFAULT_LIMIT: usize = 50;

/// A query string with lower-cased parameter names; the first value of a name wins.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(HashMap<String, String>);

impl Params {
    pub(crate) fn parse(query: Option<&str>) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or_default())
            .map_err(|err| ApiError::bad_request(format!("The query string is invalid: {err}")))?;
        let mut map = HashMap::new();
        for (name, value) in pairs {
            map.entry(name.to_ascii_lowercase()).or_insert(value);
        }
        Ok(Self(map))
    }

    /// A parameter, empty values read as absent.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    pub(crate) fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
    }

    pub(crate) fn modified_after(&self) -> Result<Option<DateTime<Utc>>, ApiError> {
        self.get("modifiedAfter")
            .map(|text| {
                crate::clock::parse(text).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "The value '{text}' is not valid for modifiedAfter."
                    ))
                })
            })
            .transpose()
    }

    pub(crate) fn paging(&self) -> Result<Paging, ApiError> {
        let limit = self.number("limit", DEFAULT_LIMIT)?;
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::bad_request(format!(
                "limit must be between 1 and {MAX_LIMIT}, got {limit}."
            )));
        }
        let page = self.number("page", 1)?;
        if page < 1 {
            return Err(ApiError::bad_request(format!(
                "page must be 1 or more, got {page}."
            )));
        }
        Ok(Paging { limit, page })
    }

    fn number(&self, name: &str, default: usize) -> Result<usize, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(text) => text.trim().parse().map_err(|_| {
                ApiError::bad_request(format!("The value '{text}' is not valid for {name}."))
            }),
        }
    }
}

/// One page of a list call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paging {
    pub limit: usize,
    pub page: usize,
}

impl Paging {
    /// The items of this page out of all matching `items`.
    pub(crate) fn apply<T>(self, items: impl IntoIterator<Item = T>) -> Vec<T> {
        items
            .into_iter()
            .skip((self.page - 1).saturating_mul(self.limit))
            .take(self.limit)
            .collect()
    }
}

/// Whether a record changed at `modified` passes the `modifiedAfter` filter.
pub(crate) fn after(modified: DateTime<Utc>, cursor: Option<DateTime<Utc>>) -> bool {
    cursor.is_none_or(|cursor| modified > cursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_outside_one_to_250_are_refused() {
        assert!(Params::parse(Some("limit=251")).unwrap().paging().is_err());
        assert!(Params::parse(Some("LIMIT=0")).unwrap().paging().is_err());
        assert!(Params::parse(Some("page=0")).unwrap().paging().is_err());
        let paging = Params::parse(Some("Limit=250&Page=2"))
            .unwrap()
            .paging()
            .unwrap();
        assert_eq!((paging.limit, paging.page), (250, 2));
        assert_eq!(paging.apply(0..600), (250..500).collect::<Vec<_>>());
    }
}
