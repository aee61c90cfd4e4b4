//! Command errors and their gRPC codes: `INVALID_ARGUMENT` names the field, `NOT_FOUND` an
//! unknown end-point or record, `FAILED_PRECONDITION` a Centra refusal a retry will not fix (or,
//! through GraphQL, a supplier delivery receipt the Integration API cannot accept as it stands:
//! [`CommandError::ReceiptDiffers`]), `UNAVAILABLE` a transport failure (or the gateway's own store failing, or a capture still pending
//! with the payment provider) worth retrying.
//!
//! A Centra failure maps by its [`ConnectionErrorKind`], the same for both APIs. A refusal
//! travels typed (`proto::reasons`): `RECORD_REFUSED` with the record and fields when Centra
//! refused the record itself, `ACCESS_REFUSED` when it refused the credential or a permission;
//! a capture still pending is `UNAVAILABLE` with `NOT_YET`.

use platform_store::StoreError;
use thiserror::Error;

use crate::client::CentraError;
use crate::connection::{ConnectionError, ConnectionErrorKind};

#[derive(Debug, Error)]
pub enum CommandError {
    #[error("field {field}: {reason}")]
    InvalidArgument { field: String, reason: String },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    Refused(ConnectionError),
    #[error("{0}")]
    Unavailable(ConnectionError),
    #[error("{0}")]
    BadAnswer(ConnectionError),
    /// Received quantities the Integration API cannot accept: it accepts a supplier delivery as
    /// it stands, and these differ from the delivery's (`FAILED_PRECONDITION`, the delivery as
    /// the refused record: the same receipt is refused until the delivery is corrected).
    #[error("{0}")]
    ReceiptDiffers(Box<super::delivery::ReceiptDifference>),
    /// Centra has not finished it yet (a capture request the payment provider settles later):
    /// not done, and asking again later is how to learn the outcome.
    #[error("{0}")]
    NotYet(String),
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

impl From<ConnectionError> for CommandError {
    fn from(error: ConnectionError) -> Self {
        match error.kind() {
            ConnectionErrorKind::Unavailable => Self::Unavailable(error),
            ConnectionErrorKind::BadAnswer => Self::BadAnswer(error),
            ConnectionErrorKind::InvalidRequest => Self::InvalidArgument {
                field: "request".to_owned(),
                reason: error
                    .invalid_request()
                    .map_or_else(|| error.to_string(), str::to_owned),
            },
            ConnectionErrorKind::Refused => Self::Refused(error),
        }
    }
}

impl From<CentraError> for CommandError {
    fn from(error: CentraError) -> Self {
        ConnectionError::from(error).into()
    }
}

impl From<CommandError> for tonic::Status {
    fn from(error: CommandError) -> Self {
        let message = error.to_string();
        match error {
            CommandError::InvalidArgument { .. } => tonic::Status::invalid_argument(message),
            CommandError::NotFound(_) => tonic::Status::not_found(message),
            CommandError::Refused(error) => match error.refused_record() {
                Some((record, fields)) => {
                    proto::reasons::record_refused(message, record.as_deref(), &fields)
                }
                None => proto::reasons::access_refused(message),
            },
            CommandError::ReceiptDiffers(difference) => proto::reasons::record_refused(
                message,
                Some(&format!("supplier delivery {}", difference.delivery_id)),
                &["quantities".to_owned()],
            ),
            CommandError::NotYet(_) => proto::reasons::not_yet(message),
            CommandError::Unavailable(_) | CommandError::Store(_) => {
                tonic::Status::unavailable(message)
            }
            CommandError::BadAnswer(_) => tonic::Status::internal(message),
        }
    }
}
