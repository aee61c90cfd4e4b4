//! Each end-point's secret as readiness: checked with the cheapest read at start and now and
//! then (`platform_runtime::watch_credentials`); while Centra refuses it (HTTP 401, or 403 for
//! a plugin that denies ORDER & SHIPMENT; through GraphQL a refused token or a missing
//! permission) the process is not ready and `/readyz` names the
//! end-point and what Centra said.

use platform_runtime::{CredentialChecks, Credentials, Readiness, watch_credentials};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use domain::EndpointGroup;

use crate::client::CentraErrorKind;
use crate::client_graphql::GraphqlErrorKind;
use crate::connection::{CentraConnection, ConnectionError};

/// What a read of ORDER & SHIPMENT says of the secret (Order API) or token (GraphQL).
pub fn verdict(result: Result<(), ConnectionError>) -> Credentials {
    match result {
        Ok(()) => Credentials::Accepted,
        Err(error) => {
            let refused = match &error {
                ConnectionError::OrderApi(e) => matches!(
                    e.kind,
                    CentraErrorKind::Rejected {
                        status: 401 | 403,
                        ..
                    }
                ),
                ConnectionError::Graphql(e) => {
                    matches!(e.kind, GraphqlErrorKind::NotAuthorized(_))
                }
            };
            if refused {
                Credentials::Refused(error.to_string())
            } else {
                Credentials::Unknown(error.to_string())
            }
        }
    }
}

/// One watcher per end-point, until `stop`.
pub fn watch(
    clients: impl IntoIterator<Item = CentraConnection>,
    readiness: &Readiness,
    stop: &CancellationToken,
) -> JoinSet<()> {
    let mut watchers = JoinSet::new();
    for client in clients {
        let what = format!("centra end-point {}", client.endpoint());
        watchers.spawn(watch_credentials(
            readiness.clone(),
            what,
            CredentialChecks::default(),
            move || {
                let client = client.clone();
                async move {
                    verdict(
                        client
                            .probe(EndpointGroup::OrderAndShipment)
                            .await
                            .map(|_| ()),
                    )
                }
            },
            stop.clone(),
        ));
    }
    watchers
}
