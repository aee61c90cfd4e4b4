//! returns-sync: WMS returns become Centra returns, per-item causes combined into one comment
//! per return; the WMS is told the return is reported only once Centra has it. Returns of
//! orders this product never imported, or whose lines no longer match the Centra shipment, are
//! parked with the reason for a person. Runs only with `settings.returns_to_centra`.
//!
//! The service runs as a task of the embedded runtime or as its own process (`src/main.rs`).
//! It owns its store (schema `returns_sync`: the `returns` mapping with its state machine, plus
//! the platform's inbox, outbox and dead letters) and meets the other services only through the
//! bus, the gRPC contracts in `proto/` and the `domain` crate.
//!
//! Layout:
//! - [`rules`]: the pure rules (new units of a return, the check against the shipment, the
//!   comment) and the state machine.
//! - [`convert`]: the bus event into the flow's terms.
//! - [`ports`]: `CentraReturns` and `WmsReturns`, and their gRPC adapters over the gateways
//!   (`ports/grpc.rs`).
//! - [`records`]: the WMS return <-> Centra return mapping over the store; [`journey`]: each
//!   return's steps, written as it is saved.
//! - [`flow`]: the handler and the operator commands, idempotent under redelivery.
//! - [`consumers`]: the bus consumer feeding the flow; [`dead_letters`]: dead letters retried.
//! - [`admin`]: the `ReturnsAdmin` gRPC service; [`flow_status`]: the `FlowStatus` one.
//! - `fakes` (feature `fakes`): in-memory ports for tests, checked against the gateways by the
//!   contract suite `tests/returns_ports_contract`.

pub mod admin;
pub mod consumers;
pub mod convert;
pub mod dead_letters;
#[cfg(any(test, feature = "fakes"))]
pub mod fakes;
pub mod flow;
pub mod flow_status;
pub mod journey;
pub mod ports;
pub mod records;
pub mod rules;

use std::sync::Arc;

use async_trait::async_trait;
use platform_runtime::{
    DeadLetterService, Migrations, Service, ServiceBase, ServiceContext, ServiceError,
};
use sqlx::migrate::Migrator;
use tonic::service::Routes;

use crate::flow::ReturnFlow;
use crate::ports::{GrpcCentra, GrpcWms};
use crate::records::ReturnRecords;

/// The service's name: its schema, its log lines and its bus consumers carry it.
pub const NAME: &str = "returns-sync";

static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");

/// The service's own tables (the `returns` mapping).
pub static MIGRATIONS: Migrations = Migrations::new(&POSTGRES, &SQLITE);

/// The returns-sync service.
#[derive(Debug, Default, Clone)]
pub struct ReturnsSync;

#[async_trait]
impl Service for ReturnsSync {
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
    let flow = ReturnFlow::new(
        settings.clone(),
        ctx.config.wms.warehouse.clone(),
        ReturnRecords::new(base.store.clone()),
        Arc::new(GrpcCentra::new(centra)),
        Arc::new(GrpcWms::new(wms)),
    );
    // One failing part stops the others, so the runtime sees the error and restarts us whole.
    let stop = ctx.shutdown.child_token();
    let mut tasks = tokio::task::JoinSet::new();
    if settings.returns_to_centra {
        let (flow, bus, stop) = (flow.clone(), ctx.bus.clone(), stop.clone());
        let redelivery = ctx.config.runtime.redelivery;
        tasks.spawn(async move {
            consumers::run(flow, bus.as_ref(), redelivery, stop)
                .await
                .map_err(|e| {
                    ServiceError::part(NAME, format!("consumer {}", flow::RETURN_RECEIVED), e)
                })
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
