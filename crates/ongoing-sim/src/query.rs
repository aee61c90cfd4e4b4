//! Query strings the way ASP.NET reads them: keys case-insensitive, arrays as repeated keys
//! (`articleNumbers=A&articleNumbers=B`; a comma-joined value is one value and matches nothing,
//! ongoing-rest-api.md §1 "Array params").

use chrono::{DateTime, Utc};

use crate::error::ApiError;
use crate::time::parse_time;

/// The decoded pairs of one query string.
#[derive(Debug, Clone, Default)]
pub(crate) struct QueryParams {
    pairs: Vec<(String, String)>,
}

impl QueryParams {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .map(|raw| {
                url::form_urlencoded::parse(raw.as_bytes())
                    .map(|(key, value)| (key.into_owned(), value.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Self { pairs }
    }

    /// The first non-empty value of `key`.
    pub(crate) fn first(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(name, value)| name.eq_ignore_ascii_case(key) && !value.is_empty())
            .map(|(_, value)| value.as_str())
    }

    /// Every value of `key` (repeated keys; `key[]` is accepted as the same key).
    pub(crate) fn all(&self, key: &str) -> Vec<&str> {
        let bracketed = format!("{key}[]");
        self.pairs
            .iter()
            .filter(|(name, _)| {
                name.eq_ignore_ascii_case(key) || name.eq_ignore_ascii_case(&bracketed)
            })
            .map(|(_, value)| value.as_str())
            .collect()
    }

    pub(crate) fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        self.first(key)
            .map(|text| {
                text.trim().parse::<i64>().map_err(|_| {
                    ApiError::bad_request(format!("The value '{text}' is not valid for {key}."))
                })
            })
            .transpose()
    }

    pub(crate) fn flag(&self, key: &str) -> Result<bool, ApiError> {
        match self.first(key) {
            None => Ok(false),
            Some(text) if text.eq_ignore_ascii_case("true") => Ok(true),
            Some(text) if text.eq_ignore_ascii_case("false") => Ok(false),
            Some(text) => Err(ApiError::bad_request(format!(
                "The value '{text}' is not valid for {key}."
            ))),
        }
    }

    pub(crate) fn time(&self, key: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
        self.first(key)
            .map(|text| {
                parse_time(text).ok_or_else(|| {
                    ApiError::bad_request(format!("The value '{text}' is not valid for {key}."))
                })
            })
            .transpose()
    }

    /// The mandatory `goodsOwnerId`.
    pub(crate) fn goods_owner_id(&self) -> Result<i64, ApiError> {
        self.int("goodsOwnerId")?
            .ok_or_else(|| ApiError::bad_request("The goodsOwnerId field is required."))
    }
}

/// An ID cursor: `xIdFrom` inclusive and `maxXToGet`; without them, everything
/// (ongoing-rest-api.md §1 "Pagination").
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cursor {
    pub id_from: Option<i64>,
    pub max: Option<i64>,
}

impl Cursor {
    pub(crate) fn read(query: &QueryParams, id_from: &str, max: &str) -> Result<Self, ApiError> {
        Ok(Self {
            id_from: query.int(id_from)?,
            max: query.int(max)?,
        })
    }

    /// Applies the cursor to rows already sorted by ascending id.
    pub(crate) fn page<T>(self, rows: impl Iterator<Item = (i64, T)>) -> Vec<T> {
        let from = self.id_from.unwrap_or(i64::MIN);
        let rows = rows.filter(|(id, _)| *id >= from).map(|(_, row)| row);
        match self.max {
            Some(max) => rows
                .take(usize::try_from(max.max(0)).unwrap_or(usize::MAX))
                .collect(),
            None => rows.collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_and_case() {
        let query = QueryParams::parse(Some(
            "GoodsOwnerId=1&articleNumbers=A&articleNumbers=B%2CC&x=",
        ));
        assert_eq!(query.goods_owner_id().unwrap(), 1);
        assert_eq!(query.all("articlenumbers"), vec!["A", "B,C"]);
        assert_eq!(query.first("x"), None);
        assert!(query.int("articleNumbers").is_err());
    }

    #[test]
    fn cursor_is_inclusive_and_bounded() {
        let cursor = Cursor {
            id_from: Some(2),
            max: Some(2),
        };
        let rows = (1..=5).map(|id| (id, id));
        assert_eq!(cursor.page(rows), vec![2, 3]);
        assert_eq!(
            Cursor::default().page((1..=3).map(|id| (id, id))),
            vec![1, 2, 3]
        );
    }
}
