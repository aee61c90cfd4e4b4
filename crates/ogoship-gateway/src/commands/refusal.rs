//! What a refused write was about. OGOship's refusal texts are not a contract (the simulator
//! says "Products not found: X."; the real wording is undocumented), so none is parsed: when
//! OGOship refuses an order or stock update, each named product code is looked up
//! (`GET /products?code=`), and the refusal goes out typed as `ARTICLE_MISSING` naming every
//! missing one (see `proto::reasons`).

use crate::client::{OgoshipClient, OgoshipError};
use crate::commands::CommandError;

/// Runs `write` (a record naming `articles`); a refusal about the record is answered as
/// `ARTICLE_MISSING` when OGOship lacks some of them.
///
/// When every article is there at the check, they may have arrived between the refusal and
/// the check: the write is made once more, and only a second refusal goes out as a plain one.
///
/// # Errors
/// [`CommandError::ArticlesMissing`]; [`CommandError::Unavailable`] when the check could not be
/// made; the write's own error otherwise.
pub(crate) async fn write_naming_articles<'a, T, F, Fut>(
    client: &OgoshipClient,
    articles: impl IntoIterator<Item = &'a str>,
    write: F,
) -> Result<T, CommandError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, OgoshipError>>,
{
    let mut wanted: Vec<&str> = Vec::new();
    for article in articles {
        if !wanted.contains(&article) {
            wanted.push(article);
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
                tracing::info!(%error, "refused, but every product is there now; writing once more");
                match write().await {
                    Ok(written) => return Ok(written),
                    Err(again) => error = again,
                }
            }
            Ok(_) => break,
            Err(check) => {
                return Err(CommandError::Unavailable(format!(
                    "{error}; the products could not be checked: {check}"
                )));
            }
        }
    }
    Err(error.into())
}

/// Those of `codes` OGOship does not hold, in order.
pub(crate) async fn absent(
    client: &OgoshipClient,
    codes: &[&str],
) -> Result<Vec<String>, OgoshipError> {
    let mut missing = Vec::new();
    for code in codes {
        if client.find_product(code).await?.is_none() {
            missing.push((*code).to_owned());
        }
    }
    Ok(missing)
}
