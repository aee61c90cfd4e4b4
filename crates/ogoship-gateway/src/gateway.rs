//! The running gateway: the pollers and the webhook receiver ([`Gateway::watch`]) and the gRPC
//! command routes ([`Gateway::routes`]), which the runtime's service directory serves
//! in-process (embedded) or on the configured address (distributed).

use std::sync::Arc;

use platform_runtime::DeadLetterService;
use platform_store::Store;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

use crate::client::{OgoshipClient, OgoshipError};
use crate::dead_letters::DetectAgain;
use crate::detect::Detector;
use crate::flow_status::{self, DetectLog, FlowStatusService};
use crate::grpc::GatewayCommands;
use crate::settings::GatewaySettings;
use crate::webhook::WebhookReceiver;

/// Why the gateway stopped on its own.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("webhook server: {0}")]
    Webhook(#[source] std::io::Error),
    #[error(transparent)]
    Client(#[from] OgoshipError),
}

/// Everything the gateway runs, wired to one store.
#[derive(Debug, Clone)]
pub struct Gateway {
    client: OgoshipClient,
    store: Store,
    settings: Arc<GatewaySettings>,
    /// The detectors' outcomes, for `FlowStatus`.
    log: DetectLog,
    /// Runs the detectors now: webhooks and dead-letter retries give it.
    wake: Arc<Notify>,
}

impl Gateway {
    pub fn new(settings: GatewaySettings, store: Store) -> Result<Self, GatewayError> {
        let client = OgoshipClient::new(settings.client.clone(), store.clone())?;
        Ok(Self {
            client,
            store,
            settings: Arc::new(settings),
            log: DetectLog::default(),
            wake: Arc::new(Notify::new()),
        })
    }

    pub fn client(&self) -> &OgoshipClient {
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
        )
    }

    pub fn flow_status(&self) -> FlowStatusService {
        flow_status::service(self.store.clone(), &self.settings, self.log.clone())
    }

    /// The `WmsGateway`, `ExternalCalls`, `FlowStatus` and `DeadLetters` gRPC services as routes.
    pub fn routes(&self) -> Routes {
        Routes::new(self.commands().into_server())
            .add_service(
                platform_runtime::ExternalCallsService::new(platform_runtime::CallLog::new(
                    self.store.clone(),
                    "ogoship",
                ))
                .into_server(),
            )
            .add_service(self.flow_status().into_server())
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
        let registration = self.settings.subscription.clone().map(|subscription| {
            tokio::spawn(crate::subscription::keep_registered(
                self.client.clone(),
                subscription,
                self.settings.poll_interval,
                stop.clone(),
            ))
        });
        if self.settings.webhook_key.is_none() {
            tracing::warn!(
                "ogoship webhooks are refused: wms.webhook_key is not set (the polls alone find \
                 changes)"
            );
        }
        let receiver = WebhookReceiver::new(self.settings.webhook_key.clone(), wake);
        tracing::info!(
            webhook = ?webhook.local_addr().ok(),
            warehouse = %self.settings.warehouse,
            "ogoship gateway watching"
        );
        let served = axum::serve(webhook, receiver.router())
            .with_graceful_shutdown(stop.clone().cancelled_owned())
            .await
            .map_err(GatewayError::Webhook);
        stop.cancel();
        if let Err(error) = poller.await {
            tracing::warn!(%error, "poller ended abnormally");
        }
        if let Some(Err(error)) = match registration {
            Some(task) => Some(task.await),
            None => None,
        } {
            tracing::warn!(%error, "webhook registration ended abnormally");
        }
        served
    }
}
