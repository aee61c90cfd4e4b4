//! stock-sync: WMS stock becomes Centra physical stock on the catalog end-point, never oversold
//! (the rule and its worked example are in [`domain::stock`]). Runs only with
//! `settings.stock_to_centra`.
//!
//! The service runs as a task of the embedded runtime or as its own process (`src/main.rs`).
//! It owns its store (schema `stock_sync`: the `stock_articles` it follows with their state and
//! `stock_runs`, plus the platform's inbox, outbox and dead letters) and meets the other
//! services only through the bus, the gRPC contracts in `proto/` and the `domain` crate.
//!
//! Layout:
//! - [`ports`]: `WmsStockSource` and `CentraStockTarget`, and their gRPC adapters over the
//!   gateways (`ports/grpc.rs`).
//! - [`rules`]: what a check makes of an article (pure, table-tested); the state a person sees.
//! - [`articles`]: the followed articles over the store, claimed by one replica at a time.
//! - [`flow`]: marking, the check (read both sides, decide, write), the reconcile.
//! - [`consumers`]: the bus consumers marking articles; [`dead_letters`]: dead letters retried.
//! - [`convert`]: what an event must hold, as `ConvertError`s naming the record and field.
//! - [`admin`]: the `StockAdmin` gRPC service; [`flow_status`]: the `FlowStatus` one.
//! - `fakes` (feature `fakes`): in-memory ports for tests, checked against the gateways by the
//!   contract suite `tests/stock_ports_contract`.
//!
//! Parts running: five consumers ([`consumers::Feed`]), the writer loop ([`flow::writer`]: checks due articles,
//! gathering the changes of one `stock_batch_window` into one check, else every second), the reconcile timer (every `stock_reconcile_interval`, one replica per
//! interval, the first right after the first start), the admin services.

pub mod admin;
pub mod articles;
pub mod consumers;
pub mod convert;
pub mod dead_letters;
#[cfg(any(test, feature = "fakes"))]
pub mod fakes;
pub mod flow;
pub mod flow_status;
pub mod ports;
pub mod rules;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use platform_runtime::{
    CancellationToken, DeadLetterService, IN_FLIGHT_DRAIN, Migrations, Service, ServiceBase,
    ServiceContext, ServiceError, within_drain,
};
use sqlx::migrate::Migrator;
use tonic::service::Routes;

use crate::articles::StockArticles;
use crate::consumers::Feed;
use crate::flow::StockFlow;
use crate::ports::{GrpcCentra, GrpcWms};

/// The service's name: its schema, its log lines and its bus consumers carry it.
pub const NAME: &str = "stock-sync";

static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");

/// The service's own tables (`stock_articles`, `stock_runs`).
pub static MIGRATIONS: Migrations = Migrations::new(&POSTGRES, &SQLITE);

/// The stock-sync service.
#[derive(Debug, Default, Clone)]
pub struct StockSync;

#[async_trait]
impl Service for StockSync {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn run(&self, ctx: ServiceContext) -> Result<(), ServiceError> {
        let base = ServiceBase::open(&ctx, NAME, &MIGRATIONS).await?;
        let result = run_flow(&ctx, &base).await;
        base.close().await;
        result
    }
}

async fn run_flow(ctx: &ServiceContext, base: &ServiceBase) -> Result<(), ServiceError> {
    let centra = ctx
        .directory
        .channel("centra-gateway")
        .map_err(|e| ServiceError::part(NAME, "channel to centra-gateway", e))?;
    let wms = ctx
        .directory
        .channel(platform_runtime::WMS_GATEWAY)
        .map_err(|e| ServiceError::part(NAME, "channel to the WMS gateway", e))?;
    let settings = Arc::new(ctx.config.settings.clone());
    // One failing part stops the others, so the runtime sees the error and restarts us whole.
    let stop = ctx.shutdown.child_token();
    let flow = StockFlow::new(
        settings.clone(),
        ctx.config.wms.warehouse.clone(),
        StockArticles::new(base.store.clone()),
        Arc::new(GrpcWms::new(wms)),
        Arc::new(GrpcCentra::new(centra)),
    )
    .stopping_on(stop.clone(), IN_FLIGHT_DRAIN);
    let mut tasks = tokio::task::JoinSet::new();
    if settings.stock_to_centra {
        for feed in Feed::ALL {
            let (flow, bus, stop) = (flow.clone(), ctx.bus.clone(), stop.clone());
            let redelivery = ctx.config.runtime.redelivery;
            tasks.spawn(async move {
                consumers::run(flow, feed, bus.as_ref(), redelivery, stop)
                    .await
                    .map_err(|e| {
                        ServiceError::part(NAME, format!("consumer {}", feed.consumer()), e)
                    })
            });
        }
        let (writer, writer_stop) = (flow.clone(), stop.clone());
        tasks.spawn(async move {
            writer.write_due(writer_stop).await;
            Ok(())
        });
        let (reconciler, reconcile_stop) = (flow.clone(), stop.clone());
        tasks.spawn(async move {
            reconcile_periodically(reconciler, reconcile_stop).await;
            Ok(())
        });
    }
    let dead_letters = DeadLetterService::new(
        base.store.clone(),
        Arc::new(dead_letters::MessageReplay::new(flow.clone())),
    );
    let routes = Routes::new(admin::Admin::new(flow).into_server())
        .add_service(
            flow_status::FlowStatusService::new(base.store.clone(), settings).into_server(),
        )
        .add_service(dead_letters.into_server());
    let (directory, admin_stop) = (ctx.directory.clone(), stop.clone());
    tasks.spawn(async move {
        directory
            .serve(NAME, routes, admin_stop)
            .await
            .map_err(|e| ServiceError::part(NAME, "grpc server", e))
    });
    platform_runtime::supervise(NAME, tasks, stop).await
}

/// The full reconcile every `stock_reconcile_interval`, by one replica per interval.
async fn reconcile_periodically(flow: StockFlow, stop: CancellationToken) {
    let interval = flow.settings().stock_reconcile_interval;
    let interval_ms = i64::try_from(interval.as_millis()).unwrap_or(i64::MAX / 2);
    let tick = interval.min(Duration::from_secs(60));
    loop {
        match flow
            .articles()
            .start_run(flow_status::RECONCILE_RUN, interval_ms)
            .await
        {
            Ok(true) => {
                match within_drain(flow.reconcile(&[], false), &stop, IN_FLIGHT_DRAIN).await {
                    // Dropped on shutdown: the next replica's interval reconciles.
                    None => return,
                    Some(Ok(report)) => tracing::info!(
                        checked = report.checked,
                        written = report.written,
                        "periodic stock reconcile done"
                    ),
                    Some(Err(error)) => {
                        tracing::warn!(%error, "periodic stock reconcile failed; the next interval tries again")
                    }
                }
            }
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "periodic stock reconcile could not start"),
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(tick) => {}
        }
    }
}
