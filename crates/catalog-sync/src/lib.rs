//! catalog-sync: The article flow: Centra size rows become WMS articles, automatically or by manual selection.
//!
//! The service runs as a task of the embedded runtime or as its own process (`src/main.rs`).
//! It owns its store (schema `catalog_sync`) and meets the other services only through the bus,
//! the gRPC contracts in `proto/` and the `domain` crate.
//!
//! Layout:
//! - [`rules`]: pure business rules (size item to article, reasons, collisions, content hash);
//! - [`centra_product`]: a Centra product as the flow reads it (from the port or an event);
//! - [`state`]: the state a person sees per size item;
//! - [`ports`]: [`ports::CatalogSource`] (Centra products) and [`ports::ArticleSink`] (WMS
//!   articles) with their gRPC adapters;
//! - [`items`]: the size item repository;
//! - [`flow`]: plan, write, commit; the entry points (event, refresh, reconcile, selection);
//! - [`consumers`]: `ProductChanged` deliveries to the flow;
//! - [`intake`]: the deliveries read in batches, one flow run per batch;
//! - [`admin`]: the `CatalogAdmin` gRPC service;
//! - [`dead_letters`]: the `DeadLetters` gRPC service (rejected items, unreadable events);
//! - [`flow_status`]: the `FlowStatus` gRPC service (counts, last run, last error);
//! - [`service`]: wiring (consumer, daily reconcile, admin service).

pub mod admin;
pub mod centra_product;
pub mod consumers;
pub mod dead_letters;
pub mod flow;
pub mod flow_status;
pub mod intake;
pub mod items;
pub mod ports;
pub mod rules;
pub mod service;
pub mod state;

use async_trait::async_trait;
use platform_runtime::{Migrations, Service, ServiceContext, ServiceError};
use sqlx::migrate::Migrator;

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
        service::run(ctx).await
    }
}
