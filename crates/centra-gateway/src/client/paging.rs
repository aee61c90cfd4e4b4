//! The `previous`/`next` paging of `GET /products` and `GET /stock`: Centra answers the next
//! page as a relative query string (`"next": "?limit=10&page=3"`, REF/301-302), which the client
//! hands out as the page token and sends back as the query of the next call.

use std::future::Future;

use serde_json::Value;

use super::record::Parsed;
use super::{CentraClient, CentraError, CentraErrorKind};

impl CentraClient {
    /// The query of a page: the token's parameters (the previous page's `next`), then `extra`
    /// where the token does not already carry the key, then `limit` (0: the client's page size).
    pub(crate) fn page_query(
        &self,
        op: &'static str,
        page_token: Option<&str>,
        limit: u32,
        extra: &[(&str, String)],
    ) -> Result<Vec<(String, String)>, CentraError> {
        let mut params: Vec<(String, String)> = match page_token {
            Some(token) => {
                serde_urlencoded::from_str(token.trim_start_matches('?')).map_err(|e| {
                    CentraError::new(
                        self.endpoint(),
                        op,
                        CentraErrorKind::InvalidRequest(format!("bad page token: {e}")),
                    )
                })?
            }
            None => Vec::new(),
        };
        let limit = if limit == 0 {
            self.options().page_size
        } else {
            limit
        };
        let mut add = |key: &str, value: String| {
            if !params.iter().any(|(k, _)| k == key) {
                params.push((key.to_owned(), value));
            }
        };
        add("limit", limit.to_string());
        for (key, value) in extra {
            add(key, value.clone());
        }
        Ok(params)
    }
}

/// The token of the next page: Centra's `next`, `None` on the last page. A `next` equal to the
/// token just used would loop forever, so it ends the listing too.
pub(crate) fn next_page(envelope: &Value, page_token: Option<&str>) -> Option<String> {
    envelope
        .get("next")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .filter(|n| Some(n.as_str()) != page_token)
}

/// Every row of a listing: `fetch` reads one page from a token (`None` for the first) and
/// answers its rows and the next token; pages are read until there is no next one.
pub(crate) async fn every_page<T, F, Fut>(fetch: F) -> Result<Vec<Parsed<T>>, CentraError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<Parsed<T>>, Option<String>), CentraError>>,
{
    let mut all = Vec::new();
    each_page(fetch, |row| all.push(row)).await?;
    Ok(all)
}

/// As [`every_page`], but each page's rows are handed to `each` before the next page is
/// asked for, so a caller that keeps less than the rows never holds the whole listing.
pub(crate) async fn each_page<T, F, Fut>(
    mut fetch: F,
    mut each: impl FnMut(Parsed<T>),
) -> Result<(), CentraError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<Parsed<T>>, Option<String>), CentraError>>,
{
    let mut token: Option<String> = None;
    loop {
        let (rows, next) = fetch(token.take()).await?;
        rows.into_iter().for_each(&mut each);
        match next {
            Some(next) => token = Some(next),
            None => return Ok(()),
        }
    }
}
