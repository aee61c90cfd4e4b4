//! The WMS user's credentials as readiness: checked with the cheapest read at start and now
//! and then (`platform_runtime::watch_credentials`); while Ongoing refuses them (HTTP 401, or
//! 403 for a goods owner that is not the API user's) the process is not ready and `/readyz`
//! says what Ongoing answered.

use std::future::Future;

use platform_runtime::{CredentialChecks, Credentials, Readiness, watch_credentials};
use tokio_util::sync::CancellationToken;

use crate::client::{OngoingClient, OngoingError};

/// What a probe's answer says of the credentials.
pub fn verdict(result: Result<(), OngoingError>) -> Credentials {
    match result {
        Ok(()) => Credentials::Accepted,
        Err(error) if matches!(error.status(), Some(401 | 403)) => {
            Credentials::Refused(error.to_string())
        }
        Err(error) => Credentials::Unknown(error.to_string()),
    }
}

/// Watches until `stop`; unready from this call on (see `watch_credentials`).
pub fn watch(
    client: OngoingClient,
    readiness: Readiness,
    stop: CancellationToken,
) -> impl Future<Output = ()> {
    let what = format!("wms {}", client.warehouse());
    watch_credentials(
        readiness,
        what,
        CredentialChecks::default(),
        move || {
            let client = client.clone();
            async move { verdict(client.probe().await) }
        },
        stop,
    )
}
