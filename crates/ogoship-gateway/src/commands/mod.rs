//! The commands behind the gRPC service, in OGOship's terms: validate the request (errors name
//! the field), search before writing (OGOship has no idempotency key), report the outcome with
//! the gateway's stable int64 handles.
//!
//! Layout: `articles.rs` (upsert, list), `orders.rs` (upsert, cancel), `purchase_orders.rs`
//! (stock updates), `acknowledge.rs` (reported quantities, kept here), `stock.rs`,
//! `transporters.rs`, `connection.rs`, `refusal.rs` (what a refused write was about).

pub mod acknowledge;
pub mod articles;
pub mod connection;
pub mod orders;
pub mod purchase_orders;
mod refusal;
pub mod stock;
pub mod transporters;

use platform_store::StoreError;

use crate::client::OgoshipError;

/// Why a command failed; maps onto gRPC codes in `grpc.rs`.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The request itself is bad (names the field).
    #[error("{0}")]
    InvalidArgument(String),
    /// OGOship refuses (e.g. the order is already being collected).
    #[error("{0}")]
    FailedPrecondition(String),
    /// An unknown warehouse or record.
    #[error("{0}")]
    NotFound(String),
    /// OGOship lacks these products: the record can go through once they are created.
    #[error("{message}")]
    ArticlesMissing {
        message: String,
        articles: Vec<String>,
    },
    /// Worth retrying later: OGOship down or throttling after our retries, the store failing,
    /// or credentials refused until a person fixes them.
    #[error("{0}")]
    Unavailable(String),
    /// Anything else from OGOship (terminal).
    #[error("{0}")]
    Ogoship(OgoshipError),
}

impl From<OgoshipError> for CommandError {
    fn from(error: OgoshipError) -> Self {
        if error.is_retryable() || matches!(error, OgoshipError::CredentialsRefused { .. }) {
            return CommandError::Unavailable(error.to_string());
        }
        match error.status() {
            Some(400 | 409 | 422) => CommandError::FailedPrecondition(error.to_string()),
            Some(404) => CommandError::NotFound(error.to_string()),
            _ => CommandError::Ogoship(error),
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

/// A line quantity OGOship takes: at least 1 for orders (it refuses 0), 0 allowed for stock
/// updates (`min`).
pub(crate) fn quantity(field: &str, value: i64, min: i64) -> Result<i64, CommandError> {
    if value < min {
        return Err(CommandError::InvalidArgument(format!(
            "{field}: {value} is below {min}, which OGOship refuses"
        )));
    }
    // Bounded above as every line is (domain::MAX_LINE_QUANTITY).
    domain::line_quantity(value)
        .map(i64::from)
        .map_err(|e| CommandError::InvalidArgument(format!("{field}: quantity {e}")))
}

/// Row numbers must be given and unique: they are how the lines are told apart in events.
pub(crate) fn check_row(
    rows: &mut std::collections::HashSet<String>,
    field: &str,
    row_number: &str,
) -> Result<String, CommandError> {
    let row = required(field, row_number)?;
    if !rows.insert(row.to_owned()) {
        return Err(CommandError::InvalidArgument(format!(
            "{field}: row number {row:?} is used twice"
        )));
    }
    Ok(row.to_owned())
}
