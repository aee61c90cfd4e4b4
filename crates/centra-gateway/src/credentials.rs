//! Each end-point's secret as readiness: checked with the cheapest read at start and now and
//! then (`platform_runtime::watch_credentials`); while Centra refuses it (HTTP 401, or 403 for
//! a plugin that denies ORDER & SHIPMENT) the process is not ready and `/readyz` names the
//! end-point and what Centra said.

use platform_runtime::{CredentialChecks, Credentials, Readiness, watch_credentials};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::client::{CentraClient, CentraError, CentraErrorKind};

/// What a `test_connection` answer says of the secret.
pub fn verdict(result: Result<(), CentraError>) -> Credentials {
    match result {
        Ok(()) => Credentials::Accepted,
        Err(error) => match &error.kind {
            CentraErrorKind::Rejected {
                status: 401 | 403, ..
            } => Credentials::Refused(error.to_string()),
            _ => Credentials::Unknown(error.to_string()),
        },
    }
}

/// One watcher per end-point, until `stop`.
pub fn watch(
    clients: impl IntoIterator<Item = CentraClient>,
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
                async move { verdict(client.test_connection().await) }
            },
            stop.clone(),
        ));
    }
    watchers
}
