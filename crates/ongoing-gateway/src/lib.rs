//! ongoing-gateway: everything the product knows about Ongoing WMS: the REST client (one
//! request in flight per goods owner), change detection, the webhook receiver, and the gRPC
//! command service. It holds no business rules.
//!
//! The service runs as a task of the embedded runtime or as its own process (`src/main.rs`).
//! It owns its store (schema `ongoing_gateway`: poll cursors, last published stock levels,
//! plus the platform's outbox and dead letters) and meets the other services only through the
//! bus (`wms.<warehouse>.*`, see [`publish`]), the gRPC contract `centrawms.wms.v1` and the
//! `domain` crate.
//!
//! Layout:
//! - [`client`]: the REST client (auth, lane per goods owner, retries, pagination, models);
//! - [`commands`] + [`grpc`]: the `WmsGateway` gRPC service;
//! - [`detect`]: pollers turning warehouse changes into events (report-back pattern plus
//!   overlapping time cursors); [`publish`]: subjects and outbox;
//! - [`webhook`]: the receiver that only wakes the pollers;
//! - [`flow_status`]: the `FlowStatus` service (per detector: last run, cursor, last error);
//! - [`dead_letters`]: what retrying a dead letter does (run the detectors now);
//! - [`settings`]: what is read from the configuration; [`gateway`]: the running whole;
//! - `quantity`: checked item counts; [`inventory`]: an article's stock as Ongoing reports it;
//! - `stock_levels`: the level each article was last published at, and publishing a read one
//!   that differs (the poll's and `ReadStock`'s one rule).

pub mod client;
pub mod commands;
pub mod credentials;
pub mod dead_letters;
pub mod detect;
pub mod flow_status;
pub mod gateway;
pub mod grpc;
pub mod inventory;
pub mod publish;
mod quantity;
pub mod settings;
mod stock_levels;
pub mod webhook;

use async_trait::async_trait;
use platform_runtime::{Migrations, Service, ServiceBase, ServiceContext, ServiceError};
use sqlx::migrate::Migrator;

pub use gateway::{Gateway, GatewayError};
pub use settings::GatewaySettings;

/// The service's name: its schema, its log lines and its bus consumers carry it.
pub const NAME: &str = "ongoing-gateway";

static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
/// The gateway's own tables (poll cursors, stock levels).
pub static MIGRATIONS: Migrations = Migrations::new(&POSTGRES, &SQLITE);

/// The ongoing-gateway service.
#[derive(Debug, Default, Clone)]
pub struct OngoingGateway;

#[async_trait]
impl Service for OngoingGateway {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn run(&self, ctx: ServiceContext) -> Result<(), ServiceError> {
        let base = ServiceBase::open(&ctx, NAME, &MIGRATIONS).await?;
        let webhook_addr = settings::webhook_listen(&ctx.config);
        let running = async {
            let webhook = tokio::net::TcpListener::bind(webhook_addr)
                .await
                .map_err(|e| {
                    ServiceError::part(
                        NAME,
                        format!("binding the webhook receiver to {webhook_addr}"),
                        e,
                    )
                })?;
            let gateway = Gateway::new(
                GatewaySettings::from_config(&ctx.config)
                    .ok_or_else(|| ServiceError::other_wms(NAME, "Ongoing account", &ctx.config))?,
                base.store.clone(),
            )
            .map_err(|e| ServiceError::part(NAME, "gateway", e))?;
            let routes = gateway.routes();
            // Either half stopping stops the other.
            let stop = ctx.shutdown.child_token();
            // Unready while the WMS refuses the credentials (or they are not checked yet);
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
