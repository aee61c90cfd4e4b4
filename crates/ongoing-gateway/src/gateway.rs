//! The running gateway: the pollers and the webhook receiver ([`Gateway::watch`]) and the gRPC
//! command routes ([`Gateway::routes`]), which the runtime's service directory serves
//! in-process (embedded) or on the configured address (distributed).

use std::sync::Arc;

use platform_runtime::{CallLog, DeadLetterService, ExternalCallsService};
use platform_store::Store;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

use crate::client::{OngoingClient, OngoingError};
use crate::dead_letters::DetectAgain;
use crate::detect::Detector;
use crate::flow_status::{self, DetectLog};
use crate::grpc::GatewayCommands;
use crate::settings::GatewaySettings;
use crate::webhook::WebhookReceiver;

/// The system the gateway's calls are logged as, in every record's journey.
pub(crate) const CALLS_SYSTEM: &str = "ongoing";

/// Why the gateway stopped on its own.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("webhook server: {0}")]
    Webhook(#[source] std::io::Error),
    #[error(transparent)]
    Client(#[from] OngoingError),
}

/// Everything the gateway runs, wired to one store.
#[derive(Debug, Clone)]
pub struct Gateway {
    client: OngoingClient,
    store: Store,
    settings: Arc<GatewaySettings>,
    /// The detectors' outcomes, for `FlowStatus`.
    log: DetectLog,
    /// Runs the detectors now: webhooks and dead-letter retries give it.
    wake: Arc<Notify>,
}

impl Gateway {
    pub fn new(settings: GatewaySettings, store: Store) -> Result<Self, GatewayError> {
        // Every replica of the gateway shares the goods owner's lane through the store.
        let client =
            OngoingClient::new(settings.client.clone())?.with_shared_lane(store.locks().clone());
        Ok(Self {
            client,
            store,
            settings: Arc::new(settings),
            log: DetectLog::default(),
            wake: Arc::new(Notify::new()),
        })
    }

    pub fn client(&self) -> &OngoingClient {
        &self.client
    }

    pub fn detector(&self) -> Detector {
        Detector::new(
            self.client.clone(),
            self.store.clone(),
            self.settings.clone(),
        )
        .with_log(self.log.clone())
    }

    pub fn commands(&self) -> GatewayCommands {
        GatewayCommands::new(
            self.client.clone(),
            self.store.clone(),
            self.settings.clone(),
            self.calls(),
        )
    }

    /// The log of the calls each command made for its records (`ExternalCalls`).
    pub fn calls(&self) -> CallLog {
        CallLog::new(self.store.clone(), CALLS_SYSTEM)
    }

    /// The `WmsGateway`, `ExternalCalls`, `FlowStatus` and `DeadLetters` gRPC services as routes for the
    /// service directory.
    pub fn routes(&self) -> Routes {
        Routes::new(self.commands().into_server())
            .add_service(ExternalCallsService::new(self.calls()).into_server())
            .add_service(
                flow_status::service(self.store.clone(), &self.settings, self.log.clone())
                    .into_server(),
            )
            .add_service(
                DeadLetterService::new(
                    self.store.clone(),
                    Arc::new(DetectAgain::new(self.wake.clone())),
                )
                .into_server(),
            )
    }

    /// Runs the pollers and serves webhooks on `webhook` until `shutdown`.
    pub async fn watch(
        self,
        webhook: TcpListener,
        shutdown: CancellationToken,
    ) -> Result<(), GatewayError> {
        let wake = self.wake.clone();
        let stop = shutdown.child_token();
        let poller = tokio::spawn(self.detector().run(wake.clone(), stop.clone()));
        if self.settings.webhook_token.is_none() {
            tracing::warn!(
                "ongoing webhooks are refused: wms.webhook_token is not set; the polls still \
                 find every change"
            );
        }
        let receiver = WebhookReceiver::new(
            self.settings.webhook_token.clone(),
            self.settings.webhook_header.clone(),
            wake,
        );
        tracing::info!(
            webhook = ?webhook.local_addr().ok(),
            warehouse = %self.settings.warehouse,
            "ongoing gateway watching"
        );
        let served = axum::serve(webhook, receiver.router())
            .with_graceful_shutdown(stop.clone().cancelled_owned())
            .await
            .map_err(GatewayError::Webhook);
        stop.cancel();
        if let Err(error) = poller.await {
            tracing::warn!(%error, "poller ended abnormally");
        }
        served
    }
}
