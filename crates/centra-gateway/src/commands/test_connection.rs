//! TestConnection: the credential and each end-point group the settings need, checked before a
//! flow needs them; a failure is an answer naming what to change, not an error.
//!
//! Per group: one harmless read through the end-point's API (`CentraConnection::probe`).
//! Through the GraphQL Integration API also, per group, the write permissions the request's
//! `flows` need there (`WriteProbe::needed`), each checked with a mutation that cannot change
//! anything (`GraphqlClient::probe_write`), and the token's expiry when the settings give its
//! last day (`token_expires_on`): an expired token fails every group, one close to its last
//! day passes with a warning.

use chrono::Utc;
use domain::{EndpointGroup, TokenExpiry};
use proto::centra::v1::{
    EndpointGroup as ProtoGroup, EndpointGroupCheck, TestConnectionRequest, TestConnectionResponse,
};

use super::{CommandError, Commands};
use crate::client::{CentraError, CentraErrorKind};
use crate::client_graphql::probe::WriteProbe;
use crate::client_graphql::{GraphqlClient, GraphqlError, GraphqlErrorKind};
use crate::connection::{CentraConnection, ConnectionError};

impl Commands {
    /// Checks the credential and each requested end-point group (ORDER & SHIPMENT when none is
    /// named); through GraphQL also the writes `flows` need and the token's expiry.
    ///
    /// # Errors
    /// [`CommandError::NotFound`] for an unknown end-point, [`CommandError::InvalidArgument`]
    /// for an unknown group.
    pub async fn test_connection(
        &self,
        request: TestConnectionRequest,
    ) -> Result<TestConnectionResponse, CommandError> {
        let connection = self.connection(&request.endpoint)?;
        let mut groups = Vec::with_capacity(request.groups.len().max(1));
        for (i, raw) in request.groups.iter().enumerate() {
            groups.push(endpoint_group(*raw).ok_or_else(|| {
                CommandError::invalid(format!("groups[{i}]"), format!("unknown group {raw}"))
            })?);
        }
        if groups.is_empty() {
            groups.push(EndpointGroup::OrderAndShipment);
        }
        let today = Utc::now().date_naive();
        let mut checks = Vec::with_capacity(groups.len());
        for group in groups {
            let (mut ok, mut message) = match connection.probe(group).await {
                Ok(operation) => (
                    true,
                    format!("end-point {} answered {operation}", connection.endpoint()),
                ),
                Err(error) => (false, group_failure(group, &error)),
            };
            if let CentraConnection::Graphql(client) = connection {
                if ok {
                    (ok, message) = check_writes(client, group, &request.flows, message).await;
                }
                (ok, message) = with_expiry(client.token_expiry(today), ok, &message);
            }
            checks.push(EndpointGroupCheck {
                group: proto_group(group) as i32,
                ok,
                message,
            });
        }
        let failed: Vec<&EndpointGroupCheck> = checks.iter().filter(|c| !c.ok).collect();
        Ok(TestConnectionResponse {
            ok: failed.is_empty(),
            message: match failed.first() {
                None => checks
                    .iter()
                    .map(|c| c.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                Some(first) => first.message.clone(),
            },
            groups: checks,
        })
    }
}

/// Runs the write probes `flows` need in `group` after its read passed; the first missing
/// permission fails the group, naming it and the flows that need it.
async fn check_writes(
    client: &GraphqlClient,
    group: EndpointGroup,
    flows: &[String],
    read: String,
) -> (bool, String) {
    let mut message = read;
    for write in WriteProbe::needed(group, flows) {
        match client.probe_write(write).await {
            Ok(permission) => message.push_str(&format!("; the token holds {permission}")),
            Err(error) => return (false, write_failure(write, &error)),
        }
    }
    (true, message)
}

/// Why a write probe failed, and what to change.
fn write_failure(write: WriteProbe, error: &GraphqlError) -> String {
    match &error.kind {
        GraphqlErrorKind::NotAuthorized(_) => format!(
            "{error}: the token lacks {permission}, which the enabled flows need here; add \
             {permission} to this end-point's token in AMS (System > API Tokens)",
            permission = write.permission()
        ),
        _ => format!(
            "{error}: could not tell whether the token holds {}",
            write.permission()
        ),
    }
}

/// The group's verdict with the token's expiry: an expired token fails it, one within the
/// warning days passes with the warning, an unknown expiry is said once per group.
fn with_expiry(expiry: TokenExpiry, ok: bool, message: &str) -> (bool, String) {
    match expiry {
        TokenExpiry::Expired { .. } => (false, format!("{expiry}; {message}")),
        _ => (ok, format!("{message}; {expiry}")),
    }
}

/// Why a group's read failed, and what to change, by the API's typed error.
fn group_failure(group: EndpointGroup, error: &ConnectionError) -> String {
    match error {
        ConnectionError::OrderApi(error) => order_api_failure(group, error),
        ConnectionError::Graphql(error) => match &error.kind {
            GraphqlErrorKind::NotAuthorized(_) => format!(
                "{error}: the token was refused or lacks a permission this group needs; check \
                 this end-point's `token` (an API token with the group's read permissions)"
            ),
            _ => error.to_string(),
        },
    }
}

/// The Order API's: a wrong secret is HTTP 401 ([I]: Centra documents no code; the simulator
/// answers 401); a refused read (`status: "no"`, or another 4xx) is what a plugin whose
/// endpoint allow-list lacks the group is expected to answer ([I]: the shape of that refusal
/// is not documented either).
fn order_api_failure(group: EndpointGroup, error: &CentraError) -> String {
    match &error.kind {
        CentraErrorKind::Rejected { status: 401, .. } => format!(
            "{error}: the secret was refused; check this end-point's `secret` (the Order API plugin's API key)"
        ),
        CentraErrorKind::Rejected { .. } | CentraErrorKind::Refused(_) => {
            format!("{error}: {}", group.fix())
        }
        _ => error.to_string(),
    }
}

fn endpoint_group(raw: i32) -> Option<EndpointGroup> {
    match ProtoGroup::try_from(raw).ok()? {
        ProtoGroup::Unspecified => None,
        ProtoGroup::OrderAndShipment => Some(EndpointGroup::OrderAndShipment),
        ProtoGroup::ProductAndStock => Some(EndpointGroup::ProductAndStock),
        ProtoGroup::SupplierDeliveries => Some(EndpointGroup::SupplierDeliveries),
        ProtoGroup::Returns => Some(EndpointGroup::Returns),
    }
}

fn proto_group(group: EndpointGroup) -> ProtoGroup {
    match group {
        EndpointGroup::OrderAndShipment => ProtoGroup::OrderAndShipment,
        EndpointGroup::ProductAndStock => ProtoGroup::ProductAndStock,
        EndpointGroup::SupplierDeliveries => ProtoGroup::SupplierDeliveries,
        EndpointGroup::Returns => ProtoGroup::Returns,
    }
}
