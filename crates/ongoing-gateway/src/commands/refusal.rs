//! What a refused write was about. Ongoing's refusal bodies are undocumented (only
//! `{"Message": ...}` is seen) and may change wording or language, so no caller reads them:
//! when Ongoing refuses an order or a purchase order, the WMS's own article list says which of
//! its articles it lacks (`GET /articles?articleNumbers=…`, one call per 100), and the refusal
//! goes out typed as `ARTICLE_MISSING` naming them (see `proto::reasons`).

use crate::client::models::ArticleModel;
use crate::client::{IdCursor, OngoingClient, OngoingError};
use crate::commands::CommandError;
use crate::commands::stock::MAX_NAMED;

/// Runs `write` (an order or purchase order naming `articles`); a refusal about the record is
/// answered as `ARTICLE_MISSING` when the WMS lacks some of them.
///
/// When the check finds every article present, they may have arrived between the refusal and
/// the check (a catalog sync running beside the write): the write is made once more, and only
/// a second refusal with every article present goes out as a plain refusal.
///
/// # Errors
/// [`CommandError::ArticlesMissing`]; [`CommandError::Unavailable`] when the check could not be
/// made (whether articles are missing decides between "wait for the catalog" and "a person
/// must look", so it is never guessed); the write's own error otherwise.
pub(crate) async fn write_naming_articles<'a, T, F, Fut>(
    client: &OngoingClient,
    articles: impl IntoIterator<Item = &'a str>,
    write: F,
) -> Result<T, CommandError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, OngoingError>>,
{
    let mut wanted: Vec<String> = Vec::new();
    for article in articles {
        if !wanted.iter().any(|a| a == article) {
            wanted.push(article.to_owned());
        }
    }
    let mut error = match write().await {
        Ok(written) => return Ok(written),
        Err(error) => error,
    };
    for second_try in [false, true] {
        let about_the_record =
            !error.is_retryable() && matches!(error.status(), Some(400 | 409 | 422));
        if !about_the_record {
            break;
        }
        match absent(client, &wanted).await {
            Ok(missing) if !missing.is_empty() => {
                return Err(CommandError::ArticlesMissing {
                    message: error.to_string(),
                    articles: missing,
                });
            }
            Ok(_) if !second_try => {
                tracing::info!(%error, "refused, but every article is there now; writing once more");
                match write().await {
                    Ok(written) => return Ok(written),
                    Err(again) => error = again,
                }
            }
            Ok(_) => break,
            Err(check) if check.is_retryable() => {
                return Err(CommandError::Unavailable(format!(
                    "{error}; the articles could not be checked: {check}"
                )));
            }
            Err(check) => {
                tracing::warn!(%error, %check, "the refused record's articles could not be checked");
                break;
            }
        }
    }
    Err(error.into())
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use domain::Secret;

    use super::*;
    use crate::client::ClientSettings;

    /// A client that is never called: no article is named, so nothing needs checking.
    fn client() -> OngoingClient {
        OngoingClient::new(ClientSettings {
            base_url: "http://127.0.0.1:9".to_owned(),
            warehouse: "sandbox".to_owned(),
            user: "u".to_owned(),
            password: Secret::new("p"),
            goods_owner_id: 1,
            timeout: Duration::from_secs(1),
            retry: crate::client::RetryPolicy::quick(),
            page_size: 10,
        })
        .expect("client")
    }

    fn status(code: u16) -> OngoingError {
        OngoingError::Status {
            operation: "PUT orders".to_owned(),
            status: code,
            message: "refused".to_owned(),
            retry_after: None,
        }
    }

    /// Refused while the articles were arriving: every one is there at the check, so the write
    /// is made once more and passes.
    #[tokio::test]
    async fn a_refusal_with_every_article_present_is_written_once_more() {
        let writes = AtomicUsize::new(0);
        let written = write_naming_articles(&client(), [], || async {
            match writes.fetch_add(1, Ordering::SeqCst) {
                0 => Err(status(400)),
                _ => Ok(7),
            }
        })
        .await;
        assert_eq!(written.ok(), Some(7));
        assert_eq!(writes.load(Ordering::SeqCst), 2);

        // Refused again with every article there: a plain refusal, after two writes.
        let writes = AtomicUsize::new(0);
        let refused = write_naming_articles(&client(), [], || async {
            writes.fetch_add(1, Ordering::SeqCst);
            Err::<u8, _>(status(400))
        })
        .await;
        assert!(
            matches!(refused, Err(CommandError::FailedPrecondition(_))),
            "{refused:?}"
        );
        assert_eq!(writes.load(Ordering::SeqCst), 2);

        // Not about the record (the WMS is down): passed on after one write.
        let writes = AtomicUsize::new(0);
        let down = write_naming_articles(&client(), [], || async {
            writes.fetch_add(1, Ordering::SeqCst);
            Err::<u8, _>(status(503))
        })
        .await;
        assert!(
            matches!(down, Err(CommandError::Unavailable(_))),
            "{down:?}"
        );
        assert_eq!(writes.load(Ordering::SeqCst), 1);
    }
}
