//! Readiness from the OGOship credentials: checked at start and every few minutes; while the
//! token server refuses them the process is not ready and `/readyz` says what to fix
//! ("check merchant id and secret in [wms]"). A refused API call (401/403 after a fresh
//! token) counts as refused too.

use std::future::Future;

use platform_runtime::{CredentialChecks, Credentials, Readiness, watch_credentials};
use tokio_util::sync::CancellationToken;

use crate::client::{FIX_CREDENTIALS, OgoshipClient, OgoshipError};

/// What a probe's answer says of the credentials.
pub fn verdict(result: Result<(), OgoshipError>) -> Credentials {
    match result {
        Ok(()) => Credentials::Accepted,
        Err(error @ OgoshipError::CredentialsRefused { .. }) => {
            Credentials::Refused(error.to_string())
        }
        Err(error) if matches!(error.status(), Some(401 | 403)) => {
            Credentials::Refused(format!("{error}; {FIX_CREDENTIALS}"))
        }
        Err(error) => Credentials::Unknown(error.to_string()),
    }
}

/// Watches until `stop`; unready from this call on (see `watch_credentials`).
pub fn watch(
    client: OgoshipClient,
    readiness: Readiness,
    stop: CancellationToken,
) -> impl Future<Output = ()> {
    let what = format!("wms {} (ogoship)", client.warehouse());
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
