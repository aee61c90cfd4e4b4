//! centra-gateway: everything the product knows about Centra: the Order API client, the webhook
//! receiver, the polls, and the gRPC command service the sync services call. It holds no
//! business rules.
//!
//! The service runs as a task of the embedded runtime or as its own process (`src/main.rs`).
//! It owns its store (schema `centra_gateway`: processed records and poll cursors, plus the
//! platform's inbox, outbox and dead letters) and meets the other services only through the
//! bus, the gRPC contracts in `proto/` and the `domain` crate.
//!
//! Layout:
//! - [`client`]: the Order API client (auth, envelope, lenient types, pagination, time zone,
//!   retries, rate limit), one per end-point.
//! - [`client_graphql`]: the Integration API (GraphQL) client, the second Centra adapter's
//!   client (typed operations checked at build time against `graphql/centra.graphql`, Bearer
//!   auth, typed errors, the rate governor). A sibling of `client` rather than `client/graphql`:
//!   the two share no code, only `PayloadError`. The stock, return, read-shipment,
//!   list-products, quantities, complete-shipment, capture, accept-supplier-delivery and
//!   test-connection commands, the good-to-go poll, the orders poll, the products poll and the
//!   deliveries poll go through it ([`connection`]): every flow is served on either API.
//! - [`signature`] and [`webhook`]: the signed webhook receiver; webhooks only wake the polls.
//! - [`detect`]: shipments (good to go, and cancelled once they leave that list without
//!   completing), orders (import `orders`/`both`), products, supplier deliveries, returns;
//!   events go through the outbox with the memory that makes each one publish once.
//! - [`publish`]: subjects, deterministic ids and the protobuf payloads.
//! - [`connection`]: the commands' port to Centra ([`connection::CentraConnection`]), served
//!   by either client as the end-point's `api` says.
//! - [`commands`] and [`grpc`]: the idempotent commands and the `CentraGateway` service.
//! - [`flow_status`]: the `FlowStatus` service (per poll: last run, cursor, last error).
//! - [`dead_letters`]: what retrying a dead letter does (wake the polls of its end-point).
//! - [`gateway`]: wires it all on two listeners.

pub mod client;
pub mod client_graphql;
pub mod commands;
pub mod connection;
pub mod credentials;
pub mod dead_letters;
pub mod detect;
pub mod flow_status;
pub mod gateway;
pub mod grpc;
pub mod publish;
pub mod signature;
pub mod webhook;

use async_trait::async_trait;
use platform_runtime::{Migrations, Service, ServiceBase, ServiceContext, ServiceError};
use sqlx::migrate::Migrator;

pub use gateway::{Gateway, GatewayError};

/// The service's name: its schema, its log lines and its bus consumers carry it.
pub const NAME: &str = "centra-gateway";

static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");

/// The gateway's own tables (processed records, poll cursors).
pub static MIGRATIONS: Migrations = Migrations::new(&POSTGRES, &SQLITE);

/// The centra-gateway service.
#[derive(Debug, Default, Clone)]
pub struct CentraGateway;

#[async_trait]
impl Service for CentraGateway {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn run(&self, ctx: ServiceContext) -> Result<(), ServiceError> {
        let base = ServiceBase::open(&ctx, NAME, &MIGRATIONS).await?;
        let result = async {
            let gateway = Gateway::new(
                &ctx.config.settings,
                base.store.clone(),
                &client::ClientOptions::default(),
                &client_graphql::GraphqlOptions::default(),
            )
            .map_err(|e| ServiceError::part(NAME, "end-points", e))?;
            // Unready while an end-point's secret is refused (or not checked yet).
            let _credential_watch =
                credentials::watch(gateway.clients(), &ctx.readiness, &ctx.shutdown);
            let webhook_addr = gateway::webhook_listen(&ctx.config);
            let webhook = tokio::net::TcpListener::bind(webhook_addr)
                .await
                .map_err(|e| {
                    ServiceError::part(NAME, format!("binding webhooks {webhook_addr}"), e)
                })?;
            gateway
                .serve(&ctx.directory, webhook, ctx.shutdown.clone())
                .await
                .map_err(|e| ServiceError::part(NAME, "serving", e))
        }
        .await;
        base.close().await;
        result
    }
}
