//! ogoship-gateway: everything the product knows about OGOship (myOGO): the REST client
//! (OAuth2 password grant, rotating refresh token kept in the store), change detection, the
//! webhook receiver, and the gRPC command service. It holds no business rules.
//!
//! It serves the same `WmsGateway` contract (`centrawms.wms.v1`) and publishes the same
//! `wms.<warehouse>.*` events as ongoing-gateway, so no sync service knows which WMS runs.
//! OGOship's GUIDs and codes travel as int64 handles minted in the gateway's own table
//! ([`handles`]); line ids are the 1-based positions of the lines we sent.
//!
//! The service runs as a task of the embedded runtime or as its own process (`src/main.rs`).
//! It owns its store (schema `ogoship_gateway`: handles, sent lines, reported quantities, the
//! refresh token, poll cursors, last published stock levels, plus the platform's outbox and
//! dead letters).
//!
//! # Layout
//! - [`client`]: the REST client (tokens, retries, paging, models);
//! - [`commands`] + [`grpc`]: the `WmsGateway` gRPC service;
//! - [`detect`]: `modifiedAfter` pollers turning OGOship changes into events; [`publish`]:
//!   subjects and outbox;
//! - [`handles`]: int64 handles, the lines we sent, acknowledged quantities;
//! - [`webhook`]: the signed-callback receiver that only wakes the pollers; [`subscription`]:
//!   registers our webhooks at OGOship;
//! - [`flow_status`]: the `FlowStatus` service; [`dead_letters`]: what a retry does;
//! - [`credentials`]: readiness from the credentials;
//! - `stock_levels`: the level each product was last published at, and publishing a read one
//!   that differs (the poll's and `ReadStock`'s one rule);
//! - [`settings`]: what is read from the configuration; [`gateway`]: the running whole.

pub mod client;
pub mod commands;
pub mod credentials;
pub mod dead_letters;
pub mod detect;
pub mod flow_status;
pub mod gateway;
pub mod grpc;
pub mod handles;
pub mod publish;
pub mod settings;
mod stock_levels;
pub mod subscription;
pub mod webhook;

use async_trait::async_trait;
use platform_runtime::{Migrations, Service, ServiceBase, ServiceContext, ServiceError};
use sqlx::migrate::Migrator;

pub use gateway::{Gateway, GatewayError};
pub use settings::GatewaySettings;

/// The service's name: its schema, its log lines, and its name in the service directory
/// (which `platform_runtime::WMS_GATEWAY` resolves to when `[wms] kind = "ogoship"`).
pub const NAME: &str = "ogoship-gateway";

static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
/// The gateway's own tables.
pub static MIGRATIONS: Migrations = Migrations::new(&POSTGRES, &SQLITE);

/// The ogoship-gateway service.
#[derive(Debug, Default, Clone)]
pub struct OgoshipGateway;

#[async_trait]
impl Service for OgoshipGateway {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn run(&self, ctx: ServiceContext) -> Result<(), ServiceError> {
        let base = ServiceBase::open(&ctx, NAME, &MIGRATIONS).await?;
        let running = async {
            let settings = GatewaySettings::from_config(&ctx.config)
                .ok_or_else(|| ServiceError::other_wms(NAME, "OGOship account", &ctx.config))?;
            let webhook_addr = settings.webhook_listen;
            let webhook = tokio::net::TcpListener::bind(webhook_addr)
                .await
                .map_err(|e| {
                    ServiceError::part(
                        NAME,
                        format!("binding the webhook receiver to {webhook_addr}"),
                        e,
                    )
                })?;
            let gateway = Gateway::new(settings, base.store.clone())
                .map_err(|e| ServiceError::part(NAME, "gateway", e))?;
            let routes = gateway.routes();
            // Either half stopping stops the other.
            let stop = ctx.shutdown.child_token();
            // Unready while OGOship refuses the credentials (or they are not checked yet);
            // the set aborts the watcher when the gateway stops.
            let mut credential_watch = tokio::task::JoinSet::new();
            credential_watch.spawn(credentials::watch(
                gateway.client().clone(),
                ctx.readiness.clone(),
                stop.clone(),
            ));
            let (watched, served) = tokio::join!(
                async {
                    let result = gateway.watch(webhook, stop.clone()).await;
                    stop.cancel();
                    result.map_err(|e| ServiceError::part(NAME, "watching the WMS", e))
                },
                async {
                    // Served under NAME: the directory resolves `WMS_GATEWAY` to the gateway
                    // of `[wms] kind` (platform-runtime `directory.rs`, `resolve`).
                    let result = ctx.directory.serve(NAME, routes, stop.clone()).await;
                    stop.cancel();
                    result.map_err(|e| ServiceError::part(NAME, "grpc server", e))
                }
            );
            watched.and(served)
        };
        let result = running.await;
        base.close().await;
        result
    }
}
