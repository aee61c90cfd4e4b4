//! Webhooks the way Ongoing sends them (ongoing-rest-api.md §8, DEV /Webhooks):
//! one JSON object per event, POSTed to one URL with a static auth header (no signature),
//! retry policy `none` (default) or `oneDay` (simulated as a few quick retries).
//!
//! `POST /_sim/webhooks` takes `{"url", "secret", "headerName"?, "retryPolicy"?, "events"?}`:
//! the secret goes out as `X-Auth-Token: <secret>` unless `headerName` (or the instance
//! setting) names another header; `events` limits the templates sent (all by default).
//! `GET /_sim/webhooks` shows the settings and every delivery with its attempts.
//!
//! Layout: this file the settings, the queue and the sender task; `payloads.rs` the bodies.

pub(crate) mod payloads;

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::config::SimConfig;

/// Ongoing's per-webhook retry setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RetryPolicy {
    #[default]
    #[serde(rename = "none", alias = "None")]
    None,
    #[serde(
        rename = "oneDay",
        alias = "OneDay",
        alias = "One day",
        alias = "one_day"
    )]
    OneDay,
}

/// Where and how to send webhooks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookSettings {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub header_name: Option<String>,
    #[serde(default)]
    pub retry_policy: RetryPolicy,
    /// Templates to send (`OrderCreated`, `OrderStatusChanged`, `OrderPicked`,
    /// `PurchaseOrderCreated`, `PurchaseOrderStatusChanged`, `PurchaseOrderReceived`,
    /// `ArticlePicked`, `ArticleReturned`, `InventoryTransaction`); all when absent.
    #[serde(default)]
    pub events: Option<Vec<String>>,
}

/// A webhook body ready to send, before it gets its `webhookEventId`.
#[derive(Debug, Clone)]
pub(crate) struct WebhookPayload {
    pub template: &'static str,
    pub body: Value,
}

/// One delivery as shown by `GET /_sim/webhooks`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Delivery {
    pub webhook_event_id: i64,
    pub webhook_template: String,
    pub url: String,
    pub attempts: u32,
    pub delivered: bool,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub payload: Value,
}

#[derive(Debug)]
struct Outgoing {
    url: String,
    header: String,
    secret: Option<String>,
    retry: RetryPolicy,
    index: usize,
    generation: u64,
    body: Value,
}

#[derive(Debug, Default)]
struct Shared {
    settings: Mutex<Option<WebhookSettings>>,
    deliveries: Mutex<Vec<Delivery>>,
    /// Bumped by reset so retries of an earlier test stop.
    generation: AtomicU64,
}

impl Shared {
    fn deliveries(&self) -> std::sync::MutexGuard<'_, Vec<Delivery>> {
        self.deliveries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn settings(&self) -> std::sync::MutexGuard<'_, Option<WebhookSettings>> {
        self.settings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The webhook sender of one simulator.
#[derive(Debug)]
pub(crate) struct Webhooks {
    shared: Arc<Shared>,
    queue: mpsc::UnboundedSender<Outgoing>,
    next_event_id: AtomicI64,
    default_header: String,
}

impl Webhooks {
    /// Starts the sender task (needs a Tokio runtime).
    pub(crate) fn start(config: &SimConfig) -> Self {
        let shared = Arc::new(Shared::default());
        let (queue, receiver) = mpsc::unbounded_channel();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        tokio::spawn(send_loop(
            receiver,
            client,
            shared.clone(),
            config.webhook_retry_delays.clone(),
        ));
        Self {
            shared,
            queue,
            next_event_id: AtomicI64::new(1),
            default_header: config.webhook_auth_header.clone(),
        }
    }

    pub(crate) fn configure(&self, settings: WebhookSettings) {
        *self.shared.settings() = Some(settings);
    }

    pub(crate) fn settings(&self) -> Option<WebhookSettings> {
        self.shared.settings().clone()
    }

    pub(crate) fn deliveries(&self) -> Vec<Delivery> {
        self.shared.deliveries().clone()
    }

    pub(crate) fn clear(&self) {
        self.shared.generation.fetch_add(1, Ordering::SeqCst);
        *self.shared.settings() = None;
        self.shared.deliveries().clear();
    }

    /// Queues `payload` if webhooks are configured and its template is wanted.
    pub(crate) fn emit(&self, mut payload: WebhookPayload) {
        let Some(settings) = self.settings() else {
            return;
        };
        let Some(url) = settings.url.clone().filter(|u| !u.is_empty()) else {
            return;
        };
        if settings.events.as_ref().is_some_and(|wanted| {
            !wanted
                .iter()
                .any(|t| t.eq_ignore_ascii_case(payload.template))
        }) {
            return;
        }
        let event_id = self.next_event_id.fetch_add(1, Ordering::SeqCst);
        if let Some(object) = payload.body.as_object_mut() {
            object.insert("webhookEventId".to_owned(), Value::from(event_id));
        }
        let index = {
            let mut deliveries = self.shared.deliveries();
            deliveries.push(Delivery {
                webhook_event_id: event_id,
                webhook_template: payload.template.to_owned(),
                url: url.clone(),
                attempts: 0,
                delivered: false,
                last_status: None,
                last_error: None,
                payload: payload.body.clone(),
            });
            deliveries.len() - 1
        };
        let outgoing = Outgoing {
            url,
            header: settings
                .header_name
                .clone()
                .unwrap_or_else(|| self.default_header.clone()),
            secret: settings.secret.clone(),
            retry: settings.retry_policy,
            index,
            generation: self.shared.generation.load(Ordering::SeqCst),
            body: payload.body,
        };
        if self.queue.send(outgoing).is_err() {
            tracing::warn!(event_id, "webhook sender has stopped; webhook not sent");
        }
    }
}

/// Sends queued webhooks in order; failures under `oneDay` are retried by a task of their own
/// so later webhooks are not held up.
async fn send_loop(
    mut receiver: mpsc::UnboundedReceiver<Outgoing>,
    client: reqwest::Client,
    shared: Arc<Shared>,
    retry_delays: Vec<Duration>,
) {
    while let Some(outgoing) = receiver.recv().await {
        if attempt(&client, &shared, &outgoing).await || outgoing.retry == RetryPolicy::None {
            continue;
        }
        let client = client.clone();
        let shared = shared.clone();
        let delays = retry_delays.clone();
        tokio::spawn(async move {
            for delay in delays {
                tokio::time::sleep(delay).await;
                if shared.generation.load(Ordering::SeqCst) != outgoing.generation
                    || attempt(&client, &shared, &outgoing).await
                {
                    return;
                }
            }
        });
    }
}

/// One POST; true when the receiver answered 2xx.
async fn attempt(client: &reqwest::Client, shared: &Shared, outgoing: &Outgoing) -> bool {
    let mut request = client.post(&outgoing.url).json(&outgoing.body);
    if let Some(secret) = &outgoing.secret {
        request = request.header(outgoing.header.as_str(), secret.as_str());
    }
    let result = request.send().await;
    let (ok, status, error) = match result {
        Ok(response) => (
            response.status().is_success(),
            Some(response.status().as_u16()),
            None,
        ),
        Err(err) => (false, None, Some(err.to_string())),
    };
    if shared.generation.load(Ordering::SeqCst) == outgoing.generation
        && let Some(delivery) = shared.deliveries().get_mut(outgoing.index)
    {
        delivery.attempts += 1;
        delivery.delivered = ok;
        delivery.last_status = status;
        delivery.last_error = error.clone();
    }
    if !ok {
        tracing::info!(url = %outgoing.url, status = ?status, error = ?error, "webhook delivery failed");
    }
    ok
}
