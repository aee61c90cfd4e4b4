//! The running gateway: the gRPC command server (served through the runtime's service
//! directory: in-process when embedded, on the configured address when distributed), the polls
//! (woken by webhooks, and for a GraphQL end-point by its events queue) and the webhook
//! receiver on a listener the caller bound (tests bind port 0).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use domain::Settings;
use platform_config::AppConfig;
use platform_runtime::{DeadLetterService, ServiceDirectory};
use platform_store::Store;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

use crate::client::{CentraError, ClientOptions};
use crate::client_graphql::GraphqlOptions;
use crate::commands::Commands;
use crate::connection::{CentraConnection, ConnectionError};
use crate::dead_letters::PollAgain;
use crate::detect::{Flows, PollSchedule, Wakers};
use crate::flow_status::{FlowStatusService, PollLog};
use crate::grpc::GrpcService;
use crate::webhook::WebhookReceiver;

/// Where the Centra webhook receiver listens (`runtime.centra_webhook_listen`).
pub fn webhook_listen(config: &AppConfig) -> SocketAddr {
    config.runtime.centra_webhook_listen
}

/// How often a GraphQL end-point's events queue is read (or the sync interval, when shorter).
const FEED_TICK: Duration = Duration::from_secs(2);

/// Why the gateway stopped on its own.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("grpc server: {0}")]
    Grpc(#[from] platform_runtime::DirectoryError),
    #[error("webhook server: {0}")]
    Webhook(#[source] std::io::Error),
    #[error(transparent)]
    Client(#[from] CentraError),
    #[error(transparent)]
    Connection(#[from] ConnectionError),
}

/// Everything the gateway runs, wired to one store.
#[derive(Debug, Clone)]
pub struct Gateway {
    clients: Vec<(CentraConnection, Flows)>,
    store: Store,
    interval: Duration,
    webhook_secrets: HashMap<domain::EndpointName, domain::Secret>,
}

impl Gateway {
    /// A gateway for every end-point of `settings`, each through the API its `api` names
    /// (`options` tune the Order API clients, `graphql` the GraphQL ones).
    ///
    /// # Errors
    /// [`GatewayError::Connection`] for a client that cannot be built (no secret or token).
    pub fn new(
        settings: &Settings,
        store: Store,
        options: &ClientOptions,
        graphql: &GraphqlOptions,
    ) -> Result<Self, GatewayError> {
        let mut clients = Vec::new();
        let mut webhook_secrets = HashMap::new();
        for endpoint in &settings.endpoints {
            let mut options = options.clone();
            if let Some(rate) = endpoint.requests_per_second {
                options.requests_per_second = rate.get();
                options.burst = rate.get();
            }
            let client = CentraConnection::for_endpoint(
                endpoint,
                settings.centra_time_zone,
                options,
                graphql.clone(),
            )?;
            if let CentraConnection::Graphql(graphql) = &client {
                log_token_expiry(
                    graphql.token_expiry(chrono::Utc::now().date_naive()),
                    graphql,
                );
            }
            let products = settings
                .catalog_endpoint
                .as_ref()
                .is_none_or(|catalog| *catalog == endpoint.name);
            let flows = Flows {
                shipments: settings.import.imports_shipments(),
                orders: settings.import.imports_orders(),
                products,
                deliveries: settings.purchase_orders,
            };
            // Only end-points with the Webhook plugin's own secret take webhooks; the others
            // answer 404 and rely on the reconciliation poll.
            match &endpoint.webhook_secret {
                Some(secret) => {
                    webhook_secrets.insert(endpoint.name.clone(), secret.clone());
                }
                None => tracing::info!(
                    endpoint = %endpoint.name,
                    "no webhook_secret configured: webhooks from this end-point are refused"
                ),
            }
            clients.push((client, flows));
        }
        Ok(Self {
            clients,
            store,
            interval: settings.sync_interval,
            webhook_secrets,
        })
    }

    /// The end-points' connections.
    pub fn clients(&self) -> Vec<CentraConnection> {
        self.clients.iter().map(|(c, _)| c.clone()).collect()
    }

    /// The command set (also what the gRPC service serves).
    pub fn commands(&self) -> Commands {
        Commands::new(
            self.clients.iter().map(|(c, _)| c.clone()),
            self.store.clone(),
        )
    }

    /// Serves until `shutdown`; the first server that fails stops the rest.
    pub async fn serve(
        self,
        directory: &ServiceDirectory,
        webhook: TcpListener,
        shutdown: CancellationToken,
    ) -> Result<(), GatewayError> {
        let stop = shutdown.child_token();
        let log = PollLog::default();
        let wakers = Wakers::new(self.clients.iter().map(|(c, _)| c.endpoint()));
        let schedule = PollSchedule {
            store: self.store.clone(),
            endpoints: self.clients.clone(),
            interval: self.interval,
            wakers: wakers.clone(),
            log: log.clone(),
        };
        let polls = tokio::spawn(schedule.run(stop.clone()));
        // GraphQL end-points: the events queue wakes the polls it concerns between intervals.
        let feeds: Vec<_> = self
            .clients
            .iter()
            .filter_map(|(connection, flows)| match connection {
                CentraConnection::Graphql(client) => {
                    Some(tokio::spawn(crate::detect::feed::run_feed(
                        client.clone(),
                        *flows,
                        wakers.clone(),
                        FEED_TICK.min(self.interval),
                        stop.clone(),
                    )))
                }
                CentraConnection::OrderApi(_) => None,
            })
            .collect();
        let receiver = WebhookReceiver::new(self.webhook_secrets.clone(), wakers.clone());
        tracing::info!(
            webhook = ?webhook.local_addr().ok(),
            endpoints = self.clients.len(),
            "centra gateway serving"
        );
        let commands = self.commands();
        let webhook_stop = stop.clone();
        let webhook_server = async move {
            axum::serve(webhook, receiver.router())
                .with_graceful_shutdown(webhook_stop.cancelled_owned())
                .await
                .map_err(GatewayError::Webhook)
        };
        let grpc_stop = stop.clone();
        let endpoints = self
            .clients
            .iter()
            .map(|(c, flows)| (c.endpoint().clone(), *flows))
            .collect();
        let graphql = self
            .clients
            .iter()
            .filter_map(|(c, _)| match c {
                CentraConnection::Graphql(client) => Some(client.clone()),
                CentraConnection::OrderApi(_) => None,
            })
            .collect();
        let calls = platform_runtime::CallLog::new(self.store.clone(), "centra");
        let routes = Routes::new(GrpcService::new(commands, calls.clone()).into_server())
            .add_service(platform_runtime::ExternalCallsService::new(calls).into_server())
            .add_service(
                FlowStatusService::new(self.store.clone(), endpoints, log)
                    .with_budgets(graphql)
                    .into_server(),
            )
            .add_service(
                DeadLetterService::new(self.store.clone(), Arc::new(PollAgain::new(wakers)))
                    .into_server(),
            );
        let grpc_server = async move {
            directory
                .serve(crate::NAME, routes, grpc_stop)
                .await
                .map_err(GatewayError::Grpc)
        };
        let result = tokio::try_join!(
            async {
                let r = webhook_server.await;
                stop.cancel();
                r
            },
            async {
                let r = grpc_server.await;
                stop.cancel();
                r
            }
        );
        stop.cancel();
        if let Err(error) = polls.await {
            tracing::warn!(%error, "polls ended abnormally");
        }
        for feed in feeds {
            if let Err(error) = feed.await {
                tracing::warn!(%error, "events feed ended abnormally");
            }
        }
        result.map(|_| ())
    }
}

/// Says at start where a GraphQL end-point's token stands: an operator sees an expired or
/// expiring token in the log before the flows meet Centra's authorization errors.
fn log_token_expiry(expiry: domain::TokenExpiry, client: &crate::client_graphql::GraphqlClient) {
    let endpoint = client.endpoint();
    match expiry {
        domain::TokenExpiry::Expired { .. } => {
            tracing::error!(endpoint = %endpoint, "{expiry}");
        }
        domain::TokenExpiry::Soon { .. } | domain::TokenExpiry::Unknown => {
            tracing::warn!(endpoint = %endpoint, "{expiry}");
        }
        domain::TokenExpiry::Valid { .. } => tracing::info!(endpoint = %endpoint, "{expiry}"),
    }
}
