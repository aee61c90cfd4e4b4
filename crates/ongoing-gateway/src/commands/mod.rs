//! The commands behind the gRPC service, in the WMS's own terms: validate the request (errors
//! name the field), call Ongoing idempotently, report the outcome.
//!
//! Layout: `articles.rs`, `orders.rs` (upsert, cancel), `purchase_orders.rs`,
//! `acknowledge.rs` (reported quantities), `transporters.rs`, `connection.rs`, `stock.rs`
//! (stock as the WMS holds it now), `refusal.rs` (what a refused write was about).

pub mod acknowledge;
pub mod articles;
pub mod connection;
pub mod orders;
pub mod purchase_orders;
mod refusal;
pub mod stock;
pub mod transporters;

use platform_store::StoreError;

use crate::client::OngoingError;

/// Why a command failed; maps onto gRPC codes in `grpc.rs`.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The request itself is bad (names the field).
    #[error("{0}")]
    InvalidArgument(String),
    /// The warehouse refuses (e.g. the order is already being picked).
    #[error("{0}")]
    FailedPrecondition(String),
    /// An unknown warehouse or record.
    #[error("{0}")]
    NotFound(String),
    /// The WMS refused the record because it lacks these articles (it can go through once
    /// they are created); `message` is Ongoing's answer.
    #[error("{message}")]
    ArticlesMissing {
        message: String,
        articles: Vec<String>,
    },
    /// Ongoing failed in a way worth retrying, or the gateway's store did.
    #[error("{0}")]
    Unavailable(String),
    /// Anything else from Ongoing (terminal).
    #[error("{0}")]
    Ongoing(OngoingError),
}

impl From<OngoingError> for CommandError {
    fn from(error: OngoingError) -> Self {
        if error.is_retryable() {
            return CommandError::Unavailable(error.to_string());
        }
        match error.status() {
            Some(400 | 409 | 422) => CommandError::FailedPrecondition(error.to_string()),
            Some(404) => CommandError::NotFound(error.to_string()),
            _ => CommandError::Ongoing(error),
        }
    }
}

impl From<StoreError> for CommandError {
    fn from(error: StoreError) -> Self {
        CommandError::Unavailable(format!("the gateway's store failed: {error}"))
    }
}

/// A required, non-blank text field.
pub(crate) fn required<'a>(field: &str, value: &'a str) -> Result<&'a str, CommandError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err(CommandError::InvalidArgument(format!("{field}: required")))
    } else {
        Ok(trimmed)
    }
}

/// `None` for a blank text, else the trimmed text.
pub(crate) fn optional(value: &str) -> Option<String> {
    let trimmed = value.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// A line quantity within `0..=domain::MAX_LINE_QUANTITY`: a negative or absurd one is refused
/// with its field, never written as a huge WMS line.
pub(crate) fn quantity(field: &str, value: i64) -> Result<i64, CommandError> {
    match domain::line_quantity(value) {
        Ok(units) => Ok(i64::from(units)),
        Err(domain::QuantityError::Negative(value)) => Err(CommandError::InvalidArgument(format!(
            "{field}: negative quantity {value}"
        ))),
        Err(e) => Err(CommandError::InvalidArgument(format!(
            "{field}: quantity {e}"
        ))),
    }
}

/// A decimal text (`"1.25"`), blank meaning none.
pub(crate) fn decimal(field: &str, value: &str) -> Result<Option<f64>, CommandError> {
    let Some(text) = optional(value) else {
        return Ok(None);
    };
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or_else(|| CommandError::InvalidArgument(format!("{field}: {text:?} is not a decimal")))
}
