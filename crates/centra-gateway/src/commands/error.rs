//! Command errors and their gRPC codes: `INVALID_ARGUMENT` names the field, `NOT_FOUND` an
//! unknown end-point or record, `FAILED_PRECONDITION` a Centra refusal a retry will not fix,
//! `UNAVAILABLE` a transport failure (or the gateway's own store failing) worth retrying.

use platform_store::StoreError;
use thiserror::Error;

use crate::client::{CentraError, CentraErrorKind};

#[derive(Debug, Error)]
pub enum CommandError {
    #[error("field {field}: {reason}")]
    InvalidArgument { field: String, reason: String },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    Refused(CentraError),
    #[error("{0}")]
    Unavailable(CentraError),
    #[error("{0}")]
    BadAnswer(CentraError),
    /// The gateway's store failed (what a command remembers before it writes to Centra).
    #[error("the gateway's store failed: {0}")]
    Store(#[from] StoreError),
}

impl CommandError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidArgument {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl From<CentraError> for CommandError {
    fn from(error: CentraError) -> Self {
        if error.is_retryable() {
            return Self::Unavailable(error);
        }
        match &error.kind {
            CentraErrorKind::BadPayload(_) => Self::BadAnswer(error),
            CentraErrorKind::InvalidRequest(reason) => Self::InvalidArgument {
                field: "request".to_owned(),
                reason: reason.clone(),
            },
            _ => Self::Refused(error),
        }
    }
}

impl From<CommandError> for tonic::Status {
    fn from(error: CommandError) -> Self {
        let message = error.to_string();
        match error {
            CommandError::InvalidArgument { .. } => tonic::Status::invalid_argument(message),
            CommandError::NotFound(_) => tonic::Status::not_found(message),
            CommandError::Refused(_) => tonic::Status::failed_precondition(message),
            CommandError::Unavailable(_) | CommandError::Store(_) => {
                tonic::Status::unavailable(message)
            }
            CommandError::BadAnswer(_) => tonic::Status::internal(message),
        }
    }
}
