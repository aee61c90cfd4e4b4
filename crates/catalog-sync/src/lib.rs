//! catalog-sync: The article flow: Centra size rows become WMS articles, automatically or by manual selection.
//!
//! The service runs as a task of the embedded runtime or as its own process (`src/main.rs`).
//! It owns its store (schema `catalog_sync`) and meets the other services only through the bus,
//! the gRPC contracts in `proto/` and the `domain` crate.
//!
//! Layout:
//! - [`rules`]: pure business rules (size item to article, reasons, collisions, content hash,
//!   the state a person sees per size item and product);
//! - [`convert`]: a Centra product as the flow reads it (from the port or an event);
//! - [`ports`]: [`ports::CatalogSource`] (Centra products) and [`ports::ArticleSink`] (WMS
//!   articles) with their gRPC adapters;
//! - [`items`]: the size item repository;
//! - [`flow`]: plan, write, commit; the entry points (event, refresh, reconcile, selection);
//! - [`consumers`]: `ProductChanged` deliveries to the flow, read in batches (one flow run per
//!   batch);
//! - [`admin`]: the `CatalogAdmin` gRPC service;
//! - [`dead_letters`]: the `DeadLetters` gRPC service (rejected items, unreadable events);
//! - [`flow_status`]: the `FlowStatus` gRPC service (counts, last run, last error);
//! - `fakes` (feature `fakes`): in-memory ports for tests, checked against the gateways by the
//!   contract suite `tests/catalog_ports_contract`;
//! - this file: the wiring (the store, the ports over the directory's channels, the intake,
//!   the daily reconcile and the gRPC services, all stopped together).

pub mod admin;
pub mod consumers;
pub mod convert;
pub mod dead_letters;
#[cfg(any(test, feature = "fakes"))]
pub mod fakes;
pub mod flow;
pub mod flow_status;
pub mod items;
pub mod ports;
pub mod rules;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use domain::settings::ProductSelection;
use platform_bus::ConsumerConfig;
use platform_runtime::{
    CancellationToken, IN_FLIGHT_DRAIN, Migrations, Service, ServiceBase, ServiceContext,
    ServiceError, within_drain,
};
use sqlx::migrate::Migrator;

use crate::admin::CatalogAdminService;
use crate::consumers::consume_in_batches;
use crate::flow::{CatalogFlow, FlowConfig};
use crate::ports::{GrpcArticleSink, GrpcCatalogSource};
use crate::rules::CatalogRules;

/// The service's name: its schema, its log lines and its bus consumers carry it.
pub const NAME: &str = "catalog-sync";

static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");

/// The service's own tables (`catalog_items`).
pub static MIGRATIONS: Migrations = Migrations::new(&POSTGRES, &SQLITE);

/// The catalog-sync service.
#[derive(Debug, Default, Clone)]
pub struct CatalogSync;

#[async_trait]
impl Service for CatalogSync {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn run(&self, ctx: ServiceContext) -> Result<(), ServiceError> {
        run(ctx).await
    }
}

/// How often the full reconcile runs on its own.
pub const RECONCILE_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);

/// Durable consumer name of the `ProductChanged` subscription.
pub const CONSUMER: &str = "catalog-sync-products";

/// Runs the service until `ctx.shutdown`.
pub async fn run(ctx: ServiceContext) -> Result<(), ServiceError> {
    let base = ServiceBase::open(&ctx, NAME, &MIGRATIONS).await?;
    let result = serve(&ctx, &base).await;
    base.close().await;
    result
}

fn flow(ctx: &ServiceContext, base: &ServiceBase) -> Result<CatalogFlow, ServiceError> {
    let settings = &ctx.config.settings;
    let endpoint =
        settings
            .catalog_endpoint
            .clone()
            .ok_or_else(|| ServiceError::Misconfigured {
                service: NAME,
                message: "no catalog end-point is configured".to_owned(),
            })?;
    let centra = ctx
        .directory
        .channel("centra-gateway")
        .map_err(|e| ServiceError::part(NAME, "channel to centra-gateway", e))?;
    let wms = ctx
        .directory
        .channel(platform_runtime::WMS_GATEWAY)
        .map_err(|e| ServiceError::part(NAME, "channel to the WMS gateway", e))?;
    Ok(CatalogFlow::new(
        base.store.clone(),
        Arc::new(GrpcCatalogSource::new(centra)),
        Arc::new(GrpcArticleSink::new(wms, ctx.config.wms.warehouse.clone())),
        FlowConfig {
            endpoint: endpoint.to_string(),
            warehouse: ctx.config.wms.warehouse.clone(),
            rules: CatalogRules::from_settings(settings),
            manual: settings.product_selection == ProductSelection::Manual,
        },
    ))
}

async fn serve(ctx: &ServiceContext, base: &ServiceBase) -> Result<(), ServiceError> {
    let flow = flow(ctx, base)?;
    let stop = ctx.shutdown.child_token();
    let subject = format!("centra.{}.product.changed", flow.config().endpoint);
    let routes = tonic::service::Routes::new(CatalogAdminService::new(flow.clone()).into_server())
        .add_service(dead_letters::service(flow.clone()).into_server())
        .add_service(flow_status::FlowStatusService::new(flow.clone()).into_server());
    let (consumed, (), served) = tokio::join!(
        async {
            let config = ConsumerConfig::new(CONSUMER).with_filter(subject);
            let redelivery = ctx.config.runtime.redelivery;
            let result =
                consume_in_batches(ctx.bus.as_ref(), config, redelivery, stop.clone(), &flow).await;
            stop.cancel();
            result.map_err(|source| ServiceError::Bus {
                service: NAME,
                source,
            })
        },
        reconcile_daily(flow.clone(), stop.clone()),
        async {
            let result = ctx.directory.serve(NAME, routes, stop.clone()).await;
            stop.cancel();
            result.map_err(|e| ServiceError::part(NAME, "grpc server", e))
        },
    );
    consumed.and(served)
}

/// The backstop: a full reconcile every [`RECONCILE_INTERVAL`].
async fn reconcile_daily(flow: CatalogFlow, stop: CancellationToken) {
    let mut ticks = tokio::time::interval_at(
        tokio::time::Instant::now() + RECONCILE_INTERVAL,
        RECONCILE_INTERVAL,
    );
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = ticks.tick() => {}
        }
        // Dropped a drain after shutdown (writes are idempotent; the next start reconciles).
        match within_drain(flow.reconcile(false), &stop, IN_FLIGHT_DRAIN).await {
            None => return,
            Some(Err(error)) => {
                tracing::warn!(%error, "daily catalog reconcile failed; next one tomorrow");
            }
            Some(Ok(_)) => {}
        }
    }
}
