//! order-sync: the money flow. Good-to-go Centra shipments become WMS orders (captured once the
//! WMS accepted them when the policy says so, cancelled there when the capture fails); shipped
//! WMS orders update partial quantities and complete the Centra shipment once, with an explicit
//! capture flag; shipments parked for a missing article are retried when catalog-sync reports
//! it. A shipment cancelled in Centra is cancelled in the WMS while the warehouse allows it,
//! else parked for a person. With `import = "orders"` (or `"both"`) ready Centra orders become
//! WMS orders of their own; nothing is reported back to Centra for those.
//!
//! The service runs as a task of the embedded runtime or as its own process (`src/main.rs`).
//! It owns its store (schema `order_sync`: the `shipments` mapping with its state machine, plus
//! the platform's inbox, outbox and dead letters) and meets the other services only through the
//! bus, the gRPC contracts in `proto/` and the `domain` crate.
//!
//! Layout:
//! - [`rules`]: the pure rules and the state machine (import, capture, completion).
//! - [`convert`]: bus events (and the Centra shipment the adapter reads) into the domain.
//! - [`ports`]: `CentraShipments` and `WmsOrders` in the flow's terms, and their gRPC adapters
//!   over the gateways (`ports/grpc.rs`).
//! - [`records`]: the shipment <-> WMS order mapping over the store; [`deliveries`]: the
//!   supplier delivery <-> purchase order mapping; [`orders`]: the Centra order <-> WMS order
//!   mapping of order import.
//! - [`journey`]: each shipment's steps (received, WMS order accepted, state changes, holds),
//!   written with every save of its record.
//! - [`flow`]: the handlers and the operator commands, idempotent under redelivery.
//! - [`consumers`]: the bus consumers feeding the flow.
//! - [`admin`]: the `OrderAdmin` gRPC service; [`flow_status`]: the `FlowStatus` one;
//!   [`dead_letters`]: what retrying a dead letter does (the kept message, replayed).
//! - `fakes` (feature `fakes`): in-memory ports for tests, checked against the gateways by the
//!   contract suite `tests/order_ports_contract`.

pub mod admin;
pub mod consumers;
pub mod convert;
pub mod dead_letters;
pub mod deliveries;
#[cfg(any(test, feature = "fakes"))]
pub mod fakes;
pub mod flow;
pub mod flow_status;
pub mod journey;
pub mod locks;
pub mod orders;
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

use crate::consumers::Feed;
use crate::flow::OrderFlow;
use crate::ports::{GrpcCentra, GrpcWms};
use crate::records::ShipmentRecords;

/// The service's name: its schema, its log lines and its bus consumers carry it.
pub const NAME: &str = "order-sync";

static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");

/// The service's own tables (the `shipments` mapping).
pub static MIGRATIONS: Migrations = Migrations::new(&POSTGRES, &SQLITE);

/// The order-sync service.
#[derive(Debug, Default, Clone)]
pub struct OrderSync;

#[async_trait]
impl Service for OrderSync {
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
    let flow = OrderFlow::new(
        Arc::new(ctx.config.settings.clone()),
        ctx.config.wms.warehouse.clone(),
        ShipmentRecords::new(base.store.clone()),
        Arc::new(GrpcCentra::new(centra)),
        Arc::new(GrpcWms::new(wms)),
    );
    // One failing part stops the others, so the runtime sees the error and restarts us whole.
    let stop = ctx.shutdown.child_token();
    let mut tasks = tokio::task::JoinSet::new();
    for feed in Feed::ALL
        .into_iter()
        .filter(|f| f.enabled(&ctx.config.settings))
    {
        let (flow, bus, stop) = (flow.clone(), ctx.bus.clone(), stop.clone());
        let redelivery = ctx.config.runtime.redelivery;
        tasks.spawn(async move {
            consumers::run(flow, bus.as_ref(), feed, redelivery, stop)
                .await
                .map_err(|e| ServiceError::part(NAME, format!("consumer {}", feed.consumer()), e))
        });
    }
    let dead_letters = DeadLetterService::new(
        base.store.clone(),
        Arc::new(dead_letters::MessageReplay::new(flow.clone())),
    );
    let routes = Routes::new(admin::Admin::new(flow).into_server())
        .add_service(
            flow_status::FlowStatusService::new(
                base.store.clone(),
                Arc::new(ctx.config.settings.clone()),
            )
            .into_server(),
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
