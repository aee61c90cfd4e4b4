//! What every mutation answers beside its result: `userErrors` (the write was refused, a
//! [`Refusal`] naming the record) and `userWarnings` (logged). Each operation's generated
//! payload type has its own copy of both lists, so [`refuse_on_user_errors!`] reads them by
//! field name and hands them to one check.

use super::{GraphqlClient, GraphqlError, GraphqlErrorKind, Refusal, UserProblem};

/// `userErrors` (or `userWarnings`) entries as the client's own type.
pub(crate) fn problems<I>(entries: I) -> Vec<UserProblem>
where
    I: IntoIterator<Item = (String, Option<Vec<String>>)>,
{
    entries
        .into_iter()
        .map(|(message, path)| UserProblem {
            message,
            path: path.unwrap_or_default(),
        })
        .collect()
}

impl GraphqlClient {
    /// Fails with a [`Refusal`] naming `record` when `errors` is not empty; logs `warnings`.
    pub(crate) fn refused_unless_empty(
        &self,
        operation: &str,
        record: &str,
        errors: Vec<UserProblem>,
        warnings: &[UserProblem],
    ) -> Result<(), GraphqlError> {
        for warning in warnings {
            tracing::warn!(endpoint = %self.inner.endpoint, operation, record, %warning, "centra user warning");
        }
        if errors.is_empty() {
            return Ok(());
        }
        Err(self.error(
            operation,
            GraphqlErrorKind::Refused(Refusal {
                record: record.to_owned(),
                problems: errors,
            }),
        ))
    }
}

/// `client.refused_unless_empty(operation, record, ...)` over a mutation payload's
/// `user_errors` and `user_warnings` (moved out of `payload`; its other fields stay usable).
macro_rules! refuse_on_user_errors {
    ($client:expr, $operation:expr, $record:expr, $payload:ident) => {
        $client.refused_unless_empty(
            $operation,
            $record,
            $crate::client_graphql::user_errors::problems(
                $payload
                    .user_errors
                    .into_iter()
                    .map(|e| (e.message, e.path)),
            ),
            &$crate::client_graphql::user_errors::problems(
                $payload
                    .user_warnings
                    .into_iter()
                    .map(|e| (e.message, e.path)),
            ),
        )
    };
}
pub(crate) use refuse_on_user_errors;
