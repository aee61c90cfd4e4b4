//! Registers the gateway's webhooks at OGOship (ogoship-api.md §9), so a shipped order or a
//! stock change wakes the pollers in seconds instead of at the next poll.
//!
//! With `[wms] webhook_url` and `webhook_key` set, one hook per type we listen to
//! (`OrderShipped`, `ProductStockLevelChanged`) must exist with our url and key. Hooks are
//! matched by url and type, so what another integration registered on the same merchant is
//! never touched. Repeated starts (or several replicas starting at once) converge: a hook
//! with our url and type but another key is updated, a second one of ours is deleted.
//!
//! Webhooks only ever wake the pollers, so a registration that fails is logged and tried again
//! after a poll interval; the polls find every change meanwhile.

use std::time::Duration;

use domain::Secret;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::client::models::{WebHookBody, WebHookResponse};
use crate::client::{OgoshipClient, OgoshipError};

/// The event types the gateway listens to, by the names OGOship documents (type 1 and 2).
pub const HOOK_TYPES: [(&str, u64); 2] = [("OrderShipped", 1), ("ProductStockLevelChanged", 2)];

/// Where OGOship should call and the key it signs with.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub url: String,
    pub key: Secret,
}

/// What one registration pass did, for the log and the tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registered {
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
    pub kept: usize,
}

/// Whether `hook` is of the type named `name` (number `number`): OGOship may answer either.
fn is_type(hook: &WebHookResponse, name: &str, number: u64) -> bool {
    match &hook.hook_type {
        Some(Value::String(s)) => s.eq_ignore_ascii_case(name) || s.trim() == number.to_string(),
        Some(Value::Number(n)) => n.as_u64() == Some(number),
        _ => false,
    }
}

/// Makes exactly one hook of each type in [`HOOK_TYPES`] point at `subscription` with its key.
///
/// # Errors
/// The first OGOship call that failed (retryable or not, see [`OgoshipError::is_retryable`]);
/// hooks already put right stay so.
pub async fn register(
    client: &OgoshipClient,
    subscription: &Subscription,
) -> Result<Registered, OgoshipError> {
    let hooks = client.list_webhooks().await?;
    let mut done = Registered::default();
    for (name, number) in HOOK_TYPES {
        let body = WebHookBody {
            url: subscription.url.clone(),
            key: subscription.key.expose().to_owned(),
            hook_type: name.to_owned(),
        };
        let ours: Vec<&WebHookResponse> = hooks
            .iter()
            .filter(|h| h.url.as_deref() == Some(subscription.url.as_str()))
            .filter(|h| is_type(h, name, number))
            .collect();
        match ours.split_first() {
            None => {
                client.create_webhook(&body).await?;
                done.created += 1;
            }
            Some((first, extra)) => {
                let id = first.id.as_deref().unwrap_or_default();
                if first.key.as_deref() == Some(subscription.key.expose()) {
                    done.kept += 1;
                } else {
                    client.update_webhook(id, &body).await?;
                    done.updated += 1;
                }
                for hook in extra {
                    if let Some(id) = hook.id.as_deref() {
                        client.delete_webhook(id).await?;
                        done.deleted += 1;
                    }
                }
            }
        }
    }
    Ok(done)
}

/// Registers until it succeeds, a terminal refusal, or `shutdown`; waits `retry_every`
/// between tries.
pub async fn keep_registered(
    client: OgoshipClient,
    subscription: Subscription,
    retry_every: Duration,
    shutdown: CancellationToken,
) {
    loop {
        match register(&client, &subscription).await {
            Ok(done) => {
                tracing::info!(url = %subscription.url, ?done, "ogoship webhooks registered");
                return;
            }
            Err(error) if error.is_retryable() => {
                tracing::warn!(%error, url = %subscription.url,
                    "ogoship webhooks not registered yet; the polls find changes meanwhile");
            }
            Err(error) => {
                tracing::error!(%error, url = %subscription.url,
                    "OGOship refused the webhook registration; check wms.webhook_url and the API \
                     client's write:webhook scope (the polls still find every change)");
                return;
            }
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(retry_every) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hook(hook_type: Value) -> WebHookResponse {
        WebHookResponse {
            hook_type: Some(hook_type),
            ..WebHookResponse::default()
        }
    }

    #[test]
    fn a_type_matches_by_name_in_any_case_or_by_number() {
        assert!(is_type(&hook(json!("OrderShipped")), "OrderShipped", 1));
        assert!(is_type(&hook(json!("ordershipped")), "OrderShipped", 1));
        assert!(is_type(&hook(json!(1)), "OrderShipped", 1));
        assert!(is_type(&hook(json!("1")), "OrderShipped", 1));
        assert!(!is_type(&hook(json!(2)), "OrderShipped", 1));
        assert!(!is_type(&hook(json!(null)), "OrderShipped", 1));
    }
}
