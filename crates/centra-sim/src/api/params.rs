//! Query parameters as Centra reads them: numbers, store-local dates, and the two pagination
//! styles (`limit`+`offset` for orders/shipments, `limit`+`page` with `previous`/`next` links
//! for products/stock, `limit`+`page` for returns).

use chrono::{DateTime, Utc};

use super::envelope::No;
use crate::clock::StoreClock;

/// The query string, decoded (`+` is a space, as in `newer_than=2019-01-01+12:11:39`).
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Self {
        Self(
            raw.map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default(),
        )
    }

    /// The last value of `name`, when present and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// A non-negative whole number; anything else is refused naming the parameter
    /// ([I] wording not documented).
    pub fn number(&self, name: &str) -> Result<Option<u64>, No> {
        self.get(name)
            .map(|v| {
                v.trim()
                    .parse::<u64>()
                    .map_err(|_| No(format!("invalid {name}: {v:?}")))
            })
            .transpose()
    }

    /// A date filter in the store's zone: `YYYY-mm-dd` or `YYYY-mm-dd HH:MM:SS`.
    pub fn date(&self, name: &str, clock: &StoreClock) -> Result<Option<DateTime<Utc>>, No> {
        self.get(name)
            .map(|v| {
                clock
                    .parse(v)
                    .map_err(|err| No(format!("invalid {name}: {err}")))
            })
            .transpose()
    }

    /// Every pair except the named ones, for building `previous`/`next` links.
    pub fn without(&self, names: &[&str]) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter(|(k, _)| !names.contains(&k.as_str()))
            .cloned()
            .collect()
    }
}

/// `newer_than` is inclusive and `older_than` exclusive, as REF/202 documents for returns; the
/// other pages do not say ([I]), so every endpoint uses the one documented rule.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    pub newer_than: Option<DateTime<Utc>>,
    pub older_than: Option<DateTime<Utc>>,
}

impl Window {
    pub fn from(params: &Params, clock: &StoreClock) -> Result<Self, No> {
        Ok(Self {
            newer_than: params.date("newer_than", clock)?,
            older_than: params.date("older_than", clock)?,
        })
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.newer_than.is_none_or(|t| at >= t) && self.older_than.is_none_or(|t| at < t)
    }
}

/// One page of a `limit`+`page` listing with Centra's relative `previous`/`next` links
/// (`"next": "?limit=10&page=3"`; REF/301-302). The links keep the caller's other filters
/// ([I] the examples show no filters, dropping them would change the listing mid-way).
#[derive(Debug)]
pub struct LinkedPage<T> {
    pub rows: Vec<T>,
    pub previous: Option<String>,
    pub next: Option<String>,
}

pub fn linked_page<T>(rows: Vec<T>, params: &Params) -> Result<LinkedPage<T>, No> {
    let Some(limit) = params.number("limit")?.filter(|l| *l > 0) else {
        return Ok(LinkedPage {
            rows,
            previous: None,
            next: None,
        });
    };
    let page = params.number("page")?.unwrap_or(1).max(1);
    let total = rows.len() as u64;
    let start = (page - 1).saturating_mul(limit);
    let rows: Vec<T> = rows
        .into_iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect();
    let link = |page: u64| {
        let mut pairs = params.without(&["limit", "page"]);
        pairs.push(("limit".into(), limit.to_string()));
        pairs.push(("page".into(), page.to_string()));
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        format!("?{query}")
    };
    Ok(LinkedPage {
        rows,
        previous: (page > 1).then(|| link(page - 1)),
        next: (start.saturating_add(limit) < total).then(|| link(page + 1)),
    })
}

/// `limit`+`offset` (orders, shipments).
pub fn offset_page<T>(rows: Vec<T>, limit: Option<u64>, offset: Option<u64>) -> Vec<T> {
    rows.into_iter()
        .skip(usize::try_from(offset.unwrap_or(0)).unwrap_or(usize::MAX))
        .take(limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_limit_page_and_filters() {
        let params = Params::parse(Some("limit=2&page=2&sku=A%2BB"));
        let page = linked_page((1..=5).collect::<Vec<_>>(), &params).unwrap();
        assert_eq!(page.rows, vec![3, 4]);
        assert_eq!(page.previous.as_deref(), Some("?sku=A%2BB&limit=2&page=1"));
        assert_eq!(page.next.as_deref(), Some("?sku=A%2BB&limit=2&page=3"));
        let last = linked_page(
            (1..=5).collect::<Vec<_>>(),
            &Params::parse(Some("limit=2&page=3")),
        )
        .unwrap();
        assert_eq!(last.rows, vec![5]);
        assert!(last.next.is_none());
    }

    #[test]
    fn without_limit_everything_comes_back_unlinked() {
        let page = linked_page(vec![1, 2, 3], &Params::default()).unwrap();
        assert_eq!(page.rows, vec![1, 2, 3]);
        assert!(page.previous.is_none() && page.next.is_none());
    }

    #[test]
    fn plus_in_a_query_is_a_space() {
        let params = Params::parse(Some("newer_than=2019-01-01+12:11:39"));
        assert_eq!(params.get("newer_than"), Some("2019-01-01 12:11:39"));
    }
}
