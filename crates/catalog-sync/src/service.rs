//! Wiring: the store, the ports over the directory's channels, the `ProductChanged` intake,
//! the daily reconcile and the `CatalogAdmin` and `DeadLetters` services, all stopped together.

use std::sync::Arc;
use std::time::Duration;

use domain::settings::ProductSelection;
use platform_bus::ConsumerConfig;
use platform_runtime::CancellationToken;
use platform_runtime::{ServiceBase, ServiceContext, ServiceError};

use crate::admin::CatalogAdminService;
use crate::dead_letters;
use crate::flow::{CatalogFlow, FlowConfig};
use crate::intake::consume_in_batches;
use crate::ports::{GrpcArticleSink, GrpcCatalogSource};
use crate::rules::CatalogRules;
use crate::{MIGRATIONS, NAME};

/// How often the full reconcile runs on its own.
pub const RECONCILE_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);

/// Durable consumer name of the `ProductChanged` subscription.
pub const CONSUMER: &str = "catalog-sync-products";

fn other(message: String) -> ServiceError {
    ServiceError::Other {
        service: NAME,
        message,
    }
}

/// Runs the service until `ctx.shutdown`.
pub async fn run(ctx: ServiceContext) -> Result<(), ServiceError> {
    let base = ServiceBase::open(&ctx, NAME, &MIGRATIONS).await?;
    let result = serve(&ctx, &base).await;
    base.close().await;
    result
}

fn flow(ctx: &ServiceContext, base: &ServiceBase) -> Result<CatalogFlow, ServiceError> {
    let settings = &ctx.config.settings;
    let endpoint = settings
        .catalog_endpoint
        .clone()
        .ok_or_else(|| other("no catalog end-point is configured".to_owned()))?;
    let centra = ctx
        .directory
        .channel("centra-gateway")
        .map_err(|e| other(e.to_string()))?;
    let wms = ctx
        .directory
        .channel(platform_runtime::WMS_GATEWAY)
        .map_err(|e| other(e.to_string()))?;
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
        .add_service(crate::flow_status::FlowStatusService::new(flow.clone()).into_server());
    let (consumed, (), served) = tokio::join!(
        async {
            let config = ConsumerConfig::new(CONSUMER).with_filter(subject);
            let result = consume_in_batches(ctx.bus.as_ref(), config, stop.clone(), &flow).await;
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
            result.map_err(|e| other(e.to_string()))
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
        if let Err(error) = flow.reconcile(false).await {
            tracing::warn!(%error, "daily catalog reconcile failed; next one tomorrow");
        }
    }
}
