//! What a refused write was about. Ongoing's refusal bodies are undocumented (only
//! `{"Message": ...}` is seen) and may change wording or language, so no caller reads them:
//! when Ongoing refuses an order or a purchase order, the WMS's own article list says which of
//! its articles it lacks (`GET /articles?articleNumbers=…`, one call per 100), and the refusal
//! goes out typed as `ARTICLE_MISSING` naming them (see `proto::reasons`).

use crate::client::models::ArticleModel;
use crate::client::{IdCursor, OngoingClient, OngoingError};
use crate::commands::CommandError;
use crate::commands::stock::MAX_NAMED;

/// `error` from writing a record with `articles`, as the caller should see it.
pub(crate) async fn refused_write<'a>(
    client: &OngoingClient,
    error: OngoingError,
    articles: impl IntoIterator<Item = &'a str>,
) -> CommandError {
    let about_the_record = !error.is_retryable() && matches!(error.status(), Some(400 | 409 | 422));
    if !about_the_record {
        return error.into();
    }
    let mut wanted: Vec<String> = Vec::new();
    for article in articles {
        if !wanted.iter().any(|a| a == article) {
            wanted.push(article.to_owned());
        }
    }
    match absent(client, &wanted).await {
        Ok(missing) if !missing.is_empty() => CommandError::ArticlesMissing {
            message: error.to_string(),
            articles: missing,
        },
        Ok(_) => error.into(),
        // Whether articles are missing decides between "wait for the catalog" and "a person
        // must look": never guessed, so an unanswered check is a retry of the whole write.
        Err(check) if check.is_retryable() => CommandError::Unavailable(format!(
            "{error}; the articles could not be checked: {check}"
        )),
        Err(check) => {
            tracing::warn!(%error, %check, "the refused record's articles could not be checked");
            error.into()
        }
    }
}

/// Those of `articles` the WMS does not hold. An article the WMS lists but cannot be read
/// counts as held: only a number absent from the answer is missing.
async fn absent(client: &OngoingClient, articles: &[String]) -> Result<Vec<String>, OngoingError> {
    let mut missing = Vec::new();
    for chunk in articles.chunks(MAX_NAMED) {
        let filters: Vec<(&str, String)> = chunk
            .iter()
            .map(|n| ("articleNumbers", n.clone()))
            .collect();
        let max = u32::try_from(chunk.len()).unwrap_or(u32::MAX);
        let (listing, _) = client
            .get_page::<ArticleModel>("articles", IdCursor::ARTICLES, &filters, None, max)
            .await?;
        let held = |number: &str| {
            listing
                .records
                .iter()
                .any(|a| a.article_number.as_deref() == Some(number))
                || listing
                    .rejected
                    .iter()
                    .any(|r| r.raw.get("articleNumber").and_then(|v| v.as_str()) == Some(number))
        };
        missing.extend(chunk.iter().filter(|n| !held(n)).cloned());
    }
    Ok(missing)
}
